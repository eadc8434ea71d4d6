package clevercsv

import "github.com/rosterd/rosterd/roster"

// schools.csv columns, as Clever documents them.
var schoolColumns = []string{
	"School_id", "School_name", "School_number", "State_id", "Nces_id",
	"Low_grade", "High_grade", "School_address", "School_city", "School_state", "School_zip", "School_phone",
}

const (
	scID = iota
	scName
	scNumber
	scStateID
	scNCES
	scLowGrade
	scHighGrade
	scAddress
	scCity
	scState
	scZip
	scPhone
)

var schoolRequired = []string{"School_id", "School_name"}

// dropSchool names the schools.csv columns the roster has no field for.
func dropSchool(norm string) bool {
	switch norm {
	case "principal", "principal_email", "mdr_number":
		return true
	}
	return false
}

const msgGrade = "not a grade Clever knows (InfantToddler, Preschool, PreKindergarten, TransitionalKindergarten, Kindergarten, 1 to 13, PostGraduate, Ungraded, Other, or a common form of one such as K, 0 or PK)"

func (rd *reader) schoolRows(t *table) func(*table) {
	c := resolve(t, schoolColumns, dropSchool)
	return func(*table) {
		sis, ok := c.require(scID)
		if !ok {
			return
		}
		id := rd.in.String(SchoolID(sis))
		rec := record{entity: roster.EntitySchool, id: id, sisID: sis}
		number := c.v(scNumber)
		if number == "" {
			// Clever's API gives every school of its sample district,
			// whose schools.csv has no School_number, its School_id as
			// school_number.
			number = sis
		}
		rd.r.Schools = append(rd.r.Schools, roster.School{
			ID:           id,
			Name:         c.v(scName),
			SISID:        sis,
			SchoolNumber: number,
			StateID:      c.v(scStateID),
			NCESID:       c.v(scNCES),
			LowGrade:     rd.mapped(rec, "low_grade", c.v(scLowGrade), normGrade, msgGrade),
			HighGrade:    rd.mapped(rec, "high_grade", c.v(scHighGrade), normGrade, msgGrade),
			Phone:        c.v(scPhone),
			Address: roster.Address{
				Street: c.v(scAddress),
				City:   c.v(scCity),
				State:  rd.in.String(c.v(scState)),
				Zip:    c.v(scZip),
			},
			Ext: c.extOf(),
		})
	}
}
