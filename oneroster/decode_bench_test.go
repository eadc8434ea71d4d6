package oneroster

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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
	srv := httptest.NewServer(fakeoneroster.NewServer(fakeoneroster.FromRoster(gen), fakeoneroster.Options{BearerToken: "t"}))
	defer srv.Close()
	page := func(b *testing.B, coll string) []byte {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s%s/%s?limit=10000", srv.URL, fakeoneroster.BasePathV1p2, coll), nil)
		req.Header.Set("Authorization", "Bearer t")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d %v", coll, resp.StatusCode, err)
		}
		return body
	}
	b.Run("enrollments", func(b *testing.B) { benchDecode[Enrollment](b, page(b, "enrollments"), "enrollments") })
	b.Run("users", func(b *testing.B) { benchDecode[User](b, page(b, "users"), "users") })
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
