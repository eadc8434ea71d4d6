package oneroster

// interner is roster.Interner with room reserved ahead: a package's
// reader interns hundreds of thousands of user IDs, and growing the map
// one split at a time costs more than sizing it from the file.
type interner struct{ m map[string]string }

// reserve makes room for n more strings.
func (in *interner) reserve(n int) {
	if n <= 0 {
		return
	}
	m := make(map[string]string, len(in.m)+n)
	for k, v := range in.m {
		m[k] = v
	}
	in.m = m
}

// Bytes returns the interned copy of b, allocating only for a new string.
func (in *interner) Bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if v, ok := in.m[string(b)]; ok {
		return v
	}
	if in.m == nil {
		in.m = make(map[string]string)
	}
	s := string(b)
	in.m[s] = s
	return s
}
