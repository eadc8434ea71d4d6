package fakeclever_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/roster"
)

// fullRoster sets every field of the domain model.
func fullRoster() *roster.Roster {
	// Nanoseconds and a zone other than UTC, which the wire format drops.
	modified := time.Date(2023, 4, 23, 12, 7, 31, 465_987_654, time.FixedZone("EDT", -4*3600))
	return &roster.Roster{
		Districts: []roster.District{{
			ID: "d1", Name: "#DEMO ISD", SISType: "sftp", NCESID: "3600001", StateID: "NY-1",
			Ext: roster.ExtOf(map[string]json.RawMessage{"region": json.RawMessage(`"north"`)}), LastModified: modified,
		}},
		Schools: []roster.School{{
			ID: "s1", District: "d1", Name: "Pineapple Elementary School", SISID: "13K123", SchoolNumber: "123",
			StateID: "30890", NCESID: "360000101", LowGrade: "TransitionalKindergarten", HighGrade: "5",
			Phone:   "(718) 555-4567",
			Address: roster.Address{Street: "110 Pineapple Street", City: "Brooklyn", State: "NY", Zip: "11201"},
			Ext:     roster.ExtOf(map[string]json.RawMessage{"charter_school": json.RawMessage(`"N"`)}), LastModified: modified,
		}},
		Terms: []roster.Term{{
			ID: "t1", District: "d1", Name: "S1", SISID: "T-S1",
			StartDate: roster.MustDate("2012-08-01"), EndDate: roster.MustDate("2012-12-01"), LastModified: modified,
		}},
		Courses: []roster.Course{{
			ID: "c1", District: "d1", Name: "Class 001, Homeroom", Number: "1", SISID: "C-1", Subject: "homeroom/advisory",
			LastModified: modified,
		}},
		Sections: []roster.Section{{
			ID: "x1", District: "d1", School: "s1", Course: "c1", Term: "t1", Name: "Sixth Grade Advisory - Madison - 4",
			SISID: "587", SectionNumber: "2", Subject: "homeroom/advisory", Grade: "6", Period: "4",
			Teachers: []string{"u2", "u9"}, Students: []string{"u1", "u8"},
			Ext: roster.ExtOf(map[string]json.RawMessage{"classroom": json.RawMessage(`"A1"`)}), LastModified: modified,
		}},
		Users: []roster.User{
			{
				ID: "u1", District: "d1", Name: roster.Name{First: "James", Middle: "H", Last: "Spencer"},
				Email: "james.s@example.com", LastModified: modified,
				Roles: roster.Roles{Student: &roster.Student{
					Demographics: &roster.Demographics{Gender: "M", GraduationYear: "2016", Race: "Caucasian", HispanicEthnicity: "Y", ELLStatus: "N", HomeLanguage: "English"},
					SISID:        "233564109", StudentNumber: "233564110", StateID: "197500067", Username: "jamess09",
					Grade: "9", School: "s1", Schools: []string{"s1", "s2"}, DOB: roster.MustDate("1998-01-06"),
					Programs: &roster.Programs{IEPStatus: "Y", Section504Status: "N", FRLStatus: "Free", GiftedStatus: "Y"},
					Ext:      roster.ExtOf(map[string]json.RawMessage{"consent": json.RawMessage(`true`), "houses": json.RawMessage(`["red", "blue"]`)}),
				}},
			},
			{
				ID: "u2", District: "d1", Name: roster.Name{First: "Braeden", Middle: "L", Last: "Glover"},
				Email: "braeden_glover@example.net", LastModified: modified,
				Roles: roster.Roles{
					Teacher: &roster.Teacher{
						SISID: "47", TeacherNumber: "230186", StateID: "751884748", Username: "braeden.glover",
						Title: "Grade 9 English Teacher", School: "s1", Schools: []string{"s1", "s2"},
						Ext: roster.ExtOf(map[string]json.RawMessage{"room": json.RawMessage(`"B2"`)}),
					},
					Staff: &roster.Staff{
						StaffID: "S47", Username: "bglover", Title: "Coach", Department: "Athletics",
						Schools: []string{"s2"}, Ext: roster.ExtOf(map[string]json.RawMessage{"badge": json.RawMessage(`12`)}),
					},
					DistrictAdmin: &roster.DistrictAdmin{Title: "Curriculum Lead"},
				},
			},
			{
				ID: "u3", District: "d1", Name: roster.Name{Last: "Aaron Berge"}, Email: "aaron.berge@example.com",
				LastModified: modified,
				Roles: roster.Roles{Contact: &roster.Contact{
					SISID: "P-3", Phone: "(555) 555-0100", PhoneType: "Cell",
					Relationships: []roster.Relationship{
						{Student: "u1", Relationship: "Parent", Type: "Parent/Guardian"},
						{Student: "u8", Relationship: "Aunt/Uncle", Type: "Emergency"},
					},
				}},
			},
		},
	}
}

