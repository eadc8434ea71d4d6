package oneroster_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rosterd/rosterd/oneroster"
)

const (
	manifest11CSV = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.orgs,bulk\nfile.users,bulk\n"
	orgs11CSV     = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nd1,,,District,district,,\ns1,,,School,school,S1,d1\n"
	users11Header = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName"
)

// ignoreCSVLine leaves out the CSV line a record came from.
var ignoreCSVLine = cmpopts.IgnoreFields(oneroster.Base{}, "Line")

func TestReadPackage_LineEndings(t *testing.T) {
	// Ensure CRLF, LF and bare CR (old Mac exports) read alike, in files
	// and inside quoted cells, and that lines are counted the same way: a
	// cell with a line break spans two lines.
	for _, tc := range []struct {
		name, eol string
	}{
		{"LF", "\n"},
		{"CRLF", "\r\n"},
		{"CR", "\r"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			users := strings.Join([]string{
				users11Header,
				`u1,,,true,s1,student,u.one,,"Anne` + tc.eol + `Marie",One`,
				`u2,,,true,s1,teacher,u.two,,Bob,"Two, Jr."`,
				`,,,true,s1,student,,,No,Id`,
				``,
			}, tc.eol)
			dir := pkgFolder(t, map[string]string{
				"manifest.csv": strings.ReplaceAll(manifest11CSV, "\n", tc.eol),
				"orgs.csv":     strings.ReplaceAll(orgs11CSV, "\n", tc.eol),
				"users.csv":    users,
			})
			p, err := oneroster.ReadPackage(dir)
			var pe *oneroster.PackageError
			if !errors.As(err, &pe) || len(pe.Errors) != 1 {
				t.Fatalf("ReadPackage = %v, want the one error of the row without sourcedId", err)
			}
			if got, want := pe.Errors[0].String(), "users.csv:5: column sourcedId: blank: every row needs a sourcedId"; got != want {
				t.Errorf("error = %q, want %q", got, want)
			}
			want := []oneroster.User{
				{Base: oneroster.Base{SourcedID: "u1", Line: 2}, EnabledUser: oneroster.BoolTrue, Orgs: []oneroster.GUIDRef{{SourcedID: "s1"}},
					Role: "student", Username: "u.one", GivenName: "Anne\nMarie", FamilyName: "One"},
				{Base: oneroster.Base{SourcedID: "u2", Line: 4}, EnabledUser: oneroster.BoolTrue, Orgs: []oneroster.GUIDRef{{SourcedID: "s1"}},
					Role: "teacher", Username: "u.two", GivenName: "Bob", FamilyName: "Two, Jr."},
			}
			if diff := cmp.Diff(want, p.Dataset.Users); diff != "" {
				t.Errorf("users mismatch (-want +got):\n%s", diff)
			}
			if len(p.Dataset.Orgs) != 2 {
				t.Errorf("orgs = %d, want 2", len(p.Dataset.Orgs))
			}
		})
	}
}

func TestReadPackage_MixedLineEndings(t *testing.T) {
	// Ensure a file mixing CRLF, LF and CR (catalyst's test01 mixes them
	// across files) reads one row per line.
	users := users11Header + "\r\nu1,,,true,s1,student,,,A,A\nu2,,,true,s1,student,,,B,B\ru3,,,true,s1,student,,,C,C\r\n\nu4,,,true,s1,student,,,D,D"
	p := mustReadPackage(t, pkgFolder(t, map[string]string{"manifest.csv": manifest11CSV, "orgs.csv": orgs11CSV, "users.csv": users}))
	var got []string
	for _, u := range p.Dataset.Users {
		got = append(got, u.SourcedID+"@"+strconv.Itoa(u.Line))
	}
	// The blank line between u3 and u4 counts as a line.
	if diff := cmp.Diff([]string{"u1@2", "u2@3", "u3@4", "u4@6"}, got); diff != "" {
		t.Errorf("users mismatch (-want +got):\n%s", diff)
	}
}

func TestReadPackage_BOM(t *testing.T) {
	// Ensure a UTF-8 BOM (Excel's) does not hide the first column's name.
	bom := "\xEF\xBB\xBF"
	p := mustReadPackage(t, pkgFolder(t, map[string]string{
		"manifest.csv": bom + manifest11CSV,
		"orgs.csv":     bom + orgs11CSV,
		"users.csv":    bom + csvLines(users11Header, "u1,,,true,s1,student,,,Ann,Ay"),
	}))
	if len(p.Dataset.Orgs) != 2 || p.Dataset.Orgs[0].SourcedID != "d1" || len(p.Dataset.Users) != 1 || p.Dataset.Users[0].SourcedID != "u1" {
		t.Errorf("records = %+v", p.Dataset)
	}
	if p.Manifest.OneRosterVersion != "1.1" {
		t.Errorf("oneroster.version = %q", p.Manifest.OneRosterVersion)
	}
}

