package clever

import (
	"context"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rosterd/rosterd/roster"
)

// School is a school as Clever sends it.
type School struct {
	ID           string         `json:"id"`
	District     string         `json:"district"`
	Name         string         `json:"name"`
	SISID        string         `json:"sis_id"`
	SchoolNumber string         `json:"school_number"`
	StateID      string         `json:"state_id"`
	NCESID       string         `json:"nces_id"`
	MDRNumber    string         `json:"mdr_number"`
	LowGrade     string         `json:"low_grade"`
	HighGrade    string         `json:"high_grade"`
	Phone        string         `json:"phone"`
	Principal    Principal      `json:"principal"`
	Location     Location       `json:"location"`
	Ext          jsontext.Value `json:"ext"`
	Created      string         `json:"created"`
	LastModified string         `json:"last_modified"`
}

// Principal is a school's principal.
type Principal struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Location is a postal address, with coordinates as strings.
type Location struct {
	Address string `json:"address"`
	City    string `json:"city"`
	State   string `json:"state"`
	Zip     string `json:"zip"`
	Lat     string `json:"lat"`
	Lon     string `json:"lon"`
}

// ListSchools calls fn with each page of schools, in ID order. fn must not
// keep the slice, which is reused for the next page.
func (c *Client) ListSchools(ctx context.Context, fn func([]School) error) error {
	return listPages(ctx, c, c.api(), c.collectionURL("schools", nil), false, nil, fn)
}

func (s *School) toRoster(m *mapper) roster.School {
	rec := record{entity: roster.EntitySchool, id: s.ID, sisID: s.SISID}
	return roster.School{
		ID:           m.intern(s.ID),
		District:     m.intern(s.District),
		Name:         s.Name,
		SISID:        s.SISID,
		SchoolNumber: s.SchoolNumber,
		StateID:      s.StateID,
		NCESID:       s.NCESID,
		LowGrade:     m.intern(s.LowGrade),
		HighGrade:    m.intern(s.HighGrade),
		Phone:        s.Phone,
		Address: roster.Address{
			Street: s.Location.Address,
			City:   s.Location.City,
			State:  m.intern(s.Location.State),
			Zip:    s.Location.Zip,
		},
		Ext:          m.ext(rec, "ext", s.Ext),
		LastModified: m.timestamp(rec, "last_modified", s.LastModified),
	}
}
