package sharing_test

import (
	"testing"

	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// FuzzRules compiles rules built from arbitrary field names and patterns
// (globs, /regexps/, "current", "") and applies those that compile to a
// small district: Compile must refuse with an error or the rules must
// apply, never panic, and the roster they leave must hold no reference
// to a student they dropped. The seed corpus is in testdata/fuzz/FuzzRules.
func FuzzRules(f *testing.F) {
	f.Fuzz(func(t *testing.T, sectionField, sectionPattern, secondField, secondPattern, studentField, studentPattern string, required bool) {
		cfg := sharing.Config{
			Sections: sharing.Filter{
				Include: []sharing.Matcher{{sectionField: {sectionPattern}}},
				Exclude: []sharing.Matcher{{secondField: {secondPattern}}},
			},
			Students:             sharing.Filter{Exclude: []sharing.Matcher{{studentField: {studentPattern}}}},
			OneSectionPerStudent: &sharing.OneSection{Required: required, Prefer: []sharing.Preference{{Matcher: sharing.Matcher{secondField: {sectionPattern}}}, {LowestPeriod: true}}},
			Fields:               map[roster.Entity][]string{roster.EntityStudent: {"sis_id", "grade", "school", "schools", studentField}},
		}
		rules, err := sharing.Compile(cfg)
		if err != nil {
			return
		}
		r := smallDistrict()
		rules.Minimise(r)
		rules.Apply(r, sharing.ApplyOptions{Now: today, Trace: "stu4", ConflictPairs: 3})
		kept := map[string]bool{}
		for _, u := range r.Users {
			kept[u.ID] = true
		}
		for _, s := range r.Sections {
			for _, id := range s.Students {
				if !kept[id] {
					t.Fatalf("section %s keeps dropped student %s", s.ID, id)
				}
			}
		}
	})
}
