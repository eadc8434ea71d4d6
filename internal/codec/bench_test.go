package codec_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// benchRoster is the small synthetic district, generated once: its
// records have the field mix of a real one (5% of students with ext, 12%
// with programs, sections of 20 to 35 students).
var benchRoster = sync.OnceValue(func() *roster.Roster {
	p, ok := synth.ProfileByName("small")
	if !ok {
		panic("no small profile")
	}
	r, _ := synth.Generate(p)
	return r
})

func BenchmarkMarshalUser(b *testing.B) {
	benchMarshal(b, benchRoster().Users)
}

func BenchmarkMarshalSection(b *testing.B) {
	benchMarshal(b, benchRoster().Sections)
}

// benchMarshal encodes one record of recs per op, cycling through them,
// as the library did before the fast path and as codec does now, into a
// reused buffer the way preflight's workers and the raw roster do.
func benchMarshal[T any](b *testing.B, recs []T) {
	run := func(name string, encode func(buf *bytes.Buffer, rec any) error) {
		b.Run(name, func(b *testing.B) {
			var buf bytes.Buffer
			var n int64
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				buf.Reset()
				if err := encode(&buf, &recs[i%len(recs)]); err != nil {
					b.Fatal(err)
				}
				n += int64(buf.Len())
			}
			b.ReportMetric(float64(n)/float64(b.N), "B/rec")
		})
	}
	run("library", func(buf *bytes.Buffer, rec any) error {
		return json.MarshalWrite(buf, rec, json.Deterministic(true))
	})
	run("MarshalWrite", func(buf *bytes.Buffer, rec any) error {
		return codec.MarshalWrite(buf, rec)
	})
	run("Marshal", func(buf *bytes.Buffer, rec any) error {
		data, err := codec.Marshal(rec)
		buf.Write(data) // for B/rec; the buffer has grown after a few
		return err
	})
}
