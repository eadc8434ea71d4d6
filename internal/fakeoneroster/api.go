package fakeoneroster

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rosterd/rosterd/internal/fakewire"
)

// endpoint is a top-level collection path of the REST binding.
type endpoint struct {
	coll int
	// plural and singular are the envelope keys of its collection and
	// single-object responses: schools are "orgs", students "users".
	plural, singular string
	// subset narrows the collection: "schools", or a OneRoster role whose
	// users the path lists ("student", "teacher"); "" is all of it.
	subset string
}

var endpoints = map[string]endpoint{
	"orgs":             {collOrgs, "orgs", "org", ""},
	"schools":          {collOrgs, "orgs", "org", "schools"},
	"academicSessions": {collSessions, "academicSessions", "academicSession", ""},
	"terms":            {collSessions, "academicSessions", "academicSession", ""},
	"courses":          {collCourses, "courses", "course", ""},
	"classes":          {collClasses, "classes", "class", ""},
	"users":            {collUsers, "users", "user", ""},
	"students":         {collUsers, "users", "user", "student"},
	"teachers":         {collUsers, "users", "user", "teacher"},
	"enrollments":      {collEnrollments, "enrollments", "enrollment", ""},
	"demographics":     {collDemographics, "demographics", "demographics", ""},
}

// baseView is every record the endpoint lists.
func (d *Dataset) baseView(v Version, ep endpoint) view {
	vw := view{st: d.colls[ep.coll][v.idx()]}
	switch ep.subset {
	case "":
	case "schools":
		vw.sel, vw.filtered = d.schools, true
	default:
		vw.sel, vw.filtered = d.roles[v.idx()][ep.subset], true
	}
	return vw
}

// lookup returns the position of the record id of the endpoint.
func (d *Dataset) lookup(v Version, ep endpoint, id string) (int, bool) {
	vw := d.baseView(v, ep)
	pos, ok := vw.st.find(id)
	if !ok {
		return 0, false
	}
	if vw.filtered {
		if _, in := slices.BinarySearch(vw.sel, int32(pos)); !in {
			return 0, false
		}
	}
	return pos, true
}

// api answers a GET under the tree of v; rest is the path after its base
// path and a slash.
func (s *Server) api(h http.Header, r *http.Request, v Version, rest string, cred credential) *reply {
	d := s.data.Load()
	parts := strings.Split(rest, "/")
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	ep, ok := endpoints[parts[0]]
	if !ok || slices.Contains(parts, "") {
		return statusInfo(v, http.StatusNotFound, CodeUnknownObject, "no such endpoint: "+r.URL.Path)
	}
	nested := len(parts) == 3
	if rep := s.checkScope(v, cred, ep, nested); rep != nil {
		return rep
	}
	switch len(parts) {
	case 1:
		return s.list(h, r, v, d, ep.coll, ep.plural, d.baseView(v, ep), parts[0])
	case 2:
		pos, ok := d.lookup(v, ep, parts[1])
		if !ok {
			return statusInfo(v, http.StatusNotFound, CodeUnknownObject, parts[0]+" has no "+strconv.Quote(parts[1]))
		}
		return s.single(r, v, ep.singular, d.colls[ep.coll][v.idx()], pos)
	case 3:
		return s.nested(h, r, v, d, ep, parts)
	}
	return statusInfo(v, http.StatusNotFound, CodeUnknownObject, "no such endpoint: "+r.URL.Path)
}

