// Package dropfolder is rosterd's source for CSV packages a district
// deposits in a folder (typically over SFTP): OneRoster 1.0, 1.1 and 1.2
// CSV (manifest.csv and its files) and Clever's SFTP CSV format, each as
// a folder or a zip file.
//
// Every run looks at the folder and applies, oldest first, each package
// not yet applied: a OneRoster bulk file replaces its collection, a delta
// file changes it record by record and an absent file leaves it as the
// last package gave it; a Clever package is always whole. The roster the
// last package gave is the connection's kept raw roster, and the package
// last applied is the connection's cursor (its name, modification time and
// the SHA-256 of its files), committed with the roster: a package is
// applied once, and one that preflight refuses is read again by the next
// run, until a corrected package follows it.
//
// A package still being written is not read yet: one modified within the
// settle time, or a OneRoster folder without its manifest.csv. A package
// with errors is refused whole: the errors, each naming its file, line
// and column, become preflight issues (package.invalid_field), and the
// roster stays as the last package left it.
//
// The package imports roster, connector (for the Source interfaces it
// implements), oneroster and clevercsv.
package dropfolder
