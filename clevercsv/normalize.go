package clevercsv

import (
	"errors"
	"strconv"
	"strings"

	"github.com/rosterd/rosterd/roster"
)

// This file holds the tables that turn values as SIS exports write them
// into the values Clever's API returns for the same data, so that both
// sources give one roster. doc.go lists them for people.

// lookupKey is the form values are looked up by: lower case, trimmed, with
// runs of white space as one space and "&" read as "and".
func lookupKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "&", " and ")
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, " /", "/")
	return strings.ReplaceAll(s, "/ ", "/")
}

// gradeKey is lookupKey without spaces, hyphens, dots, slashes and
// underscores, so "Pre-K", "pre k" and "PreK" are one key.
func gradeKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '/', '_':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// Clever's grade enum (API v3.x), the values every grade maps onto.
var gradeNames = map[string]string{
	"infanttoddler":            "InfantToddler",
	"it":                       "InfantToddler",
	"preschool":                "Preschool",
	"pr":                       "Preschool",
	"prekindergarten":          "PreKindergarten",
	"prek":                     "PreKindergarten",
	"pk":                       "PreKindergarten",
	"transitionalkindergarten": "TransitionalKindergarten",
	"tk":                       "TransitionalKindergarten",
	"kindergarten":             "Kindergarten",
	"kinder":                   "Kindergarten",
	"k":                        "Kindergarten",
	"kg":                       "Kindergarten",
	"kn":                       "Kindergarten",
	"postgraduate":             "PostGraduate",
	"pg":                       "PostGraduate",
	"ungraded":                 "Ungraded",
	"ug":                       "Ungraded",
	"other":                    "Other",
}

// normGrade maps a grade as a SIS writes it onto Clever's grade enum: "0",
// "K" and "KG" are Kindergarten, "-1" and "PK" PreKindergarten, "01"
// to "13" the numbers without leading zeros. ok is false for a value the
// table does not know; "" is absent and ok.
func normGrade(s string) (grade string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if n, err := strconv.Atoi(s); err == nil {
		switch {
		case n == -1:
			return "PreKindergarten", true
		case n == 0:
			return "Kindergarten", true
		case n >= 1 && n <= 13:
			return strconv.Itoa(n), true
		}
		return "", false
	}
	g, ok := gradeNames[gradeKey(s)]
	return g, ok
}

// Clever's section subject enum (API v3.x).
const (
	subjectELA          = "english/language arts"
	subjectMath         = "math"
	subjectScience      = "science"
	subjectSocial       = "social studies"
	subjectLanguage     = "language"
	subjectHomeroom     = roster.SubjectHomeroom
	subjectIntervention = "interventions/online learning"
	subjectTech         = "technology and engineering"
	subjectPE           = "PE and health"
	subjectArts         = "arts and music"
	subjectOther        = "other"
)

// subjectNames maps free-text subjects (lookupKey form) onto the enum.
var subjectNames = map[string]string{
	"english/language arts": subjectELA, "english language arts": subjectELA, "english": subjectELA,
	"ela": subjectELA, "language arts": subjectELA, "reading": subjectELA, "writing": subjectELA,
	"literacy": subjectELA, "reading/language arts": subjectELA,

	"math": subjectMath, "maths": subjectMath, "mathematics": subjectMath,

	"science": subjectScience, "sciences": subjectScience,

	"social studies": subjectSocial, "social science": subjectSocial, "social sciences": subjectSocial,
	"history": subjectSocial,

	"language": subjectLanguage, "languages": subjectLanguage, "world language": subjectLanguage,
	"world languages": subjectLanguage, "foreign language": subjectLanguage, "foreign languages": subjectLanguage,

	"homeroom/advisory": subjectHomeroom, "homeroom": subjectHomeroom, "advisory": subjectHomeroom,

	"interventions/online learning": subjectIntervention, "intervention": subjectIntervention,
	"interventions": subjectIntervention, "online learning": subjectIntervention,

	"technology and engineering": subjectTech, "technology/engineering": subjectTech, "technology": subjectTech,
	"engineering": subjectTech, "computer science": subjectTech,

	"pe and health": subjectPE, "pe/health": subjectPE, "pe": subjectPE, "physical education": subjectPE,
	"health": subjectPE, "physical education and health": subjectPE, "health and physical education": subjectPE,

	"arts and music": subjectArts, "arts/music": subjectArts, "art/music": subjectArts, "art": subjectArts,
	"arts": subjectArts, "music": subjectArts, "fine arts": subjectArts, "visual arts": subjectArts,
	"performing arts": subjectArts,

	"other": subjectOther,
}

