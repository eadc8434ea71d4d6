package roster

import "time"

// Section is a class: the only record that links teachers and students.
// Its students and teachers may belong to other schools than School.
type Section struct {
	ID            string `json:"id"`
	District      string `json:"district,omitempty"`
	School        string `json:"school,omitempty"`
	Course        string `json:"course,omitempty"`
	Term          string `json:"term,omitempty"`
	Name          string `json:"name,omitempty"`
	SISID         string `json:"sis_id,omitempty"`
	SectionNumber string `json:"section_number,omitempty"`
	Subject       string `json:"subject,omitempty"`
	Grade         string `json:"grade,omitempty"`
	Period        string `json:"period,omitempty"`

	// Teachers lists user IDs with the primary teacher first.
	Teachers []string `json:"teachers,omitempty"`
	// Students lists user IDs; enrollments exist only here.
	Students []string `json:"students,omitempty"`

	Ext          Ext       `json:"ext,omitempty"`
	LastModified time.Time `json:"last_modified,omitzero"`
}

// PrimaryTeacher returns the section's primary teacher, or "" when the
// section has none.
func (s *Section) PrimaryTeacher() string {
	if len(s.Teachers) == 0 {
		return ""
	}
	return s.Teachers[0]
}

// SubjectHomeroom is the subject of homeroom and advisory sections.
const SubjectHomeroom = "homeroom/advisory"
