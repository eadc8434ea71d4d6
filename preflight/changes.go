package preflight

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
)

// redactedFields are the fields whose values a report never shows, only
// that they changed: they are among the most sensitive a roster carries.
var redactedFields = map[string]bool{
	"dob": true, "gender": true, "race": true, "hispanic_ethnicity": true, "ell_status": true,
	"home_language": true, "iep_status": true, "section_504_status": true, "frl_status": true,
	"gifted_status": true,
}

// details gathers the field-level diff of one Check, up to MaxChangeDetail
// records per list: beyond that the counts table has the totals, and
// decoding every record of a mass update would cost more than the diff.
type details struct {
	ChangeDetail
	fields map[[2]string]int // entity, field → updated records
}

func newDetails() *details {
	return &details{fields: map[[2]string]int{}, ChangeDetail: NoChanges()}
}

// NoChanges returns the details of a diff that found nothing: every list
// empty, not nil, as a report writes it.
func NoChanges() ChangeDetail {
	return ChangeDetail{Fields: []FieldCount{}, Updates: []RecordUpdate{}, Added: []RecordRef{}, Deleted: []RecordRef{}}
}

func (d *details) added(ref func() RecordRef) {
	if len(d.Added) == MaxChangeDetail {
		d.AddedOmitted++
		return
	}
	d.Added = append(d.Added, ref())
}

func (d *details) deleted(ref func() RecordRef) {
	if len(d.Deleted) == MaxChangeDetail {
		d.DeletedOmitted++
		return
	}
	d.Deleted = append(d.Deleted, ref())
}

// updated records which fields of rec, of ID id, differ from old, its
// committed encoding. primary names the record's entity and SIS ID, and
// locate the entity a field path belongs to.
func updatedRecord[T any](d *details, id string, rec *T, old []byte, locate func(*T, []string) (roster.Entity, string, []string), primary func(*T) (roster.Entity, string)) error {
	if len(d.Updates) == MaxChangeDetail {
		d.UpdatesOmitted++
		return nil
	}
	var before T
	if err := codec.Unmarshal(old, &before); err != nil {
		return err
	}
	entity, sisID := primary(rec)
	up := RecordUpdate{Entity: entity, ID: id, SISID: sisID}
	for _, ch := range fieldChanges(&before, rec) {
		e, _, tokens := locate(rec, ch.path)
		if len(tokens) == 0 {
			tokens = []string{"role"} // a role added or removed as a whole
		}
		field := strings.Join(tokens, ".")
		d.fields[[2]string{string(e), field}]++
		if e != entity {
			field = string(e) + "." + field
		}
		fc := FieldChange{Field: field, Old: ch.old, New: ch.new, List: ch.list}
		if redactedFields[tokens[len(tokens)-1]] {
			fc.Old, fc.New, fc.Redacted = "", "", true
		}
		up.Fields = append(up.Fields, fc)
	}
	if len(up.Fields) == 0 {
		// Only the encoding differs (a field the model no longer has, or
		// an older codec): nothing a person can act on.
		return nil
	}
	d.Updates = append(d.Updates, up)
	return nil
}

// finish sorts the field counts, most changed first.
func (d *details) finish() ChangeDetail {
	for k, n := range d.fields {
		d.Fields = append(d.Fields, FieldCount{Entity: roster.Entity(k[0]), Field: k[1], Count: n})
	}
	slices.SortFunc(d.Fields, func(a, b FieldCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Entity, b.Entity), cmp.Compare(a.Field, b.Field))
	})
	return d.ChangeDetail
}

// fieldChange is one difference go-cmp found, at a JSON path.
type fieldChange struct {
	path     []string
	old, new string
	list     bool
}

// fieldChanges compares two records of the same type with go-cmp and
// returns their differences by JSON field path ("roles", "student",
// "grade"). A list of strings (a section's students) is one change, with
// the IDs removed as old and those added as new.
func fieldChanges[T any](before, after *T) []fieldChange {
	r := &fieldReporter{seen: map[string]bool{}}
	gocmp.Equal(before, after, gocmp.Reporter(r), cmpopts.EquateEmpty(),
		// A date is one value, never three numbers: a birth date must
		// reach the redaction whole.
		gocmp.Comparer(func(a, b roster.Date) bool { return a == b }),
		// An ext is compared member by member, so that a change names
		// the key ("ext.consent").
		gocmp.Transformer("ext", roster.Ext.Map),
		// Demographics are compared field by field, absent ones as
		// blank, so that a change names the field ("gender") even when
		// the student had none before.
		gocmp.Transformer("demographics", func(d *roster.Demographics) roster.Demographics {
			if d == nil {
				return roster.Demographics{}
			}
			return *d
		}),
		// A list of IDs is reported whole (listDiff), so go-cmp need not
		// work out an edit script element by element: for a section's
		// students that was most of what an update's detail cost. Two
		// empty lists are EquateEmpty's, which must be the only option
		// that applies to them.
		gocmp.FilterValues(func(a, b []string) bool { return len(a) > 0 || len(b) > 0 },
			gocmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })))
	return r.changes
}

