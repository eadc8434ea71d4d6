package fakeoneroster

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// filterExpr is a parsed filter parameter: one predicate, or two joined
// by AND or OR, the grammar the REST binding allows
// (field op 'value' [ AND|OR field op 'value' ]).
type filterExpr struct {
	preds []predicate
	or    bool
	// decodes is whether a predicate needs record JSON decoded, which
	// makes the selection worth caching.
	decodes bool
}

type predicate struct {
	field string   // as written
	path  []string // the record path it reads, for generic fields
	kind  fieldKind
	op    string
	value string
	// millis is the value of a dateLastModified predicate.
	millis int64
}

type fieldKind int

const (
	fieldGeneric fieldKind = iota
	fieldSourcedID
	fieldStatus
	fieldModified
)

// filterFields are the fields a filter may name, per collection, as the
// specification defines the objects; any "metadata.<key>" is allowed too.
// sourcedId, status and dateLastModified are allowed everywhere.
var filterFields = [numColls][2][]string{
	collOrgs:         {orgFields, orgFields},
	collSessions:     {sessionFields, sessionFields},
	collCourses:      {courseFields, courseFields},
	collClasses:      {classFields, classFields},
	collUsers:        {userFieldsV1p1, userFieldsV1p2},
	collEnrollments:  {enrollmentFields, enrollmentFields},
	collDemographics: {demographicsFields, demographicsFields},
}

var (
	orgFields     = []string{"name", "type", "identifier", "parent.sourcedId", "children.sourcedId"}
	sessionFields = []string{"title", "type", "startDate", "endDate", "schoolYear", "parent.sourcedId", "children.sourcedId"}
	courseFields  = []string{"title", "courseCode", "grades", "subjects", "subjectCodes", "schoolYear.sourcedId", "org.sourcedId"}
	classFields   = []string{"title", "classCode", "classType", "location", "grades", "subjects", "subjectCodes", "periods",
		"course.sourcedId", "school.sourcedId", "terms.sourcedId"}
	userFieldsCommon = []string{"username", "userIds.type", "userIds.identifier", "enabledUser", "givenName", "familyName",
		"middleName", "identifier", "email", "sms", "phone", "agents.sourcedId", "grades"}
	userFieldsV1p1 = slices.Concat(userFieldsCommon, []string{"role", "orgs.sourcedId"})
	userFieldsV1p2 = slices.Concat(userFieldsCommon, []string{"roles.role", "roles.roleType", "roles.org.sourcedId",
		"primaryOrg.sourcedId", "userMasterIdentifier", "preferredFirstName", "preferredMiddleName", "preferredLastName", "pronouns"})
	enrollmentFields   = []string{"user.sourcedId", "class.sourcedId", "school.sourcedId", "role", "primary", "beginDate", "endDate"}
	demographicsFields = []string{"birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
		"nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity",
		"countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"}
)

// parseFilter parses the filter parameter of a request for coll in v. The
// error is the imsx description of a 400 invalid_filter_field.
func parseFilter(s string, v Version, coll int) (*filterExpr, error) {
	p := filterParser{s: s}
	var f filterExpr
	for {
		pred, err := p.predicate()
		if err != nil {
			return nil, err
		}
		if err := resolve(&pred, v, coll); err != nil {
			return nil, err
		}
		f.preds = append(f.preds, pred)
		f.decodes = f.decodes || pred.kind == fieldGeneric
		p.spaces()
		if p.done() {
			return &f, nil
		}
		if len(f.preds) == 2 {
			return nil, fmt.Errorf("filter: at most one AND or OR is allowed (at %q)", p.rest())
		}
		switch {
		case p.keyword("AND"):
		case p.keyword("OR"):
			f.or = true
		default:
			return nil, fmt.Errorf("filter: expected AND or OR at %q", p.rest())
		}
	}
}

// resolve decides how pred reads a record, or says why it cannot.
func resolve(pred *predicate, v Version, coll int) error {
	switch pred.field {
	case "sourcedId":
		pred.kind = fieldSourcedID
	case "status":
		pred.kind = fieldStatus
	case "dateLastModified":
		pred.kind = fieldModified
		if pred.op == "~" {
			return fmt.Errorf("filter: dateLastModified cannot be compared with ~")
		}
		t, err := parseFilterTime(pred.value)
		if err != nil {
			return fmt.Errorf("filter: dateLastModified value %q is not an ISO 8601 date-time", pred.value)
		}
		pred.millis = t.UnixMilli()
	default:
		field := pred.field
		if v == V1p2 && coll == collUsers && field == "role" {
			field = "roles.role" // what clients mean, and providers accept
		}
		known := slices.Contains(filterFields[coll][v.idx()], field)
		if key, ok := strings.CutPrefix(field, "metadata."); ok && key != "" {
			known = true
			pred.path = []string{"metadata", key}
		} else {
			pred.path = strings.Split(field, ".")
		}
		if !known {
			return fmt.Errorf("filter: %s has no field %q", collectionNames[coll], pred.field)
		}
	}
	return nil
}

func parseFilterTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

type filterParser struct {
	s string
	i int
}

func (p *filterParser) done() bool   { return p.i >= len(p.s) }
func (p *filterParser) rest() string { return p.s[p.i:] }

