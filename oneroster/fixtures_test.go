package oneroster_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
)

// fixtureFieldErr names a field error by entity, record and roster field.
type fixtureFieldErr struct{ entity, id, field string }

// csvFixtures lists every CSV package of ../shared/fixtures/oneroster
// (SOURCE.md describes each): whether ReadPackage loads it or refuses it,
// what it maps to, and which values the mapping cannot use. A package that
// loads may still be refused by preflight for its field errors (each
// names its file, line and column); clean names the options under which
// it maps without any.
var csvFixtures = []struct {
	path string
	// refused holds the errors of a refused package (substrings, in
	// order); nil for a package that loads.
	refused []string
	// warnings holds substrings some warning must contain.
	warnings    []string
	counts      map[roster.Entity]int
	fieldErrors []fixtureFieldErr
	clean       *oneroster.MapOptions
}{
	{
		// 1.1 bulk with 1.0's inactive and a tobedeleted row inside bulk
		// files, date-only dateLastModified, Scheduled and TRUE, and
		// source.* set to "absent". It loads: the tobedeleted class and
		// session are left out (with the enrollments of the class),
		// inactive reads as active, the rest is case. Its only org is a
		// department whose parent is missing, so no school is mapped and
		// its sections name the department, which preflight reports.
		// courses are absent, so sections name courses of no record.
		path:     "catalyst-moodle-enrol_oneroster/Test_full_data_set.zip",
		warnings: []string{"inactive is a OneRoster 1.0 status", "source.systemCode is a file mode"},
		counts:   entityCounts(0, 0, 4, 0, 1, 3, 2, 0, 0, 1),
	},
	{
		// The spec's bulk form: status and dateLastModified blank.
		path:   "catalyst-moodle-enrol_oneroster/Test_minimal_data_set.zip",
		counts: entityCounts(0, 0, 5, 0, 2, 3, 2, 0, 0, 1),
	},
	{
		// 1.2 delta, one row per file, roles.csv and userProfiles.csv
		// (unused, warned about); applied onto nothing it is a small
		// roster.
		path:     "catalyst-moodle-enrol_oneroster/oneroster_test_data.zip",
		warnings: []string{"rosterd does not use userProfiles"},
		counts:   entityCounts(0, 1, 1, 1, 1, 1, 0, 0, 0, 0),
	},
	{
		// 1.1 bulk with mixed CRLF and LF, D/MM/YYYY session dates, a
		// .NET enrollment timestamp, an enrollment of a class that does
		// not exist, and a department above... a school: the inverted
		// hierarchy resolves the classes' department to that school.
		path:   "catalyst-moodle-enrol_oneroster/test01.zip",
		counts: entityCounts(0, 1, 2, 0, 2, 1, 1, 0, 0, 1),
		fieldErrors: []fixtureFieldErr{
			{"section", "cls-222-12345", "students"},
			{"term", "as-grp-222-2345", "end_date"},
			{"term", "as-grp-222-2345", "start_date"},
			{"term", "as-trm-222-1234", "end_date"},
			{"term", "as-trm-222-1234", "start_date"},
		},
	},
	{
		// 1.2 bulk: misspelled preferred-name headers and roles.csv's
		// dataLastModified (read by alias), two unnamed header cells and
		// rows shorter than the header, a lowercase userprofiles.csv
		// (with roles data; absent anyway), D/M/YYYY dateLastModified.
		path: "catalyst-moodle-enrol_oneroster/v1p2_full_dataset.zip",
		warnings: []string{
			"read as column preferredGivenName", "read as column dateLastModified",
			"2 columns have no name", "fewer cells than the header", "read as userProfiles.csv",
		},
		counts: entityCounts(0, 0, 4, 0, 1, 3, 2, 1, 0, 1),
		fieldErrors: []fixtureFieldErr{
			{"staff", "usr-222-1234561", "last_modified"},
			{"student", "usr-222-1234561232", "last_modified"},
			{"student", "usr-222-567891", "last_modified"},
			{"teacher", "usr-222-123456", "last_modified"},
			{"teacher", "usr-222-987654", "last_modified"},
		},
		clean: &oneroster.MapOptions{DateOrder: oneroster.DateOrderDMY},
	},
	{
		// Clean generated 1.1 bulk (store-only zip, CRLF).
		path:   "GospelNerd-OneRoster-Generator-generated/school-small-elementary-seed-fixture-school-small.zip",
		counts: entityCounts(0, 1, 2, 42, 42, 72, 6, 1, 0, 0),
	},
	{
		// The large one: 4,441 users, 31,045 enrollments.
		path:   "GospelNerd-OneRoster-Generator-generated/district-large-seed-fixture-district-large.zip",
		counts: entityCounts(1, 20, 2, 91, 1470, 4225, 195, 20, 1, 0),
	},
	{
		// A "1.1" set with reordered columns, 1.0 names (grade, userId,
		// agents, schoolYearId, birthdate, userSourcedId), metadata.*
		// columns mid-file, ext_* vendor columns, a space-separated
		// timestamp, and header-only files.
		path:     "oat-sa-oneroster-import/OneRosterv1p1BaseCSV",
		warnings: []string{"column grade: read as column grades", "column userSourcedId: read as column sourcedId", "schoolYear: the column is missing"},
		counts:   entityCounts(0, 2, 0, 0, 3, 2, 0, 0, 0, 0),
	},
	{
		// OneRoster 1.0: no manifest (read as bulk), termSourcedId, no
		// enabledUser column.
		path:     "oat-sa-oneroster-import/oneRoster1.0",
		warnings: []string{"no manifest.csv", "column termSourcedId: read as column termSourcedIds"},
		counts:   entityCounts(0, 2, 0, 0, 3, 2, 0, 0, 0, 0),
	},
	{
		// No manifest, subfolders of later snapshots (ignored), three
		// unnamed enrollment columns, toBeDeleted, M/D/YYYY dates, and
		// classes naming a term and a school that do not exist (preflight
		// reports those).
		path:        "rjeike-OneRoster.Net/CSVSample",
		warnings:    []string{"24 CSV files in folders of the package are ignored", "read as tobedeleted", "3 columns have no name"},
		counts:      entityCounts(1, 2, 3, 4, 3, 4, 0, 0, 0, 0),
		fieldErrors: rjeikeSlashDates,
		clean:       &oneroster.MapOptions{DateOrder: oneroster.DateOrderMDY},
	},
	{
		// Adds course 10009 as inactive: read as active.
		path:        "rjeike-OneRoster.Net/CSVSample/Step1-UpdateCourse",
		counts:      entityCounts(1, 2, 3, 5, 3, 4, 0, 0, 0, 0),
		fieldErrors: rjeikeSlashDates,
		clean:       &oneroster.MapOptions{DateOrder: oneroster.DateOrderMDY},
	},
	{
		path:        "rjeike-OneRoster.Net/CSVSample/Step2-AddCourse",
		counts:      entityCounts(1, 2, 3, 5, 3, 4, 0, 0, 0, 0),
		fieldErrors: rjeikeSlashDates,
		clean:       &oneroster.MapOptions{DateOrder: oneroster.DateOrderMDY},
	},
	{
		// Drops course 10009: a deletion by absence (see the Apply tests).
		path:        "rjeike-OneRoster.Net/CSVSample/Step3-DeleteCourse",
		counts:      entityCounts(1, 2, 3, 4, 3, 4, 0, 0, 0, 0),
		fieldErrors: rjeikeSlashDates,
		clean:       &oneroster.MapOptions{DateOrder: oneroster.DateOrderMDY},
	},
	{
		// Adds a class whose school is the district org: kept as sent,
		// for preflight to report as an unknown school.
		path:        "rjeike-OneRoster.Net/CSVSample/Step4-AddClass",
		counts:      entityCounts(1, 2, 3, 4, 4, 4, 0, 0, 0, 0),
		fieldErrors: rjeikeSlashDates,
		clean:       &oneroster.MapOptions{DateOrder: oneroster.DateOrderMDY},
	},
	{
		// ClassLink header templates: a quoted manifest, metadata.*
		// address columns, no rows. demographics.csv is present but
		// declared absent.
		path:     "nicelion-oneroster-mocker/oneroster-example-csv",
		warnings: []string{"declares the file absent"},
		counts:   entityCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	},
	{
		// Generated rows without a manifest, plus a misnamed file
		// (test-csv.csv), which is not a file of the binding.
		path:     "nicelion-oneroster-mocker/outputs",
		warnings: []string{"test-csv.csv: not a file of the OneRoster CSV binding"},
		counts:   entityCounts(1, 1, 0, 0, 0, 2, 0, 1, 0, 1),
	},
	{
		// Column definitions in JSON, not a package: no CSV files at all.
		path:    "oat-sa-oneroster-import/config-v1.1",
		refused: []string{"no CSV files"},
	},
}

