package connector

import (
	"context"
	"errors"
	"time"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// Source fetches a district's whole roster. Fetch returns an error, and no
// roster, when the crawl did not complete: a short roster would read as
// deletions.
type Source interface {
	Kind() string
	Fetch(ctx context.Context) (*roster.Roster, error)
}

// IncrementalSource is a Source whose fetch builds on the last one: a CSV
// drop's delta package applies to the roster the last package gave, a
// delta pull asks only for what changed since a watermark. The cursor it
// returns is committed with the roster, atomically, and handed back to the
// next fetch; a run that does not commit leaves the old cursor, so the
// next run fetches the same change again.
type IncrementalSource interface {
	Source
	FetchSince(ctx context.Context, prev Previous) (*roster.Roster, []byte, error)
}

// Previous is what an incremental fetch builds on.
type Previous struct {
	// Cursor is the cursor the last commit stored; nil before the first.
	Cursor []byte
	// Raw returns the roster the last run fetched (its raw snapshot), or
	// nil when none is kept.
	Raw func() (*roster.Roster, error)
	// Unchanged is for the source to call when the roster it returns is
	// the one Raw gave, unchanged (no event or delta applied to it): the
	// run then does not store the same roster again.
	Unchanged func()
}

// Committed is a read view of one connection's committed roster.
type Committed interface {
	preflight.Committed
	// HeadRunID is the run whose commit last changed the roster; 0 when
	// nothing was ever committed.
	HeadRunID() uint64
}

// Store is the part of the state store a run needs.
type Store interface {
	NextRunID() (uint64, error)
	// ReadCommitted calls fn with a consistent view of conn's committed
	// roster, valid only during the call.
	ReadCommitted(conn string, fn func(Committed) error) error
	// Commit applies change, stores cursor (nil keeps the stored one) and
	// records run and report in one atomic write. It fails, writing
	// nothing, when the connection's head is no longer base.
	Commit(conn string, base uint64, change *roster.Change, cursor []byte, run RunRecord, report []byte) error
	// RecordRun stores a run and its report without touching the roster.
	// It fails for a run already recorded.
	RecordRun(run RunRecord, report []byte) error
	// UpdateRun replaces the record and report of a run already recorded.
	UpdateRun(run RunRecord, report []byte) error
	// SaveRaw replaces conn's last fetched roster, kept for the rules
	// workbench; it touches neither the committed roster nor the history.
	// It returns the roster's fingerprint, which names its content: equal
	// fingerprints mean equal rosters. It may be empty.
	SaveRaw(conn string, r *roster.Roster, fetched time.Time) (fingerprint string, err error)
	// StartRaw begins a SaveRaw of r while its fetch is still making
	// it: r's districts, schools, terms, courses and users are final
	// (FetchTrace.UsersFinal). Nothing is written before the save is
	// finished.
	StartRaw(conn string, r *roster.Roster) RawSave
	// KeptRaw describes conn's kept raw roster: the zero KeptRaw when
	// none is kept.
	KeptRaw(conn string) (KeptRaw, error)
	// SaveReuse replaces conn's reuse note (see reuse.go); Reuse returns
	// it, or nil when there is none.
	SaveReuse(conn string, note []byte) error
	Reuse(conn string) ([]byte, error)

	// Stage records a held run and stages its change and cursor, computed
	// against base, without touching the roster.
	Stage(conn string, base uint64, change *roster.Change, cursor []byte, run RunRecord, report []byte) error
	// Staged returns a held run's staged change.
	Staged(id uint64) (*Staged, error)
	// CommitStaged commits run id's staged change and replaces its record
	// and report, in one atomic write; it fails, writing nothing, when the
	// connection's head is no longer the staged base.
	CommitStaged(id uint64, run RunRecord, report []byte) error
	// DropStaged drops run id's staged change and replaces its record and
	// report.
	DropStaged(id uint64, run RunRecord, report []byte) error
	// Report returns the report stored with run id.
	Report(id uint64) ([]byte, error)
	// RosterAt returns conn's roster as run id committed it.
	RosterAt(conn string, id uint64) (*roster.Roster, error)
	// Cursor returns the cursor conn's last commit stored, or nil.
	Cursor(conn string) ([]byte, error)
	// LoadRaw returns conn's kept raw roster, or an error wrapping
	// ErrNoRaw when none is kept.
	LoadRaw(conn string) (*roster.Roster, error)
}

// KeptRaw describes a kept raw roster.
type KeptRaw struct {
	// Fingerprint names its content (Store.SaveRaw); it may be empty.
	Fingerprint string
	// Sizes counts its users and sections.
	Sizes Sizes
}

// ErrNoRaw is wrapped by Store.LoadRaw when no raw roster is kept.
var ErrNoRaw = errors.New("no fetched roster is kept")

// Staged is a held run's change, waiting for an operator.
type Staged struct {
	Connection string
	Base       uint64
	Change     *roster.Change
}

// RunRecord is the history entry of one run.
type RunRecord struct {
	ID                      uint64
	Connection              string
	Source                  string
	Mode                    Mode
	Verdict                 preflight.Verdict
	Error                   string
	Started, Finished       time.Time
	Added, Updated, Deleted int
	Errors, Warnings        int
	// Decision, DecidedBy and DecidedAt record an operator's approval or
	// rejection of a held run.
	Decision  string
	DecidedBy string
	DecidedAt time.Time
	// RollbackTo is the run a rollback restored.
	RollbackTo uint64
}

// Mode says whether a run may commit.
type Mode string

// The modes.
const (
	// ModeSync commits when preflight finds no error.
	ModeSync Mode = "sync"
	// ModePreflight is a dry run: everything but the commit.
	ModePreflight Mode = "preflight"
)

// Connection is one configured district source and how its runs are
// checked.
type Connection struct {
	Name   string
	Source Source
	// Rules narrow the fetched roster; nil keeps everything.
	Rules     *sharing.Rules
	Preflight preflight.Options
	// KeepRaw stores each fetched roster (minimised, before the rules) so
	// that "rosterd rules test" can re-run the rules on it.
	KeepRaw bool
	// Fingerprint names everything but the fetched roster, the day and
	// the committed roster that a run's rules and preflight result depend
	// on: the rules, the preflight options and the rosterd build. Two
	// runs with the same one that fetch the same roster on the same Day
	// (sharing.Rules.Day) against the same committed roster reach the
	// same result, so the second reuses the first's when KeepRaw gives it
	// the fetched roster's fingerprint. Empty turns reuse off.
	Fingerprint string
	// Pauses are date ranges in which syncs do not commit (they still
	// preflight), judged in Location; nil Location means time.Local.
	Pauses   []Pause
	Location *time.Location
}

// Pause is a date range, both ends included, in which a connection's syncs
// do not commit: the summer, a rollover.
type Pause struct {
	Name     string
	From, To roster.Date
}

func (p *Pause) String() string {
	s := p.From.String() + " to " + p.To.String()
	if p.Name != "" {
		s = p.Name + " (" + s + ")"
	}
	return s
}

// pausedAt returns the pause window containing now, or nil.
func (c *Connection) pausedAt(now time.Time) *Pause {
	loc := c.Location
	if loc == nil {
		loc = time.Local
	}
	now = now.In(loc)
	today := roster.Date{Year: int16(now.Year()), Month: uint8(now.Month()), Day: uint8(now.Day())}
	for i := range c.Pauses {
		p := &c.Pauses[i]
		if !today.Before(p.From) && !p.To.Before(today) {
			return p
		}
	}
	return nil
}