func TestReadPackage_Columns(t *testing.T) {
	// Ensure columns are read by header name: reordered, optional ones
	// missing, unknown ones warned about, metadata.* and ext_* kept.
	p := mustReadPackage(t, pkgFolder(t, map[string]string{
		"manifest.csv": manifest11CSV,
		"orgs.csv": csvLines(
			"type,metadata.city,name,sourcedId,favouriteColour,ext_vendor_id,parentSourcedId",
			"district,,District,d1,,,",
			"school,Salem,School,s1,blue,V-7,d1",
		),
		"users.csv": csvLines("givenName,familyName,sourcedId,role,orgSourcedIds", "Ann,Ay,u1,student,s1"),
	}))
	want := []oneroster.Org{
		{Base: oneroster.Base{SourcedID: "d1"}, Name: "District", Type: "district"},
		{Base: oneroster.Base{SourcedID: "s1", Metadata: oneroster.Metadata{"city": []byte(`"Salem"`), "ext_vendor_id": []byte(`"V-7"`)}},
			Name: "School", Type: "school", Parent: oneroster.Ref("d1")},
	}
	if diff := cmp.Diff(want, p.Dataset.Orgs, ignoreCSVLine); diff != "" {
		t.Errorf("orgs mismatch (-want +got):\n%s", diff)
	}
	wantIssues := []string{
		"orgs.csv:1: columns not in OneRoster are ignored: favouriteColour",
		"orgs.csv:1: column status: the column is missing (the OneRoster spec requires it); read as blank",
		"users.csv:1: column enabledUser: the column is missing (the OneRoster spec requires it); read as blank",
	}
	for _, w := range wantIssues {
		if !slices.ContainsFunc(p.Issues, func(is oneroster.Issue) bool { return is.String() == w }) {
			t.Errorf("no issue %q in:\n%s", w, issueLines(p.Issues))
		}
	}
	r, err := p.Apply(nil, oneroster.MapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Schools[0].Address.City; got != "Salem" {
		t.Errorf("school city = %q, want Salem (from metadata.city)", got)
	}
}

func TestReadPackage_Quoting(t *testing.T) {
	// Ensure RFC 4180 quoting: doubled quotes, commas and line breaks in
	// quoted cells, a quoted manifest (ClassLink quotes every cell), and
	// a quote inside an unquoted cell kept as text with a warning.
	p := mustReadPackage(t, pkgFolder(t, map[string]string{
		"manifest.csv": `"propertyName","value"` + "\n" + `"manifest.version","1.0"` + "\n" + `"oneroster.version","1.1"` + "\n" + `"file.users","bulk"` + "\n",
		"users.csv": csvLines(
			"sourcedId,role,orgSourcedIds,givenName,familyName",
			`u1,student,"s1,s2","Say ""hi""",Ay`,
			`u2,student,s1,5" tall,"multi`,
			``,
			`line"`,
		),
	}))
	got := p.Dataset.Users
	if len(got) != 2 {
		t.Fatalf("users = %d, want 2", len(got))
	}
	if got[0].GivenName != `Say "hi"` || len(got[0].Orgs) != 2 {
		t.Errorf("user 1 = %+v", got[0])
	}
	if got[1].GivenName != `5" tall` || got[1].FamilyName != "multi\n\nline" {
		t.Errorf("user 2 = %q %q", got[1].GivenName, got[1].FamilyName)
	}
	if !slices.ContainsFunc(p.Issues, func(is oneroster.Issue) bool {
		return is.String() == "users.csv:3: a quote inside an unquoted cell is read as text (RFC 4180 quotes the whole cell)"
	}) {
		t.Errorf("no bare-quote warning in:\n%s", issueLines(p.Issues))
	}
}

func TestReadPackage_RaggedRows(t *testing.T) {
	// Ensure rows shorter than the header read their missing cells as
	// blank, and extra cells are ignored; both are warned about.
	p := mustReadPackage(t, pkgFolder(t, map[string]string{
		"manifest.csv": manifest11CSV,
		"orgs.csv":     csvLines("sourcedId,name,type,identifier", "s1,School,school", "s2,Other,school,X2,extra"),
		"users.csv":    csvLines(users11Header),
	}))
	if got := p.Dataset.Orgs; len(got) != 2 || got[0].Identifier != "" || got[1].Identifier != "X2" {
		t.Errorf("orgs = %+v", got)
	}
	for _, w := range []string{"orgs.csv:2: the row has fewer cells", "orgs.csv:3: the row has more cells"} {
		if !slices.ContainsFunc(p.Issues, func(is oneroster.Issue) bool { return strings.HasPrefix(is.String(), w) }) {
			t.Errorf("no warning %q in:\n%s", w, issueLines(p.Issues))
		}
	}
}

func TestReadPackage_Errors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			// Ensure a needed column's absence refuses the file: users
			// without names would all fail preflight, one by one.
			name:  "NeededColumnMissing",
			files: map[string]string{"manifest.csv": manifest11CSV, "orgs.csv": orgs11CSV, "users.csv": csvLines("sourcedId,role,orgSourcedIds,givenName", "u1,student,s1,Ann")},
			want:  []string{"users.csv:1: column familyName: the column is missing, and rosterd needs it"},
		},
		{
			// Ensure a 1.1 users.csv needs role and orgSourcedIds; a 1.2 one
			// has roles.csv instead.
			name:  "RoleColumnMissing11",
			files: map[string]string{"manifest.csv": manifest11CSV, "orgs.csv": orgs11CSV, "users.csv": csvLines("sourcedId,givenName,familyName", "u1,Ann,Ay")},
			want: []string{
				"users.csv:1: column orgSourcedIds: the column is missing, and rosterd needs it",
				"users.csv:1: column role: the column is missing, and rosterd needs it",
			},
		},
		{
			name: "RowErrors",
			files: map[string]string{
				"manifest.csv": manifest11CSV,
				"orgs.csv":     csvLines("sourcedId,status,name,type", "s1,active,A,school", "s1,active,B,school", "s2,deleted,C,school", "s3,active,D,"),
				"users.csv":    csvLines(users11Header, "u1,,,true,s1,student,,,Ann,Ay", ",,,true,s1,student,,,Bo,By"),
			},
			// Every error of every file, in one report.
			want: []string{
				"orgs.csv:3: column sourcedId: repeats the sourcedId of line 2",
				"orgs.csv:4: column status: not a OneRoster status (active or tobedeleted)",
				"orgs.csv:5: column type: blank: rosterd needs a value to place the record",
				"users.csv:3: column sourcedId: blank: every row needs a sourcedId",
			},
		},
		{
			// Ensure broken quoting is reported at its record and column,
			// and reading goes on at the next line.
			name: "Quoting",
			files: map[string]string{
				"manifest.csv": manifest11CSV, "orgs.csv": orgs11CSV,
				"users.csv": csvLines(users11Header, `u1,,,true,s1,student,,,"Ann"e,Ay`, "u2,,,true,s1,student,,,Bo,By", `u3,,,true,s1,student,,,Cy,"Cee`, "u4,,,true,s1,student,,,Di,Dee"),
			},
			want: []string{
				"users.csv:2: column givenName: text after the closing quote of a quoted field (a quote inside a quoted field is written twice)",
				"users.csv:4: column familyName: a quoted field is never closed: its closing quote is missing",
			},
		},
		{
			name:  "ManifestMode",
			files: map[string]string{"manifest.csv": "propertyName,value\nfile.orgs,bulk\nfile.users,full\n", "orgs.csv": orgs11CSV, "users.csv": csvLines(users11Header)},
			want:  []string{"manifest.csv:3: column value: file.users is not bulk, delta or absent"},
		},
		{
			// Ensure a declared file that is missing refuses the package:
			// read as an empty bulk file, it would delete every user.
			name:  "DeclaredFileMissing",
			files: map[string]string{"manifest.csv": manifest11CSV, "orgs.csv": orgs11CSV},
			want:  []string{"manifest.csv:5: column value: file.users is bulk, but users.csv is not in the package"},
		},
		{
			name:  "ManifestHeader",
			files: map[string]string{"manifest.csv": "key,value\nfile.orgs,bulk\n", "orgs.csv": orgs11CSV},
			want:  []string{"manifest.csv:1: the header is not propertyName,value"},
		},
		{
			// Ensure a delta deletion names what it unlinks: rosterd keeps a
			// student in a section, not the enrollment's sourcedId.
			name: "DeltaDeletionWithoutLink",
			files: map[string]string{
				"manifest.csv":    "propertyName,value\noneroster.version,1.1\nfile.enrollments,delta\n",
				"enrollments.csv": csvLines("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role", "e1,tobedeleted,2024-01-01,,s1,u1,"),
			},
			want: []string{"enrollments.csv:2: column classSourcedId: blank in a deletion: rosterd deletes enrollments by what they link, so a deletion must name it"},
		},
		{
			name: "EnrollmentWithoutRole",
			files: map[string]string{
				"manifest.csv":    "propertyName,value\noneroster.version,1.1\nfile.enrollments,bulk\n",
				"enrollments.csv": csvLines("sourcedId,classSourcedId,userSourcedId,role", "e1,c1,u1,"),
			},
			want: []string{"enrollments.csv:2: column role: blank: rosterd needs a value to place the record"},
		},
		{
			name:  "Empty",
			files: map[string]string{"manifest.csv": manifest11CSV, "orgs.csv": "", "users.csv": users11Header},
			want:  []string{"orgs.csv: the file is empty: a OneRoster file starts with its header row"},
		},
		{
			name:  "TwoFolders",
			files: map[string]string{"a/manifest.csv": manifest11CSV, "b/manifest.csv": manifest11CSV},
			want:  []string{"CSV files in 2 folders (a, b): a package keeps them at its root or in one folder"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := oneroster.ReadPackage(pkgFolder(t, tc.files))
			var pe *oneroster.PackageError
			if !errors.As(err, &pe) || !errors.Is(err, oneroster.ErrInvalidPackage) {
				t.Fatalf("ReadPackage = %v, want a *PackageError", err)
			}
			var got []string
			for _, is := range pe.Errors {
				got = append(got, is.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
			if pe.Count != len(tc.want) || p.ErrorCount != len(tc.want) {
				t.Errorf("counts = %d, %d; want %d", pe.Count, p.ErrorCount, len(tc.want))
			}
			if _, err := p.Apply(nil, oneroster.MapOptions{}); !errors.Is(err, oneroster.ErrInvalidPackage) {
				t.Errorf("Apply = %v, want the package refused", err)
			}
		})
	}
}

