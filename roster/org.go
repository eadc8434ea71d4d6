package roster

import "time"

// District is the organisation a roster belongs to. Clever sends exactly
// one; a OneRoster provider may send several (a consortium).
type District struct {
	ID           string    `json:"id"`
	Name         string    `json:"name,omitempty"`
	SISType      string    `json:"sis_type,omitempty"`
	NCESID       string    `json:"nces_id,omitempty"`
	StateID      string    `json:"state_id,omitempty"`
	Ext          Ext       `json:"ext,omitempty"`
	LastModified time.Time `json:"last_modified,omitzero"`
}

// School is a school of the district.
type School struct {
	ID           string    `json:"id"`
	District     string    `json:"district,omitempty"`
	Name         string    `json:"name,omitempty"`
	SISID        string    `json:"sis_id,omitempty"`
	SchoolNumber string    `json:"school_number,omitempty"`
	StateID      string    `json:"state_id,omitempty"`
	NCESID       string    `json:"nces_id,omitempty"`
	LowGrade     string    `json:"low_grade,omitempty"`
	HighGrade    string    `json:"high_grade,omitempty"`
	Phone        string    `json:"phone,omitempty"`
	Address      Address   `json:"address,omitzero"`
	Ext          Ext       `json:"ext,omitempty"`
	LastModified time.Time `json:"last_modified,omitzero"`
}

// Address is a postal address.
type Address struct {
	Street string `json:"street,omitempty"`
	City   string `json:"city,omitempty"`
	State  string `json:"state,omitempty"`
	Zip    string `json:"zip,omitempty"`
}

// IsZero reports whether a holds no part of an address.
func (a Address) IsZero() bool { return a == Address{} }

// Term is a span of the school year (a year, semester or quarter).
// Several terms may share a name.
type Term struct {
	ID           string    `json:"id"`
	District     string    `json:"district,omitempty"`
	Name         string    `json:"name,omitempty"`
	SISID        string    `json:"sis_id,omitempty"`
	StartDate    Date      `json:"start_date,omitzero"`
	EndDate      Date      `json:"end_date,omitzero"`
	LastModified time.Time `json:"last_modified,omitzero"`
}

// Contains reports whether day falls within the term, both ends included.
// A term without both dates contains no day.
func (t *Term) Contains(day Date) bool {
	if t.StartDate.IsZero() || t.EndDate.IsZero() {
		return false
	}
	return !day.Before(t.StartDate) && !t.EndDate.Before(day)
}

// Course is what a section teaches. Clever rebuilds courses from section
// data, so their IDs are less stable than section IDs.
type Course struct {
	ID           string    `json:"id"`
	District     string    `json:"district,omitempty"`
	Name         string    `json:"name,omitempty"`
	Number       string    `json:"number,omitempty"`
	SISID        string    `json:"sis_id,omitempty"`
	Subject      string    `json:"subject,omitempty"`
	LastModified time.Time `json:"last_modified,omitzero"`
}
