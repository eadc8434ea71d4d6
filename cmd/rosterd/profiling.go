package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	runtimemetrics "runtime/metrics"
	"runtime/pprof"
	"time"
)

// pprofDirEnv names a directory to write a CPU profile and a heap profile
// taken at the heap's peak into, for finding where a sync spends its time
// and memory. "rosterd bench --pprof DIR" sets it for its children.
const pprofDirEnv = "ROSTERD_PPROF_DIR"

// startProfiling profiles the process into dir: cpu.pprof for the whole
// run, and heap-peak.pprof rewritten each time the live heap grows past
// the last one written by a tenth, so that it shows what held memory at
// the peak, not at exit. Profiles hold function names and sizes only,
// never record data. stop ends both and writes the final files.
func startProfiling(dir string) (stop func() error, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("profiling: %w", err)
	}
	cpu, err := os.OpenFile(filepath.Join(dir, "cpu.pprof"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("profiling: %w", err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		cpu.Close()
		return nil, fmt.Errorf("profiling: %w", err)
	}
	done, finished := make(chan struct{}), make(chan error, 1)
	go func() { finished <- watchHeapPeak(filepath.Join(dir, "heap-peak.pprof"), done) }()
	return func() error {
		pprof.StopCPUProfile()
		close(done)
		return errors.Join(<-finished, cpu.Close())
	}, nil
}

// watchHeapPeak samples the live heap until done is closed.
func watchHeapPeak(path string, done <-chan struct{}) error {
	sample := []runtimemetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var written uint64
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return nil
		case <-tick.C:
		}
		runtimemetrics.Read(sample)
		if sample[0].Value.Kind() != runtimemetrics.KindUint64 {
			return nil
		}
		live := sample[0].Value.Uint64()
		if live < written+written/10 || live < 16<<20 {
			continue
		}
		written = live
		if err := writeHeapProfile(path); err != nil {
			return err
		}
	}
}

func writeHeapProfile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("profiling: %w", err)
	}
	// A heap profile lags by up to two collections; one forced here makes
	// it show the heap as it is now. It slows the profiled run, which is
	// fine for a run that is being profiled.
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("profiling: %w", err)
	}
	return f.Close()
}
