package fakeoneroster_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
)

// ref is a GUIDRef as the fake writes it, on the HOST placeholder.
func ref(tree, coll, typ, id string) string {
	return `{"href":"HOST` + tree + `/` + coll + `/` + id + `","sourcedId":"` + id + `","type":"` + typ + `"}`
}

// Ensure every field of the model reaches the wire as the mapping table
// in the package documentation says, in both trees.
func TestFromRoster_EveryField(t *testing.T) {
	const lm = `"status":"active","dateLastModified":"2023-04-23T16:07:31.465Z"`
	const epoch = `"status":"active","dateLastModified":"1970-01-01T00:00:00.000Z"`
	org := func(tree, id string) string { return ref(tree, "orgs", "org", id) }
	user := func(tree, id string) string { return ref(tree, "users", "user", id) }
	tests := []struct {
		path string
		want string
	}{
		{v12 + "/orgs/d1", `{"org":{"sourcedId":"d1",` + lm + `,"metadata":{"region":"north"},"name":"#DEMO ISD",
			"type":"district","identifier":"3600001","children":[` + org(v12, "s1") + `,` + org(v12, "s2") + `]}}`},
		{v11 + "/orgs/s1", `{"org":{"sourcedId":"s1",` + lm + `,"metadata":{"charter_school":"N"},
			"name":"Pineapple Elementary School","type":"school","identifier":"13K123","parent":` + org(v11, "d1") + `}}`},
		{v12 + "/schools/s2", `{"org":{"sourcedId":"s2",` + lm + `,"name":"Orange High School","type":"school",
			"identifier":"13K456","parent":` + org(v12, "d1") + `}}`},
		{v12 + "/terms/t1", `{"academicSession":{"sourcedId":"t1",` + lm + `,"title":"S1","startDate":"2012-08-01",
			"endDate":"2012-12-01","type":"term","schoolYear":"2012"}}`},
		{v12 + "/courses/c1", `{"course":{"sourcedId":"c1",` + lm + `,"title":"Class 001, Homeroom","courseCode":"1",
			"subjects":["homeroom/advisory"],"org":` + org(v12, "d1") + `}}`},
		{v12 + "/classes/x1", `{"class":{"sourcedId":"x1",` + lm + `,"metadata":{"classroom":"A1"},
			"title":"Sixth Grade Advisory - Madison - 4","classCode":"2","classType":"homeroom","grades":["06"],
			"subjects":["homeroom/advisory"],"course":` + ref(v12, "courses", "course", "c1") + `,"school":` + org(v12, "s1") + `,
			"terms":[` + ref(v12, "academicSessions", "academicSession", "t1") + `],"periods":["4"]}}`},
		{v11 + "/classes/x2", `{"class":{"sourcedId":"x2",` + lm + `,"title":"Algebra","classType":"scheduled",
			"grades":["KG"],"subjects":["math"],"course":` + ref(v11, "courses", "course", "c1") + `,"school":` + org(v11, "s2") + `,
			"terms":[` + ref(v11, "academicSessions", "academicSession", "t1") + `]}}`},
		{v12 + "/users/u1", `{"user":{"sourcedId":"u1",` + lm + `,"metadata":{"consent":true,"houses":["red","blue"]},
			"username":"jamess09","userIds":[{"type":"studentNumber","identifier":"233564110"},
			{"type":"studentStateId","identifier":"197500067"}],"enabledUser":"true","givenName":"James",
			"familyName":"Spencer","middleName":"H","roles":[
				{"roleType":"primary","role":"student","org":` + org(v12, "s1") + `},
				{"roleType":"secondary","role":"student","org":` + org(v12, "s2") + `}],
			"primaryOrg":` + org(v12, "s1") + `,"identifier":"233564109","email":"james.s@example.com",
			"agents":[` + user(v12, "u3") + `,` + user(v12, "u5") + `],"grades":["09"]}}`},
		{v11 + "/users/u1", `{"user":{"sourcedId":"u1",` + lm + `,"metadata":{"consent":true,"houses":["red","blue"]},
			"username":"jamess09","userIds":[{"type":"studentNumber","identifier":"233564110"},
			{"type":"studentStateId","identifier":"197500067"}],"enabledUser":"true","givenName":"James",
			"familyName":"Spencer","middleName":"H","role":"student","identifier":"233564109","email":"james.s@example.com",
			"agents":[` + user(v11, "u3") + `,` + user(v11, "u5") + `],"orgs":[` + org(v11, "s1") + `,` + org(v11, "s2") + `],
			"grades":["09"]}}`},
		{v12 + "/users/u2", `{"user":{"sourcedId":"u2",` + lm + `,"metadata":{"room":"B2"},"username":"braeden.glover",
			"userIds":[{"type":"teacherNumber","identifier":"230186"},{"type":"teacherStateId","identifier":"751884748"},
			{"type":"staffId","identifier":"S47"}],"enabledUser":"true","givenName":"Braeden","familyName":"Glover",
			"middleName":"L","roles":[
				{"roleType":"primary","role":"teacher","org":` + org(v12, "s1") + `},
				{"roleType":"secondary","role":"teacher","org":` + org(v12, "s2") + `},
				{"roleType":"secondary","role":"siteAdministrator","org":` + org(v12, "s2") + `},
				{"roleType":"secondary","role":"districtAdministrator","org":` + org(v12, "d1") + `}],
			"primaryOrg":` + org(v12, "s1") + `,"identifier":"47","email":"braeden_glover@example.net"}}`},
		{v11 + "/users/u2", `{"user":{"sourcedId":"u2",` + lm + `,"metadata":{"room":"B2"},"username":"braeden.glover",
			"userIds":[{"type":"teacherNumber","identifier":"230186"},{"type":"teacherStateId","identifier":"751884748"},
			{"type":"staffId","identifier":"S47"}],"enabledUser":"true","givenName":"Braeden","familyName":"Glover",
			"middleName":"L","role":"teacher","identifier":"47","email":"braeden_glover@example.net",
			"orgs":[` + org(v11, "s1") + `,` + org(v11, "s2") + `]}}`},
		{v12 + "/users/u3", `{"user":{"sourcedId":"u3",` + lm + `,"enabledUser":"true","givenName":"","familyName":"Aaron Berge",
			"roles":[{"roleType":"primary","role":"parent","org":` + org(v12, "d1") + `}],"primaryOrg":` + org(v12, "d1") + `,
			"identifier":"P-3","email":"aaron.berge@example.com","phone":"(555) 555-0100","agents":[` + user(v12, "u1") + `]}}`},
		{v11 + "/users/u3", `{"user":{"sourcedId":"u3",` + lm + `,"username":"","enabledUser":"true","givenName":"",
			"familyName":"Aaron Berge","role":"parent","identifier":"P-3","email":"aaron.berge@example.com",
			"phone":"(555) 555-0100","agents":[` + user(v11, "u1") + `],"orgs":[` + org(v11, "d1") + `]}}`},
		{v12 + "/users/u5", `{"user":{"sourcedId":"u5",` + epoch + `,"enabledUser":"true","givenName":"","familyName":"Pat Doe",
			"roles":[{"roleType":"primary","role":"relative","org":` + org(v12, "d1") + `}],"primaryOrg":` + org(v12, "d1") + `,
			"agents":[` + user(v12, "u1") + `]}}`},
		{v12 + "/enrollments/x1-teacher-u2", `{"enrollment":{"sourcedId":"x1-teacher-u2",` + lm + `,
			"user":` + user(v12, "u2") + `,"class":` + ref(v12, "classes", "class", "x1") + `,"school":` + org(v12, "s1") + `,
			"role":"teacher","primary":"true"}}`},
		{v12 + "/enrollments/x1-teacher-u4", `{"enrollment":{"sourcedId":"x1-teacher-u4",` + lm + `,
			"user":` + user(v12, "u4") + `,"class":` + ref(v12, "classes", "class", "x1") + `,"school":` + org(v12, "s1") + `,
			"role":"teacher","primary":"false"}}`},
		{v11 + "/enrollments/x2-student-u1", `{"enrollment":{"sourcedId":"x2-student-u1",` + lm + `,
			"user":` + user(v11, "u1") + `,"class":` + ref(v11, "classes", "class", "x2") + `,"school":` + org(v11, "s2") + `,
			"role":"student","primary":"false"}}`},
		{v12 + "/demographics/u1", `{"demographics":{"sourcedId":"u1",` + lm + `,"birthDate":"1998-01-06","sex":"other",
			"americanIndianOrAlaskaNative":"false","asian":"true","blackOrAfricanAmerican":"false",
			"nativeHawaiianOrOtherPacificIslander":"false","white":"false","demographicRaceTwoOrMoreRaces":"false",
			"hispanicOrLatinoEthnicity":"true"}}`},
		{v11 + "/demographics/u1", `{"demographics":{"sourcedId":"u1",` + lm + `,"birthDate":"1998-01-06",
			"americanIndianOrAlaskaNative":"false","asian":"true","blackOrAfricanAmerican":"false",
			"nativeHawaiianOrOtherPacificIslander":"false","white":"false","demographicRaceTwoOrMoreRaces":"false",
			"hispanicOrLatinoEthnicity":"true"}}`},
	}
	_, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	for _, tt := range tests {
		resp, body := get(t, ts, tt.path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d: %s", tt.path, resp.StatusCode, body)
			continue
		}
		var want, got any
		if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
			t.Fatalf("%s: bad want: %v", tt.path, err)
		}
		if err := json.Unmarshal([]byte(strings.ReplaceAll(string(body), ts.URL, "HOST")), &got); err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GET %s mismatch (-want +got):\n%s", tt.path, diff)
		}
	}
}

