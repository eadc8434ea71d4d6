package oneroster_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/oneroster"
)

func TestDataset_DecodeJSON(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    string
		want    oneroster.Dataset
		wantErr string
	}{
		{
			name: "Collection",
			body: `{"orgs":[{"sourcedId":"s1","status":"active","name":"S","type":"school"}],"statusInfoSet":[{"imsx_codeMajor":"success"}]}`,
			want: oneroster.Dataset{Orgs: []oneroster.Org{{Base: recBase("s1"), Name: "S", Type: "school"}}},
		},
		{
			name: "SingleObject",
			body: `{"user":{"sourcedId":"u1","status":"active","givenName":"A","familyName":"B","role":"student"}}`,
			want: oneroster.Dataset{Users: []oneroster.User{{Base: recBase("u1"), GivenName: "A", FamilyName: "B", Role: "student"}}},
		},
		{
			// The singular demographics response uses the plural key.
			name: "SingleDemographics",
			body: `{"demographics":{"sourcedId":"u1","status":"active","birthDate":"2010-01-02","asian":"true"}}`,
			want: oneroster.Dataset{Demographics: []oneroster.Demographics{{Base: recBase("u1"), BirthDate: "2010-01-02", Asian: oneroster.BoolTrue}}},
		},
		{
			name: "Demographics",
			body: `{"demographics":[{"sourcedId":"u1","status":"active"},{"sourcedId":"u2","status":"active"}]}`,
			want: oneroster.Dataset{Demographics: []oneroster.Demographics{{Base: recBase("u1")}, {Base: recBase("u2")}}},
		},
		{
			// An empty page is no error: the collection is there.
			name: "Empty",
			body: `{"users":[]}`,
		},
		{
			name:    "Syntax",
			body:    "{\"users\":[\n  {\"sourcedId\":\"u1\",}\n]}",
			wantErr: "page.json:2:21: invalid character '}'",
		},
		{
			name:    "Type",
			body:    "{\"classes\":[\n{\"sourcedId\":\"c1\",\"title\":7}]}",
			wantErr: "page.json:2:27: json: cannot unmarshal number",
		},
		{
			name:    "Status",
			body:    `{"imsx_codeMajor":"failure","imsx_severity":"error"}`,
			wantErr: "page.json:1:2: no OneRoster collection in the body (its members: imsx_codeMajor, imsx_severity)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got oneroster.Dataset
			n, err := got.DecodeJSON("page.json", []byte(tc.body))
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("DecodeJSON = %v, want %q", err, tc.wantErr)
				}
				if tc.name == "Status" && !errors.Is(err, oneroster.ErrNoCollection) {
					t.Errorf("not ErrNoCollection: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, rosterOpts...); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if n != tc.want.Len() {
				t.Errorf("n = %d, want %d", n, tc.want.Len())
			}
		})
	}
}

// TestModel_DecodersAgree ensures the real REST samples decode the same
// with encoding/json and go-json-experiment, so a REST client may use
// either.
func TestModel_DecodersAgree(t *testing.T) {
	root := orFixtures(t)
	for _, path := range []string{
		"1EdTechJapan-DA2022/rest-samples-v1p2-japan/users.json",
		"1EdTechJapan-DA2022/rest-samples-v1p2-japan/classes.json",
		"1EdTechJapan-DA2022/rest-samples-v1p2-japan/enrollments.json",
		"1EdTechJapan-DA2022/rest-samples-v1p2-japan/orgs.json",
		"libre-oneroster/sample/users.json",
		"libre-oneroster/sample/academicSessions.json",
		"libre-oneroster/sample/classes.json",
		"libre-oneroster/sample/courses.json",
		"libre-oneroster/sample/enrollments.json",
		"libre-oneroster/sample/orgs.json",
	} {
		t.Run(path, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(root, path))
			if err != nil {
				t.Fatal(err)
			}
			type page struct {
				Orgs             []oneroster.Org             `json:"orgs"`
				AcademicSessions []oneroster.AcademicSession `json:"academicSessions"`
				Courses          []oneroster.Course          `json:"courses"`
				Classes          []oneroster.Class           `json:"classes"`
				Users            []oneroster.User            `json:"users"`
				Enrollments      []oneroster.Enrollment      `json:"enrollments"`
			}
			var pages []page
			for _, dec := range jsonDecoders {
				var p page
				if err := dec.decode(body, &p); err != nil {
					t.Fatalf("%s: %v", dec.name, err)
				}
				pages = append(pages, p)
			}
			if diff := cmp.Diff(pages[0], pages[1], rawJSONEqual); diff != "" {
				t.Errorf("decoders disagree (-encoding/json +go-json-experiment):\n%s", diff)
			}
			var viaDecode oneroster.Dataset
			if _, err := viaDecode.DecodeJSON(filepath.Base(path), body); err != nil {
				t.Fatal(err)
			}
			if got := len(pages[0].Users) + len(pages[0].Classes) + len(pages[0].Enrollments) + len(pages[0].Orgs) +
				len(pages[0].Courses) + len(pages[0].AcademicSessions); got != viaDecode.Len() {
				t.Errorf("DecodeJSON read %d records, the page %d", viaDecode.Len(), got)
			}
		})
	}
}
