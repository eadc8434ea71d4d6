package oneroster

// An XL district's crawl reads 1.2M users, and the JSON library's
// reflection took 45 ms a page of 10,000 of them, 5 CPU-seconds in all,
// on a fetch that keeps both cores busy. decodeUsersFast reads them with
// the fast decoder (fastdecode.go), in either shape (1.1's role and orgs,
// 1.2's roles and primaryOrg). The strings of a kind that repeats across
// a page (names, roles, grades' codes, dates, references) share one copy
// a page; identifiers unique to a user have their own.

// userMembers are the members a User decodes.
var userMembers = []fastMember[User]{
	{"sourcedId", func(p *plainScanner, u *User) bool { return p.unique(&u.SourcedID) }},
	{"status", func(p *plainScanner, u *User) bool { return p.repeated(&u.Status) }},
	{"dateLastModified", func(p *plainScanner, u *User) bool { return p.repeated(&u.DateLastModified) }},
	{"metadata", func(p *plainScanner, u *User) bool { return p.lenient(&u.Metadata) }},
	{"username", func(p *plainScanner, u *User) bool { return p.unique(&u.Username) }},
	{"userIds", func(p *plainScanner, u *User) bool { return scanList(p, &u.UserIDs, userIDMembers, &p.ids) }},
	{"enabledUser", func(p *plainScanner, u *User) bool { return p.lenient(&u.EnabledUser) }},
	{"givenName", func(p *plainScanner, u *User) bool { return p.repeated(&u.GivenName) }},
	{"familyName", func(p *plainScanner, u *User) bool { return p.repeated(&u.FamilyName) }},
	{"middleName", func(p *plainScanner, u *User) bool { return p.repeated(&u.MiddleName) }},
	{"preferredFirstName", func(p *plainScanner, u *User) bool { return p.repeated(&u.PreferredFirstName) }},
	{"preferredMiddleName", func(p *plainScanner, u *User) bool { return p.repeated(&u.PreferredMiddleName) }},
	{"preferredLastName", func(p *plainScanner, u *User) bool { return p.repeated(&u.PreferredLastName) }},
	{"pronouns", func(p *plainScanner, u *User) bool { return p.repeated(&u.Pronouns) }},
	{"userMasterIdentifier", func(p *plainScanner, u *User) bool { return p.unique(&u.UserMasterIdentifier) }},
	{"identifier", func(p *plainScanner, u *User) bool { return p.unique(&u.Identifier) }},
	{"email", func(p *plainScanner, u *User) bool { return p.unique(&u.Email) }},
	{"sms", func(p *plainScanner, u *User) bool { return p.unique(&u.SMS) }},
	{"phone", func(p *plainScanner, u *User) bool { return p.unique(&u.Phone) }},
	{"agents", func(p *plainScanner, u *User) bool { return scanList(p, &u.Agents, uniqueRefMembers, &p.refs) }},
	{"grades", func(p *plainScanner, u *User) bool { return p.stringList(&u.Grades) }},
	{"role", func(p *plainScanner, u *User) bool { return p.repeated(&u.Role) }},
	{"orgs", func(p *plainScanner, u *User) bool { return scanList(p, &u.Orgs, refMembers, &p.refs) }},
	{"roles", func(p *plainScanner, u *User) bool { return scanList(p, &u.Roles, roleMembers, &p.roles) }},
	{"primaryOrg", func(p *plainScanner, u *User) bool { return p.ref(&u.PrimaryOrg) }},
}

// userIDMembers are the members of an element of a user's userIds.
var userIDMembers = []fastMember[UserID]{
	{"type", func(p *plainScanner, id *UserID) bool { return p.repeated(&id.Type) }},
	{"identifier", func(p *plainScanner, id *UserID) bool { return p.unique(&id.Identifier) }},
}

// roleMembers are the members of an element of a 1.2 user's roles.
var roleMembers = []fastMember[Role]{
	{"roleType", func(p *plainScanner, r *Role) bool { return p.repeated(&r.RoleType) }},
	{"role", func(p *plainScanner, r *Role) bool { return p.repeated(&r.Role) }},
	{"org", func(p *plainScanner, r *Role) bool { return p.ref(&r.Org) }},
	{"userProfile", func(p *plainScanner, r *Role) bool { return p.repeated(&r.UserProfile) }},
	{"beginDate", func(p *plainScanner, r *Role) bool { return p.repeated(&r.BeginDate) }},
	{"endDate", func(p *plainScanner, r *Role) bool { return p.repeated(&r.EndDate) }},
}

// decodeUsersFast appends the users under key of a collection response
// body to items and reports true, or reports false, leaving items as
// they were, when the library must decode the page.
func decodeUsersFast(body []byte, key string, items *[]User) bool {
	return decodeFast(body, key, items, userMembers)
}
