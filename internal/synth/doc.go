// Package synth generates synthetic school districts of any size for
// tests, benchmarks and `rosterd demo`: a *roster.Roster shaped like what
// Clever delivers (24-hex IDs in ID order, Clever's grade and subject
// enums, homerooms, period schedules, co-teachers, multi-school users,
// contacts), deterministic from a seed, with optional data defects
// injected at set rates and listed exactly so tests can check that
// preflight names each one.
//
// Invariants of a roster generated without defects:
//   - every ID is 24 lower-case hex characters, unique across all kinds,
//     and every slice of the Roster is sorted by ID;
//   - every reference resolves, every student is in at least one section
//     and every PreK-5 student is in exactly one homeroom;
//   - the same Profile gives a deeply equal Roster, and turning contacts
//     or defects on leaves the rest of the district as it was.
//
// Records share strings (district and school IDs, grades, enums, the user
// IDs in sections) and carve their slices from large backing arrays, so an
// XL district fits in memory next to a sync. Each record owns its own
// region of a backing array, so callers may filter or sort a section's
// Students in place.
//
// The package imports only the standard library and roster.
package synth
