package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
)

// Paging of the roster read API.
const (
	DefaultPageLimit = 500
	MaxPageLimit     = 5000
)

// sectionItem is a section with its students.
type sectionItem struct {
	Section  json.RawMessage `json:"section"`
	Students []string        `json:"students"`
}

// studentItem is a student with the sections they are in.
type studentItem struct {
	Student  json.RawMessage `json:"student"`
	Sections []string        `json:"sections"`
}

// page is one page of the roster read API. Head is the commit it was read
// from; Next, absent on the last page, is the cursor of the next one.
type page[T any] struct {
	Head  uint64 `json:"head"`
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// pageQuery is a page asked for: the records after After, at most
// Limit, read from the commit Head when HasHead.
type pageQuery struct {
	After   string
	Limit   int
	Head    uint64
	HasHead bool
}

func parsePageQuery(w http.ResponseWriter, r *http.Request) (pageQuery, bool) {
	q := r.URL.Query()
	p := pageQuery{After: q.Get("after"), Limit: DefaultPageLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageLimit {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit must be a number from 1 to %d", MaxPageLimit))
			return p, false
		}
		p.Limit = n
	}
	if v := q.Get("head"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "head must be the head a previous page returned")
			return p, false
		}
		p.Head, p.HasHead = n, true
	}
	return p, true
}

// headMovedError is returned inside a view whose head is not the one the
// client paged from.
type headMovedError struct{ asked, now uint64 }

func (e *headMovedError) Error() string {
	return fmt.Sprintf("the roster was committed since head %d (it is now at %d): start again from the first page", e.asked, e.now)
}

// errPageFull stops a Page call once the page has one record more than
// it shows (which says there is a next page).
var errPageFull = errors.New("page full")

// readRoster calls fn with conn's view, checking the client's head, and
// answers with the error, if any.
func (s *Server) readRoster(w http.ResponseWriter, r *http.Request, p pageQuery, fn func(RosterView) error) bool {
	err := s.backend.Roster(r.PathValue("name"), func(v RosterView) error {
		if p.HasHead && v.HeadRunID() != p.Head {
			return &headMovedError{asked: p.Head, now: v.HeadRunID()}
		}
		return fn(v)
	})
	var moved *headMovedError
	switch {
	case errors.As(err, &moved):
		writeError(w, http.StatusConflict, moved.Error())
		return false
	case err != nil:
		s.fail(w, r, err)
		return false
	}
	return true
}

// sectionRecord is the part of a section record the API reads.
type sectionRecord struct {
	Students []string `json:"students"`
}

// userRecord is the part of a user record the API reads.
type userRecord struct {
	Roles struct {
		Student *struct{} `json:"student"`
	} `json:"roles"`
}

func (u *userRecord) isStudent() bool { return u.Roles.Student != nil }

// sections serves a page of sections, each with its students.
func (s *Server) sections(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePageQuery(w, r)
	if !ok {
		return
	}
	out := page[sectionItem]{Items: []sectionItem{}}
	var last string
	more := false
	done := s.readRoster(w, r, p, func(v RosterView) error {
		out.Head = v.HeadRunID()
		err := v.Page(roster.KindSections, p.After, p.Limit+1, func(id, data []byte) error {
			if len(out.Items) == p.Limit {
				more = true
				return errPageFull
			}
			var sec sectionRecord
			if err := codec.Unmarshal(data, &sec); err != nil {
				return fmt.Errorf("section %s: %w", id, err)
			}
			// The view's bytes are valid only during the call: copy.
			out.Items = append(out.Items, sectionItem{Section: json.RawMessage(string(data)), Students: nonNil(sec.Students)})
			last = string(id)
			return nil
		})
		if errors.Is(err, errPageFull) {
			return nil
		}
		return err
	})
	if !done {
		return
	}
	if more {
		out.Next = last
	}
	writeJSON(w, http.StatusOK, out)
}

// students serves a page of students, each with the sections they are in.
func (s *Server) students(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePageQuery(w, r)
	if !ok {
		return
	}
	out := page[studentItem]{Items: []studentItem{}}
	var last string
	more := false
	done := s.readRoster(w, r, p, func(v RosterView) error {
		out.Head = v.HeadRunID()
		index, err := s.index.sectionsOf(r.PathValue("name"), v)
		if err != nil {
			return err
		}
		// Users of other roles sit between the students: read on until
		// the page holds one student more than it shows, or the users
		// run out.
		after := p.After
		for !more {
			n := 0
			err := v.Page(roster.KindUsers, after, p.Limit+1, func(id, data []byte) error {
				n++
				sid := string(id)
				after = sid
				var u userRecord
				if err := codec.Unmarshal(data, &u); err != nil {
					return fmt.Errorf("user %s: %w", id, err)
				}
				if !u.isStudent() {
					return nil
				}
				if len(out.Items) == p.Limit {
					more = true
					return errPageFull
				}
				out.Items = append(out.Items, studentItem{Student: json.RawMessage(string(data)), Sections: nonNil(index[sid])})
				last = sid
				return nil
			})
			if err != nil && !errors.Is(err, errPageFull) {
				return err
			}
			if n < p.Limit+1 {
				break
			}
		}
		return nil
	})
	if !done {
		return
	}
	if more {
		out.Next = last
	}
	writeJSON(w, http.StatusOK, out)
}

// section serves one section with its students.
func (s *Server) section(w http.ResponseWriter, r *http.Request) {
	var out struct {
		Head uint64 `json:"head"`
		sectionItem
	}
	found := false
	done := s.readRoster(w, r, pageQuery{}, func(v RosterView) error {
		out.Head = v.HeadRunID()
		data := v.Get(roster.KindSections, r.PathValue("id"))
		if data == nil {
			return nil
		}
		var sec sectionRecord
		if err := codec.Unmarshal(data, &sec); err != nil {
			return fmt.Errorf("section %s: %w", r.PathValue("id"), err)
		}
		out.Section, out.Students, found = json.RawMessage(string(data)), nonNil(sec.Students), true
		return nil
	})
	switch {
	case !done:
	case !found:
		writeError(w, http.StatusNotFound, fmt.Sprintf("connection %s has no section %q", r.PathValue("name"), r.PathValue("id")))
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

// student serves one student with the sections they are in.
func (s *Server) student(w http.ResponseWriter, r *http.Request) {
	var out struct {
		Head uint64 `json:"head"`
		studentItem
	}
	found := false
	done := s.readRoster(w, r, pageQuery{}, func(v RosterView) error {
		out.Head = v.HeadRunID()
		id := r.PathValue("id")
		data := v.Get(roster.KindUsers, id)
		if data == nil {
			return nil
		}
		var u userRecord
		if err := codec.Unmarshal(data, &u); err != nil {
			return fmt.Errorf("user %s: %w", id, err)
		}
		if !u.isStudent() {
			return nil
		}
		index, err := s.index.sectionsOf(r.PathValue("name"), v)
		if err != nil {
			return err
		}
		out.Student, out.Sections, found = json.RawMessage(string(data)), nonNil(index[id]), true
		return nil
	})
	switch {
	case !done:
	case !found:
		writeError(w, http.StatusNotFound, fmt.Sprintf("connection %s has no student %q", r.PathValue("name"), r.PathValue("id")))
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