// nested answers /{parent}/{id}/{child}: the classes of a school or of a
// user, and the students or teachers of a class.
func (s *Server) nested(h http.Header, r *http.Request, v Version, d *Dataset, parent endpoint, parts []string) *reply {
	id, child := parts[1], parts[2]
	var coll int
	var sel []int32
	switch {
	case parts[0] == "schools" && child == "classes":
		if _, ok := d.lookup(v, parent, id); !ok {
			return statusInfo(v, http.StatusNotFound, CodeUnknownObject, "schools has no "+strconv.Quote(id))
		}
		coll, sel = collClasses, d.classesBySchool[id]
	case parts[0] == "classes" && (child == "students" || child == "teachers"):
		pos, ok := d.lookup(v, parent, id)
		if !ok {
			return statusInfo(v, http.StatusNotFound, CodeUnknownObject, "classes has no "+strconv.Quote(id))
		}
		coll, sel = collUsers, d.classStudents[pos]
		if child == "teachers" {
			sel = d.classTeachers[pos]
		}
	case parent.coll == collUsers && child == "classes":
		pos, ok := d.lookup(v, parent, id)
		if !ok {
			return statusInfo(v, http.StatusNotFound, CodeUnknownObject, parts[0]+" has no "+strconv.Quote(id))
		}
		coll, sel = collClasses, d.userClasses[pos]
	default:
		return statusInfo(v, http.StatusNotFound, CodeUnknownObject, "no such endpoint: "+r.URL.Path)
	}
	envelope := collectionNames[coll]
	vw := view{st: d.colls[coll][v.idx()], sel: sel, filtered: true}
	return s.list(h, r, v, d, coll, envelope, vw, strings.Join(parts, "/"))
}

// checkScope refuses a request made with an issued token that lacks the
// scope the endpoint needs, when Options.CheckScopes is set (1.2 only).
func (s *Server) checkScope(v Version, cred credential, ep endpoint, nested bool) *reply {
	if !s.opts.CheckScopes || v != V1p2 || cred.kind != "token" {
		return nil
	}
	var ok bool
	switch {
	case ep.coll == collDemographics:
		ok = hasScope(cred, ScopeRosterDemographics)
	case nested:
		ok = hasScope(cred, ScopeRoster)
	default:
		ok = hasScope(cred, ScopeRoster, ScopeRosterCore)
	}
	if ok {
		return nil
	}
	return statusInfo(v, http.StatusForbidden, CodeForbidden, "the access token's scopes do not cover this endpoint")
}

// single answers {"<singular>": {...}}.
func (s *Server) single(r *http.Request, v Version, key string, st *store, pos int) *reply {
	base := serviceRoot(r, v)
	buf := fakewire.Buffer()
	buf.WriteString(`{"`)
	buf.WriteString(key)
	buf.WriteString(`":`)
	writeRecord(buf, st.record(pos), base)
	buf.WriteByte('}')
	return fakewire.PooledReply(http.StatusOK, buf)
}