func (p *filterParser) spaces() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// keyword consumes kw when it stands alone (followed by a space).
func (p *filterParser) keyword(kw string) bool {
	if strings.HasPrefix(p.rest(), kw+" ") {
		p.i += len(kw) + 1
		return true
	}
	return false
}

func (p *filterParser) predicate() (predicate, error) {
	var pred predicate
	p.spaces()
	start := p.i
	for p.i < len(p.s) && isFieldByte(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return pred, fmt.Errorf("filter: expected a field name at %q", p.rest())
	}
	pred.field = p.s[start:p.i]
	p.spaces()
	for _, op := range []string{"!=", ">=", "<=", "=", ">", "<", "~"} {
		if strings.HasPrefix(p.rest(), op) {
			pred.op = op
			p.i += len(op)
			break
		}
	}
	if pred.op == "" {
		return pred, fmt.Errorf("filter: expected one of = != > >= < <= ~ after %s", pred.field)
	}
	p.spaces()
	if p.done() || p.s[p.i] != '\'' {
		return pred, fmt.Errorf("filter: the value of %s must be in single quotes", pred.field)
	}
	p.i++
	var b strings.Builder
	for {
		j := strings.IndexByte(p.rest(), '\'')
		if j < 0 {
			return pred, fmt.Errorf("filter: the value of %s has no closing quote", pred.field)
		}
		b.WriteString(p.s[p.i : p.i+j])
		p.i += j + 1
		if p.i < len(p.s) && p.s[p.i] == '\'' { // '' is a quote
			b.WriteByte('\'')
			p.i++
			continue
		}
		break
	}
	pred.value = b.String()
	return pred, nil
}

func isFieldByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.'
}

// match reports whether the record at position i of st passes f.
func (f *filterExpr) match(st *store, i int, scratch *[]string) bool {
	for k := range f.preds {
		ok := f.preds[k].match(st, i, scratch)
		if f.or && ok {
			return true
		}
		if !f.or && !ok {
			return false
		}
	}
	return !f.or
}

func (p *predicate) match(st *store, i int, scratch *[]string) bool {
	ref := &st.refs[i]
	switch p.kind {
	case fieldModified:
		return compareOrdered(ref.modified, p.millis, p.op)
	case fieldSourcedID:
		return compareString(string(st.id(i)), p.value, p.op)
	case fieldStatus:
		status := "active"
		if ref.deleted {
			status = "tobedeleted"
		}
		return compareString(status, p.value, p.op)
	}
	vals := extract(st.record(i), p.path, (*scratch)[:0])
	*scratch = vals
	if p.op == "!=" {
		return !slices.Contains(vals, p.value)
	}
	for _, v := range vals {
		if compareString(v, p.value, p.op) {
			return true
		}
	}
	return false
}

func compareOrdered[T int64 | string](a, b T, op string) bool {
	switch op {
	case "=":
		return a == b
	case "!=":
		return a != b
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "<":
		return a < b
	case "<=":
		return a <= b
	}
	return false
}

func compareString(a, b, op string) bool {
	if op == "~" {
		return strings.Contains(strings.ToLower(a), strings.ToLower(b))
	}
	return compareOrdered(a, b, op)
}

// extract appends to out the values at path in rec, an encoded record:
// strings unquoted, other scalars as written, and, where the path crosses
// an array, the values of every element.
func extract(rec []byte, path []string, out []string) []string {
	s := jsonScanner{b: rec}
	return s.values(path, out)
}

// jsonScanner walks the fake's own encoded JSON, which is valid but for
// the hrefMark bytes inside href strings, so it cannot go through a
// strict decoder.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\t' || s.b[s.i] == '\r') {
		s.i++
	}
}

// values reads the value at s.i and appends what path selects in it.
func (s *jsonScanner) values(path []string, out []string) []string {
	s.ws()
	if s.i >= len(s.b) {
		return out
	}
	switch c := s.b[s.i]; {
	case c == '[':
		s.i++
		for {
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] == ']' {
				s.i++
				return out
			}
			out = s.values(path, out)
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
			}
		}
	case len(path) == 0:
		if c == '"' {
			return append(out, s.str())
		}
		if c == '{' {
			s.skip()
			return out
		}
		start := s.i
		s.skip()
		return append(out, string(s.b[start:s.i]))
	case c == '{':
		s.i++
		for {
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] == '}' {
				s.i++
				return out
			}
			key := s.str()
			s.ws()
			s.i++ // ':'
			if key == path[0] {
				out = s.values(path[1:], out)
			} else {
				s.skip()
			}
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
			}
		}
	}
	s.skip()
	return out
}

// str reads the string at s.i.
func (s *jsonScanner) str() string {
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			s.i++
			raw := s.b[start:s.i]
			if !escaped {
				return string(raw[1 : len(raw)-1])
			}
			var v string
			if json.Unmarshal(raw, &v) == nil {
				return v
			}
			return string(raw[1 : len(raw)-1])
		}
		s.i++
	}
	return string(s.b[start:])
}

// skip moves past the value at s.i.
func (s *jsonScanner) skip() {
	s.ws()
	if s.i >= len(s.b) {
		return
	}
	switch s.b[s.i] {
	case '"':
		s.str()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return
				}
			}
			s.i++
		}
	default:
		for s.i < len(s.b) && !strings.ContainsRune(",}] \n\t\r", rune(s.b[s.i])) {
			s.i++
		}
	}
}