// Ensure collections hold what the mapping says they hold: one org per
// district and school, one enrollment per section member, demographics
// for students only, and /students and /teachers by OneRoster role.
func TestFromRoster_Collections(t *testing.T) {
	d := fakeoneroster.FromRoster(fullRoster())
	for _, tt := range []struct {
		v    fakeoneroster.Version
		coll string
		want int
	}{
		{fakeoneroster.V1p2, "orgs", 3}, {fakeoneroster.V1p2, "schools", 2}, {fakeoneroster.V1p1, "terms", 1},
		{fakeoneroster.V1p2, "courses", 1}, {fakeoneroster.V1p2, "classes", 2}, {fakeoneroster.V1p2, "users", 5},
		{fakeoneroster.V1p2, "students", 1}, {fakeoneroster.V1p2, "teachers", 2}, {fakeoneroster.V1p1, "teachers", 2},
		{fakeoneroster.V1p2, "enrollments", 5}, {fakeoneroster.V1p1, "demographics", 1}, {fakeoneroster.V1p2, "nonsense", 0},
	} {
		if got := d.Len(tt.v, tt.coll); got != tt.want {
			t.Errorf("Len(%v, %s) = %d, want %d", tt.v, tt.coll, got, tt.want)
		}
	}

	_, ts := startServer(t, d, fakeoneroster.Options{})
	if diff := cmp.Diff([]string{"u2", "u4"}, listIDs(t, ts, v12+"/teachers", "users")); diff != "" {
		t.Errorf("teachers (-want +got):\n%s", diff)
	}
	// 1.1 has one role per user: u2 (teacher, staff, admin) is a teacher,
	// and no user is only an administrator here.
	if diff := cmp.Diff([]string{"u2", "u4"}, listIDs(t, ts, v11+"/users?filter="+q("role='teacher'"), "users")); diff != "" {
		t.Errorf("1.1 role=teacher (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"u2"}, listIDs(t, ts, v12+"/users?filter="+q("role='districtAdministrator'"), "users")); diff != "" {
		t.Errorf("1.2 role=districtAdministrator (-want +got):\n%s", diff)
	}
}

// Ensure a synthetic district's every section member has an enrollment,
// with the first teacher primary.
func TestFromRoster_Enrollments(t *testing.T) {
	r := synthRoster(t, "tiny")
	_, ts := startServer(t, fakeoneroster.FromRoster(r), fakeoneroster.Options{})
	want := map[string]string{}
	for _, s := range r.Sections {
		for i, u := range s.Teachers {
			want[fakeoneroster.EnrollmentID(s.ID, "teacher", u)] = s.ID + " " + u + " teacher " + map[bool]string{true: "true", false: "false"}[i == 0]
		}
		for _, u := range s.Students {
			want[fakeoneroster.EnrollmentID(s.ID, "student", u)] = s.ID + " " + u + " student false"
		}
	}
	page := getJSON(t, ts, v12+"/enrollments?limit=100000")
	got := map[string]string{}
	for _, x := range page["enrollments"].([]any) {
		e := x.(map[string]any)
		got[e["sourcedId"].(string)] = e["class"].(map[string]any)["sourcedId"].(string) + " " +
			e["user"].(map[string]any)["sourcedId"].(string) + " " + e["role"].(string) + " " + e["primary"].(string)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("enrollments (-want +got):\n%s", diff)
	}
}

// Ensure records listed in EncodeOptions.Deleted are served as tombstones
// with their deletion time, and filters see them so.
func TestEncode_Deleted(t *testing.T) {
	deletedAt := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	d := fakeoneroster.Encode(fullRoster(), fakeoneroster.EncodeOptions{Deleted: map[string]time.Time{
		"u4": deletedAt, "x1-teacher-u4": deletedAt,
	}})
	_, ts := startServer(t, d, fakeoneroster.Options{})
	u := getJSON(t, ts, v12+"/users/u4")["user"].(map[string]any)
	if u["status"] != "tobedeleted" || u["dateLastModified"] != "2024-01-02T03:04:05.000Z" {
		t.Errorf("deleted user: status %v, dateLastModified %v", u["status"], u["dateLastModified"])
	}
	got := listIDs(t, ts, v12+"/enrollments?filter="+q("status='tobedeleted'"), "enrollments")
	if diff := cmp.Diff([]string{"x1-teacher-u4"}, got); diff != "" {
		t.Errorf("tombstoned enrollments (-want +got):\n%s", diff)
	}
	got = listIDs(t, ts, v11+"/users?filter="+q("dateLastModified>'2024-01-01T00:00:00Z'"), "users")
	if diff := cmp.Diff([]string{"u4"}, got); diff != "" {
		t.Errorf("users changed since 2024 (-want +got):\n%s", diff)
	}
}

func TestCEDSGrade(t *testing.T) {
	for in, want := range map[string]string{
		"PreKindergarten": "PK", "TransitionalKindergarten": "TK", "Kindergarten": "KG", "1": "01", "9": "09",
		"10": "10", "12": "12", "PostGraduate": "PS", "Ungraded": "UG", "Other": "Other", "InfantToddler": "IT",
		"Preschool": "PR", "Year 7": "Year 7",
	} {
		if got := fakeoneroster.CEDSGrade(in); got != want {
			t.Errorf("CEDSGrade(%q) = %q, want %q", in, got, want)
		}
	}
}
