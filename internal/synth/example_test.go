package synth_test

import (
	"fmt"

	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

func ExampleGenerate() {
	p, _ := synth.ProfileByName("tiny")
	r, defects := synth.Generate(p.WithDefects(synth.Defects{DuplicateID: 0.01}))
	n := r.Count()
	// The duplicate is a second student record with an existing ID.
	fmt.Println(n[roster.EntitySchool], "schools,", n[roster.EntityStudent], "student records")
	for _, d := range defects {
		fmt.Println(d.Kind, d.Entity)
	}
	// Output:
	// 2 schools, 61 student records
	// duplicate_id student
}
