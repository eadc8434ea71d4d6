package oneroster

import "strings"

// The roster model writes grades in one vocabulary whatever the source,
// Clever's ("Kindergarten", "9"), so that a sharing rule such as
// grade: [Kindergarten, "1"] means the same on every connection. OneRoster
// writes the CEDS Entry Grade Level codes ("KG", "09"); the mapping reads
// them into the model's words and FromRoster writes them back.

// cedsToModel maps CEDS codes to the model's grade names.
var cedsToModel = map[string]string{
	"IT": "InfantToddler", "PR": "Preschool", "PK": "PreKindergarten", "TK": "TransitionalKindergarten",
	"KG": "Kindergarten", "01": "1", "02": "2", "03": "3", "04": "4", "05": "5", "06": "6", "07": "7",
	"08": "8", "09": "9", "10": "10", "11": "11", "12": "12", "13": "13", "PS": "PostGraduate",
	"UG": "Ungraded", "OTHER": "Other",
}

// modelToCEDS is the inverse of cedsToModel.
var modelToCEDS = func() map[string]string {
	m := make(map[string]string, len(cedsToModel))
	for code, name := range cedsToModel {
		if code == "OTHER" {
			code = "Other"
		}
		m[name] = code
	}
	return m
}()

// modelGrade returns the model's name for a CEDS code (in any case, and a
// one-digit grade written without its zero); anything else is kept as
// the district wrote it.
func modelGrade(g string) string {
	key := strings.ToUpper(strings.TrimSpace(g))
	if len(key) == 1 && key[0] >= '1' && key[0] <= '9' {
		key = "0" + key
	}
	if name, ok := cedsToModel[key]; ok {
		return name
	}
	return g
}

// cedsGrade returns the CEDS code for the model's grade g; a grade with
// no code is kept as it is.
func cedsGrade(g string) string {
	if code, ok := modelToCEDS[g]; ok {
		return code
	}
	return g
}
