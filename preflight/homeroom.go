package preflight

import (
	"strconv"
	"strings"

	"github.com/rosterd/rosterd/roster"
)

// homerooms reports students in more homeroom/advisory sections than
// Options.MaxHomeroomsPerStudent allows. It counts per user position
// first and collects section IDs only for the students over the limit:
// at district scale nearly every student has a homeroom, and a map of
// every student's sections would cost more than the rest of the check.
func (v *validator) homerooms() {
	limit := v.c.opts.MaxHomeroomsPerStudent
	c := code(roster.EntityStudent, checkMultipleHomerooms)
	if limit <= 0 || !v.c.enabled(c) {
		return
	}
	ss := v.r.Sections
	// A tally remembers the last section it counted, so that a section
	// listing a student twice counts once.
	type tally struct{ n, lastSection int32 }
	perUser := make([]tally, len(v.r.Users))
	perUnknown := make(map[string]*tally) // students not in the roster
	var over []string                     // student IDs over the limit, in the order found
	for _, i := range v.idx.sections.order {
		if ss[i].Subject != roster.SubjectHomeroom {
			continue
		}
		for _, st := range ss[i].Students {
			var t *tally
			if pos, ok := v.idx.users.first.Get(st); ok {
				t = &perUser[pos]
			} else if t = perUnknown[st]; t == nil {
				t = &tally{}
				perUnknown[st] = t
			}
			if t.n > 0 && t.lastSection == i {
				continue
			}
			t.n++
			t.lastSection = i
			if t.n == int32(limit)+1 {
				over = append(over, st)
			}
		}
	}
	if len(over) == 0 {
		return
	}
	sections := make(map[string][]string, len(over))
	for _, st := range over {
		sections[st] = nil
	}
	for _, i := range v.idx.sections.order {
		if ss[i].Subject != roster.SubjectHomeroom {
			continue
		}
		for _, st := range ss[i].Students {
			if list, ok := sections[st]; ok && (len(list) == 0 || list[len(list)-1] != ss[i].ID) {
				sections[st] = append(list, ss[i].ID)
			}
		}
	}
	for _, st := range over {
		sis := ""
		if pos, ok := v.idx.users.first.Get(st); ok && v.r.Users[pos].Roles.Student != nil {
			sis = v.r.Users[pos].Roles.Student.SISID
		}
		ids := sections[st]
		v.c.add(c, roster.EntityStudent, st, sis, "sections",
			"in %d homeroom/advisory sections (%s); at most %d allowed",
			len(ids), quoteAll(ids), limit)
	}
}

// quoteAll writes ids as a comma-separated list of quoted strings.
func quoteAll(ids []string) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(id))
	}
	return b.String()
}
