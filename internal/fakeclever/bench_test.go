package fakeclever_test

import (
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/rosterd/rosterd/internal/fakeclever"
)

// BenchmarkServeUsersPage measures serving full pages of 10,000 users over
// loopback HTTP, read by a client that only counts the bytes: the fake's
// share of an XL sync's CPU.
func BenchmarkServeUsersPage(b *testing.B) {
	r := syntheticRoster(5000) // 5,000 students + 5,000 contacts + teachers and admins
	_, ts := startServer(b, fakeclever.FromRoster(r), fakeclever.Options{RateLimit: -1})
	req, err := http.NewRequest(http.MethodGet, ts.URL+"/v3.0/users?limit=10000", nil)
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
	for b.Loop() {
		fetch()
	}
}

// BenchmarkFromRoster measures encoding a district of 350,000 students
// (714,002 users and 14,000 sections) and reports the heap the Dataset
// keeps, which should be about its JSON size.
func BenchmarkFromRoster(b *testing.B) {
	r := syntheticRoster(350_000)
	var d *fakeclever.Dataset
	b.ReportAllocs()
	for b.Loop() {
		d = fakeclever.FromRoster(r)
	}
	b.StopTimer()

	var before, after runtime.MemStats
	d = nil
	runtime.GC()
	runtime.ReadMemStats(&before)
	d = fakeclever.FromRoster(r)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "dataset-MB")
	b.ReportMetric(float64(d.Len("users")), "users")
	runtime.KeepAlive(d)
	runtime.KeepAlive(r) // the roster is live in both measurements
}
