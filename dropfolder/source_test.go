package dropfolder_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/dropfolder"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
)

// A OneRoster 1.1 bulk package of one school, one class, two students and
// a teacher, and a delta that drops a student and adds another.
var (
	bulk = map[string]string{
		"manifest.csv": "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.academicSessions,bulk\nfile.categories,absent\n" +
			"file.classes,bulk\nfile.classResources,absent\nfile.courses,bulk\nfile.courseResources,absent\nfile.demographics,absent\n" +
			"file.enrollments,bulk\nfile.lineItems,absent\nfile.orgs,bulk\nfile.resources,absent\nfile.results,absent\nfile.users,bulk\n",
		"orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n" +
			"d1,,,Springfield District,district,D1,\ns1,,,Springfield Elementary,school,101,d1\n",
		"academicSessions.csv": "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n" +
			"t1,,,2026-2027,schoolYear,2026-08-24,2027-06-11,,2027\n",
		"courses.csv": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes\n" +
			"c1,,,t1,Homeroom 3,HR3,03,s1,homeroom,\n",
		"classes.csv": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n" +
			"x1,,,Homeroom 3 - Lee,03,c1,1,homeroom,,s1,t1,homeroom,,HR\n",
		"users.csv": "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n" +
			"u1,,,true,s1,student,ana,,Ana,Diaz,,1001,,,,,03,\n" +
			"u2,,,true,s1,student,bo,,Bo,Li,,1002,,,,,03,\n" +
			"t9,,,true,s1,teacher,lee,,Sam,Lee,,T9,,,,,,\n",
		"enrollments.csv": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
			"e1,,,x1,s1,u1,student,false,,\ne2,,,x1,s1,u2,student,false,,\ne3,,,x1,s1,t9,teacher,true,,\n",
	}
	delta = map[string]string{
		"manifest.csv": "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.academicSessions,absent\nfile.classes,absent\n" +
			"file.courses,absent\nfile.demographics,absent\nfile.enrollments,delta\nfile.orgs,absent\nfile.users,delta\n",
		"users.csv": "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n" +
			"u2,tobedeleted,2026-10-01T00:00:00Z,true,s1,student,bo,,Bo,Li,,1002,,,,,03,\n" +
			"u3,active,2026-10-01T00:00:00Z,true,s1,student,cy,,Cy,Ng,,1003,,,,,03,\n",
		"enrollments.csv": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
			"e2,tobedeleted,2026-10-01T00:00:00Z,x1,s1,u2,student,false,,\n" +
			"e4,active,2026-10-01T00:00:00Z,x1,s1,u3,student,false,,\n",
	}
)

