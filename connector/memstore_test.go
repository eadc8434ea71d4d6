package connector_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
)

// memStore is an in-memory connector.Store. It copies what it is given, as
// a real store would, so a test cannot pass by sharing memory.
type memStore struct {
	mu      sync.Mutex
	nextID  uint64
	rosters map[string]map[roster.Kind]map[string][]byte
	heads   map[string]uint64
	runs    map[uint64]connector.RunRecord
	reports map[uint64][]byte
	commits int
	raws    int // SaveRaw calls, or finished StartRaw ones
	// early counts the saves begun with StartRaw, and aborted those
	// aborted.
	early, aborted int
	raw            map[string][]byte // the kept roster, encoded: the run narrows it after
	cursors        map[string][]byte
	staged         map[uint64]*connector.Staged
	// history keeps a copy of the roster each commit left, by run.
	history map[uint64]map[roster.Kind]map[string][]byte
	// beforeCommit runs inside Commit before the head check, to simulate
	// another writer.
	beforeCommit func(s *memStore)
	// saveRawErr, when set, fails SaveRaw, keeping nothing.
	saveRawErr error
	reuse      map[string][]byte // reuse notes
}

var (
	errConflict    = errors.New("committed roster moved")
	errRunRecorded = errors.New("run already recorded")
	errNoRun       = errors.New("run not recorded")
)

func newMemStore() *memStore {
	return &memStore{
		rosters: map[string]map[roster.Kind]map[string][]byte{},
		heads:   map[string]uint64{},
		runs:    map[uint64]connector.RunRecord{},
		reports: map[uint64][]byte{},
		staged:  map[uint64]*connector.Staged{},
		raw:     map[string][]byte{},
		cursors: map[string][]byte{},
		history: map[uint64]map[roster.Kind]map[string][]byte{},
		reuse:   map[string][]byte{},
	}
}

func (s *memStore) NextRunID() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return s.nextID, nil
}

func (s *memStore) ReadCommitted(conn string, fn func(connector.Committed) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn(memView{records: s.rosters[conn], head: s.heads[conn]})
}

func (s *memStore) Commit(conn string, base uint64, change *roster.Change, cursor []byte, run connector.RunRecord, report []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.beforeCommit != nil {
		s.beforeCommit(s)
	}
	if s.heads[conn] != base {
		return errConflict
	}
	if _, ok := s.runs[run.ID]; ok {
		return errRunRecorded
	}
	s.apply(conn, change, run)
	if cursor != nil {
		s.cursors[conn] = bytes.Clone(cursor)
	}
	s.reports[run.ID] = bytes.Clone(report)
	// As the store's batched commit does, once the puts are written.
	if change != nil && change.Written != nil {
		for _, kind := range roster.Kinds {
			if puts := change.Put[kind]; len(puts) > 0 {
				change.Written(kind, puts)
			}
		}
	}
	return nil
}

func (s *memStore) Cursor(conn string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.cursors[conn]), nil
}

