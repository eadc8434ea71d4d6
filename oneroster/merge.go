package oneroster

import (
	"slices"

	"github.com/rosterd/rosterd/roster"
)

// Mode says how a set of records of one collection applies to what a
// source delivered before.
type Mode string

// The modes, as a CSV manifest names them.
const (
	// ModeBulk records are the whole collection: records not among them
	// are deleted.
	ModeBulk Mode = "bulk"
	// ModeDelta records are changes: a deletion (status tobedeleted)
	// deletes its record, any other record is added or replaces the one
	// with its sourcedId.
	ModeDelta Mode = "delta"
	// ModeAbsent (and the zero Mode) leaves the collection as it was.
	ModeAbsent Mode = "absent"
)

// Modes holds the Mode of each collection.
type Modes struct {
	Orgs, AcademicSessions, Courses, Classes, Users, Roles, Enrollments, Demographics Mode
}

// Merge applies changes onto base, the roster the same source delivered
// before (its raw snapshot, not the roster the sharing rules left), and
// returns the records of the result for ToRoster. A REST delta pull
// merges with every mode ModeDelta; a CSV package with its manifest's.
//
// What a collection means for the roster follows the district's data, not
// the roster's shape:
//   - Classes and enrollments are separate: classes in bulk with
//     enrollments absent keep every remaining section's students and
//     teachers; enrollments in bulk replace all memberships.
//   - Enrollments and roles are keyed by what they link (class and user;
//     user, org and role), because a roster keeps links, not enrollment
//     IDs: a delta enrollment replaces the same user's enrollment in the
//     same class, and a deletion removes it.
//   - A user record without role data (a 1.2 users.csv row, whose roles
//     are rows of roles.csv) keeps the roles base gave it unless roles
//     come in bulk; a record with role data (1.1 role and orgs, 1.2 REST
//     roles) replaces them.
//   - Deleting a class or a user deletes its enrollments, roles and
//     demographics and the agents links to it, from base too; references
//     to other deleted records (a class's school) are kept for preflight
//     to report.
func Merge(base *roster.Roster, changes *Dataset, modes Modes) *Dataset {
	if changes == nil {
		changes = &Dataset{}
	}
	b := fromRoster(base, modes.baseParts(changes))
	out := &Dataset{
		Orgs:             mergeByID(modes.Orgs, b.Orgs, changes.Orgs),
		AcademicSessions: mergeByID(modes.AcademicSessions, b.AcademicSessions, changes.AcademicSessions),
		Courses:          mergeByID(modes.Courses, b.Courses, changes.Courses),
		Classes:          mergeByID(modes.Classes, b.Classes, changes.Classes),
	}
	removedClasses := removed(b.Classes, out.Classes)

	users, inherited := mergeUsers(modes, b.Users, changes.Users)
	if modes.Roles == ModeDelta && len(changes.Roles) > 0 && modes.Users == ModeBulk {
		// Delta roles change users in place; bulk users are changes' own.
		users = slices.Clone(users)
	}
	out.Users = users
	removedUsers := removed(b.Users, out.Users)
	out.Roles = mergeRoles(modes.Roles, out.Users, inherited, changes.Roles)
	for i := range out.Users {
		if inherited[i] && len(removedUsers) > 0 {
			u := &out.Users[i]
			u.Agents = slices.DeleteFunc(slices.Clone(u.Agents), func(a GUIDRef) bool { return removedUsers[a.SourcedID] })
		}
	}

	out.Enrollments = mergeEnrollments(modes.Enrollments, b.Enrollments, changes.Enrollments, removedClasses, removedUsers)
	out.Demographics = mergeByID(modes.Demographics, b.Demographics, changes.Demographics)
	if len(removedUsers) > 0 {
		out.Demographics = slices.DeleteFunc(out.Demographics, func(d Demographics) bool { return removedUsers[d.SourcedID] })
	}
	return out
}

// baseParts returns the collections Merge needs from base: every one not
// delivered in bulk, and users when bulk users lack the roles base holds.
func (ms Modes) baseParts(changes *Dataset) dataPart {
	var p dataPart
	for _, c := range []struct {
		mode     Mode
		dataPart dataPart
	}{
		{ms.Orgs, partOrgs}, {ms.AcademicSessions, partSessions}, {ms.Courses, partCourses},
		{ms.Classes, partClasses}, {ms.Users, partUsers}, {ms.Enrollments, partEnrollments},
		{ms.Demographics, partDemographics},
	} {
		if c.mode != ModeBulk {
			p |= c.dataPart
		}
	}
	if ms.Roles != ModeBulk && slices.ContainsFunc(changes.Users, func(u User) bool { return !u.HasRoleData() }) {
		p |= partUsers
	}
	if p&(partEnrollments|partDemographics) != 0 {
		// To delete the links of removed classes and users with them.
		p |= partClasses | partUsers
	}
	return p
}

// baseRecord is a pointer to a record type, which embeds Base.
type baseRecord[T any] interface {
	*T
	base() *Base
}

