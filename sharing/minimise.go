package sharing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rosterd/rosterd/roster"
)

// minimiser drops the user fields sharing.fields does not keep.
type minimiser struct {
	// keep holds, per entity that has a keep-list, the kept paths; an
	// entity without a list keeps everything.
	keep map[roster.Entity]map[string]bool
	// drop holds, per entity, the fields to clear (every known field not
	// kept), resolved once.
	drop map[roster.Entity][]roster.Field
}

// commonFields live on the User and are shared by all its roles.
var commonFields = []string{"district", "name.first", "name.middle", "name.last", "email"}

func compileMinimiser(fields map[roster.Entity][]string) (*minimiser, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	m := &minimiser{keep: map[roster.Entity]map[string]bool{}, drop: map[roster.Entity][]roster.Field{}}
	for _, e := range roster.Entities {
		paths, ok := fields[e]
		if !ok {
			continue
		}
		if !slices.Contains(roster.UserEntities, e) {
			return nil, &Error{"fields." + string(e), fmt.Errorf("only user fields are minimised (%s)", entityList(roster.UserEntities))}
		}
		kept := map[string]bool{"id": true}
		for i, p := range paths {
			if _, err := roster.LookupField(e, p); err != nil {
				return nil, &Error{fmt.Sprintf("fields.%s[%d]", e, i), fmt.Errorf("%w: %w", ErrUnknownField, err)}
			}
			kept[p] = true
		}
		m.keep[e] = kept
		for _, p := range roster.FieldNames(e) {
			if kept[p] || slices.Contains(commonFields, p) {
				continue
			}
			f, _ := roster.LookupField(e, p)
			m.drop[e] = append(m.drop[e], f)
		}
	}
	for e := range fields {
		if _, known := m.keep[e]; !known {
			return nil, &Error{"fields." + string(e), fmt.Errorf("unknown entity (want one of %s)", entityList(roster.UserEntities))}
		}
	}
	return m, nil
}

// keeps reports whether field path of entity e survives minimisation.
func (m *minimiser) keeps(e roster.Entity, path string) bool {
	if m == nil {
		return true
	}
	kept, listed := m.keep[e]
	if !listed {
		return true
	}
	return kept[path]
}

// apply minimises every user in place and returns how many values it
// dropped.
func (m *minimiser) apply(users []roster.User) int {
	dropped := 0
	for i := range users {
		u := &users[i]
		for _, e := range u.Entities() {
			kept, listed := m.keep[e]
			if !listed {
				continue
			}
			for _, f := range m.drop[e] {
				if f.Present(u) {
					f.Clear(u) // Clear only fails for "id" or a non-user, excluded above
					dropped++
				}
			}
			for _, key := range roster.ExtKeys(e, u) {
				if kept["ext."+key] {
					continue
				}
				f, err := roster.LookupField(e, "ext."+key)
				if err == nil && f.Present(u) {
					f.Clear(u)
					dropped++
				}
			}
		}
		dropped += m.clearCommon(u)
	}
	return dropped
}

// clearCommon clears a shared field only when no role of u keeps it: a
// teacher who is also staff keeps an email either entity keeps.
func (m *minimiser) clearCommon(u *roster.User) int {
	dropped := 0
	entities := u.Entities()
	for _, path := range commonFields {
		keptByAny := false
		for _, e := range entities {
			if m.keeps(e, path) {
				keptByAny = true
				break
			}
		}
		if keptByAny || len(entities) == 0 {
			continue
		}
		f, _ := roster.LookupField(entities[0], path)
		if f.Present(u) {
			f.Clear(u)
			dropped++
		}
	}
	return dropped
}

func entityList(es []roster.Entity) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}
