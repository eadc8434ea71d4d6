package csvexport

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
)

// WriteOneRoster writes d as a bulk OneRoster CSV package of version
// (oneroster.Version11 or Version12) in dir, creating dir if needed.
func WriteOneRoster(dir string, d *oneroster.Dataset, version string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var open []*os.File
	err := WriteOneRosterFiles(func(name string) (io.Writer, error) {
		f, err := os.Create(filepath.Join(dir, name))
		if err == nil {
			open = append(open, f)
		}
		return f, err
	}, d, version, oneroster.ModeBulk)
	for _, f := range open {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// WriteOneRosterFiles writes d as the files of a OneRoster CSV package of
// version, every file in mode, through create (one call per file, named
// as the package names it: "users.csv").
func WriteOneRosterFiles(create func(name string) (io.Writer, error), d *oneroster.Dataset, version string, mode oneroster.Mode) error {
	if version != oneroster.Version11 && version != oneroster.Version12 {
		return fmt.Errorf("csvexport: OneRoster version %q is not 1.1 or 1.2", version)
	}
	v11 := version == oneroster.Version11
	files := []orFile{manifestFile(version, mode), orgsFile(d), sessionsFile(d), coursesFile(d), classesFile(d)}
	if v11 {
		files = append(files, users11File(d))
	} else {
		files = append(files, users12File(d), rolesFile(d))
	}
	files = append(files, enrollmentsFile(d), demographicsFile(d, v11))
	for _, f := range files {
		w, err := create(f.name + ".csv")
		if err != nil {
			return err
		}
		if err := f.write(w); err != nil {
			return fmt.Errorf("csvexport: %s.csv: %w", f.name, err)
		}
	}
	return nil
}

// orFile is one file of a package: its header, and its rows, each with
// the metadata of its record.
type orFile struct {
	name   string
	header []string
	rows   func(emit func(oneroster.Metadata, ...string))
}

// write writes the file; the metadata keys of its records become
// metadata.<key> columns, in key order.
func (f *orFile) write(w io.Writer) error {
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
			v, _ := roster.ExtText(md[k])
			cells = append(cells, v)
		}
		cw.Write(cells)
	})
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func manifestFile(version string, mode oneroster.Mode) orFile {
	names := []string{"academicSessions", "classes", "courses", "demographics", "enrollments", "orgs", "roles", "users"}
	if version == oneroster.Version11 {
		names = slices.DeleteFunc(names, func(n string) bool { return n == "roles" })
	}
	return orFile{"manifest", []string{"propertyName", "value"}, func(emit func(oneroster.Metadata, ...string)) {
		emit(nil, "manifest.version", "1.0")
		emit(nil, "oneroster.version", version)
		emit(nil, "source.systemName", "rosterd-test")
		for _, n := range names {
			emit(nil, "file."+n, string(mode))
		}
	}}
}

func orgsFile(d *oneroster.Dataset) orFile {
	return orFile{"orgs", []string{"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"}, func(emit func(oneroster.Metadata, ...string)) {
		for _, o := range d.Orgs {
			emit(o.Metadata, o.SourcedID, o.Status, o.DateLastModified, o.Name, o.Type, o.Identifier, o.Parent.SourcedID)
		}
	}}
}

func sessionsFile(d *oneroster.Dataset) orFile {
	return orFile{"academicSessions", []string{"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"}, func(emit func(oneroster.Metadata, ...string)) {
		for _, s := range d.AcademicSessions {
			emit(s.Metadata, s.SourcedID, s.Status, s.DateLastModified, s.Title, s.Type, s.StartDate, s.EndDate, s.Parent.SourcedID, string(s.SchoolYear))
		}
	}}
}

func coursesFile(d *oneroster.Dataset) orFile {
	return orFile{"courses", []string{"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"}, func(emit func(oneroster.Metadata, ...string)) {
		for _, c := range d.Courses {
			emit(c.Metadata, c.SourcedID, c.Status, c.DateLastModified, c.SchoolYear.SourcedID, c.Title, c.CourseCode, joinList(c.Grades), c.Org.SourcedID, joinList(c.Subjects), joinList(c.SubjectCodes))
		}
	}}
}

func classesFile(d *oneroster.Dataset) orFile {
	return orFile{"classes", []string{"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"}, func(emit func(oneroster.Metadata, ...string)) {
		for _, c := range d.Classes {
			emit(c.Metadata, c.SourcedID, c.Status, c.DateLastModified, c.Title, joinList(c.Grades), c.Course.SourcedID, c.ClassCode, c.ClassType, c.Location, c.School.SourcedID, joinRefs(c.Terms), joinList(c.Subjects), joinList(c.SubjectCodes), joinList(c.Periods))
		}
	}}
}