// normSubject maps a section's subject onto Clever's subject enum; text
// the table does not know is "other", as the enum has it. "" stays absent:
// the reader never guesses a subject from a course name.
func normSubject(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if v, ok := subjectNames[lookupKey(s)]; ok {
		return v
	}
	return subjectOther
}

// normGender maps a gender onto Clever's M, F, X.
func normGender(s string) (string, bool) {
	switch lookupKey(s) {
	case "":
		return "", true
	case "m", "male":
		return "M", true
	case "f", "female":
		return "F", true
	case "x", "nonbinary", "non-binary", "non binary":
		return "X", true
	}
	return "", false
}

// raceNames maps race codes and names onto Clever's race enum. The
// one-letter codes are what Clever's SFTP sample sends; the API returns
// the names for them (student 100095233: B, "Black or African American").
var raceNames = map[string]string{
	"w": "Caucasian", "caucasian": "Caucasian", "white": "Caucasian",
	"a": "Asian", "asian": "Asian",
	"b": "Black or African American", "black or african american": "Black or African American",
	"black": "Black or African American", "african american": "Black or African American",
	"i": "American Indian", "american indian": "American Indian",
	"american indian or alaska native": "American Indian", "american indian or alaskan native": "American Indian",
	"p": "Hawaiian or Other Pacific Islander", "hawaiian or other pacific islander": "Hawaiian or Other Pacific Islander",
	"native hawaiian or other pacific islander": "Hawaiian or Other Pacific Islander",
	"m": "Two or More Races", "two or more races": "Two or More Races", "multiracial": "Two or More Races",
	"u": "Unknown", "unknown": "Unknown",
}

func normRace(s string) (string, bool) {
	if strings.TrimSpace(s) == "" {
		return "", true
	}
	v, ok := raceNames[lookupKey(s)]
	return v, ok
}

// normYesNo maps a flag onto Clever's Y and N.
func normYesNo(s string) (string, bool) {
	switch lookupKey(s) {
	case "":
		return "", true
	case "y", "yes", "true", "t", "1":
		return "Y", true
	case "n", "no", "false", "f", "0":
		return "N", true
	}
	return "", false
}

// normFRL maps a free and reduced-price lunch status onto Clever's Free,
// Reduced, Paid and Other. SIS exports write F, R and N (not eligible:
// the student pays).
func normFRL(s string) (string, bool) {
	switch lookupKey(s) {
	case "":
		return "", true
	case "f", "free":
		return "Free", true
	case "r", "reduced":
		return "Reduced", true
	case "p", "paid", "n", "no", "full":
		return "Paid", true
	case "other":
		return "Other", true
	}
	return "", false
}

// errDate is the message of a date the reader cannot read; it never
// repeats the value (a birth date).
var errDate = errors.New("not a date in M/D/YYYY, M/D/YY or YYYY-MM-DD form")

// parseDate reads a date as Clever's files write them: M/D/YYYY, M/D/YY
// (Clever's own sample writes birth dates and term dates so), YYYY-MM-DD
// or an RFC 3339 timestamp. A two-digit year is 19YY from 69 to 99 and
// 20YY from 00 to 68, the POSIX rule: the same value always reads the
// same, whatever the day it is read.
func parseDate(s string) (roster.Date, error) {
	s = strings.TrimSpace(s)
	if parts := strings.Split(s, "/"); len(parts) == 3 && len(parts[2]) == 2 {
		yy, err := strconv.Atoi(parts[2])
		if err != nil || yy < 0 {
			return roster.Date{}, errDate
		}
		year := 2000 + yy
		if yy >= 69 {
			year = 1900 + yy
		}
		s = parts[0] + "/" + parts[1] + "/" + strconv.Itoa(year)
	}
	d, err := roster.ParseDate(s)
	if err != nil {
		return roster.Date{}, errDate
	}
	return d, nil
}