var rjeikeSlashDates = []fixtureFieldErr{
	{"term", "001_FYT_2019", "end_date"}, {"term", "001_FYT_2019", "start_date"},
	{"term", "001_S1_2019", "end_date"}, {"term", "001_S1_2019", "start_date"},
	{"term", "001_S2_2019", "end_date"}, {"term", "001_S2_2019", "start_date"},
}

// entityCounts builds the per-entity counts of a roster, in roster.Entities
// order.
func entityCounts(n ...int) map[roster.Entity]int {
	m := make(map[roster.Entity]int)
	for i, e := range roster.Entities {
		if n[i] > 0 || i < 5 {
			m[e] = n[i]
		}
	}
	return m
}

// csvLocationRE is how a field error or issue names where a CSV value is.
var csvLocationRE = regexp.MustCompile(`^[A-Za-z]+\.csv:\d+: column [A-Za-z.]+: `)

func TestReadPackage_Fixtures(t *testing.T) {
	root := orFixtures(t)
	for _, tc := range csvFixtures {
		t.Run(tc.path, func(t *testing.T) {
			p, err := oneroster.ReadPackage(filepath.Join(root, tc.path))
			if tc.refused != nil {
				if !errors.Is(err, oneroster.ErrInvalidPackage) {
					t.Fatalf("ReadPackage = %v, want a refusal", err)
				}
				var pe *oneroster.PackageError
				errors.As(err, &pe)
				if len(pe.Errors) != len(tc.refused) {
					t.Fatalf("errors = %v, want %d", pe.Errors, len(tc.refused))
				}
				for i, want := range tc.refused {
					if !strings.Contains(pe.Errors[i].String(), want) {
						t.Errorf("error %d = %q, want it to contain %q", i, pe.Errors[i], want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadPackage: %v", err)
			}
			for _, want := range tc.warnings {
				if !slices.ContainsFunc(p.Issues, func(is oneroster.Issue) bool { return strings.Contains(is.String(), want) }) {
					t.Errorf("no warning contains %q; issues:\n%s", want, issueLines(p.Issues))
				}
			}
			r, err := p.Apply(nil, oneroster.MapOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.counts, r.Count()); diff != "" {
				t.Errorf("counts mismatch (-want +got):\n%s", diff)
			}
			var got []fixtureFieldErr
			for _, fe := range r.FieldErrors {
				got = append(got, fixtureFieldErr{string(fe.Entity), fe.ID, fe.Field})
				if !csvLocationRE.MatchString(fe.Message) {
					t.Errorf("field error %q does not name its file, line and column", fe.Message)
				}
			}
			if diff := cmp.Diff(tc.fieldErrors, got, cmp.AllowUnexported(fixtureFieldErr{})); diff != "" {
				t.Errorf("field errors mismatch (-want +got):\n%s", diff)
			}
			if tc.clean != nil {
				r, _ := p.Apply(nil, *tc.clean)
				if len(r.FieldErrors) != 0 {
					t.Errorf("with %+v: %d field errors, want none: %v", *tc.clean, len(r.FieldErrors), r.FieldErrors)
				}
			}
		})
	}
}

// TestReadPackage_FixturesListed ensures the table above covers every CSV
// package of the fixtures: every zip, and every folder holding CSV files.
func TestReadPackage_FixturesListed(t *testing.T) {
	root := orFixtures(t)
	listed := map[string]bool{}
	for _, tc := range csvFixtures {
		listed[tc.path] = true
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		switch {
		case !d.IsDir() && strings.HasSuffix(path, ".zip"):
		case d.IsDir():
			csvs, _ := filepath.Glob(filepath.Join(path, "*.csv"))
			jsons, _ := filepath.Glob(filepath.Join(path, "*.json"))
			if len(csvs) == 0 && !(strings.Contains(rel, "config-v1.1") && len(jsons) > 0) {
				return nil
			}
		default:
			return nil
		}
		if !listed[rel] {
			t.Errorf("fixture %s is not in csvFixtures", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// jsonFixtures lists every JSON file of the fixtures, as a REST response
// body: whether DecodeJSON loads it, with how many records and which field
// errors, or refuses it, naming the file, line and column.
var jsonFixtures = []struct {
	path        string
	records     int
	counts      map[roster.Entity]int
	fieldErrors []fixtureFieldErr
	// refused is a substring of the refusal; "" when the body loads.
	refused string
}{
	// 1.2 Japan Profile samples: metadata.jp extensions, JSON booleans
	// where the OpenAPI says strings, placeholder hrefs, empty roles and
	// terms arrays.
	{path: "1EdTechJapan-DA2022/rest-samples-v1p2-japan/classes.json", records: 1, counts: entityCounts(0, 0, 0, 0, 1, 0, 0, 0, 0, 0)},
	// The enrollment's class is in another body, so this body alone names
	// a class not in the roster.
	{path: "1EdTechJapan-DA2022/rest-samples-v1p2-japan/enrollments.json", records: 1, counts: entityCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
		fieldErrors: []fixtureFieldErr{{"section", "c0935e31-e98a-46d8-bd8b-831a26fcaef5", "students"}}},
	{path: "1EdTechJapan-DA2022/rest-samples-v1p2-japan/orgs.json", records: 1, counts: entityCounts(0, 1, 0, 0, 0, 0, 0, 0, 0, 0)},
	// roles is empty: a user with no role, which preflight reports.
	{path: "1EdTechJapan-DA2022/rest-samples-v1p2-japan/users.json", records: 1, counts: entityCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)},
	// A token response, not a collection.
	{path: "1EdTechJapan-DA2022/rest-samples-v1p2-japan/oauth2.json", refused: "oauth2.json:2:4: no OneRoster collection"},
	// A validator's error catalogue, not a REST body.
	{path: "1EdTechJapan-DA2022/csv-validator-error-catalogue/invalidErrorConfig.json", refused: "invalidErrorConfig.json:14:3: no OneRoster collection"},
	// 1.1 collections: integer booleans, relative hrefs, "type":"user" on
	// org refs, tobedeleted orgs and sessions.
	{path: "libre-oneroster/sample/academicSessions.json", records: 3, counts: entityCounts(0, 0, 2, 0, 0, 0, 0, 0, 0, 0)},
	{path: "libre-oneroster/sample/classes.json", records: 3, counts: entityCounts(0, 0, 0, 0, 3, 0, 0, 0, 0, 0)},
	{path: "libre-oneroster/sample/courses.json", records: 2, counts: entityCounts(0, 0, 0, 2, 0, 0, 0, 0, 0, 0)},
	{path: "libre-oneroster/sample/enrollments.json", records: 2, counts: entityCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
		fieldErrors: []fixtureFieldErr{{"section", "01", "students"}}},
	// Two tobedeleted orgs, one local (not mapped), one district.
	{path: "libre-oneroster/sample/orgs.json", records: 4, counts: entityCounts(1, 0, 0, 0, 0, 0, 0, 0, 0, 0)},
	{path: "libre-oneroster/sample/users.json", records: 3, counts: entityCounts(0, 0, 0, 0, 0, 1, 1, 0, 0, 1)},
	// Not OneRoster collections (libre-oneroster's own additions).
	{path: "libre-oneroster/sample/periods.json", refused: "periods.json:2:5: no OneRoster collection"},
	{path: "libre-oneroster/sample/subjects.json", refused: "subjects.json:2:5: no OneRoster collection"},
	// The 1.2 OpenAPI document and oat-sa's column definitions are not
	// REST bodies; the definitions are JSON arrays.
	{path: "openapi/onerosterv1p2rostersservice_openapi3_v1p0.json", refused: "no OneRoster collection"},
	{path: "oat-sa-oneroster-import/config-v1.1/*.json", refused: ".json:"},
}

// jsonLocationRE is how a refusal names where its fault is.
var jsonLocationRE = regexp.MustCompile(`^[A-Za-z0-9_.]+\.json:\d+:\d+: `)

func TestDataset_DecodeJSON_Fixtures(t *testing.T) {
	root := orFixtures(t)
	covered := map[string]bool{}
	for _, tc := range jsonFixtures {
		paths, _ := filepath.Glob(filepath.Join(root, tc.path))
		if len(paths) == 0 {
			t.Errorf("no fixture %s", tc.path)
		}
		for _, path := range paths {
			covered[path] = true
			t.Run(strings.TrimPrefix(path, root+"/"), func(t *testing.T) {
				body, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				var d oneroster.Dataset
				n, err := d.DecodeJSON(filepath.Base(path), body)
				if tc.refused != "" {
					if err == nil || !strings.Contains(err.Error(), tc.refused) || !jsonLocationRE.MatchString(err.Error()) {
						t.Fatalf("DecodeJSON = %v, want a refusal containing %q at a line and column", err, tc.refused)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if n != tc.records {
					t.Errorf("records = %d, want %d", n, tc.records)
				}
				r := oneroster.ToRoster(&d, oneroster.MapOptions{})
				if diff := cmp.Diff(tc.counts, r.Count()); diff != "" {
					t.Errorf("counts mismatch (-want +got):\n%s", diff)
				}
				var got []fixtureFieldErr
				for _, fe := range r.FieldErrors {
					got = append(got, fixtureFieldErr{string(fe.Entity), fe.ID, fe.Field})
				}
				if diff := cmp.Diff(tc.fieldErrors, got, cmp.AllowUnexported(fixtureFieldErr{})); diff != "" {
					t.Errorf("field errors mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
	// Ensure every JSON file of the fixtures is in the table.
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") && !covered[path] {
			t.Errorf("fixture %s is not in jsonFixtures", path)
		}
		return nil
	})
}

func issueLines(is []oneroster.Issue) string {
	var b strings.Builder
	for _, i := range is {
		b.WriteString("  " + i.String() + "\n")
	}
	return b.String()
}
