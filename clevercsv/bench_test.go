package clevercsv_test

import (
	"testing"

	"github.com/rosterd/rosterd/clevercsv"
	"github.com/rosterd/rosterd/internal/synth"
)

// BenchmarkRead reads the medium synthetic district (35,000 students)
// written as Clever CSV.
func BenchmarkRead(b *testing.B) {
	p, _ := synth.ProfileByName("medium")
	src, _ := synth.Generate(p)
	dir := b.TempDir()
	writeCleverCSV(b, dir, src)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := clevercsv.Read(dir); err != nil {
			b.Fatal(err)
		}
	}
}