// Ensure every field of the model reaches the wire under Clever's key and
// in Clever's format.
func TestFromRoster_EveryField(t *testing.T) {
	const (
		ts = `"created":"2023-04-23T16:07:31.465Z","last_modified":"2023-04-23T16:07:31.465Z"`
		lm = `"last_modified":"2023-04-23T16:07:31.465Z"`
	)
	tests := []struct {
		path string
		want string
	}{
		{"/v3.0/districts/d1", `{"id":"d1","name":"#DEMO ISD","sis_type":"sftp","nces_id":"3600001","state_id":"NY-1",
			"ext":{"region":"north"},` + lm + `}`},
		{"/v3.0/schools/s1", `{"id":"s1","district":"d1","name":"Pineapple Elementary School","sis_id":"13K123",
			"school_number":"123","state_id":"30890","nces_id":"360000101","low_grade":"TransitionalKindergarten",
			"high_grade":"5","phone":"(718) 555-4567",
			"location":{"address":"110 Pineapple Street","city":"Brooklyn","state":"NY","zip":"11201"},
			"ext":{"charter_school":"N"},` + ts + `}`},
		{"/v3.0/terms/t1", `{"id":"t1","district":"d1","name":"S1","sis_id":"T-S1","start_date":"2012-08-01",
			"end_date":"2012-12-01",` + lm + `}`},
		{"/v3.0/courses/c1", `{"id":"c1","district":"d1","name":"Class 001, Homeroom","number":"1","sis_id":"C-1",
			"subject":"homeroom/advisory",` + lm + `}`},
		{"/v3.0/sections/x1", `{"id":"x1","district":"d1","school":"s1","course":"c1","term_id":"t1",
			"name":"Sixth Grade Advisory - Madison - 4","sis_id":"587","section_number":"2","subject":"homeroom/advisory",
			"grade":"6","period":"4","teacher":"u2","teachers":["u2","u9"],"students":["u1","u8"],
			"ext":{"classroom":"A1"},` + ts + `}`},
		{"/v3.0/users/u1", `{"id":"u1","district":"d1","name":{"first":"James","middle":"H","last":"Spencer"},
			"email":"james.s@example.com","roles":{"student":{
				"credentials":{"district_username":"jamess09"},"dob":"1/6/1998","ell_status":"N","enrollments":[],
				"email":"james.s@example.com","ext":{"consent":true,"houses":["red","blue"]},"gender":"M","grade":"9",
				"graduation_year":"2016","hispanic_ethnicity":"Y","home_language":"English","iep_status":"Y",
				"section_504_status":"N","frl_status":"Free","gifted_status":"Y","race":"Caucasian","school":"s1",
				"schools":["s1","s2"],"sis_id":"233564109","state_id":"197500067","student_number":"233564110"}},` + ts + `}`},
		{"/v3.0/users/u2", `{"id":"u2","district":"d1","name":{"first":"Braeden","middle":"L","last":"Glover"},
			"email":"braeden_glover@example.net","roles":{
				"teacher":{"credentials":{"district_username":"braeden.glover"},"ext":{"room":"B2"},"school":"s1",
					"schools":["s1","s2"],"sis_id":"47","state_id":"751884748","teacher_number":"230186",
					"title":"Grade 9 English Teacher"},
				"staff":{"credentials":{"district_username":"bglover"},"department":"Athletics","ext":{"badge":12},
					"schools":["s2"],"staff_id":"S47","title":"Coach"},
				"district_admin":{"title":"Curriculum Lead"}},` + ts + `}`},
		{"/v3.0/users/u3", `{"id":"u3","district":"d1","name":{"last":"Aaron Berge"},"email":"aaron.berge@example.com",
			"roles":{"contact":{"phone":"(555) 555-0100","phone_type":"Cell","sis_id":"P-3","student_relationships":[
				{"relationship":"Parent","student":"u1","type":"Parent/Guardian"},
				{"relationship":"Aunt/Uncle","student":"u8","type":"Emergency"}]}},` + ts + `}`},
	}
	_, srv := startServer(t, fakeclever.FromRoster(fullRoster()), fakeclever.Options{})
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			compareObject(t, srv.URL, tt.path, tt.want, func(path string) (*http.Response, []byte) { return get(t, srv, path) })
		})
	}
}

