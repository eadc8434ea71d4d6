package oneroster_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rosterd/rosterd/oneroster"
)

// FuzzReadPackage writes arbitrary bytes as the users.csv of an otherwise
// well-formed 1.1 package and reads it: the package must load or be
// refused with issues naming a file, never panic, and what loads must
// map. The seed corpus is in testdata/fuzz/FuzzReadPackage.
func FuzzReadPackage(f *testing.F) {
	manifest := "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.orgs,bulk\nfile.users,bulk\n" +
		"file.academicSessions,absent\nfile.classes,absent\nfile.courses,absent\nfile.demographics,absent\nfile.enrollments,absent\n"
	orgs := "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\ns1,,,School,school,101,\n"
	f.Fuzz(func(t *testing.T, users []byte) {
		dir := t.TempDir()
		for name, body := range map[string][]byte{"manifest.csv": []byte(manifest), "orgs.csv": []byte(orgs), "users.csv": users} {
			if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		p, err := oneroster.ReadPackage(dir)
		if err != nil {
			if p != nil {
				for _, is := range p.Issues {
					if is.Severity == oneroster.SeverityError && is.File == "" && is.Message == "" {
						t.Fatalf("an error names nothing: %+v", is)
					}
				}
			}
			return
		}
		if _, err := p.Apply(nil, oneroster.MapOptions{}); err != nil {
			t.Fatalf("a package that loaded did not apply: %v", err)
		}
	})
}