func (s *memStore) LoadRaw(conn string) (*roster.Roster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.raw[conn]
	if !ok {
		return nil, connector.ErrNoRaw
	}
	var r roster.Roster
	if err := codec.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// apply writes change and run; the caller holds s.mu and checked the head.
func (s *memStore) apply(conn string, change *roster.Change, run connector.RunRecord) {
	if !change.Empty() {
		r := s.rosters[conn]
		if r == nil {
			r = map[roster.Kind]map[string][]byte{}
			s.rosters[conn] = r
		}
		for kind, recs := range change.Put {
			if r[kind] == nil {
				r[kind] = map[string][]byte{}
			}
			for _, rec := range recs {
				r[kind][rec.ID] = bytes.Clone(rec.Data)
			}
		}
		for kind, ids := range change.Delete {
			for _, id := range ids {
				delete(r[kind], id)
			}
		}
		s.heads[conn] = run.ID
		s.commits++
	}
	s.runs[run.ID] = run
	copyOf := map[roster.Kind]map[string][]byte{}
	for kind, recs := range s.rosters[conn] {
		copyOf[kind] = map[string][]byte{}
		for id, data := range recs {
			copyOf[kind][id] = data
		}
	}
	s.history[run.ID] = copyOf
}

func (s *memStore) Stage(conn string, base uint64, change *roster.Change, cursor []byte, run connector.RunRecord, report []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.runs[run.ID]; ok {
		return errRunRecorded
	}
	s.runs[run.ID] = run
	s.reports[run.ID] = bytes.Clone(report)
	s.staged[run.ID] = &connector.Staged{Connection: conn, Base: base, Change: change}
	return nil
}

func (s *memStore) Staged(id uint64) (*connector.Staged, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.staged[id]
	if !ok {
		return nil, errNoRun
	}
	return st, nil
}

func (s *memStore) CommitStaged(id uint64, run connector.RunRecord, report []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.staged[id]
	if !ok {
		return errNoRun
	}
	if s.heads[st.Connection] != st.Base {
		return errConflict
	}
	s.apply(st.Connection, st.Change, run)
	s.reports[id] = bytes.Clone(report)
	delete(s.staged, id)
	return nil
}

func (s *memStore) DropStaged(id uint64, run connector.RunRecord, report []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.staged[id]; !ok {
		return errNoRun
	}
	delete(s.staged, id)
	s.runs[id] = run
	s.reports[id] = bytes.Clone(report)
	return nil
}

func (s *memStore) Report(id uint64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reports[id]
	if !ok {
		return nil, errNoRun
	}
	return bytes.Clone(r), nil
}

func (s *memStore) RosterAt(conn string, id uint64) (*roster.Roster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs, ok := s.history[id]
	if !ok {
		return nil, errNoRun
	}
	r := &roster.Roster{}
	for kind, byID := range recs {
		for _, data := range byID {
			if err := decodeInto(r, kind, data); err != nil {
				return nil, err
			}
		}
	}
	r.SortByID()
	return r, nil
}

// decodeInto appends a committed record of kind to r.
func decodeInto(r *roster.Roster, kind roster.Kind, data []byte) error {
	var err error
	switch kind {
	case roster.KindDistricts:
		r.Districts, err = decodeAppend(r.Districts, data)
	case roster.KindSchools:
		r.Schools, err = decodeAppend(r.Schools, data)
	case roster.KindTerms:
		r.Terms, err = decodeAppend(r.Terms, data)
	case roster.KindCourses:
		r.Courses, err = decodeAppend(r.Courses, data)
	case roster.KindSections:
		r.Sections, err = decodeAppend(r.Sections, data)
	case roster.KindUsers:
		r.Users, err = decodeAppend(r.Users, data)
	}
	return err
}

func decodeAppend[T any](dst []T, data []byte) ([]T, error) {
	var rec T
	if err := codec.Unmarshal(data, &rec); err != nil {
		return dst, err
	}
	return append(dst, rec), nil
}

func (s *memStore) RecordRun(run connector.RunRecord, report []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.runs[run.ID]; ok {
		return errRunRecorded
	}
	s.runs[run.ID] = run
	s.reports[run.ID] = bytes.Clone(report)
	return nil
}

func (s *memStore) UpdateRun(run connector.RunRecord, report []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.runs[run.ID]; !ok {
		return errNoRun
	}
	s.runs[run.ID] = run
	s.reports[run.ID] = bytes.Clone(report)
	return nil
}

func (s *memStore) SaveRaw(conn string, r *roster.Roster, fetched time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raws++
	if s.saveRawErr != nil {
		return "", s.saveRawErr
	}
	data, err := codec.Marshal(r)
	if err != nil {
		return "", err
	}
	s.raw[conn] = data
	return fingerprintOf(data), nil
}

// StartRaw begins a save that Finish completes with SaveRaw, after
// checking it is handed the users it began with, as the real store does.
func (s *memStore) StartRaw(conn string, r *roster.Roster) connector.RawSave {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.early++
	return &memRawSave{s: s, conn: conn, users: r.Users}
}

type memRawSave struct {
	s     *memStore
	conn  string
	users []roster.User
	over  bool
}

func (w *memRawSave) Finish(r *roster.Roster, fetched time.Time) (string, error) {
	if w.over {
		return "", errors.New("raw save already over")
	}
	w.over = true
	if len(w.users) != len(r.Users) || len(r.Users) > 0 && &w.users[0] != &r.Users[0] {
		return "", errors.New("the roster finished holds other users than the save began with")
	}
	return w.s.SaveRaw(w.conn, r, fetched)
}

func (w *memRawSave) Abort() {
	if w.over {
		return
	}
	w.over = true
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.s.aborted++
}

func (s *memStore) KeptRaw(conn string) (connector.KeptRaw, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.raw[conn]
	if !ok {
		return connector.KeptRaw{}, nil
	}
	var r roster.Roster
	if err := codec.Unmarshal(data, &r); err != nil {
		return connector.KeptRaw{}, err
	}
	return connector.KeptRaw{
		Fingerprint: fingerprintOf(data),
		Sizes:       connector.Sizes{Users: len(r.Users), Sections: len(r.Sections)},
	}, nil
}

// fingerprintOf names an encoded roster by its hash.
func fingerprintOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func (s *memStore) SaveReuse(conn string, note []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reuse[conn] = bytes.Clone(note)
	return nil
}

func (s *memStore) Reuse(conn string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.reuse[conn]), nil
}

// snapshot returns a copy of conn's committed records.
func (s *memStore) snapshot(conn string) map[roster.Kind]map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[roster.Kind]map[string]string{}
	for kind, recs := range s.rosters[conn] {
		out[kind] = map[string]string{}
		for id, data := range recs {
			out[kind][id] = string(data)
		}
	}
	return out
}

type memView struct {
	records map[roster.Kind]map[string][]byte
	head    uint64
}

func (v memView) HeadRunID() uint64 { return v.head }

func (v memView) Get(kind roster.Kind, id string) []byte { return v.records[kind][id] }

func (v memView) ForEach(kind roster.Kind, fn func(id, data []byte) error) error {
	ids := make([]string, 0, len(v.records[kind]))
	for id := range v.records[kind] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := fn([]byte(id), v.records[kind][id]); err != nil {
			return err
		}
	}
	return nil
}
