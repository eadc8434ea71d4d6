package oneroster_test

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
)

// orFixtures returns the shared OneRoster fixtures folder joined with
// parts, next to the repository root (the folder holding go.mod), and
// skips the test when it is absent: the fixtures are not part of the
// repository.
func orFixtures(tb testing.TB, parts ...string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no go.mod above the test directory; fixtures unavailable")
		}
		dir = parent
	}
	path := filepath.Join(append([]string{dir, "..", "shared", "fixtures", "oneroster"}, parts...)...)
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("fixtures not available: %v", err)
	}
	return path
}

// pkgFolder writes files (names may hold one folder) into a new folder and
// returns it.
func pkgFolder(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// pkgZip writes files into a new deflated zip, in name order, and returns
// its path.
func pkgZip(tb testing.TB, files map[string]string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "package.zip")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	zw := zip.NewWriter(f)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			tb.Fatal(err)
		}
		io.WriteString(w, files[n])
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// mustReadPackage reads the package at path and fails the test on any error.
func mustReadPackage(tb testing.TB, path string) *oneroster.Package {
	tb.Helper()
	p, err := oneroster.ReadPackage(path)
	if err != nil {
		tb.Fatalf("ReadPackage: %v", err)
	}
	return p
}

// csvLines joins rows into CSV text with LF line endings; cells are written
// as given, so tests control quoting.
func csvLines(rows ...string) string { return strings.Join(rows, "\n") + "\n" }