// mergeByID merges records keyed by sourcedId. A later change to the same
// sourcedId wins over an earlier one. Deletions stay in the result, in
// place of the record they delete, so that ToRoster leaves out what
// refers to them as deleted rather than missing.
func mergeByID[T any, P baseRecord[T]](mode Mode, base, changes []T) []T {
	switch mode {
	case ModeBulk:
		return changes
	case ModeDelta:
		// base is fromRoster's own, so it is changed in place.
		out := base
		index := make(map[string]int, len(base)+len(changes))
		for i := range out {
			if id := P(&out[i]).base().SourcedID; id != "" {
				index[id] = i
			}
		}
		for i := range changes {
			id := P(&changes[i]).base().SourcedID
			if at, ok := index[id]; ok {
				out[at] = changes[i]
				continue
			}
			index[id] = len(out)
			out = append(out, changes[i])
		}
		return out
	}
	return base
}

// removed returns the sourcedIds of base that after lacks or deletes.
func removed[T any, P baseRecord[T]](base, after []T) map[string]bool {
	if len(base) == 0 {
		return nil
	}
	have := make(map[string]bool, len(after))
	for i := range after {
		if b := P(&after[i]).base(); !b.IsDeleted() {
			have[b.SourcedID] = true
		}
	}
	out := make(map[string]bool)
	for i := range base {
		if id := P(&base[i]).base().SourcedID; !have[id] {
			out[id] = true
		}
	}
	return out
}

// mergeUsers merges users, giving a user record without role data the
// roles base holds for it (unless roles come in bulk). inherited marks
// the users kept from base unchanged.
func mergeUsers(ms Modes, base, changes []User) (out []User, inherited []bool) {
	baseIndex := make(map[string]int, len(base))
	for i := range base {
		baseIndex[base[i].SourcedID] = i
	}
	withRoles := func(u User) User {
		if u.HasRoleData() || ms.Roles == ModeBulk || u.IsDeleted() {
			return u
		}
		if i, ok := baseIndex[u.SourcedID]; ok {
			u.Roles = base[i].Roles
		}
		return u
	}
	fromChanges := changes
	if len(base) > 0 && ms.Roles != ModeBulk && slices.ContainsFunc(changes, func(u User) bool { return !u.HasRoleData() }) {
		fromChanges = make([]User, len(changes))
		for i := range changes {
			fromChanges[i] = withRoles(changes[i])
		}
	}
	out = mergeByID(ms.Users, base, fromChanges)
	inherited = make([]bool, len(out))
	if ms.Users != ModeBulk {
		changed := make(map[string]bool, len(changes))
		for i := range changes {
			changed[changes[i].SourcedID] = true
		}
		for i := range out {
			inherited[i] = !changed[out[i].SourcedID]
		}
	}
	return out, inherited
}

// roleKey identifies a role by what it links.
type roleKey struct{ user, org, role string }

func keyOf(user string, r *Role) roleKey {
	role, _, _ := canonical(r.Role, userRoles)
	return roleKey{user: user, org: r.Org.SourcedID, role: role}
}

// mergeRoles returns the role records of the result and updates the
// roles embedded in users that came from base: roles in bulk replace
// every one of them; a delta role replaces or deletes the embedded role
// it links.
func mergeRoles(mode Mode, users []User, inherited []bool, changes []RoleRecord) []RoleRecord {
	switch mode {
	case ModeBulk:
		for i := range users {
			if inherited[i] {
				users[i].Roles, users[i].Role, users[i].Orgs = nil, "", nil
			}
		}
		return changes
	case ModeDelta:
	default:
		return nil
	}
	latest := make(map[roleKey]int, len(changes))
	for i := range changes {
		latest[keyOf(changes[i].User.SourcedID, &changes[i].Role)] = i
	}
	for i := range users {
		u := &users[i]
		linked := func(r Role) bool { _, hit := latest[keyOf(u.SourcedID, &r)]; return hit }
		if slices.ContainsFunc(u.Roles, linked) {
			u.Roles = slices.DeleteFunc(slices.Clone(u.Roles), linked)
		}
	}
	var out []RoleRecord
	for i := range changes {
		if latest[keyOf(changes[i].User.SourcedID, &changes[i].Role)] == i && !changes[i].IsDeleted() {
			out = append(out, changes[i])
		}
	}
	return out
}

// enrollmentKey identifies an enrollment by what it links.
type enrollmentKey struct{ class, user string }

// mergeEnrollments merges enrollments keyed by class and user. Base
// enrollments of removed classes and users go with them.
func mergeEnrollments(mode Mode, base, changes []Enrollment, removedClasses, removedUsers map[string]bool) []Enrollment {
	cascade := func(e *Enrollment) bool { return removedClasses[e.Class.SourcedID] || removedUsers[e.User.SourcedID] }
	switch mode {
	case ModeBulk:
		return changes
	case ModeDelta:
		latest := make(map[enrollmentKey]int, len(changes))
		for i := range changes {
			latest[enrollmentKey{changes[i].Class.SourcedID, changes[i].User.SourcedID}] = i
		}
		out := make([]Enrollment, 0, len(base)+len(changes))
		for i := range base {
			e := &base[i]
			if _, hit := latest[enrollmentKey{e.Class.SourcedID, e.User.SourcedID}]; !hit && !cascade(e) {
				out = append(out, *e)
			}
		}
		for i := range changes {
			e := &changes[i]
			if latest[enrollmentKey{e.Class.SourcedID, e.User.SourcedID}] == i && !e.IsDeleted() {
				out = append(out, *e)
			}
		}
		return out
	}
	out := make([]Enrollment, 0, len(base))
	for i := range base {
		if !cascade(&base[i]) {
			out = append(out, base[i])
		}
	}
	return out
}
