// Package roster holds rosterd's source-neutral domain model: districts,
// schools, terms, courses, sections and users with a set of roles, plus the
// helpers every source shares to normalise what it fetched (lenient dates,
// district-defined ext fields, string interning) and the Change a commit
// writes.
//
// Every source (Clever, OneRoster REST, CSV drop folders) maps into these
// types, so the sharing rules, preflight and the store never see a source's
// wire format. Enrollments exist only as Section.Students and
// Section.Teachers, the one place every source agrees on.
//
// Invariants:
//   - IDs are the source's own stable IDs and are unique within a Kind.
//   - A zero value means "absent"; sources turn "" and null into zero values.
//   - Enumerations (grades, subjects, genders) stay strings: sources add
//     values over time and a strict enum would refuse a whole roster.
//
// The package is pure and imports only the standard library.
package roster