// users12File is the 1.2 users.csv: roles are in roles.csv.
func users12File(d *oneroster.Dataset) orFile {
	return orFile{"users", []string{"sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier", "preferredGivenName", "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"}, func(emit func(oneroster.Metadata, ...string)) {
		for _, u := range d.Users {
			emit(u.Metadata, u.SourcedID, u.Status, u.DateLastModified, u.EnabledUser.String(), u.Username, joinUserIDs(u.UserIDs), u.GivenName, u.FamilyName, u.MiddleName, u.Identifier, u.Email, u.SMS, u.Phone, joinRefs(u.Agents), joinList(u.Grades), "", u.UserMasterIdentifier, u.PreferredFirstName, u.PreferredMiddleName, u.PreferredLastName, u.PrimaryOrg.SourcedID, u.Pronouns)
		}
	}}
}

// rolesFile is the 1.2 roles.csv: each user's roles, then the Dataset's
// role records.
func rolesFile(d *oneroster.Dataset) orFile {
	return orFile{"roles", []string{"sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"}, func(emit func(oneroster.Metadata, ...string)) {
		for _, u := range d.Users {
			for i, r := range u.Roles {
				emit(nil, u.SourcedID+"-r"+strconv.Itoa(i), oneroster.StatusActive, "", u.SourcedID, r.RoleType, r.Role, r.BeginDate, r.EndDate, r.Org.SourcedID, "")
			}
		}
		for _, r := range d.Roles {
			emit(r.Metadata, r.SourcedID, r.Status, r.DateLastModified, r.User.SourcedID, r.Role.RoleType, r.Role.Role, r.Role.BeginDate, r.Role.EndDate, r.Role.Org.SourcedID, "")
		}
	}}
}

// users11File is the 1.1 users.csv: each user's one role and its orgs.
func users11File(d *oneroster.Dataset) orFile {
	records := map[string][]oneroster.Role{}
	for _, r := range d.Roles {
		if !r.IsDeleted() {
			records[r.User.SourcedID] = append(records[r.User.SourcedID], r.Role)
		}
	}
	return orFile{"users", []string{"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password"}, func(emit func(oneroster.Metadata, ...string)) {
		for _, u := range d.Users {
			roles := append(slices.Clone(u.Roles), records[u.SourcedID]...)
			role, orgs := u.Role, joinRefs(u.Orgs)
			if role == "" && len(roles) > 0 {
				role = roles[0].Role
			}
			if orgs == "" {
				var ids []string
				for _, r := range roles {
					if id := r.Org.SourcedID; id != "" && !slices.Contains(ids, id) {
						ids = append(ids, id)
					}
				}
				orgs = strings.Join(ids, ",")
			}
			emit(u.Metadata, u.SourcedID, u.Status, u.DateLastModified, u.EnabledUser.String(), orgs, role11(role), u.Username, joinUserIDs(u.UserIDs), u.GivenName, u.FamilyName, u.MiddleName, u.Identifier, u.Email, u.SMS, u.Phone, joinRefs(u.Agents), joinList(u.Grades), "")
		}
	}}
}

// role11 says role in 1.1's vocabulary, which has administrator for
// every administrative role of 1.2.
func role11(role string) string {
	switch role {
	case oneroster.RoleCounselor, oneroster.RolePrincipal, oneroster.RoleSiteAdministrator,
		oneroster.RoleDistrictAdministrator, oneroster.RoleSystemAdministrator:
		return oneroster.RoleAdministrator
	}
	return role
}

func enrollmentsFile(d *oneroster.Dataset) orFile {
	return orFile{"enrollments", []string{"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"}, func(emit func(oneroster.Metadata, ...string)) {
		for _, e := range d.Enrollments {
			emit(e.Metadata, e.SourcedID, e.Status, e.DateLastModified, e.Class.SourcedID, e.School.SourcedID, e.User.SourcedID, e.Role, e.Primary.String(), e.BeginDate, e.EndDate)
		}
	}}
}

func demographicsFile(d *oneroster.Dataset, v11 bool) orFile {
	return orFile{"demographics", []string{"sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"}, func(emit func(oneroster.Metadata, ...string)) {
		for _, x := range d.Demographics {
			sex := x.Sex
			if v11 && sex == oneroster.SexOther {
				sex = ""
			}
			emit(x.Metadata, x.SourcedID, x.Status, x.DateLastModified, x.BirthDate, sex, x.AmericanIndianOrAlaskaNative.String(), x.Asian.String(), x.BlackOrAfricanAmerican.String(), x.NativeHawaiianOrOtherPacificIslander.String(), x.White.String(), x.DemographicRaceTwoOrMoreRaces.String(), x.HispanicOrLatinoEthnicity.String(), x.CountryOfBirthCode, x.StateOfBirthAbbreviation, x.CityOfBirth, x.PublicSchoolResidenceStatus)
		}
	}}
}

func joinList(l oneroster.StringList) string { return strings.Join(l, ",") }

func joinRefs(refs []oneroster.GUIDRef) string {
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.SourcedID
	}
	return strings.Join(ids, ",")
}

func joinUserIDs(ids []oneroster.UserID) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "{" + id.Type + ":" + id.Identifier + "}"
	}
	return strings.Join(out, ",")
}
