package codec

import "github.com/rosterd/rosterd/roster"

// appendSection writes a section as the library does; see fast_user.go
// for how the tags map to the calls.
func appendSection(b []byte, s *roster.Section) ([]byte, bool) {
	f := beginObject(b)
	f.str(`,"id":`, s.ID, false)
	f.str(`,"district":`, s.District, true)
	f.str(`,"school":`, s.School, true)
	f.str(`,"course":`, s.Course, true)
	f.str(`,"term":`, s.Term, true)
	f.str(`,"name":`, s.Name, true)
	f.str(`,"sis_id":`, s.SISID, true)
	f.str(`,"section_number":`, s.SectionNumber, true)
	f.str(`,"subject":`, s.Subject, true)
	f.str(`,"grade":`, s.Grade, true)
	f.str(`,"period":`, s.Period, true)
	f.strs(`,"teachers":`, s.Teachers)
	f.strs(`,"students":`, s.Students)
	f.ext(`,"ext":`, s.Ext)
	if !s.LastModified.IsZero() {
		f.value(`,"last_modified":`, func(b []byte) ([]byte, bool) { return appendTime(b, s.LastModified) })
	}
	return f.end()
}
