package connector

import (
	"sync"
	"time"

	"github.com/rosterd/rosterd/roster"
)

// RawSave is a save of the raw roster begun while the fetch is still
// going (Store.StartRaw). It is finished with the fetched roster, or
// aborted, which writes nothing.
type RawSave interface {
	// Finish saves r, which holds the collections the save began with,
	// as SaveRaw would, and returns its fingerprint.
	Finish(r *roster.Roster, fetched time.Time) (fingerprint string, err error)
	// Abort drops the save. It does nothing once the save is finished
	// or aborted.
	Abort()
}

// earlySnapshot begins the run's raw snapshot during the fetch, once the
// source says the users are final (FetchTrace): at XL, encoding and
// compressing the users is most of the snapshot, and the crawl's pace
// leaves a CPU idle while the sections are fetched. The users are
// minimised first, as the whole roster is after the fetch, so that the
// raw roster never holds a field the rules drop.
type earlySnapshot struct {
	r *run

	mu      sync.Mutex
	save    RawSave // nil until the users are final, and once taken
	dropped int     // values minimisation dropped from the users
}

func (s *earlySnapshot) trace() *FetchTrace {
	return &FetchTrace{UsersFinal: s.usersFinal}
}

func (s *earlySnapshot) usersFinal(ro *roster.Roster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.save != nil {
		return
	}
	s.dropped = s.r.conn.Rules.Minimise(ro)
	s.save = s.r.engine.store.StartRaw(s.r.conn.Name, ro)
}

// take returns the save begun, or nil, and the values minimisation
// dropped before it; the caller finishes or aborts the save.
func (s *earlySnapshot) take() (RawSave, int) {
	if s == nil {
		return nil, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	save := s.save
	s.save = nil
	return save, s.dropped
}

// abort aborts a save begun and not taken: the fetch failed.
func (s *earlySnapshot) abort() {
	if save, _ := s.take(); save != nil {
		save.Abort()
	}
}
