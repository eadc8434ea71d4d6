package fakeclever_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
)

func demoDir(t *testing.T) string {
	return filepath.Join(fixturesDir(t), "clever", "demo-district-v3.0")
}

func TestLoadDemoDistrict(t *testing.T) {
	dir := demoDir(t)
	d, err := fakeclever.LoadDemoDistrict(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, ts := startServer(t, d, fakeclever.Options{})

	// The sections and users name these IDs; every one needs a record.
	var sections struct {
		Data []struct {
			Data struct {
				ID       string `json:"id"`
				School   string `json:"school"`
				TermID   string `json:"term_id"`
				Course   string `json:"course"`
				District string `json:"district"`
			} `json:"data"`
		} `json:"data"`
	}
	readJSON(t, filepath.Join(dir, "sections.json"), &sections)
	var users struct {
		Data []struct {
			Data struct {
				Roles map[string]struct {
					School  string   `json:"school"`
					Schools []string `json:"schools"`
				} `json:"roles"`
			} `json:"data"`
		} `json:"data"`
	}
	readJSON(t, filepath.Join(dir, "users.json"), &users)
	named := map[string][]string{}
	for _, s := range sections.Data {
		named["schools"] = append(named["schools"], s.Data.School)
		named["terms"] = append(named["terms"], s.Data.TermID)
		named["courses"] = append(named["courses"], s.Data.Course)
	}
	for _, u := range users.Data {
		for _, r := range u.Data.Roles {
			if r.School != "" {
				named["schools"] = append(named["schools"], r.School)
			}
			named["schools"] = append(named["schools"], r.Schools...)
		}
	}
	for coll, ids := range named {
		slices.Sort(ids)
		named[coll] = slices.Compact(ids)
	}

	counts := map[string]int{
		"districts": 1, "users": 2098, "sections": 378, "schools": 5,
		"terms": len(named["terms"]), "courses": len(named["courses"]),
	}
	for coll, want := range counts {
		if got := d.Len(coll); got != want {
			t.Errorf("Len(%q) = %d, want %d", coll, got, want)
		}
	}

	t.Run("SynthesisedRecords", func(t *testing.T) {
		for coll, want := range named {
			p := getPage(t, ts, "/v3.0/"+coll+"?limit=10000")
			if diff := cmp.Diff(want, p.ids()); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", coll, diff)
			}
			for _, item := range p.Data {
				name, _ := item.Data["name"].(string)
				id := item.Data["id"].(string)
				if item.Data["district"] != sections.Data[0].Data.District || !strings.HasSuffix(name, id[len(id)-6:]) {
					t.Errorf("%s record %v", coll, item.Data)
				}
			}
		}
	})
	t.Run("Roles", func(t *testing.T) {
		want := map[string]int{"student": 1004, "contact": 1002, "teacher": 89, "district_admin": 3, "staff": 0}
		for role, n := range want {
			p := getPage(t, ts, "/v3.0/users?limit=10000&role="+role)
			if len(p.Data) != n {
				t.Errorf("role=%s: %d users, want %d", role, len(p.Data), n)
			}
		}
	})
	// Ensure records are served as the fixture holds them, not as any
	// model would re-encode them.
	t.Run("RawRecords", func(t *testing.T) {
		var fixture listPage
		readJSON(t, filepath.Join(dir, "users.json"), &fixture)
		p := getPage(t, ts, "/v3.0/users?limit=10000")
		if diff := cmp.Diff(fixture.Data, p.Data); diff != "" {
			t.Errorf("users differ from the fixture (-fixture +served):\n%s", diff)
		}
	})
}

func TestLoadDemoDistrict_Errors(t *testing.T) {
	valid := `{"data":[{"data":{"id":"a1","roles":{"student":{}}},"uri":"/v3.0/users/a1"}]}`
	tests := []struct {
		name  string
		files map[string]string
		want  string // in the error message
	}{
		{"MissingFile", map[string]string{"districts.json": valid, "users.json": valid}, "sections.json"},
		{"NotJSON", map[string]string{"districts.json": valid, "users.json": "{", "sections.json": valid}, "users.json"},
		{"NoID", map[string]string{"districts.json": valid, "users.json": valid,
			"sections.json": `{"data":[{"data":{"id":"s1"}},{"data":{"name":"x"}}]}`}, "sections.json: item 1: field id"},
		{"NoData", map[string]string{"districts.json": `{"data":[{"uri":"/v3.0/districts/d"}]}`,
			"users.json": valid, "sections.json": valid}, "districts.json: item 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := fakeclever.LoadDemoDistrict(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