// list answers one page of vw: {"<envelope>": [...]} with X-Total-Count
// and Link. cacheKey names vw for the filter cache.
func (s *Server) list(h http.Header, r *http.Request, v Version, d *Dataset, coll int, envelope string, vw view, cacheKey string) *reply {
	q := r.URL.Query()
	limit, offset := DefaultLimit, 0
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 {
			return statusInfo(v, http.StatusBadRequest, CodeInvalidData, "limit must be a whole number of at least 1")
		}
		limit = n
	}
	if q.Has("offset") {
		n, err := strconv.Atoi(q.Get("offset"))
		if err != nil || n < 0 {
			return statusInfo(v, http.StatusBadRequest, CodeInvalidData, "offset must be a whole number of at least 0")
		}
		offset = n
	}
	if s.opts.MaxLimit > 0 {
		limit = min(limit, s.opts.MaxLimit)
	}

	var f *filterExpr
	if q.Has("filter") {
		var err error
		if f, err = parseFilter(q.Get("filter"), v, coll); err != nil {
			return statusInfo(v, http.StatusBadRequest, CodeInvalidFilterField, err.Error())
		}
	}

	// Select the page: positions lo..hi of the filtered view.
	var page []int32
	total := vw.len()
	switch {
	case f == nil:
		lo := min(offset, total)
		hi := min(total, lo+limit)
		for k := lo; k < hi; k++ {
			page = append(page, int32(vw.at(k)))
		}
	case f.decodes:
		key := v.String() + " " + cacheKey + " " + q.Get("filter")
		sel, ok := d.cache.get(key)
		if !ok {
			sel = selectAll(vw, f)
			d.cache.put(key, sel)
		}
		total = len(sel)
		lo := min(offset, total)
		page = sel[lo:min(total, lo+limit)]
	default:
		// Filters on the indexed fields are cheap: count every match and
		// keep only the page's.
		total = 0
		var scratch []string
		for k := range vw.len() {
			if i := vw.at(k); f.match(vw.st, i, &scratch) {
				if total >= offset && total < offset+limit {
					page = append(page, int32(i))
				}
				total++
			}
		}
	}

	base := serviceRoot(r, v)
	size := 64
	for _, i := range page {
		size += int(vw.st.refs[i].recLen) + 4*len(base)
	}
	buf := fakewire.Buffer()
	buf.Grow(size)
	buf.WriteString(`{"`)
	buf.WriteString(envelope)
	buf.WriteString(`":[`)
	for k, i := range page {
		if k > 0 {
			buf.WriteByte(',')
		}
		writeRecord(buf, vw.st.record(int(i)), base)
	}
	buf.WriteString(`]}`)

	rep := fakewire.PooledReply(http.StatusOK, buf)
	h.Set("X-Total-Count", strconv.Itoa(total))
	if link := s.linkHeader(r, q, limit, offset, total); link != "" {
		h.Set("Link", link)
	}
	return rep
}

func selectAll(vw view, f *filterExpr) []int32 {
	sel := []int32{}
	var scratch []string
	for k := range vw.len() {
		if i := vw.at(k); f.match(vw.st, i, &scratch) {
			sel = append(sel, int32(i))
		}
	}
	return sel
}

// writeRecord writes rec with each hrefMark replaced by base.
func writeRecord(buf *bytes.Buffer, rec []byte, base string) {
	for {
		j := bytes.IndexByte(rec, hrefMark)
		if j < 0 {
			buf.Write(rec)
			return
		}
		buf.Write(rec[:j])
		buf.WriteString(base)
		rec = rec[j+1:]
	}
}

// serviceRoot is the absolute URL of the tree of v as r reached it, with
// a trailing slash: what hrefs are relative to.
func serviceRoot(r *http.Request, v Version) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + v.BasePath() + "/"
}

// linkHeader is the Link header of a page, in the style Options.Links
// says; "" for none.
func (s *Server) linkHeader(r *http.Request, q url.Values, limit, offset, total int) string {
	if s.opts.Links == LinkNone {
		return ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	kept := url.Values{}
	for k, vs := range q {
		if k != "limit" && k != "offset" && !strings.HasPrefix(k, "oauth_") {
			kept[k] = vs
		}
	}
	at := func(off int) string {
		kept.Set("limit", strconv.Itoa(limit))
		kept.Set("offset", strconv.Itoa(off))
		return scheme + "://" + r.Host + r.URL.EscapedPath() + "?" + kept.Encode()
	}
	last := 0
	if total > 0 {
		last = (total - 1) / limit * limit
	}
	type rel struct {
		name string
		off  int
	}
	var rels []rel
	if offset+limit < total {
		next := offset + limit
		if s.opts.Links == LinkGG4L {
			next++
		}
		rels = append(rels, rel{"next", next})
	}
	if offset > 0 {
		rels = append(rels, rel{"prev", max(0, offset-limit)})
	}
	rels = append(rels, rel{"first", 0}, rel{"last", last})
	var b strings.Builder
	for i, x := range rels {
		if i > 0 {
			b.WriteString(", ")
		}
		if s.opts.Links == LinkGG4L {
			b.WriteString(at(x.off))
		} else {
			b.WriteString("<" + at(x.off) + ">")
		}
		b.WriteString(`; rel="` + x.name + `"`)
	}
	return b.String()
}
