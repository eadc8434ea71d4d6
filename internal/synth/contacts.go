package synth

import "github.com/rosterd/rosterd/roster"

// Shares of contacts.
const (
	secondContactShare = 0.45 // students with two contacts
	siblingShare       = 0.05 // contacts also related to another student
)

// contactCount returns how many contacts contacts will make, by replaying
// the stream that decides how many each student has, so the Users slice
// is allocated once at its final size.
func (g *generator) contactCount() int {
	plan := newRNG(g.p.Seed, streamContactPlan)
	n := 0
	for range g.p.Students {
		k := 1
		if plan.chance(secondContactShare) {
			k = 2
		}
		for range k {
			plan.chance(siblingShare)
			n++
		}
	}
	return n
}

// contacts fills us with each student's contacts, in student order. Real
// Clever contacts carry their whole name in Last.
func (g *generator) contacts(us []roster.User) {
	plan := newRNG(g.p.Seed, streamContactPlan)
	r := newRNG(g.p.Seed, streamContacts)
	t := &g.text
	students := g.r.Users[:g.p.Students]
	roles := make([]roster.Contact, len(us))
	var rels slab[roster.Relationship]
	n := 0
	for i := range students {
		k := 1
		if plan.chance(secondContactShare) {
			k = 2
		}
		for j := range k {
			related := 1
			if plan.chance(siblingShare) && len(students) > 1 {
				related = 2
			}
			last := students[i].Name.Last
			if j == 1 || r.chance(0.3) {
				last = pick(&r, lastNames)
			}
			first := pick(&r, firstNames)
			u := &us[n]
			*u = roster.User{
				ID:           g.id(kindContact, n),
				District:     g.districtID,
				Name:         roster.Name{Last: t.begin().s(first).s(" ").s(last).done()},
				Roles:        roster.Roles{Contact: &roles[n]},
				LastModified: g.stamp(kindContact, n),
			}
			if r.chance(0.7) {
				u.Email = t.begin().lower(last).s("_").lower(first).n(n).s("@example.com").done()
			}
			c := &roles[n]
			if r.chance(0.85) {
				c.Phone = t.begin().s("(").s(g.areaCode).s(") 555-").pad(r.intn(10_000), 4).done()
				c.PhoneType = pick(&r, phoneTypes)
			}
			if r.chance(0.5) {
				c.SISID = t.begin().s("C").n(g.sisBase + n).done()
			}
			c.Relationships = rels.take(related)
			c.Relationships[0] = roster.Relationship{Student: students[i].ID}
			if j == 0 {
				c.Relationships[0].Relationship = pick(&r, guardianRelations)
				c.Relationships[0].Type = "Parent/Guardian"
			} else {
				c.Relationships[0].Relationship = pick(&r, otherRelations)
				c.Relationships[0].Type = pick(&r, otherTypes)
			}
			if related == 2 {
				// A guardian of siblings, who may be in another school.
				sib := (i + 1 + r.intn(len(students)-1)) % len(students)
				c.Relationships[1] = roster.Relationship{Student: students[sib].ID, Relationship: c.Relationships[0].Relationship, Type: c.Relationships[0].Type}
			}
			n++
		}
	}
}
