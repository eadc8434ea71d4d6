package oneroster

import (
	"testing"

	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
)

// BenchmarkDecodePage decodes one page of 10,000 records of each large
// collection as the fake provider serves it: the decoding a crawl does
// for every page, before any mapping.
//
//	go test -run '^$' -bench DecodePage -benchmem ./oneroster
func BenchmarkDecodePage(b *testing.B) {
	p, _ := synth.ProfileByName("medium")
	gen, _ := synth.Generate(p)
	page := func(b *testing.B, coll string) []byte { return fakePage(b, gen, fakeoneroster.V1p2, coll, 10000) }
	b.Run("enrollments", func(b *testing.B) { benchDecode[Enrollment](b, page(b, "enrollments"), "enrollments") })
	b.Run("enrollments-fast", func(b *testing.B) { benchFast(b, page(b, "enrollments"), "enrollments", decodeEnrollmentsFast) })
	b.Run("users", func(b *testing.B) { benchDecode[User](b, page(b, "users"), "users") })
	b.Run("users-fast", func(b *testing.B) { benchFast(b, page(b, "users"), "users", decodeUsersFast) })
	b.Run("classes", func(b *testing.B) { benchDecode[Class](b, page(b, "classes"), "classes") })
}

func benchDecode[T any](b *testing.B, body []byte, key string) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		items := make([]T, 0, 10000)
		if err := decodeEnvelope(body, key, &items); err != nil {
			b.Fatal(err)
		}
	}
}

func benchFast[T any](b *testing.B, body []byte, key string, decode fastDecoder[T]) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		items := make([]T, 0, 10000)
		if !decode(body, key, &items) {
			b.Fatal("the fast decoder gave up the fake's page")
		}
	}
}
