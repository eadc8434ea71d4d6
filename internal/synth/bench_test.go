package synth_test

import (
	"runtime"
	"testing"

	"github.com/rosterd/rosterd/internal/synth"
)

// BenchmarkGenerate reports the time and allocations to generate each
// profile, and the heap the generated roster holds ("heap-MB", measured
// after a collection while the roster is alive).
//
//	go test -run '^$' -bench 'Generate/(small|large|xl)' -benchmem ./internal/synth/
func BenchmarkGenerate(b *testing.B) {
	for _, name := range []string{"tiny", "small", "medium", "large", "xl"} {
		p, _ := synth.ProfileByName(name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var r any
			for b.Loop() {
				r, _ = synth.Generate(p)
			}
			b.StopTimer()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
			runtime.KeepAlive(r)
		})
	}
}
