package state

// runPipeline is tested here, inside the package, because its ordering
// and stopping are easier to pin down on plain numbers than through
// SaveRaw and LoadRaw, whose tests cover the rest.

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// pipelineRun runs runPipeline on workers workers over the numbers
// 0..n-1: work squares each after a random pause, and fails (or panics)
// on the numbers in failWork, consume collects them and fails on
// failConsume, and produce fails after sending them all when failProduce
// is set.
type pipelineRun struct {
	n, workers            int
	failWork, failConsume []int
	panicWork             int // -1 for none
	failProduce           bool
}

var errTest = errors.New("test error")

func (p pipelineRun) run() (consumed []int, err error) {
	type batch struct{ n, square int }
	err = runPipeline(p.workers,
		func(next func() (*batch, bool), send func()) error {
			for i := range p.n {
				b, ok := next()
				if !ok {
					return nil
				}
				b.n = i
				send()
			}
			if p.failProduce {
				return fmt.Errorf("produce: %w", errTest)
			}
			return nil
		},
		func(b *batch) error {
			time.Sleep(time.Duration(rand.IntN(50)) * time.Microsecond)
			if b.n == p.panicWork {
				panic(fmt.Sprintf("work %d", b.n))
			}
			if slices.Contains(p.failWork, b.n) {
				return fmt.Errorf("work %d: %w", b.n, errTest)
			}
			b.square = b.n * b.n
			return nil
		},
		func(b *batch) error {
			if slices.Contains(p.failConsume, b.n) {
				return fmt.Errorf("consume %d: %w", b.n, errTest)
			}
			if b.square != b.n*b.n {
				return fmt.Errorf("batch %d consumed before it was worked", b.n)
			}
			consumed = append(consumed, b.n)
			return nil
		})
	return consumed, err
}

func TestRunPipeline(t *testing.T) {
	upTo := func(n int) []int {
		s := make([]int, 0, n)
		for i := range n {
			s = append(s, i)
		}
		return s
	}
	for _, workers := range []int{1, 2, 8} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			// Ensure every batch is worked and then consumed, in the order
			// produced.
			t.Run("OK", func(t *testing.T) {
				got, err := pipelineRun{n: 500, workers: workers, panicWork: -1}.run()
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, upTo(500)) {
					t.Errorf("consumed %v, want 0..499 in order", got)
				}
			})

			// Ensure the first error in the order produced is returned,
			// whichever stage it came from, after consuming exactly the
			// batches before it.
			t.Run("Err", func(t *testing.T) {
				for _, tt := range []struct {
					name string
					run  pipelineRun
					want string
					n    int // batches consumed
				}{
					{name: "Work", run: pipelineRun{failWork: []int{300, 120}}, want: "work 120", n: 120},
					{name: "Consume", run: pipelineRun{failConsume: []int{77}, failWork: []int{78}}, want: "consume 77", n: 77},
					{name: "Produce", run: pipelineRun{failProduce: true}, want: "produce", n: 500},
					{name: "WorkBeforeProduce", run: pipelineRun{failProduce: true, failWork: []int{499}}, want: "work 499", n: 499},
				} {
					t.Run(tt.name, func(t *testing.T) {
						tt.run.n, tt.run.workers, tt.run.panicWork = 500, workers, -1
						got, err := tt.run.run()
						if !errors.Is(err, errTest) || !strings.Contains(err.Error(), tt.want) {
							t.Errorf("runPipeline = %v, want an error containing %q", err, tt.want)
						}
						if !slices.Equal(got, upTo(tt.n)) {
							t.Errorf("consumed %d batches (%v), want 0..%d", len(got), got, tt.n-1)
						}
					})
				}
			})

			// Ensure a panic on a worker is raised again on the calling
			// goroutine, with the stack where it happened.
			t.Run("Panic", func(t *testing.T) {
				defer func() {
					p := recover()
					if s, ok := p.(string); !ok || !strings.HasPrefix(s, "work 40\n") || !strings.Contains(s, "raw_pipeline_test.go") {
						t.Errorf("runPipeline panicked with %v, want a string of work 40 and its stack", p)
					}
				}()
				_, err := pipelineRun{n: 500, workers: workers, panicWork: 40}.run()
				t.Errorf("runPipeline = %v, want a panic", err)
			})
		})
	}
}
