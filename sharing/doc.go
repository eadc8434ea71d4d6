// Package sharing applies a connection's sharing rules: it narrows the
// roster a source fetched to the part the vendor's app receives, until
// (when the rules ask for it) every student sits in exactly one section.
//
// Rules run after the fetch and before preflight, the same for every
// source. First Minimise drops the user fields Config.Fields does not
// keep (data minimisation), right after the fetch, so the rest of the run,
// the store and every report never see them. Then, in order, Apply:
//
//  1. filters schools, then students and teachers, then sections, each
//     with include and exclude matchers: a record is kept when any include
//     matcher matches (or there is no include list) and no exclude matcher
//     does; a section of a dropped school, and a user none of whose schools
//     is kept, go with the school;
//  2. makes enrollments follow: dropped users leave every section;
//  3. resolves students in several sections with the ordered tie-breakers
//     of Config.OneSectionPerStudent, and reports the students that remain
//     in several sections, or in none, as preflight issues;
//  4. drops sections left with no student, and students and teachers left
//     in no section (each can be turned off).
//
// Matchers compare a record's field with patterns: a glob (* and ?,
// case-insensitive) or, written /like this/, a regular expression. All
// fields of one matcher must match; any pattern of a field may.
//
// Rules are compiled once, when the config loads (Compile), so a bad glob,
// regular expression, field name or empty matcher is an error that names
// the rule, never a failed run.
//
// Apply changes the roster in place and never copies a record: a district
// of 1.2 million users is filtered in the memory it already occupies.
//
// The package imports only the standard library, roster and preflight
// (for the issues it reports).
package sharing