func TestReadPackage_ErrorCap(t *testing.T) {
	// Ensure a broken file keeps the first MaxIssues errors and counts
	// the rest.
	rows := []string{users11Header}
	for range 1500 {
		rows = append(rows, ",,,true,s1,student,,,A,B")
	}
	_, err := oneroster.ReadPackage(pkgFolder(t, map[string]string{"manifest.csv": manifest11CSV, "orgs.csv": orgs11CSV, "users.csv": csvLines(rows...)}))
	var pe *oneroster.PackageError
	if !errors.As(err, &pe) {
		t.Fatalf("ReadPackage = %v", err)
	}
	if len(pe.Errors) != oneroster.MaxIssues || pe.Count != 1500 {
		t.Errorf("kept %d of %d errors, want %d of 1500", len(pe.Errors), pe.Count, oneroster.MaxIssues)
	}
	if !strings.Contains(pe.Error(), "1500 errors; users.csv:2: column sourcedId: blank") {
		t.Errorf("Error() = %.200s", pe.Error())
	}
}

func TestReadPackage_Zip(t *testing.T) {
	files := map[string]string{"manifest.csv": manifest11CSV, "orgs.csv": orgs11CSV, "users.csv": csvLines(users11Header, "u1,,,true,s1,student,,,Ann,Ay")}
	inFolder := map[string]string{"__MACOSX/export/._users.csv": "\x00\x05junk", "export/.DS_Store": "junk", "export/README.txt": "hello"}
	for n, b := range files {
		inFolder["export/"+n] = b
	}
	t.Run("OK", func(t *testing.T) {
		// Ensure a zip with its files in one folder, macOS resource forks
		// and dotfiles reads like the files themselves.
		p := mustReadPackage(t, pkgZip(t, inFolder))
		if p.Dir != "export" || len(p.Dataset.Users) != 1 || len(p.Dataset.Orgs) != 2 {
			t.Errorf("Dir %q, %d users, %d orgs", p.Dir, len(p.Dataset.Users), len(p.Dataset.Orgs))
		}
	})
	t.Run("Hash", func(t *testing.T) {
		// Ensure the hash depends on the files alone: a folder, a zip and a
		// zip with a folder of the same files hash alike, and HashPackage
		// agrees with ReadPackage.
		paths := []string{pkgFolder(t, files), pkgZip(t, files), pkgZip(t, inFolder)}
		var hashes []string
		for _, path := range paths {
			p := mustReadPackage(t, path)
			h, err := oneroster.HashPackage(path)
			if err != nil {
				t.Fatal(err)
			}
			if h != p.Hash || len(h) != 64 {
				t.Errorf("%s: HashPackage %s, Package.Hash %s", path, h, p.Hash)
			}
			hashes = append(hashes, h)
		}
		if hashes[0] != hashes[1] || hashes[1] != hashes[2] {
			t.Errorf("hashes differ: %v", hashes)
		}
		changed := map[string]string{}
		for n, b := range files {
			changed[n] = b
		}
		changed["users.csv"] += "u2,,,true,s1,student,,,Bo,By\n"
		if h, _ := oneroster.HashPackage(pkgZip(t, changed)); h == hashes[0] {
			t.Error("a changed file kept the hash")
		}
	})
	t.Run("NotAZip", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "users.csv")
		os.WriteFile(path, []byte(users11Header), 0o644)
		if _, err := oneroster.ReadPackage(path); err == nil || !strings.Contains(err.Error(), "neither a folder nor a zip") {
			t.Errorf("ReadPackage = %v", err)
		}
		if _, err := oneroster.ReadPackage(filepath.Join(t.TempDir(), "missing.zip")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("ReadPackage of nothing = %v", err)
		}
	})
}

