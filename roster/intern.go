package roster

// Interner makes equal strings share one copy. A roster repeats the same
// district, school and grade values on every user and the same user IDs in
// every section, so sources intern what they decode: an XL district holds
// 5.2M enrollment IDs but only 1.2M distinct users.
//
// An Interner is not safe for concurrent use. The zero value is ready.
type Interner struct {
	m    map[string]string
	demo map[Demographics]*Demographics
	one  map[string][]string
}

// Demographics returns a shared copy of d, which the caller must not
// write through (see Student.Demographics), or nil when d is zero. d's
// strings are interned too.
func (in *Interner) Demographics(d Demographics) *Demographics {
	if d == (Demographics{}) {
		return nil
	}
	if p, ok := in.demo[d]; ok {
		return p
	}
	if in.demo == nil {
		in.demo = make(map[Demographics]*Demographics)
	}
	p := &Demographics{
		Gender: in.String(d.Gender), GraduationYear: in.String(d.GraduationYear), Race: in.String(d.Race),
		HispanicEthnicity: in.String(d.HispanicEthnicity), ELLStatus: in.String(d.ELLStatus), HomeLanguage: in.String(d.HomeLanguage),
	}
	in.demo[d] = p
	return p
}

// String returns the interned copy of s.
func (in *Interner) String(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in.m[s]; ok {
		return v
	}
	if in.m == nil {
		in.m = make(map[string]string)
	}
	in.m[s] = s
	return s
}

// Bytes returns the interned copy of b, allocating only for a string not
// seen before.
func (in *Interner) Bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if v, ok := in.m[string(b)]; ok {
		return v
	}
	return in.String(string(b))
}

// Strings interns every element of ss in place and returns ss.
func (in *Interner) Strings(ss []string) []string {
	for i, s := range ss {
		ss[i] = in.String(s)
	}
	return ss
}

// List interns the strings of ss in place, as Strings does, and returns a
// list of one string as a shared copy, which the caller must not write
// through: nearly every student and teacher has one school, and an XL
// district's 1.2M users need only the lists of its 1,900 schools. The
// shared copy has no room to grow, so appending to it copies.
func (in *Interner) List(ss []string) []string {
	if len(ss) != 1 {
		return in.Strings(ss)
	}
	if l, ok := in.one[ss[0]]; ok {
		return l
	}
	if in.one == nil {
		in.one = make(map[string][]string)
	}
	l := []string{in.String(ss[0])}
	in.one[l[0]] = l[:1:1]
	return l[:1:1]
}

// Len returns the number of distinct strings held.
func (in *Interner) Len() int { return len(in.m) }