// writeDataset writes d as the files of a 1.2 CSV package, every file in
// mode, through create (one call per file). Users' roles go to roles.csv.
func writeDataset(create func(name string) (io.Writer, error), d *oneroster.Dataset, mode oneroster.Mode) error {
	m := string(mode)
	files := []struct {
		name   string
		header []string
		rows   func(emit func(oneroster.Metadata, ...string))
	}{
		{"manifest", []string{"propertyName", "value"}, func(emit func(oneroster.Metadata, ...string)) {
			emit(nil, "manifest.version", "1.0")
			emit(nil, "oneroster.version", "1.2")
			emit(nil, "source.systemName", "rosterd-test")
			for _, f := range []string{"academicSessions", "classes", "courses", "demographics", "enrollments", "orgs", "roles", "users"} {
				emit(nil, "file."+f, m)
			}
		}},
		{"orgs", []string{"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"}, func(emit func(oneroster.Metadata, ...string)) {
			for _, o := range d.Orgs {
				emit(o.Metadata, o.SourcedID, o.Status, o.DateLastModified, o.Name, o.Type, o.Identifier, o.Parent.SourcedID)
			}
		}},
		{"academicSessions", []string{"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"}, func(emit func(oneroster.Metadata, ...string)) {
			for _, s := range d.AcademicSessions {
				emit(s.Metadata, s.SourcedID, s.Status, s.DateLastModified, s.Title, s.Type, s.StartDate, s.EndDate, s.Parent.SourcedID, string(s.SchoolYear))
			}
		}},
		{"courses", []string{"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"}, func(emit func(oneroster.Metadata, ...string)) {
			for _, c := range d.Courses {
				emit(c.Metadata, c.SourcedID, c.Status, c.DateLastModified, c.SchoolYear.SourcedID, c.Title, c.CourseCode, joinList(c.Grades), c.Org.SourcedID, joinList(c.Subjects), joinList(c.SubjectCodes))
			}
		}},
		{"classes", []string{"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"}, func(emit func(oneroster.Metadata, ...string)) {
			for _, c := range d.Classes {
				terms := make([]string, len(c.Terms))
				for i, t := range c.Terms {
					terms[i] = t.SourcedID
				}
				emit(c.Metadata, c.SourcedID, c.Status, c.DateLastModified, c.Title, joinList(c.Grades), c.Course.SourcedID, c.ClassCode, c.ClassType, c.Location, c.School.SourcedID, strings.Join(terms, ","), joinList(c.Subjects), joinList(c.SubjectCodes), joinList(c.Periods))
			}
		}},
		{"users", []string{"sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier", "preferredGivenName", "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"}, func(emit func(oneroster.Metadata, ...string)) {
			for _, u := range d.Users {
				ids := make([]string, len(u.UserIDs))
				for i, id := range u.UserIDs {
					ids[i] = "{" + id.Type + ":" + id.Identifier + "}"
				}
				agents := make([]string, len(u.Agents))
				for i, a := range u.Agents {
					agents[i] = a.SourcedID
				}
				emit(u.Metadata, u.SourcedID, u.Status, u.DateLastModified, u.EnabledUser.String(), u.Username, strings.Join(ids, ","), u.GivenName, u.FamilyName, u.MiddleName, u.Identifier, u.Email, u.SMS, u.Phone, strings.Join(agents, ","), joinList(u.Grades), "", u.UserMasterIdentifier, u.PreferredFirstName, u.PreferredMiddleName, u.PreferredLastName, u.PrimaryOrg.SourcedID, u.Pronouns)
			}
		}},
		{"roles", []string{"sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"}, func(emit func(oneroster.Metadata, ...string)) {
			for _, u := range d.Users {
				for i, r := range u.Roles {
					emit(nil, u.SourcedID+"-r"+strconv.Itoa(i), oneroster.StatusActive, "", u.SourcedID, r.RoleType, r.Role, r.BeginDate, r.EndDate, r.Org.SourcedID, "")
				}
			}
			for _, r := range d.Roles {
				emit(r.Metadata, r.SourcedID, r.Status, r.DateLastModified, r.User.SourcedID, r.Role.RoleType, r.Role.Role, r.Role.BeginDate, r.Role.EndDate, r.Role.Org.SourcedID, "")
			}
		}},
		{"enrollments", []string{"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"}, func(emit func(oneroster.Metadata, ...string)) {
			for _, e := range d.Enrollments {
				emit(e.Metadata, e.SourcedID, e.Status, e.DateLastModified, e.Class.SourcedID, e.School.SourcedID, e.User.SourcedID, e.Role, e.Primary.String(), e.BeginDate, e.EndDate)
			}
		}},
		{"demographics", []string{"sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"}, func(emit func(oneroster.Metadata, ...string)) {
			for _, x := range d.Demographics {
				emit(x.Metadata, x.SourcedID, x.Status, x.DateLastModified, x.BirthDate, x.Sex, x.AmericanIndianOrAlaskaNative.String(), x.Asian.String(), x.BlackOrAfricanAmerican.String(), x.NativeHawaiianOrOtherPacificIslander.String(), x.White.String(), x.DemographicRaceTwoOrMoreRaces.String(), x.HispanicOrLatinoEthnicity.String(), x.CountryOfBirthCode, x.StateOfBirthAbbreviation, x.CityOfBirth, x.PublicSchoolResidenceStatus)
			}
		}},
	}
	for _, f := range files {
		w, err := create(f.name + ".csv")
		if err != nil {
			return err
		}
		// The metadata keys of the file's records become metadata.<key>
		// columns.
		keySet := map[string]bool{}
		f.rows(func(md oneroster.Metadata, _ ...string) {
			for k := range md {
				keySet[k] = true
			}
		})
		keys := make([]string, 0, len(keySet))
		for k := range keySet {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		header := append([]string(nil), f.header...)
		for _, k := range keys {
			header = append(header, "metadata."+k)
		}
		bw := bufio.NewWriterSize(w, 256<<10)
		cw := csv.NewWriter(bw)
		cw.UseCRLF = true
		cw.Write(header)
		f.rows(func(md oneroster.Metadata, cells ...string) {
			for _, k := range keys {
				v, _ := roster.Ext(md).Get(k)
				cells = append(cells, v)
			}
			cw.Write(cells)
		})
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func joinList(l oneroster.StringList) string { return strings.Join(l, ",") }

// datasetZip writes d as a deflated 1.2 CSV package zip at path.
func datasetZip(path string, d *oneroster.Dataset, mode oneroster.Mode) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	err = writeDataset(func(name string) (io.Writer, error) { return zw.Create(name) }, d, mode)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// datasetFolder writes d as a 1.2 CSV package in a new folder.
func datasetFolder(tb testing.TB, d *oneroster.Dataset, mode oneroster.Mode) string {
	tb.Helper()
	dir := tb.TempDir()
	var open []*os.File
	err := writeDataset(func(name string) (io.Writer, error) {
		f, err := os.Create(filepath.Join(dir, name))
		open = append(open, f)
		return f, err
	}, d, mode)
	for _, f := range open {
		if f != nil {
			f.Close()
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}
