package oneroster_test

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/flate"

	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
)

// BenchmarkReadPackage loads a generated district from a deflated
// OneRoster 1.2 CSV zip, end to end: ReadPackage (inflate, parse, the
// model) and Apply onto nothing (the roster). large is the L profile,
// 350,000 students and 1.7 million enrollments. MB/s counts the CSV bytes
// inside the zip; peak-heap-MiB is the most heap in use during one load;
// package-MiB and roster-MiB are what the Package (its records) and the
// roster keep afterwards.
//
//	go test -run '^$' -bench 'ReadPackage/large' -benchtime 3x ./oneroster
func BenchmarkReadPackage(b *testing.B) {
	for _, name := range []string{"medium", "large"} {
		b.Run(name, func(b *testing.B) {
			path, csvBytes, students := benchGeneratedZip(b, name)
			b.SetBytes(csvBytes)
			b.ReportAllocs()
			for b.Loop() {
				loadPackage(b, path)
			}

			// One more load, measured alone: the peak during it, then what
			// the package (its records) and the roster each keep.
			runtime.GC()
			before := benchHeapInUse()
			peak, stop := benchSampleHeap()
			p, r := loadPackage(b, path)
			stop()
			runtime.GC()
			both := benchHeapInUse()
			runtime.KeepAlive(p)
			p = nil
			runtime.GC()
			rosterOnly := benchHeapInUse()
			if len(r.Users) < students {
				b.Fatalf("%d users for %d students", len(r.Users), students)
			}
			st, _ := os.Stat(path)
			b.ReportMetric(float64(*peak-before)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(both-rosterOnly)/(1<<20), "package-MiB")
			b.ReportMetric(float64(rosterOnly-before)/(1<<20), "roster-MiB")
			runtime.KeepAlive(r)
			b.ReportMetric(float64(st.Size())/(1<<20), "zip-MiB")
		})
	}
}

func loadPackage(b *testing.B, path string) (*oneroster.Package, *roster.Roster) {
	p, err := oneroster.ReadPackage(path)
	if err != nil {
		b.Fatal(err)
	}
	r, err := p.Apply(nil, oneroster.MapOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if len(r.FieldErrors) > 0 {
		b.Fatalf("%d field errors, first %+v", len(r.FieldErrors), r.FieldErrors[0])
	}
	return p, r
}

// benchGeneratedZip writes the synth profile name as a CSV zip in the
// benchmark's temporary folder, and returns its path, the bytes of its
// CSV files and its students.
func benchGeneratedZip(b *testing.B, name string) (path string, csvBytes int64, students int) {
	b.Helper()
	prof, ok := synth.ProfileByName(name)
	if !ok {
		b.Fatalf("no profile %s", name)
	}
	path = filepath.Join(b.TempDir(), name+".zip")
	started := time.Now()
	gen, _ := synth.Generate(prof)
	if err := benchZip(path, oneroster.FromRoster(gen)); err != nil {
		b.Fatal(err)
	}
	b.Logf("wrote %s in %v", path, time.Since(started).Round(time.Millisecond))
	zr, err := zip.OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		csvBytes += int64(f.UncompressedSize64)
	}
	return path, csvBytes, prof.Students
}

// benchZip is datasetZip with klauspost's fastest deflate, so that writing
// half a gigabyte of CSV takes seconds.
func benchZip(path string, d *oneroster.Dataset) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	err = writeDataset(func(name string) (io.Writer, error) { return zw.Create(name) }, d, oneroster.ModeBulk)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func benchHeapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// benchSampleHeap records the most heap in use until stop is called.
func benchSampleHeap() (peak *uint64, stop func()) {
	peak = new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if h := benchHeapInUse(); h > *peak {
				*peak = h
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return peak, func() { close(done); wg.Wait() }
}