type fieldReporter struct {
	path    gocmp.Path
	changes []fieldChange
	seen    map[string]bool // lists already reported
}

func (r *fieldReporter) PushStep(ps gocmp.PathStep) { r.path = append(r.path, ps) }

func (r *fieldReporter) PopStep() { r.path = r.path[:len(r.path)-1] }

func (r *fieldReporter) Report(rs gocmp.Result) {
	if rs.Equal() {
		return
	}
	tokens, listAt := jsonPath(r.path)
	if listAt < 0 && isStrings(r.path.Last()) {
		listAt = len(r.path) - 1 // compared whole, by the []string comparer
	}
	if listAt >= 0 {
		key := strings.Join(tokens, ".")
		if r.seen[key] {
			return
		}
		r.seen[key] = true
		vx, vy := r.path[listAt].Values()
		removed, added := listDiff(vx, vy)
		r.changes = append(r.changes, fieldChange{path: tokens, old: removed, new: added, list: true})
		return
	}
	vx, vy := r.path.Last().Values()
	if isMap(vx) || isMap(vy) {
		// A map that appeared or went as a whole (ext): one change per key.
		for _, k := range mapKeys(vx, vy) {
			ox, oy := mapValue(vx, k), mapValue(vy, k)
			if ox == oy {
				continue
			}
			r.changes = append(r.changes, fieldChange{path: append(slices.Clip(tokens), k), old: ox, new: oy})
		}
		return
	}
	r.changes = append(r.changes, fieldChange{path: tokens, old: valueText(vx), new: valueText(vy)})
}

func isMap(v reflect.Value) bool { return v.IsValid() && v.Kind() == reflect.Map }

// isStrings reports whether step's values are lists of strings.
func isStrings(step gocmp.PathStep) bool {
	t := step.Type()
	return t != nil && t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String
}

// mapKeys returns the string keys of two maps (either may be absent),
// sorted.
func mapKeys(x, y reflect.Value) []string {
	var keys []string
	for _, m := range []reflect.Value{x, y} {
		if !isMap(m) {
			continue
		}
		for _, k := range m.MapKeys() {
			if !slices.Contains(keys, k.String()) {
				keys = append(keys, k.String())
			}
		}
	}
	slices.Sort(keys)
	return keys
}

func mapValue(m reflect.Value, key string) string {
	if !isMap(m) {
		return ""
	}
	return valueText(m.MapIndex(reflect.ValueOf(key).Convert(m.Type().Key())))
}

// jsonPath turns a go-cmp path into JSON field names. A path into a list
// of strings stops at the list, whose index in the path is returned (-1
// for any other path).
func jsonPath(p gocmp.Path) (tokens []string, listAt int) {
	listAt = -1
	for i, step := range p {
		switch s := step.(type) {
		case gocmp.StructField:
			parent := p[i-1].Type()
			for parent.Kind() == reflect.Pointer {
				parent = parent.Elem()
			}
			f, _ := parent.FieldByName(s.Name())
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" && slices.Contains(strings.Split(opts, ","), "embed") {
				continue // its fields are written as the parent's own
			}
			if name == "" {
				name = strings.ToLower(s.Name())
			}
			tokens = append(tokens, name)
		case gocmp.MapIndex:
			tokens = append(tokens, fmt.Sprint(s.Key()))
		case gocmp.SliceIndex:
			if s.Type().Kind() == reflect.String {
				return tokens, i - 1
			}
			tokens = append(tokens, fmt.Sprint(s.Key()))
		}
	}
	return tokens, listAt
}

// listDiff returns, as text, the strings of list y not in x (added) and
// those of x not in y (removed).
func listDiff(vx, vy reflect.Value) (removed, added string) {
	set := func(v reflect.Value) []string {
		if !v.IsValid() {
			return nil
		}
		out := make([]string, v.Len())
		for i := range out {
			out[i] = v.Index(i).String()
		}
		return out
	}
	x, y := set(vx), set(vy)
	var rm, add []string
	for _, s := range x {
		if !slices.Contains(y, s) {
			rm = append(rm, s)
		}
	}
	for _, s := range y {
		if !slices.Contains(x, s) {
			add = append(add, s)
		}
	}
	return strings.Join(rm, " "), strings.Join(add, " ")
}

// valueText renders a changed value for people: "" for absent.
func valueText(v reflect.Value) string {
	if !v.IsValid() {
		return ""
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct && v.Type() != reflect.TypeFor[time.Time]() && v.Type() != reflect.TypeFor[roster.Date]() {
		// A whole role or block appeared or went: say so, without
		// spelling out (possibly redacted) values inside it.
		return "present"
	}
	if v.CanInterface() {
		switch x := v.Interface().(type) {
		case json.RawMessage: // an ext value
			return string(x)
		case time.Time:
			if x.IsZero() {
				return ""
			}
			return x.UTC().Format(time.RFC3339Nano)
		case roster.Date:
			return x.String()
		case fmt.Stringer:
			return x.String()
		}
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Map, reflect.Slice:
		if data, err := codec.Marshal(v.Interface()); err == nil {
			return string(data)
		}
	}
	return fmt.Sprint(v.Interface())
}
