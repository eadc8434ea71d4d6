package preflight

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
)

// diff compares every kind of r with what committed holds, filling
// res.Change and res.Counts. Records that cannot be encoded are reported
// to c and left out of the Change.
func diff(r *roster.Roster, idx *rosterIndex, committed Committed, arena RecordArena, c *collector, res *Result, det *details) error {
	steps := []func() error{
		func() error {
			return diffKind(plainKind(roster.KindDistricts, roster.EntityDistrict, r.Districts, &idx.districts,
				func(d *roster.District) string { return d.ID },
				func(*roster.District) string { return "" }), committed, arena, c, res, det)
		},
		func() error {
			return diffKind(plainKind(roster.KindSchools, roster.EntitySchool, r.Schools, &idx.schools,
				func(s *roster.School) string { return s.ID },
				func(s *roster.School) string { return s.SISID }), committed, arena, c, res, det)
		},
		func() error {
			return diffKind(plainKind(roster.KindTerms, roster.EntityTerm, r.Terms, &idx.terms,
				func(t *roster.Term) string { return t.ID },
				func(t *roster.Term) string { return t.SISID }), committed, arena, c, res, det)
		},
		func() error {
			return diffKind(plainKind(roster.KindCourses, roster.EntityCourse, r.Courses, &idx.courses,
				func(c *roster.Course) string { return c.ID },
				func(c *roster.Course) string { return c.SISID }), committed, arena, c, res, det)
		},
		func() error {
			return diffKind(plainKind(roster.KindSections, roster.EntitySection, r.Sections, &idx.sections,
				func(s *roster.Section) string { return s.ID },
				func(s *roster.Section) string { return s.SISID }), committed, arena, c, res, det)
		},
		func() error {
			return diffKind(kindDiff[roster.User]{
				kind: roster.KindUsers, recs: r.Users, idx: &idx.users,
				idOf:              func(u *roster.User) string { return u.ID },
				appendEntities:    appendUserRoles,
				committedEntities: committedUserRoles,
				locate:            locateUserField,
				primary:           func(u *roster.User) (roster.Entity, string) { return userEntity(u), u.SISID() },
				committedRef: func(data []byte) (roster.Entity, string) {
					var u roster.User
					if codec.Unmarshal(data, &u) != nil {
						return entityUser, ""
					}
					return userEntity(&u), u.SISID()
				},
			}, committed, arena, c, res, det)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// kindDiff describes how to diff one kind of record.
type kindDiff[T any] struct {
	kind roster.Kind
	recs []T
	idx  *idIndex
	idOf func(*T) string
	// appendEntities appends the entities a record counts under to dst.
	appendEntities func(dst []roster.Entity, rec *T) []roster.Entity
	// committedEntities does the same for a committed record.
	committedEntities func(data []byte, fn func(roster.Entity)) error
	// locate names the entity, SIS ID and field of the value at a JSON
	// pointer into a record's encoding, split into tokens.
	locate func(rec *T, tokens []string) (e roster.Entity, sisID string, field []string)
	// primary names the entity and SIS ID a report lists the record under.
	primary func(rec *T) (roster.Entity, string)
	// committedRef names a committed record, for the list of deletes.
	committedRef func(data []byte) (roster.Entity, string)
}

// plainKind describes a kind whose every record is one entity.
func plainKind[T any](kind roster.Kind, e roster.Entity, recs []T, idx *idIndex, idOf, sisOf func(*T) string) kindDiff[T] {
	return kindDiff[T]{
		kind: kind, recs: recs, idx: idx, idOf: idOf,
		appendEntities:    func(dst []roster.Entity, _ *T) []roster.Entity { return append(dst, e) },
		committedEntities: func(_ []byte, fn func(roster.Entity)) error { fn(e); return nil },
		locate: func(rec *T, tokens []string) (roster.Entity, string, []string) {
			return e, sisOf(rec), tokens
		},
		primary: func(rec *T) (roster.Entity, string) { return e, sisOf(rec) },
		committedRef: func(data []byte) (roster.Entity, string) {
			var rec T
			if codec.Unmarshal(data, &rec) != nil {
				return e, ""
			}
			return e, sisOf(&rec)
		},
	}
}

// appendUserRoles appends the entity of each role u holds: a user counts
// under each.
func appendUserRoles(dst []roster.Entity, u *roster.User) []roster.Entity {
	for _, role := range roster.AllRoles {
		if u.Is(role) {
			dst = append(dst, role.Entity())
		}
	}
	return dst
}

// committedUserRoles counts a committed user under the roles it was
// committed with. It decodes the record: deletes are rare, and nothing
// else in the diff decodes.
func committedUserRoles(data []byte, fn func(roster.Entity)) error {
	var u roster.User
	if err := codec.Unmarshal(data, &u); err != nil {
		return err
	}
	for _, e := range appendUserRoles(nil, &u) {
		fn(e)
	}
	return nil
}

// locateUserField reports a value inside a role ("/roles/teacher/ext/x")
// under that role's entity, and any other under the user's primary role.
func locateUserField(u *roster.User, tokens []string) (roster.Entity, string, []string) {
	if len(tokens) >= 2 && tokens[0] == "roles" {
		if role, ok := roster.ParseRole(tokens[1]); ok && u.Is(role) {
			return role.Entity(), roleSISID(u, role), tokens[2:]
		}
	}
	return userEntity(u), u.SISID(), tokens
}

func diffKind[T any](d kindDiff[T], committed Committed, arena RecordArena, c *collector, res *Result, det *details) error {
	var entities []roster.Entity // reused: one slice per record would be millions
	var detailErr, deleteErr error
	walk := walkCommitted(committed, d.kind)
	if !walk.ok && walk.err == nil {
		// The store holds none of the kind: every record is an add.
		res.Change.GrowPut(d.kind, len(d.idx.order))
	}
	// deleteUpTo deletes every committed record the walk passes before
	// reaching id ("" for all that are left): the fetched roster, visited
	// in the same order, has none of them.
	deleteUpTo := func(id string, all bool) {
		for deleteErr == nil && (walk.before(id) || (all && walk.ok)) {
			deleteErr = d.deleted(walk.id, walk.data, res, det)
			walk.advance()
		}
	}
	encodeOrdered(d.recs, d.idx.order, func(pos int32, data []byte, encodeErr error) {
		rec := &d.recs[pos]
		id := d.idOf(rec)
		deleteUpTo(id, false)
		old, held := walk.at(id)
		var added, updated bool
		if encodeErr != nil {
			// The record stays out of the Change: the store keeps what it
			// had under this ID, if anything.
			e, sis, field, msg := describeEncodeError(encodeErr, func(tokens []string) (roster.Entity, string, []string) {
				return d.locate(rec, tokens)
			})
			c.add(code(e, checkInvalidField), e, id, sis, field, "%s", msg)
		} else {
			added, updated = !held, held && !bytes.Equal(old, data)
			if added || updated {
				res.Change.AddPut(d.kind, roster.Record{ID: id, Data: arena.Append(data)})
			}
			switch {
			case added:
				det.added(func() RecordRef { e, sis := d.primary(rec); return RecordRef{Entity: e, ID: id, SISID: sis} })
			case updated:
				if err := updatedRecord(det, id, rec, old, d.locate, d.primary); err != nil {
					detailErr = fmt.Errorf("committed %s %q: %w", d.kind, id, err)
				}
			}
		}
		if held {
			walk.advance()
		}
		entities = d.appendEntities(entities[:0], rec)
		for _, e := range entities {
			n := res.Counts[e]
			n.Kept++
			switch {
			case added:
				n.Added++
			case updated:
				n.Updated++
			}
		}
	})
	deleteUpTo("", true)
	if err := errors.Join(walk.close(), deleteErr); err != nil {
		return fmt.Errorf("diff %s: read committed: %w", d.kind, err)
	}
	if detailErr != nil {
		return fmt.Errorf("diff %s: %w", d.kind, detailErr)
	}
	return nil
}

// deleted records that the committed record id, which the fetched roster
// lacks, is to be deleted.
func (d kindDiff[T]) deleted(id, data []byte, res *Result, det *details) error {
	deleted := string(id) // id is only valid until the walk moves on
	res.Change.AddDelete(d.kind, deleted)
	det.deleted(func() RecordRef { e, sis := d.committedRef(data); return RecordRef{Entity: e, ID: deleted, SISID: sis} })
	if err := d.committedEntities(data, func(e roster.Entity) { res.Counts[e].Deleted++ }); err != nil {
		return fmt.Errorf("committed record %q: %w", deleted, err)
	}
	return nil
}
