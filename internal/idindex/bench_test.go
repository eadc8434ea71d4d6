package idindex

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// benchUsers is shaped like an XL district's users: 1.2M records of about
// the roster.User size, with Clever's 24-character IDs.
func benchUsers(b *testing.B) ([]benchUser, []string) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	users := make([]benchUser, 1_200_000)
	for i := range users {
		users[i].ID = fmt.Sprintf("%024x", r.Uint64()<<20|uint64(i))
	}
	lookups := make([]string, 5_200_000) // an XL district's enrollments
	for i := range lookups {
		lookups[i] = users[r.IntN(len(users))].ID
	}
	return users, lookups
}

type benchUser struct {
	ID   string
	rest [144]byte
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkIndex builds an index of 1.2M users and looks up 5.2M members,
// reporting the index's heap; BenchmarkMap does the same with the Go map
// it replaced.
func BenchmarkIndex(b *testing.B) {
	users, lookups := benchUsers(b)
	for b.Loop() {
		before := liveHeap()
		x := New(len(users), func(p int32) string { return users[p].ID })
		for i := range users {
			x.Add(users[i].ID, int32(i))
		}
		b.ReportMetric(float64(liveHeap()-before)/1e6, "index-MB")
		for _, id := range lookups {
			if _, ok := x.Get(id); !ok {
				b.Fatal("lost", id)
			}
		}
	}
}

func BenchmarkMap(b *testing.B) {
	users, lookups := benchUsers(b)
	for b.Loop() {
		before := liveHeap()
		m := make(map[string]int32, len(users))
		for i := range users {
			if _, dup := m[users[i].ID]; !dup {
				m[users[i].ID] = int32(i)
			}
		}
		b.ReportMetric(float64(liveHeap()-before)/1e6, "index-MB")
		for _, id := range lookups {
			if _, ok := m[id]; !ok {
				b.Fatal("lost", id)
			}
		}
		runtime.KeepAlive(m)
	}
}
