package oneroster

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rosterd/rosterd/internal/idindex"
	"github.com/rosterd/rosterd/roster"
)

// DateOrder says how to read a date written with slashes. The spec allows
// only YYYY-MM-DD, and 1/05/2023 means 5 January to one exporter and
// 1 May to another, so slash dates are read only when a connection says
// which order its exporter writes.
type DateOrder string

// The date orders.
const (
	// DateOrderISO reads only ISO 8601 dates; a slash date is a field
	// error. It is the default.
	DateOrderISO DateOrder = ""
	// DateOrderMDY reads slash dates as month/day/year (US).
	DateOrderMDY DateOrder = "mdy"
	// DateOrderDMY reads slash dates as day/month/year.
	DateOrderDMY DateOrder = "dmy"
)

// MapOptions configure ToRoster.
type MapOptions struct {
	// SISType is the District.SISType of every district: the provider's
	// name, such as a CSV manifest's source.systemName.
	SISType string
	// DateOrder says how to read slash dates; the zero value refuses them.
	DateOrder DateOrder
	// AsOf, when set, leaves out enrollments and 1.2 roles whose endDate
	// is before it: SIS exports keep a transferred student's ended
	// enrollment, which would otherwise place the student in two
	// sections. Enrollments that begin later are kept.
	AsOf roster.Date
	// DropDisabledUsers leaves out users with enabledUser=false, and
	// their memberships. By default they are kept: a disabled account is
	// still a rostered person (see the package documentation).
	DropDisabledUsers bool
	// DropInactive leaves out records with the OneRoster 1.0 status
	// inactive, as deletions. By default they are kept as active.
	DropInactive bool
}

// ToRoster maps the records of d into a roster, the way a district's data
// means it (the package documentation lists each decision). Deletions
// (status tobedeleted) are left out. A value that cannot be mapped
// becomes a roster.FieldError and the record is kept without it; ToRoster
// never fails. Every slice of the roster is ordered by ID.
func ToRoster(d *Dataset, opts MapOptions) *roster.Roster {
	if d == nil {
		d = &Dataset{}
	}
	m := newMapper(d, opts)
	m.orgsToRoster()
	m.termsToRoster()
	m.coursesToRoster()
	m.usersToRoster()
	m.sectionsToRoster()
	return m.finish()
}

// finish orders the field errors and returns the roster. The order is by
// record and field; errors of one kind of record keep the order their
// records were delivered in, so mapping the kinds in another order (as a
// crawl does) gives the same list.
func (m *mapper) finish() *roster.Roster {
	slices.SortStableFunc(m.errs, func(a, b roster.FieldError) int {
		return cmp.Or(cmp.Compare(a.Entity, b.Entity), cmp.Compare(a.ID, b.ID),
			cmp.Compare(a.Field, b.Field), cmp.Compare(a.Message, b.Message))
	})
	m.r.FieldErrors = m.errs
	return m.r
}

// mapper maps one Dataset. It indexes the records others refer to,
// interns the strings a district repeats, and collects field errors.
type mapper struct {
	opts MapOptions
	d    *Dataset
	r    *roster.Roster
	in   roster.Interner
	errs []roster.FieldError

	orgs          map[string]*Org
	schoolRefs    map[string]schoolRef
	districtAbove map[string]string
	soleDistrict  string
	// termSpans holds each mapped term's length in days, -1 without
	// dates, for choosing a class's narrowest term.
	termSpans map[string]int
	// userIndex maps a mapped user's ID to its position in r.Users.
	userIndex *idindex.Index
	// leftOut holds the users and classes deliberately left out
	// (deleted, inactive, disabled), whose memberships go with them.
	leftOutUsers, leftOutClasses map[string]bool
	// contactKinds holds the contact role (parent, guardian, relative)
	// of each contact user.
	contactKinds map[string]string
	// userIDKeys maps a userIds type to its Ext key, "userIds.<type>":
	// every user of a district has the same few types.
	userIDKeys map[string]string

	// users and members hold the users and enrollments being mapped,
	// which ToRoster hands over from a Dataset and a crawl a page at a
	// time.
	users   userFold
	members memberFold
}

func newMapper(d *Dataset, opts MapOptions) *mapper {
	m := &mapper{
		opts:           opts,
		d:              d,
		r:              &roster.Roster{},
		orgs:           make(map[string]*Org, len(d.Orgs)),
		schoolRefs:     make(map[string]schoolRef),
		districtAbove:  make(map[string]string),
		termSpans:      make(map[string]int, len(d.AcademicSessions)),
		leftOutUsers:   make(map[string]bool),
		leftOutClasses: make(map[string]bool),
		contactKinds:   make(map[string]string),
	}
	var districts []string
	for i := range d.Orgs {
		o := &d.Orgs[i]
		if !m.keep(&o.Base) || o.SourcedID == "" {
			continue
		}
		if _, dup := m.orgs[o.SourcedID]; !dup {
			m.orgs[o.SourcedID] = o
		}
		if t, _, _ := canonical(o.Type, orgTypes); t == OrgDistrict {
			districts = append(districts, o.SourcedID)
		}
	}
	if len(districts) == 1 {
		m.soleDistrict = districts[0]
	}
	return m
}

