package oneroster

// An XL district's crawl reads 5.2M enrollments, 3.5 of its 4.6 GB, and
// decoding them with the JSON library took 10.6 of the full sync's 44
// CPU-seconds, on a fetch that keeps both cores busy. An enrollment is
// flat: strings, three references and two lenient values, which
// decodeEnrollmentsFast reads with the fast decoder (fastdecode.go).

// enrollmentMembers are the members an Enrollment decodes.
var enrollmentMembers = []fastMember[Enrollment]{
	{"sourcedId", func(p *plainScanner, e *Enrollment) bool { return p.unique(&e.SourcedID) }},
	{"status", func(p *plainScanner, e *Enrollment) bool { return p.repeated(&e.Status) }},
	{"dateLastModified", func(p *plainScanner, e *Enrollment) bool { return p.repeated(&e.DateLastModified) }},
	{"metadata", func(p *plainScanner, e *Enrollment) bool { return p.lenient(&e.Metadata) }},
	{"user", func(p *plainScanner, e *Enrollment) bool { return p.ref(&e.User) }},
	{"class", func(p *plainScanner, e *Enrollment) bool { return p.ref(&e.Class) }},
	{"school", func(p *plainScanner, e *Enrollment) bool { return p.ref(&e.School) }},
	{"role", func(p *plainScanner, e *Enrollment) bool { return p.repeated(&e.Role) }},
	{"primary", func(p *plainScanner, e *Enrollment) bool { return p.lenient(&e.Primary) }},
	{"beginDate", func(p *plainScanner, e *Enrollment) bool { return p.repeated(&e.BeginDate) }},
	{"endDate", func(p *plainScanner, e *Enrollment) bool { return p.repeated(&e.EndDate) }},
}

// decodeEnrollmentsFast appends the enrollments under key of a collection
// response body to items and reports true, or reports false, leaving
// items as they were, when the library must decode the page.
func decodeEnrollmentsFast(body []byte, key string, items *[]Enrollment) bool {
	return decodeFast(body, key, items, enrollmentMembers)
}
