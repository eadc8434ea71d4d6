package clevercsv_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rosterd/rosterd/clevercsv"
)

const studentHeader = "School_id,Student_id,First_name,Last_name\n"

// Ensure each problem that makes a file unusable refuses the package with
// an error naming the file, the line and the column, never the value.
func TestReadFS_FileErrors(t *testing.T) {
	type want struct {
		file   string
		line   int
		column string
		field  int
		err    error
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []want
	}{
		{
			name:  "ErrMissingFile",
			files: map[string]string{"enrollments.csv": ""},
			want:  []want{{"enrollments.csv", 0, "", 0, clevercsv.ErrMissingFile}},
		},
		{
			name:  "ErrMissingColumn",
			files: map[string]string{"students.csv": "School_id,Student_id,First_name\nS1,100,Ann\n"},
			want:  []want{{"students.csv", 1, "Last_name", 0, clevercsv.ErrMissingColumn}},
		},
		{
			name:  "ErrDuplicateColumn",
			files: map[string]string{"students.csv": "School_id,Student_id,First_name,Last_name,student ID\nS1,100,Ann,Lee,100\n"},
			want:  []want{{"students.csv", 1, "student ID", 5, clevercsv.ErrDuplicateColumn}},
		},
		{
			name:  "ErrFieldCount",
			files: map[string]string{"students.csv": studentHeader + "S1,100,Ann,Lee\nS1,101,Bo,Li,extra\nS1,102,Cy\n"},
			want: []want{
				{"students.csv", 3, "", 0, clevercsv.ErrFieldCount},
				{"students.csv", 4, "", 0, clevercsv.ErrFieldCount},
			},
		},
		{
			name:  "ErrEncoding",
			files: map[string]string{"students.csv": studentHeader + "S1,100,Ann,Lee\nS1,101,Zo\xeb,Li\n"},
			want:  []want{{"students.csv", 3, "First_name", 3, clevercsv.ErrEncoding}},
		},
		{
			name:  "ErrEncoding of a header",
			files: map[string]string{"students.csv": "School_id,Student_id,First_name,Last_name,Not\xffe\nS1,100,Ann,Lee,x\n"},
			want:  []want{{"students.csv", 1, "", 5, clevercsv.ErrEncoding}},
		},
		{
			name:  "ErrEncoding UTF-16",
			files: map[string]string{"students.csv": "\xff\xfeS\x00c\x00"},
			want:  []want{{"students.csv", 0, "", 0, clevercsv.ErrEncoding}},
		},
		{
			name:  "ErrEncoding UTF-16 without a byte order mark",
			files: map[string]string{"schools.csv": "S\x00c\x00h\x00o\x00o\x00l\x00_\x00i\x00d\x00\n\x00"},
			want: []want{
				{"schools.csv", 1, "", 1, clevercsv.ErrEncoding},
				{"schools.csv", 1, "School_id", 0, clevercsv.ErrMissingColumn},
				{"schools.csv", 1, "School_name", 0, clevercsv.ErrMissingColumn},
			},
		},
		{
			name:  "ErrSyntax bare quote",
			files: map[string]string{"students.csv": studentHeader + "S1,100,An\"n,Lee\nS1,101,Bo,Li\n"},
			want:  []want{{"students.csv", 2, "", 0, clevercsv.ErrSyntax}},
		},
		{
			name:  "ErrSyntax unclosed quote",
			files: map[string]string{"students.csv": studentHeader + "S1,100,Ann,Lee\nS1,101,\"Bo,Li\nS1,102,Cy,Wu\n"},
			want:  []want{{"students.csv", 3, "", 0, clevercsv.ErrSyntax}},
		},
		{
			name:  "ErrMissingValue",
			files: map[string]string{"students.csv": studentHeader + "S1,100,Ann,Lee\nS1, ,Bo,Li\n"},
			want:  []want{{"students.csv", 3, "Student_id", 2, clevercsv.ErrMissingValue}},
		},
		{
			name:  "ErrMissingValue in enrollments",
			files: map[string]string{"enrollments.csv": "School_id,Section_id,Student_id\nS1,,100\n"},
			want:  []want{{"enrollments.csv", 2, "Section_id", 2, clevercsv.ErrMissingValue}},
		},
		{
			name:  "ErrNoHeader",
			files: map[string]string{"schools.csv": "\n"},
			want:  []want{{"schools.csv", 0, "", 0, clevercsv.ErrNoHeader}},
		},
		{
			name:  "ErrAmbiguousFile",
			files: map[string]string{"Teachers.csv": minimalFiles["teachers.csv"]},
			want:  []want{{"teachers.csv", 0, "", 0, clevercsv.ErrAmbiguousFile}},
		},
		{
			name: "line numbers after a quoted line break, with bare CR endings",
			files: map[string]string{"students.csv": strings.ReplaceAll(
				studentHeader+"S1,100,\"Ann\nMarie\",Lee\nS1,101,Bo\n", "\n", "\r")},
			want: []want{{"students.csv", 4, "", 0, clevercsv.ErrFieldCount}},
		},
		{
			name: "every file's problems, in file order",
			files: map[string]string{
				"schools.csv":  "School_id\nS1\n",
				"sections.csv": "School_id,Section_id,Teacher_id\nS1,50\n",
			},
			want: []want{
				{"schools.csv", 1, "School_name", 0, clevercsv.ErrMissingColumn},
				{"sections.csv", 2, "", 0, clevercsv.ErrFieldCount},
			},
		},
		{
			name:  "rows are checked when the header is incomplete",
			files: map[string]string{"teachers.csv": "School_id,Teacher_id,First_name\nS1,7,T\xf6m\n"},
			want: []want{
				{"teachers.csv", 1, "Last_name", 0, clevercsv.ErrMissingColumn},
				{"teachers.csv", 2, "First_name", 3, clevercsv.ErrEncoding},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := fileErrors(t, pkg(tt.files))
			var got []want
			for _, fe := range errs {
				w := want{fe.File, fe.Line, fe.Column, fe.Field, nil}
				for _, s := range []error{clevercsv.ErrMissingFile, clevercsv.ErrAmbiguousFile, clevercsv.ErrNoHeader,
					clevercsv.ErrMissingColumn, clevercsv.ErrDuplicateColumn, clevercsv.ErrFieldCount,
					clevercsv.ErrEncoding, clevercsv.ErrSyntax, clevercsv.ErrMissingValue} {
					if errors.Is(fe, s) {
						w.err = s
					}
				}
				got = append(got, w)
				for _, value := range []string{"Ann", "Bo", "Zo", "An\"n"} {
					if strings.Contains(fe.Error(), value) {
						t.Errorf("%v: repeats a value", fe)
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("errors:\n got %v\nwant %v\n(%v)", got, tt.want, errs)
			}
		})
	}
}

// Ensure the error text names file, line and column, and the package
// error lists its file errors for errors.As.
func TestError_Error(t *testing.T) {
	fsys := pkg(map[string]string{
		"students.csv":    studentHeader + "S1,,Ann,Lee\n",
		"enrollments.csv": "",
	})
	_, err := clevercsv.ReadFS(fsys)
	want := "clever csv: 2 errors: students.csv:2: column Student_id (field 2): required value empty; enrollments.csv: file missing"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	var fe *clevercsv.FileError
	if !errors.As(err, &fe) || fe.File != "students.csv" {
		t.Errorf("errors.As found %+v", fe)
	}
	if !errors.Is(err, clevercsv.ErrMissingFile) {
		t.Error("errors.Is does not see ErrMissingFile")
	}
}

// Ensure a file wrong on every line is refused with MaxErrors errors and
// the count of the rest.
func TestReadFS_ErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(studentHeader)
	const rows = clevercsv.MaxErrors + 25
	for i := range rows {
		fmt.Fprintf(&b, "S1;%d;Ann;Lee\n", i)
	}
	_, err := clevercsv.ReadFS(pkg(map[string]string{"students.csv": b.String()}))
	var e *clevercsv.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v", err)
	}
	if len(e.Errors) != clevercsv.MaxErrors || e.Omitted != rows-clevercsv.MaxErrors {
		t.Errorf("%d errors, %d omitted; want %d, %d", len(e.Errors), e.Omitted, clevercsv.MaxErrors, rows-clevercsv.MaxErrors)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("%d errors", rows)) {
		t.Errorf("error text does not count every error: %v", err)
	}
}

// Ensure a file separated by semicolons gets a hint, not only a list of
// missing columns.
func TestReadFS_Semicolons(t *testing.T) {
	errs := fileErrors(t, pkg(map[string]string{"schools.csv": "School_id;School_name\nS1;One\n"}))
	if len(errs) == 0 || !strings.Contains(errs[0].Error(), "separated by something other than commas") {
		t.Errorf("errors = %v", errs)
	}
}

// Ensure a folder that cannot be read is an error of its own, not a
// package error.
func TestRead_NotFound(t *testing.T) {
	_, err := clevercsv.Read(t.TempDir() + "/missing")
	var e *clevercsv.Error
	if err == nil || errors.As(err, &e) {
		t.Errorf("error = %v", err)
	}
	if _, err := clevercsv.ReadFS(fstest.MapFS{}); !errors.Is(err, clevercsv.ErrMissingFile) {
		t.Errorf("empty package: error = %v", err)
	}
}
