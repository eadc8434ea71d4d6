package fakeoneroster_test

import (
	"io"
	"net/http"
	"runtime"
	"sync"
	"testing"

	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// largeRoster is the "large" synth profile (350,000 students, 377,743
// users, 75,612 sections), generated once for every benchmark.
var largeRoster = sync.OnceValue(func() *roster.Roster {
	p, ok := synth.ProfileByName("large")
	if !ok {
		panic("no large profile")
	}
	r, _ := synth.Generate(p)
	return r
})

var largeDataset = sync.OnceValue(func() *fakeoneroster.Dataset { return fakeoneroster.FromRoster(largeRoster()) })

// benchmarkPage measures serving one page of path over loopback HTTP,
// read by a client that only counts the bytes: the fake's share of a
// crawl's CPU. SetBytes makes go test report MB/s.
func benchmarkPage(b *testing.B, path string) {
	_, ts := startServer(b, largeDataset(), fakeoneroster.Options{})
	req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	client := ts.Client()
	fetch := func() int64 {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		return n
	}
	b.SetBytes(fetch())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		fetch()
	}
}

// BenchmarkServeUsersPage10000 serves 10,000 1.2 users from the middle of
// the large district.
func BenchmarkServeUsersPage10000(b *testing.B) {
	benchmarkPage(b, v12+"/users?limit=10000&offset=200000")
}

// BenchmarkServeUsersPage100 serves a default-sized page.
func BenchmarkServeUsersPage100(b *testing.B) {
	benchmarkPage(b, v12+"/users?limit=100&offset=200000")
}

// BenchmarkServeEnrollmentsDelta serves 10,000 enrollments through a
// dateLastModified filter, which scans the 1.7M enrollments' index.
func BenchmarkServeEnrollmentsDelta(b *testing.B) {
	benchmarkPage(b, v11+"/enrollments?limit=10000&filter=dateLastModified%3E%272000-01-01T00%3A00%3A00Z%27")
}

// BenchmarkFromRoster measures encoding the large district (both trees'
// users, 1.7M enrollments) and reports the heap the Dataset keeps.
func BenchmarkFromRoster(b *testing.B) {
	r := largeRoster()
	var d *fakeoneroster.Dataset
	b.ReportAllocs()
	for b.Loop() {
		d = fakeoneroster.FromRoster(r)
	}
	b.StopTimer()

	var before, after runtime.MemStats
	d = nil
	runtime.GC()
	runtime.ReadMemStats(&before)
	d = fakeoneroster.FromRoster(r)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "dataset-MB")
	b.ReportMetric(float64(d.Len(fakeoneroster.V1p2, "enrollments")), "enrollments")
	runtime.KeepAlive(d)
}