// deposit writes a package folder into the drop folder, modified at mod.
func deposit(t *testing.T, drop, name string, files map[string]string, mod time.Time) {
	t.Helper()
	dir := filepath.Join(drop, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, body := range files {
		p := filepath.Join(dir, f)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(dir, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// keeper plays the store: it keeps the raw roster and the cursor a run
// would commit.
type keeper struct {
	raw    []byte
	cursor []byte
	// unchanged is whether the last run said it returned the kept roster
	// as it was.
	unchanged bool
}

func (k *keeper) run(t *testing.T, s *dropfolder.Source) (*roster.Roster, error) {
	t.Helper()
	prev := connector.Previous{Cursor: k.cursor, Raw: func() (*roster.Roster, error) {
		if k.raw == nil {
			return nil, nil
		}
		var r roster.Roster
		return &r, codec.Unmarshal(k.raw, &r)
	}}
	k.unchanged = false
	prev.Unchanged = func() { k.unchanged = true }
	r, cursor, err := s.FetchSince(context.Background(), prev)
	if err != nil {
		return nil, err
	}
	if len(r.FieldErrors) == 0 { // preflight would commit
		k.raw, _ = codec.Marshal(r)
		k.cursor = cursor
	}
	return r, nil
}

func students(r *roster.Roster) []string {
	var ids []string
	for _, s := range r.Sections {
		ids = append(ids, s.Students...)
	}
	return ids
}

func source(t *testing.T, drop string, now time.Time) *dropfolder.Source {
	t.Helper()
	s, err := dropfolder.New(dropfolder.Options{Connection: "d", Path: drop, Settle: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Ensure packages apply once, oldest first, a delta onto what the bulk
// gave; that nothing new leaves the roster as it is; and that a package
// still being written waits.
func TestSource_Packages(t *testing.T) {
	drop := t.TempDir()
	t0 := time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC)
	k := &keeper{}
	if _, err := k.run(t, source(t, drop, t0)); !errors.Is(err, dropfolder.ErrNoPackage) {
		t.Fatalf("an empty folder: %v, want ErrNoPackage", err)
	}
	deposit(t, drop, "2026-10-01-bulk", bulk, t0)
	r, err := k.run(t, source(t, drop, t0.Add(30*time.Second)))
	if !errors.Is(err, dropfolder.ErrNoPackage) {
		t.Fatalf("a package written 30s ago was read: %v %v", r, err)
	}
	r, err = k.run(t, source(t, drop, t0.Add(2*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(students(r), " "); got != "u1 u2" {
		t.Fatalf("after the bulk package the class holds %q", got)
	}
	again, err := k.run(t, source(t, drop, t0.Add(3*time.Minute)))
	if err != nil || strings.Join(students(again), " ") != "u1 u2" {
		t.Fatalf("nothing new: %v, %q", err, students(again))
	}
	if !k.unchanged {
		t.Error("nothing new, yet the source did not say the kept roster is unchanged")
	}

	deposit(t, drop, "2026-10-02-delta", delta, t0.Add(24*time.Hour))
	r, err = k.run(t, source(t, drop, t0.Add(25*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(students(r), " "); got != "u1 u3" {
		t.Fatalf("after the delta the class holds %q, want u1 u3", got)
	}
	if k.unchanged {
		t.Error("a delta applied, yet the source said the kept roster is unchanged")
	}
	if r.Sections[0].PrimaryTeacher() == "" || len(r.Users) != 3 {
		t.Errorf("the delta lost what absent files left: %d users, teacher %q", len(r.Users), r.Sections[0].PrimaryTeacher())
	}
}

// Ensure a package with errors is refused whole, naming the file, line
// and column, and leaves the roster as the last package gave it; and that
// a corrected package after it applies.
func TestSource_RefusedPackage(t *testing.T) {
	drop := t.TempDir()
	t0 := time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC)
	k := &keeper{}
	deposit(t, drop, "a-bulk", bulk, t0)
	if _, err := k.run(t, source(t, drop, t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	broken := map[string]string{}
	for f, b := range delta {
		broken[f] = b
	}
	broken["users.csv"] = strings.Replace(delta["users.csv"], "u3,active", ",active", 1)
	deposit(t, drop, "b-broken", broken, t0.Add(2*time.Hour))
	r, err := k.run(t, source(t, drop, t0.Add(3*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.FieldErrors) == 0 || r.FieldErrors[0].Entity != dropfolder.EntityPackage ||
		!strings.Contains(r.FieldErrors[0].ID, "b-broken/users.csv:3") || r.FieldErrors[0].Field != "sourcedId" {
		t.Fatalf("field errors %+v", r.FieldErrors)
	}
	if got := strings.Join(students(r), " "); got != "u1 u2" {
		t.Errorf("a refused package changed the roster: %q", got)
	}
	// The broken package is read again until a corrected one follows.
	if r, _ := k.run(t, source(t, drop, t0.Add(4*time.Hour))); len(r.FieldErrors) == 0 {
		t.Error("the refused package was not read again")
	}
	deposit(t, drop, "c-fixed", delta, t0.Add(5*time.Hour))
	os.RemoveAll(filepath.Join(drop, "b-broken"))
	r, err = k.run(t, source(t, drop, t0.Add(6*time.Hour)))
	if err != nil || len(r.FieldErrors) != 0 || strings.Join(students(r), " ") != "u1 u3" {
		t.Fatalf("the corrected package: %v, errors %+v, students %q", err, r.FieldErrors, students(r))
	}
}