// Where a record came from, for messages.
const (
	fileOrgs         = "orgs.csv"
	fileSessions     = "academicSessions.csv"
	fileCourses      = "courses.csv"
	fileClasses      = "classes.csv"
	fileUsers        = "users.csv"
	fileRoles        = "roles.csv"
	fileEnrollments  = "enrollments.csv"
	fileDemographics = "demographics.csv"
)

// entityUser is the report entity of a user who holds no role rosterd
// maps; preflight reports such users under the same name.
const entityUser roster.Entity = "user"

// recordRef identifies the roster record a field error is about, and where
// its OneRoster record came from.
type recordRef struct {
	entity roster.Entity
	id     string
	sisID  string
	file   string
	line   int
}

func recordOf(e roster.Entity, id, sisID, file string, b *Base) recordRef {
	return recordRef{entity: e, id: id, sisID: sisID, file: file, line: b.Line}
}

// fieldError records a value that could not be mapped. field is the
// roster field path, member the OneRoster member or CSV column; the
// message never repeats the value, which may be personal data.
func (m *mapper) fieldError(rec recordRef, field, sectionMember, message string) {
	var b strings.Builder
	if rec.line > 0 {
		b.WriteString(rec.file)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(rec.line))
		b.WriteString(": column ")
	}
	b.WriteString(sectionMember)
	b.WriteString(": ")
	b.WriteString(message)
	m.errs = append(m.errs, roster.FieldError{
		Entity: rec.entity, ID: rec.id, SISID: rec.sisID, Field: field, Message: b.String(),
	})
}

// keep reports whether a record belongs in the roster: deletions never
// do, and 1.0 inactive records only when DropInactive is off.
func (m *mapper) keep(b *Base) bool {
	if b.IsDeleted() {
		return false
	}
	return !(m.opts.DropInactive && b.IsInactive())
}

// checkStatus reports a status that is no OneRoster status. The record is
// kept: the CSV reader refuses such rows, so only a REST provider gets
// here, and dropping a record on a typo would read as a deletion.
func (m *mapper) checkStatus(rec recordRef, b *Base) {
	if b.Status == "" {
		return
	}
	if _, ok, _ := canonical(b.Status, statuses); !ok {
		m.fieldError(rec, "id", "status", "not a OneRoster status (active or tobedeleted); the record is kept as active")
	}
}

// intern returns the shared copy of a value many records repeat (grades,
// subjects, titles). IDs are not interned: a CSV package's are shared
// already, and sections share their users' through userID.
func (m *mapper) intern(s string) string { return m.in.String(s) }

// ext maps a record's metadata into an Ext.
func (m *mapper) ext(rec recordRef, md Metadata) roster.Ext {
	return roster.NewExt(m.metadataFields(rec, md)...)
}

// metadataFields returns the members of a record's metadata as Ext
// fields; a metadata member that is not a JSON object is a field error.
func (m *mapper) metadataFields(rec recordRef, md Metadata) []roster.ExtField {
	if len(md) == 0 {
		return nil
	}
	out := make([]roster.ExtField, 0, len(md))
	for k, v := range md {
		if k == metadataInvalid {
			m.fieldError(rec, "ext", "metadata", "not a JSON object")
			continue
		}
		out = append(out, roster.ExtField{Key: k, Value: v})
	}
	return out
}

// errSlashDate reports a slash date under DateOrderISO.
var errSlashDate = errors.New("a date written with slashes, which is ambiguous (day/month or month/day); set the connection's date order to read it")

// errISODate reports a date in no accepted form.
var errISODate = errors.New("not an ISO 8601 date (YYYY-MM-DD)")

// parseDate reads YYYY-MM-DD (or the date of a timestamp), and slash
// dates in the configured order.
func parseDate(s string, order DateOrder) (roster.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return roster.Date{}, nil
	}
	if strings.Contains(s, "/") {
		if sp := strings.IndexByte(s, ' '); sp > 0 {
			s = s[:sp] // a slash date with a time of day
		}
		switch order {
		case DateOrderMDY:
		case DateOrderDMY:
			parts := strings.Split(s, "/")
			if len(parts) != 3 {
				return roster.Date{}, errISODate
			}
			s = parts[1] + "/" + parts[0] + "/" + parts[2]
		default:
			return roster.Date{}, errSlashDate
		}
	}
	d, err := roster.ParseDate(s)
	if err != nil {
		return roster.Date{}, errISODate
	}
	return d, nil
}