func TestReadPackage_Legacy(t *testing.T) {
	// Ensure a package without manifest.csv reads every file as bulk and
	// every missing one as absent, with a warning.
	p := mustReadPackage(t, pkgFolder(t, map[string]string{"orgs.csv": orgs11CSV, "users.csv": csvLines(users11Header)}))
	want := oneroster.Modes{Orgs: oneroster.ModeBulk, Users: oneroster.ModeBulk, AcademicSessions: oneroster.ModeAbsent,
		Courses: oneroster.ModeAbsent, Classes: oneroster.ModeAbsent, Roles: oneroster.ModeAbsent,
		Enrollments: oneroster.ModeAbsent, Demographics: oneroster.ModeAbsent}
	if diff := cmp.Diff(want, p.Modes); diff != "" {
		t.Errorf("modes mismatch (-want +got):\n%s", diff)
	}
	if p.Manifest.Present || p.WarningCount == 0 {
		t.Errorf("manifest present %v, %d warnings", p.Manifest.Present, p.WarningCount)
	}
}

func TestIssue_String(t *testing.T) {
	for _, tc := range []struct {
		in   oneroster.Issue
		want string
	}{
		{oneroster.Issue{File: "users.csv", Line: 17, Column: "givenName", Message: "blank"}, "users.csv:17: column givenName: blank"},
		{oneroster.Issue{File: "users.csv", Message: "ignored"}, "users.csv: ignored"},
		{oneroster.Issue{Message: "no manifest.csv"}, "no manifest.csv"},
		{oneroster.Issue{File: "orgs.csv", Line: 2, Message: "short", Count: 3}, "orgs.csv:2: short (" + strconv.Itoa(3) + " rows)"},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestReadPackage_LineEndingAcrossReads(t *testing.T) {
	// Ensure a CRLF split between two reads of the file (the reader reads
	// 64 KiB at a time) ends one line, not two: rows stay numbered right.
	for _, at := range []int{65535, 65536, 65537} {
		var b strings.Builder
		b.WriteString(users11Header + "\r\n")
		n := 0
		for b.Len() < at-200 {
			n++
			b.WriteString("u" + strconv.Itoa(n) + ",,,true,s1,student,,,Ann,Ay\r\n")
		}
		// Pad one row so that its CR is the last byte of the first read
		// (or one before or after).
		row := "u" + strconv.Itoa(n+1) + ",,,true,s1,student,,,Ann,"
		pad := at - 1 - b.Len() - len(row)
		b.WriteString(row + strings.Repeat("y", pad) + "\r\n")
		b.WriteString("last,,,true,s1,student,,,Zed,Zee\r\n")
		p := mustReadPackage(t, pkgFolder(t, map[string]string{"manifest.csv": manifest11CSV, "orgs.csv": orgs11CSV, "users.csv": b.String()}))
		users := p.Dataset.Users
		if got, want := len(users), n+2; got != want {
			t.Fatalf("at %d: %d users, want %d", at, got, want)
		}
		if u := users[len(users)-1]; u.SourcedID != "last" || u.Line != n+3 {
			t.Errorf("at %d: last user %q on line %d, want line %d", at, u.SourcedID, u.Line, n+3)
		}
		if p.WarningCount > 2 { // the missing status and dateLastModified columns
			t.Errorf("at %d: warnings\n%s", at, issueLines(p.Issues))
		}
	}
}
