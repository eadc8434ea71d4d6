package preflight

import (
	"slices"
	"sort"
	"strings"

	"github.com/rosterd/rosterd/roster"
)

// CodeInfo documents one issue code.
type CodeInfo struct {
	Code string
	// Severity is the code's default severity; Options.Severity overrides it.
	Severity Severity
	// Description says in one line what the check finds.
	Description string
	// Hint says what to do about an issue of this code.
	Hint string
}

// Codes returns every issue code, sorted.
func Codes() []string {
	out := make([]string, 0, len(codeTable))
	for code := range codeTable {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// DescribeCode returns what code means, its default severity and its hint.
func DescribeCode(code string) (CodeInfo, bool) {
	info, ok := codeTable[code]
	return info, ok
}

// The check names that follow an entity in a code ("section.duplicate_id").
const (
	checkDuplicateID        = "duplicate_id"
	checkMissingID          = "missing_id"
	checkMissingField       = "missing_field"
	checkInvalidField       = "invalid_field"
	checkUnknownSchool      = "unknown_school"
	checkUnknownOtherSchool = "unknown_other_school"
	checkUnknownCourse      = "unknown_course"
	checkUnknownTerm        = "unknown_term"
	checkUnknownTeacher     = "unknown_teacher"
	checkUnknownStudent     = "unknown_student"
	checkMultipleHomerooms  = "multiple_homerooms"
	checkMultipleSections   = "multiple_sections"
	checkNoSection          = "no_section"
)

// code joins an entity and a check name into an issue code.
func code(e roster.Entity, check string) string { return string(e) + "." + check }

// codeFamily describes a check that applies to several entities. In
// descriptions and hints, {code} stands for the full code and {entity}
// for the entity.
type codeFamily struct {
	check       string
	entities    []roster.Entity
	severity    Severity
	description string
	hint        string
}

var codeFamilies = []codeFamily{
	{
		check: checkDuplicateID, entities: idEntities, severity: SeverityError,
		description: "two or more {entity} records share one ID",
		hint:        "ask the district to remove the duplicate from its source; rosterd cannot tell which record is right",
	},
	{
		check: checkMissingID, entities: idEntities, severity: SeverityError,
		description: "a {entity} record has no ID, so it cannot be stored",
		hint:        "ask the district to fix the record in its source; a record without an ID is never committed",
	},
	{
		check: checkMissingField, entities: roster.Entities, severity: SeverityError,
		description: "a {entity} record lacks a field that preflight.required_fields requires",
		hint:        "fill in the field in the district's source, or remove it from preflight.required_fields.{entity}",
	},
	{
		check: checkInvalidField, entities: roster.Entities, severity: SeverityError,
		description: "the source sent a {entity} value rosterd cannot represent",
		hint:        "correct the value in the district's source, or mark {code} as a warning in preflight.severity to commit the record with the field left empty",
	},
	{
		check: checkUnknownSchool, entities: []roster.Entity{roster.EntitySection}, severity: SeverityError,
		description: "a section belongs to a school that is not in the roster",
		hint:        "share the school with the app, drop the section with a sharing rule, or mark {code} as a warning in preflight.severity",
	},
	{
		check: checkUnknownCourse, entities: []roster.Entity{roster.EntitySection}, severity: SeverityError,
		description: "a section names a course that is not in the roster",
		hint:        "check that the source sends the district's courses, or mark {code} as a warning in preflight.severity",
	},
	{
		check: checkUnknownTerm, entities: []roster.Entity{roster.EntitySection}, severity: SeverityError,
		description: "a section names a term that is not in the roster",
		hint:        "check that the source sends the district's terms, or mark {code} as a warning in preflight.severity",
	},
	{
		check: checkUnknownTeacher, entities: []roster.Entity{roster.EntitySection}, severity: SeverityError,
		description: "a section lists a teacher who is not in the roster",
		hint:        "share the teacher with the app, remove the section with a sharing rule, or mark {code} as a warning in preflight.severity",
	},
	{
		check: checkUnknownStudent, entities: []roster.Entity{roster.EntitySection}, severity: SeverityError,
		description: "a section lists a student who is not in the roster",
		hint:        "share the student with the app, remove the section with a sharing rule, or mark {code} as a warning in preflight.severity",
	},
	{
		check: checkUnknownSchool, entities: []roster.Entity{roster.EntityStudent, roster.EntityTeacher}, severity: SeverityError,
		description: "a {entity}'s primary school is not in the roster",
		hint:        "share the school with the app, drop the school's {entity}s with a sharing rule, or mark {code} as a warning in preflight.severity",
	},
	{
		check: checkUnknownOtherSchool, entities: []roster.Entity{roster.EntityStudent, roster.EntityTeacher, roster.EntityStaff}, severity: SeverityWarning,
		description: "a {entity}'s schools list names a school, other than the primary one, that is not in the roster",
		hint:        "usually a school the district does not share with the app; share it, or mark {code} as ignore in preflight.severity",
	},
	{
		check: checkUnknownStudent, entities: []roster.Entity{roster.EntityContact}, severity: SeverityWarning,
		description: "a contact is related to a student who is not in the roster",
		hint:        "usually a student of a school the app does not receive; mark {code} as ignore in preflight.severity to hide these",
	},
	{
		check: checkInvalidField, entities: []roster.Entity{entityPackage}, severity: SeverityError,
		description: "a file of a CSV package cannot be used as its format says; the issue names the file, line and column",
		hint:        "ask the district to fix the file and deposit a corrected package; until then the roster stays as the last good package left it",
	},
	{
		check: checkNoRole, entities: []roster.Entity{entityUser}, severity: SeverityError,
		description: "a user record holds no role, so it counts as no entity and no app can use it",
		hint:        "check the source's mapping of roles; Clever and OneRoster always send one",
	},
	{
		check: checkMultipleHomerooms, entities: []roster.Entity{roster.EntityStudent}, severity: SeverityError,
		description: "a student is in more homeroom/advisory sections than preflight.max_homerooms_per_student allows",
		hint:        "revise the sharing rules so each student keeps one homeroom, or raise preflight.max_homerooms_per_student",
	},
	{
		check: checkMultipleSections, entities: []roster.Entity{roster.EntityStudent}, severity: SeverityError,
		description: "a student remains in several sections after the sharing rules (a warning unless sharing.one_section_per_student.required)",
		hint:        "narrow sharing.sections so the competing sections listed are not all kept, or add a sharing.one_section_per_student.prefer tie-breaker that picks one; \"rosterd rules explain --student ID\" shows why each was kept",
	},
	{
		check: checkNoSection, entities: []roster.Entity{roster.EntityStudent}, severity: SeverityError,
		description: "a student is in no section after the sharing rules (a warning unless sharing.one_section_per_student.require_section)",
		hint:        "widen sharing.sections to keep a section of this student, or leave the student out with a sharing.students rule",
	},
}

// idEntities are the entities the ID checks report under: every report
// entity, plus "user" for a user record that holds no role.
var idEntities = append(slices.Clip(roster.Entities), entityUser)

var codeTable = buildCodeTable()

func buildCodeTable() map[string]CodeInfo {
	table := make(map[string]CodeInfo)
	for _, f := range codeFamilies {
		for _, e := range f.entities {
			c := code(e, f.check)
			fill := strings.NewReplacer("{code}", c, "{entity}", string(e))
			table[c] = CodeInfo{
				Code:        c,
				Severity:    f.severity,
				Description: fill.Replace(f.description),
				Hint:        fill.Replace(f.hint),
			}
		}
	}
	return table
}
