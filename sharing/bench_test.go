package sharing_test

import (
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/sharing"
)

// benchRules is what an assessment vendor might run on a whole district:
// elementary homerooms and secondary math of the current term, one section
// per student, homerooms first and then the earliest period.
var benchRules = sharing.Config{
	Sections: sharing.Filter{
		Include: []sharing.Matcher{{"subject": {"homeroom/advisory"}}, {"subject": {"math"}, "term": {"current"}}},
		Exclude: []sharing.Matcher{{"name": {"*test*"}}},
	},
	Students: sharing.Filter{Exclude: []sharing.Matcher{{"grade": {"PreKindergarten"}}}},
	OneSectionPerStudent: &sharing.OneSection{Required: true, Prefer: []sharing.Preference{
		{Matcher: sharing.Matcher{"subject": {"homeroom/advisory"}}}, {LowestPeriod: true},
	}},
}

// BenchmarkApply times the rules step alone on a generated district
// (ROSTERD_BENCH_PROFILE, default "large": 350,000 students and 1.7M
// enrollments) and reports the heap it adds at its peak, beside the
// roster it narrows in place.
func BenchmarkApply(b *testing.B) {
	name := os.Getenv("ROSTERD_BENCH_PROFILE")
	if name == "" {
		name = "large"
	}
	p, ok := synth.ProfileByName(name)
	if !ok {
		b.Fatalf("no profile %q", name)
	}
	rules, err := sharing.Compile(benchRules)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	var peak uint64
	enrollments := 0
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r, _ := synth.Generate(p)
		enrollments = 0
		for j := range r.Sections {
			enrollments += len(r.Sections[j].Students)
		}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := sampleHeap(&peak, before.HeapAlloc)
		b.StartTimer()

		res := rules.Apply(r, sharing.ApplyOptions{Now: now})

		b.StopTimer()
		stop()
		if res.Placement.One == 0 {
			b.Fatalf("no student placed: %+v", res.Placement)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/1e6, "peak-added-MB")
	b.ReportMetric(float64(enrollments), "enrollments")
}

// sampleHeap records in peak the most heap allocated above base until
// the returned stop is called.
func sampleHeap(peak *uint64, base uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > *peak {
				*peak = m.HeapAlloc - base
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