// date maps a date member; a bad value is a field error and the field is
// left empty.
func (m *mapper) date(rec recordRef, field, sectionMember, value string) roster.Date {
	d, err := parseDate(value, m.opts.DateOrder)
	if err != nil {
		m.fieldError(rec, field, sectionMember, err.Error())
	}
	return d
}

// timestampLayouts are the forms of dateLastModified seen besides RFC
// 3339: no zone (read as UTC) and a space instead of the T.
var timestampLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// parseTimestamp reads an ISO 8601 timestamp, in UTC. A date alone is
// midnight UTC: catalyst's certified test data writes dateLastModified
// that way.
func parseTimestamp(s string, order DateOrder) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, pkgLayout := range timestampLayouts {
		if t, err := time.Parse(pkgLayout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if len(s) == 10 || strings.Contains(s, "/") {
		d, err := parseDate(s, order)
		if err != nil {
			return time.Time{}, err
		}
		return time.Date(int(d.Year), time.Month(d.Month), int(d.Day), 0, 0, 0, 0, time.UTC), nil
	}
	return time.Time{}, errors.New("not an ISO 8601 timestamp")
}

// lastModified maps a record's dateLastModified.
func (m *mapper) lastModified(rec recordRef, b *Base) time.Time {
	t, err := parseTimestamp(b.DateLastModified, m.opts.DateOrder)
	if err != nil {
		m.fieldError(rec, "last_modified", "dateLastModified", err.Error())
	}
	return t
}

// ended reports whether a membership whose endDate is end ended before
// AsOf; an unreadable endDate is reported and the membership kept.
func (m *mapper) ended(rec recordRef, field, end string) bool {
	if m.opts.AsOf.IsZero() || end == "" {
		return false
	}
	d, err := parseDate(end, m.opts.DateOrder)
	if err != nil {
		m.fieldError(rec, field, "endDate", err.Error()+"; the membership is kept")
		return false
	}
	return !d.IsZero() && d.Before(m.opts.AsOf)
}

// schoolRef says what an org reference names.
type schoolRef struct {
	id   string
	kind refKind
}

type refKind uint8

const (
	// refUnknown: no org of that ID was delivered (kept, for preflight
	// to report).
	refUnknown refKind = iota
	// refSchool: a school, or a department resolved to its school.
	refSchool
	// refDepartment: a department with no school above it.
	refDepartment
	// refOther: a district, or a local, state, national or ext: org.
	refOther
)

// maxOrgDepth bounds walks up the org tree, which real data may make
// cyclic.
const maxOrgDepth = 32

// school resolves an org reference to a school: a school is itself, and a
// department is the nearest school above it, since classes and users
// attached to a department belong to its school.
func (m *mapper) school(id string) schoolRef {
	if ref, ok := m.schoolRefs[id]; ok {
		return ref
	}
	ref := schoolRef{id: id, kind: refUnknown}
	if o, ok := m.orgs[id]; ok {
		switch t, _, _ := canonical(o.Type, orgTypes); t {
		case OrgSchool:
			ref.kind = refSchool
		case OrgDepartment:
			ref.kind = refDepartment
			cur := o
			for range maxOrgDepth {
				p, ok := m.orgs[cur.Parent.SourcedID]
				if !ok {
					break
				}
				if t, _, _ := canonical(p.Type, orgTypes); t == OrgSchool {
					ref = schoolRef{id: p.SourcedID, kind: refSchool}
					break
				}
				cur = p
			}
		default:
			ref.kind = refOther
		}
	}
	m.schoolRefs[id] = ref
	return ref
}

// district returns the district at or above org id, or "" when its chain
// reaches none.
func (m *mapper) district(id string) string {
	if id == "" {
		return ""
	}
	if d, ok := m.districtAbove[id]; ok {
		return d
	}
	found := ""
	cur, ok := m.orgs[id]
	for range maxOrgDepth {
		if !ok {
			break
		}
		if t, _, _ := canonical(cur.Type, orgTypes); t == OrgDistrict {
			found = cur.SourcedID
			break
		}
		cur, ok = m.orgs[cur.Parent.SourcedID]
	}
	m.districtAbove[id] = found
	return found
}

// districtOr returns the district above the first of ids that has one,
// or the sole district of the dataset: OneRoster records name their
// school, not their district, and academic sessions name no org at all.
func (m *mapper) districtOr(ids ...string) string {
	for _, id := range ids {
		if d := m.district(id); d != "" {
			return d
		}
	}
	return m.soleDistrict
}

func (m *mapper) orgsToRoster() {
	for i := range m.d.Orgs {
		o := &m.d.Orgs[i]
		t, known, ext := canonical(o.Type, orgTypes)
		entity := roster.EntitySchool
		if t == OrgDistrict {
			entity = roster.EntityDistrict
		}
		rec := recordOf(entity, o.SourcedID, o.Identifier, fileOrgs, &o.Base)
		m.checkStatus(rec, &o.Base)
		if !m.keep(&o.Base) {
			continue
		}
		switch {
		case t == OrgDistrict:
			m.r.Districts = append(m.r.Districts, roster.District{
				ID:           o.SourcedID,
				Name:         o.Name,
				SISType:      m.intern(m.opts.SISType),
				Ext:          m.ext(rec, o.Metadata),
				LastModified: m.lastModified(rec, &o.Base),
			})
		case t == OrgSchool:
			x := m.ext(rec, o.Metadata)
			m.r.Schools = append(m.r.Schools, roster.School{
				ID:           o.SourcedID,
				District:     m.districtOr(o.Parent.SourcedID),
				Name:         o.Name,
				SISID:        o.Identifier,
				Address:      addressOf(x),
				Ext:          x,
				LastModified: m.lastModified(rec, &o.Base),
			})
		case !known && !ext:
			m.fieldError(rec, "id", "type", "not a OneRoster org type (district, school, department, local, state or national); the org is left out")
		}
	}
	slices.SortStableFunc(m.r.Districts, func(a, b roster.District) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(m.r.Schools, func(a, b roster.School) int { return cmp.Compare(a.ID, b.ID) })
}

// addressOf reads the address ClassLink exports as metadata.address1,
// address2, city, state and postCode columns.
func addressOf(x roster.Ext) roster.Address {
	if x.IsZero() {
		return roster.Address{}
	}
	get := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := x.Get(k); ok && v != "" {
				return v
			}
		}
		return ""
	}
	street := get("address1", "address")
	if a2 := get("address2"); a2 != "" {
		street = strings.TrimSpace(street + ", " + a2)
	}
	return roster.Address{Street: street, City: get("city"), State: get("state"), Zip: get("postCode", "postalCode", "zip")}
}

