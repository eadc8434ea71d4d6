package preflight

import (
	"errors"
	"fmt"

	"github.com/rosterd/rosterd/roster"
)

// Committed is the roster a commit would replace, as the store holds it
// (state.Snapshot satisfies it). It need not be safe for concurrent use:
// Check calls it from one goroutine.
type Committed interface {
	// Get returns the encoded record id of kind, or nil when absent. The
	// bytes need only stay valid until the next call.
	Get(kind roster.Kind, id string) []byte
	// ForEach calls fn for every committed record of kind. id and data are
	// only valid during the call. An error from fn stops the walk and is
	// returned.
	ForEach(kind roster.Kind, fn func(id, data []byte) error) error
}

// Counts are what a commit would do to one entity.
type Counts struct {
	// Kept is the number of distinct records the sharing rules kept.
	Kept int `json:"kept"`
	// Added, Updated and Deleted count the records a commit would write or
	// remove; Kept - Added - Updated records are unchanged.
	Added   int `json:"added"`
	Updated int `json:"updated"`
	Deleted int `json:"deleted"`
}

// Result is what Check found.
type Result struct {
	// Issues are sorted: errors first, then by code, entity, id and field.
	Issues []Issue
	// Counts holds every roster.Entities key. A user counts under each
	// role it holds.
	Counts map[roster.Entity]*Counts
	// Change is what a commit writes: only changed records, in ID order
	// within each kind.
	Change roster.Change
	// Changes details the diff for people: the fields each update changed
	// and the records added and deleted, each list capped.
	Changes ChangeDetail
	// Guards are the mass-change guards the change trips; a sync that
	// trips any, and has no error, is held.
	Guards []GuardTrip
}

// Errors returns the number of issues of severity error; any refuses the
// run.
func (r *Result) Errors() int { return r.countSeverity(SeverityError) }

// Warnings returns the number of issues of severity warning.
func (r *Result) Warnings() int { return r.countSeverity(SeverityWarning) }

func (r *Result) countSeverity(s Severity) int {
	n := 0
	for i := range r.Issues {
		if r.Issues[i].Severity == s {
			n++
		}
	}
	return n
}

// AddIssues adds issues found before preflight (the sharing rules'
// placement issues) under opts: an override in opts.Severity replaces the
// severity the issue came with, "ignore" drops it, and a missing hint is
// filled in from the code table. Issues stay in report order.
func (r *Result) AddIssues(opts Options, issues []Issue) {
	for _, is := range issues {
		if s, ok := opts.Severity[is.Code]; ok {
			is.Severity = s
		}
		if is.Severity == SeverityIgnore {
			continue
		}
		if is.Hint == "" {
			is.Hint = codeTable[is.Code].Hint
		}
		r.Issues = append(r.Issues, is)
	}
	SortIssues(r.Issues)
}

// EntityCounts returns the report's counts table: fetched comes from the
// roster as the source delivered it (roster.Roster.Count before the
// sharing rules), the rest from r. Entities are in roster.Entities order.
func (r *Result) EntityCounts(fetched map[roster.Entity]int) []EntityCounts {
	out := make([]EntityCounts, 0, len(roster.Entities))
	for _, e := range roster.Entities {
		ec := EntityCounts{Entity: e, Fetched: fetched[e]}
		if c := r.Counts[e]; c != nil {
			ec.Kept, ec.Added, ec.Updated, ec.Deleted = c.Kept, c.Added, c.Updated, c.Deleted
		}
		out = append(out, ec)
	}
	return out
}

// Check validates r and diffs it against committed, which may be an empty
// store or nil. It returns an error only when it cannot do its work (bad
// options, a store read that fails, a committed record that no longer
// decodes); what is wrong with the roster, including a record that cannot
// be encoded for the store, is in Result.Issues.
func Check(r *roster.Roster, committed Committed, opts Options) (*Result, error) {
	if r == nil {
		return nil, errors.New("check roster: no roster")
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("check options: %w", err)
	}
	required, err := opts.requiredFields()
	if err != nil {
		return nil, fmt.Errorf("check options: %w", err)
	}
	idx := indexRoster(r)
	res := &Result{Counts: make(map[roster.Entity]*Counts, len(roster.Entities))}
	for _, e := range roster.Entities {
		res.Counts[e] = &Counts{}
	}
	if committed == nil {
		committed = emptyCommitted{}
	}

	// Validation and the diff only read the roster and the index, so the
	// record checks run beside the diff's encoding rather than before it.
	v := validator{r: r, idx: idx, required: required, c: collector{opts: opts}}
	validated := make(chan struct{})
	go func() {
		defer close(validated)
		v.run()
	}()
	unencodable := collector{opts: opts}
	det := newDetails()
	arena := opts.Arena
	if arena == nil {
		arena = heapArena{}
	}
	err = diff(r, idx, committed, arena, &unencodable, res, det)
	<-validated
	if err != nil {
		return nil, err
	}
	if err := arena.Seal(); err != nil {
		return nil, fmt.Errorf("keep the change: %w", err)
	}
	res.Changes = det.finish()
	res.Guards = CheckGuards(opts.guards(), res.Counts)
	res.Issues = append(v.c.issues, unencodable.issues...)
	SortIssues(res.Issues)
	return res, nil
}

// rosterIndex holds the ID set of every kind.
type rosterIndex struct {
	districts, schools, terms, courses, sections, users idIndex
}

func indexRoster(r *roster.Roster) *rosterIndex {
	return &rosterIndex{
		districts: buildIndex(r.Districts, func(d *roster.District) string { return d.ID }),
		schools:   buildIndex(r.Schools, func(s *roster.School) string { return s.ID }),
		terms:     buildIndex(r.Terms, func(t *roster.Term) string { return t.ID }),
		courses:   buildIndex(r.Courses, func(c *roster.Course) string { return c.ID }),
		sections:  buildIndex(r.Sections, func(s *roster.Section) string { return s.ID }),
		users:     buildIndex(r.Users, func(u *roster.User) string { return u.ID }),
	}
}

// emptyCommitted is a store that holds nothing: the first run.
type emptyCommitted struct{}

func (emptyCommitted) Get(roster.Kind, string) []byte { return nil }

func (emptyCommitted) ForEach(roster.Kind, func(id, data []byte) error) error { return nil }
