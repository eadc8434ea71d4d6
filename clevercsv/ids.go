package clevercsv

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/rosterd/rosterd/roster"
)

// The ID scheme. Clever's files carry the district's SIS IDs, not the
// 24-hex IDs Clever's API assigns, and a SIS ID is unique only within its
// kind of record: student 47 and teacher 47 are two people. So every
// roster ID is the SIS ID behind a prefix naming its kind ("student:47",
// "teacher:47"), and the SIS ID itself is kept as the record's SISID.
// Terms and courses have no ID in the files at all; theirs are a digest
// of what defines them, so they stay the same from one delivery to the
// next for as long as that does, like Clever's.

// SchoolID returns the roster ID of the school with SIS ID sisID
// (schools.csv School_id).
func SchoolID(sisID string) string { return prefixed("school:", sisID) }

// SectionID returns the roster ID of the section with SIS ID sisID
// (sections.csv Section_id).
func SectionID(sisID string) string { return prefixed("section:", sisID) }

// UserID returns the roster ID of the user listed with SIS ID sisID in
// the file of role: students.csv Student_id, teachers.csv Teacher_id,
// staff.csv Staff_id. A staff member who is also a teacher is one user
// with the teacher's ID.
func UserID(role roster.Role, sisID string) string { return prefixed(string(role)+":", sisID) }

// TermID returns the roster ID of the term sections.csv describes with
// Term_name name and the dates start and end (zero when absent).
func TermID(name string, start, end roster.Date) string {
	return digest("term:", name, start.String(), end.String())
}

// CourseID returns the roster ID of the course sections.csv describes
// with Course_number number and Course_name name.
func CourseID(number, name string) string {
	return digest("course:", number, name)
}

// prefixed is prefix+id, or "" for an absent ID.
func prefixed(prefix, id string) string {
	if id == "" {
		return ""
	}
	return prefix + id
}

// digest returns prefix and the first 64 bits of the SHA-256 of parts,
// each ended by a NUL so that ("a", "bc") and ("ab", "c") differ.
func digest(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	sum := h.Sum(nil)
	return prefix + hex.EncodeToString(sum[:8])
}
