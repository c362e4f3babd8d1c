package ipam

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// baselineBudget bounds how long the baseline runs in each benchmark: one
// fsync per allocation is slow, and its rate settles well within this.
const baselineBudget = time.Second

// BenchmarkAllocateDurable measures allocations that are committed to disk
// before they return, on one peer, from 1 and from 64 concurrent requesters.
// In the same run it measures the baseline, one bbolt transaction per
// allocation, with as many requesters, and reports both rates, the latency
// percentiles in microseconds, and x-baseline, the ratio of the two rates:
// what group commit buys.
func BenchmarkAllocateDurable(b *testing.B) {
	for _, conc := range []int{1, 64} {
		b.Run(fmt.Sprintf("conc=%d", conc), func(b *testing.B) {
			cfg := testConfig(b, "a")
			cfg.Range = pfx("10.64.0.0/10")
			a := open(b, cfg, nil)
			pool := cfg.Range
			b.ResetTimer()
			ours := measure(b.N, conc, 0, func(int) error {
				_, err := a.Allocate(bg, pool, "bench")
				return err
			})
			b.StopTimer()
			if ours.err != nil {
				b.Fatal(ours.err)
			}
			base := runBaseline(b, b.N, conc)
			b.ReportMetric(ours.rate(), "allocs/s")
			b.ReportMetric(ours.percentile(50), "p50-us")
			b.ReportMetric(ours.percentile(99), "p99-us")
			b.ReportMetric(base.rate(), "base-allocs/s")
			b.ReportMetric(base.percentile(50), "base-p50-us")
			b.ReportMetric(base.percentile(99), "base-p99-us")
			b.ReportMetric(ours.rate()/base.rate(), "x-baseline")
		})
	}
}

// runBaseline allocates by one bbolt Update per allocation, as an allocator
// without group commit would: at most n allocations, for at most the
// baseline budget.
func runBaseline(b *testing.B, n, conc int) measured {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "baseline.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	bucket := []byte("allocs")
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket(bucket)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	m := measure(n, conc, baselineBudget, func(i int) error {
		return db.Update(func(tx *bolt.Tx) error {
			var k [4]byte
			binary.BigEndian.PutUint32(k[:], uint32(10<<24+64<<16+2+i))
			return tx.Bucket(bucket).Put(k[:], []byte("bench"))
		})
	})
	if m.err != nil {
		b.Fatal(m.err)
	}
	return m
}

// measured is the outcome of a run: how many operations in how long, and
// each one's latency.
type measured struct {
	ops     int
	elapsed time.Duration
	lat     []time.Duration
	err     error
}

func (m measured) rate() float64 {
	if m.elapsed <= 0 {
		return 0
	}
	return float64(m.ops) / m.elapsed.Seconds()
}

// percentile returns the p-th percentile latency in microseconds.
func (m measured) percentile(p int) float64 {
	if len(m.lat) == 0 {
		return 0
	}
	i := min(len(m.lat)-1, len(m.lat)*p/100)
	return float64(m.lat[i]) / float64(time.Microsecond)
}

// measure runs op n times from conc goroutines, stopping early once budget
// (when not 0) has passed, and records each call's latency.
func measure(n, conc int, budget time.Duration, op func(i int) error) measured {
	var next atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			for {
				i := int(next.Add(1)) - 1
				if i >= n || (budget > 0 && time.Since(start) > budget) {
					break
				}
				t0 := time.Now()
				err := op(i)
				lat = append(lat, time.Since(t0))
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					break
				}
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(all)
	return measured{ops: len(all), elapsed: time.Since(start), lat: all, err: firstErr}
}
