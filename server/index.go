package server

import (
	"fmt"
	"sync"

	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
)

// indexCache keeps, per connection, which sections each student is in,
// as of one head. A student record does not say (enrollments live only
// in sections), so the students endpoint would otherwise scan every
// section for every page. The index is built from the sections of the
// view asking for it, once per head, and rebuilt when a commit moves the
// head. It costs about one map entry per student and one slice element
// per enrollment: of the order of 100 MB for 350,000 students.
type indexCache struct {
	mu     sync.Mutex
	byConn map[string]*studentIndex
}

// studentIndex is one connection's index. Its mutex is held while it is
// built, so that concurrent requests at a new head build it once.
type studentIndex struct {
	mu       sync.Mutex
	built    bool
	head     uint64
	sections map[string][]string // student ID → section IDs, in ID order
}

// indexChunk is how many sections one Page call reads while building.
const indexChunk = 5000

// sectionsOf returns the student → sections index of conn as v shows it.
// The map is shared: read it, never change it.
func (c *indexCache) sectionsOf(conn string, v RosterView) (map[string][]string, error) {
	c.mu.Lock()
	if c.byConn == nil {
		c.byConn = map[string]*studentIndex{}
	}
	ix := c.byConn[conn]
	if ix == nil {
		ix = &studentIndex{}
		c.byConn[conn] = ix
	}
	c.mu.Unlock()

	head := v.HeadRunID()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.built && ix.head == head {
		return ix.sections, nil
	}
	m, err := buildIndex(v)
	if err != nil {
		return nil, err
	}
	// Heads only grow (every commit is a newer run): a request still
	// reading an older commit gets its index without replacing the
	// newer one.
	if !ix.built || head > ix.head {
		ix.built, ix.head, ix.sections = true, head, m
	}
	return m, nil
}

// buildIndex scans every section of v.
func buildIndex(v RosterView) (map[string][]string, error) {
	m := map[string][]string{}
	after := ""
	for {
		n := 0
		err := v.Page(roster.KindSections, after, indexChunk, func(id, data []byte) error {
			n++
			sid := string(id)
			after = sid
			var sec sectionRecord
			if err := codec.Unmarshal(data, &sec); err != nil {
				return fmt.Errorf("section %s: %w", sid, err)
			}
			for _, st := range sec.Students {
				m[st] = append(m[st], sid)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("index students' sections: %w", err)
		}
		if n < indexChunk {
			return m, nil
		}
	}
}