// termsToRoster maps every academic session to a term. Grading periods
// are kept too: 1.1 lets a class name any academic session as its term,
// and leaving grading periods out would leave those classes pointing at
// nothing.
func (m *mapper) termsToRoster() {
	for i := range m.d.AcademicSessions {
		s := &m.d.AcademicSessions[i]
		rec := recordOf(roster.EntityTerm, s.SourcedID, "", fileSessions, &s.Base)
		m.checkStatus(rec, &s.Base)
		if !m.keep(&s.Base) {
			continue
		}
		t := roster.Term{
			ID:           s.SourcedID,
			District:     m.soleDistrict,
			Name:         s.Title,
			StartDate:    m.date(rec, "start_date", "startDate", s.StartDate),
			EndDate:      m.date(rec, "end_date", "endDate", s.EndDate),
			LastModified: m.lastModified(rec, &s.Base),
		}
		span := -1
		if !t.StartDate.IsZero() && !t.EndDate.IsZero() {
			span = dayNumber(t.EndDate) - dayNumber(t.StartDate)
		}
		if _, dup := m.termSpans[t.ID]; !dup {
			m.termSpans[t.ID] = span
		}
		m.r.Terms = append(m.r.Terms, t)
	}
	slices.SortStableFunc(m.r.Terms, func(a, b roster.Term) int { return cmp.Compare(a.ID, b.ID) })
}

// dayNumber returns d as days since 1970, for measuring terms.
func dayNumber(d roster.Date) int {
	return int(time.Date(int(d.Year), time.Month(d.Month), int(d.Day), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (m *mapper) coursesToRoster() {
	for i := range m.d.Courses {
		c := &m.d.Courses[i]
		rec := recordOf(roster.EntityCourse, c.SourcedID, "", fileCourses, &c.Base)
		m.checkStatus(rec, &c.Base)
		if !m.keep(&c.Base) {
			continue
		}
		m.r.Courses = append(m.r.Courses, roster.Course{
			ID:           c.SourcedID,
			District:     m.districtOr(c.Org.SourcedID),
			Name:         c.Title,
			Number:       c.CourseCode,
			Subject:      m.intern(c.Subjects.First()),
			LastModified: m.lastModified(rec, &c.Base),
		})
	}
	slices.SortStableFunc(m.r.Courses, func(a, b roster.Course) int { return cmp.Compare(a.ID, b.ID) })
}