// Ensure empty values follow real responses: "" (or [] or null) for what
// Clever always sends, nothing for what it sends only when set.
func TestFromRoster_EmptyValues(t *testing.T) {
	r := &roster.Roster{
		Districts: []roster.District{{ID: "d1"}},
		Schools:   []roster.School{{ID: "s1"}},
		Terms:     []roster.Term{{ID: "t1"}},
		Courses:   []roster.Course{{ID: "c1"}},
		Sections:  []roster.Section{{ID: "x1"}},
		Users: []roster.User{
			{ID: "u1", Roles: roster.Roles{Student: &roster.Student{Programs: &roster.Programs{}}}},
			{ID: "u2", Roles: roster.Roles{Teacher: &roster.Teacher{}, Staff: &roster.Staff{}, DistrictAdmin: &roster.DistrictAdmin{}}},
			{ID: "u3", Roles: roster.Roles{Contact: &roster.Contact{}}},
			{ID: "u4"},
		},
	}
	tests := []struct {
		path string
		want string
	}{
		{"/v3.0/districts/d1", `{"id":"d1","name":"","sis_type":""}`},
		{"/v3.0/schools/s1", `{"id":"s1","district":"","name":"","sis_id":"","school_number":""}`},
		{"/v3.0/terms/t1", `{"id":"t1","district":""}`},
		{"/v3.0/courses/c1", `{"id":"c1","district":""}`},
		{"/v3.0/sections/x1", `{"id":"x1","district":"","school":"","name":"","sis_id":"","section_number":"",
			"subject":"","grade":"","period":"","teacher":null,"teachers":[],"students":[]}`},
		{"/v3.0/users/u1", `{"id":"u1","district":"","name":{},"roles":{"student":{"enrollments":[],"gender":"",
			"grade":"","graduation_year":"","hispanic_ethnicity":"","race":"","school":"","schools":[],"sis_id":"",
			"state_id":"","student_number":""}}}`},
		{"/v3.0/users/u2", `{"id":"u2","district":"","name":{},"roles":{
			"teacher":{"school":"","schools":[],"sis_id":"","state_id":"","teacher_number":"","title":""},
			"staff":{"department":"","schools":[],"staff_id":"","title":""},
			"district_admin":{"title":""}}}`},
		{"/v3.0/users/u3", `{"id":"u3","district":"","name":{},"roles":{"contact":{"phone":"","phone_type":"",
			"sis_id":"","student_relationships":[]}}}`},
		{"/v3.0/users/u4", `{"id":"u4","district":"","name":{},"roles":{}}`},
	}
	_, srv := startServer(t, fakeclever.FromRoster(r), fakeclever.Options{})
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			compareObject(t, srv.URL, tt.path, tt.want, func(path string) (*http.Response, []byte) { return get(t, srv, path) })
		})
	}
}

// Ensure ext values that are not valid JSON, or hold characters JSON must
// escape, still give a valid page and keep their text.
func TestFromRoster_ExtValues(t *testing.T) {
	r := &roster.Roster{Sections: []roster.Section{{
		ID: "x1",
		Ext: roster.ExtOf(map[string]json.RawMessage{
			"spaced":    json.RawMessage("{ \"a\" : [ 1 , 2 ] }"),
			"quoted":    json.RawMessage(strconv.Quote("tab\there \x01 \"q\" <b>")),
			"invalid":   json.RawMessage(`not json`),
			"empty":     json.RawMessage(nil),
			"null":      json.RawMessage(`null`),
			"unicode":   json.RawMessage(`"caf\u00e9 ☕"`),
			"key \"q\"": json.RawMessage(`1`),
		}),
	}}}
	_, srv := startServer(t, fakeclever.FromRoster(r), fakeclever.Options{})
	_, body := get(t, srv, "/v3.0/sections/x1")
	var got struct {
		Data struct {
			Ext map[string]any `json:"ext"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("page is not valid JSON: %v\n%s", err, body)
	}
	want := map[string]any{
		"spaced":    map[string]any{"a": []any{1.0, 2.0}},
		"quoted":    "tab\there \x01 \"q\" <b>",
		"invalid":   "not json",
		"empty":     nil,
		"null":      nil,
		"unicode":   "café ☕",
		"key \"q\"": 1.0,
	}
	if diff := cmp.Diff(want, got.Data.Ext); diff != "" {
		t.Errorf("ext mismatch (-want +got):\n%s", diff)
	}
}

// Ensure FromRoster reads the roster without reordering or changing it,
// and that the served collections are in ID order.
func TestFromRoster_LeavesRosterAlone(t *testing.T) {
	r := syntheticRoster(120)
	d := fakeclever.FromRoster(r)
	if diff := cmp.Diff(syntheticRoster(120), r); diff != "" {
		t.Errorf("roster changed (-before +after):\n%s", diff)
	}
	counts := map[string]int{
		"districts": len(r.Districts), "schools": len(r.Schools), "terms": len(r.Terms),
		"courses": len(r.Courses), "sections": len(r.Sections), "users": len(r.Users), "nope": 0,
	}
	for coll, want := range counts {
		if got := d.Len(coll); got != want {
			t.Errorf("Len(%q) = %d, want %d", coll, got, want)
		}
	}
}

// compareObject fetches a single object and compares its data with want,
// both decoded as an independent client would.
func compareObject(t *testing.T, base, path, want string, fetch func(string) (*http.Response, []byte)) {
	t.Helper()
	resp, body := fetch(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	var wantData map[string]any
	if err := json.Unmarshal([]byte(want), &wantData); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	if strings.HasPrefix(path, "/v3.0/districts/") {
		// last_sync is when the server began serving the data (see
		// TestServer_LastSync), not a field of the roster.
		if _, ok := got.Data["last_sync"].(string); !ok {
			t.Errorf("%s has no last_sync", path)
		}
		delete(got.Data, "last_sync")
	}
	if diff := cmp.Diff(wantData, got.Data); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
