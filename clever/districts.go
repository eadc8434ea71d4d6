package clever

import (
	"context"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rosterd/rosterd/roster"
)

// District is a district as Clever sends it. A district-app token sees
// exactly one: its own.
type District struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	SISType         string           `json:"sis_type"`
	State           string           `json:"state"` // sync state (running, paused, ...), not a US state
	LastSync        string           `json:"last_sync"`
	LaunchDate      string           `json:"launch_date"`
	PauseStart      string           `json:"pause_start"`
	PauseEnd        string           `json:"pause_end"`
	Error           string           `json:"error"`
	PortalURL       string           `json:"portal_url"`
	LoginMethods    []string         `json:"login_methods"`
	MDRNumber       string           `json:"mdr_number"`
	NCESID          string           `json:"nces_id"`
	DistrictContact *DistrictContact `json:"district_contact"`
	Ext             jsontext.Value   `json:"ext"`
}

// DistrictContact is the district's contact person for Clever.
type DistrictContact struct {
	ID       string `json:"id"`
	District string `json:"district"`
	Name     Name   `json:"name"`
	Email    string `json:"email"`
	Title    string `json:"title"`
}

// Districts returns every district the token sees.
func (c *Client) Districts(ctx context.Context) ([]District, error) {
	var out []District
	err := listPages(ctx, c, c.api(), c.collectionURL("districts", nil), false, nil, func(page []District) error {
		out = append(out, page...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (d *District) toRoster(m *mapper) roster.District {
	rec := record{entity: roster.EntityDistrict, id: d.ID}
	return roster.District{
		ID:      m.intern(d.ID),
		Name:    d.Name,
		SISType: m.intern(d.SISType),
		NCESID:  d.NCESID,
		Ext:     m.ext(rec, "ext", d.Ext),
		// Clever sends no last_modified for a district, and last_sync
		// changes on every SIS sync: mapping it would report the district
		// as changed on every run.
	}
}
