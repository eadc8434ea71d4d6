// Package csvexport writes rosters as the CSV packages districts deposit
// in a drop folder, for tests, benchmarks and demos: OneRoster 1.1 and
// 1.2 CSV (manifest.csv and its files) from a *oneroster.Dataset, and
// Clever's SFTP file set from a *roster.Roster. The readers it feeds
// (oneroster.ReadPackage, clevercsv.Read) are the ones rosterd runs, so a
// test can write a generated district one way and read it back another.
//
// # OneRoster
//
// WriteOneRoster writes a bulk package; WriteOneRosterFiles writes the
// same files in any mode through any writer (a zip, say). Every record of
// the Dataset is written as it is, with the spec's columns in spec order
// and each record's metadata as metadata.<key> columns, CRLF line
// endings. The two versions differ only in how users say their roles:
//
//	1.2   users.csv without role columns, and roles.csv: one row per
//	      entry of each user's Roles (sourcedId <user>-r<n>), then the
//	      Dataset's own Roles records
//	1.1   users.csv with role and orgSourcedIds and no roles.csv: the
//	      role is User.Role, else the first of the user's roles (1.2
//	      shape or Roles records), in 1.1's vocabulary (counselor,
//	      principal, siteAdministrator, districtAdministrator and
//	      systemAdministrator are administrator); orgSourcedIds are
//	      User.Orgs, else every org of the user's roles, in order, each
//	      once (as a 1.1 provider lists a teacher who is also staff);
//	      the 1.2-only user columns (preferred names, pronouns,
//	      primaryOrgSourcedId, userMasterIdentifier) are left out, and a
//	      sex of other (1.1 has only male and female) is written blank
//
// # Clever
//
// WriteClever writes a roster the way a SIS export would: SIS IDs for
// every reference, one row per user and school, grades as K and PK,
// genders as words, races as codes, free-text subjects, M/D/YY birth
// dates and M/D/YYYY term dates, CRLF line endings in some files, and
// columns clevercsv must discard (Principal, Password). Program statuses
// are written as the roster holds them. Contacts and district admins have
// no file and are left out, and so are term and course SIS IDs and course
// subjects (no column holds them) and everything clevercsv's doc lists as
// not carried.
//
// The package imports only the standard library, roster and oneroster.
package csvexport
