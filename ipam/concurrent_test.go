package ipam

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// TestConcurrentAllocationsNeverDuplicate runs many allocations and releases
// at once (run it with -race) and checks that no address is handed out twice
// and that a restart gives back exactly what was allocated.
func TestConcurrentAllocationsNeverDuplicate(t *testing.T) {
	const workers, perWorker = 8, 40
	cfg := testConfig(t, "a")
	a, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		owner = map[netip.Addr]string{}
		wg    sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				label := fmt.Sprintf("w%d-%d", w, i)
				pool := "10.32.0.0/12"
				if i%2 == 1 {
					pool = "10.32.7.0/24"
				}
				addr, err := a.Allocate(bg, pfx(pool), label)
				if err != nil {
					t.Errorf("Allocate(%s): %v", label, err)
					return
				}
				mu.Lock()
				if prev, dup := owner[addr]; dup {
					t.Errorf("%s handed out to %s and %s", addr, prev, label)
				}
				owner[addr] = label
				mu.Unlock()
				if i%5 == 4 {
					mu.Lock()
					delete(owner, addr)
					mu.Unlock()
					if err := a.Release(bg, addr); err != nil {
						t.Errorf("Release(%s): %v", addr, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if got := a.Allocated(); !maps.Equal(got, owner) {
		t.Fatalf("Allocated() has %d entries, the workers hold %d", len(got), len(owner))
	}
	a.mu.Lock()
	commits := a.commit.commits
	a.mu.Unlock()
	ops := workers * (perWorker + perWorker/5)
	t.Logf("%d changes in %d commits", ops, commits)
	if commits >= ops {
		t.Errorf("%d changes took %d commits: concurrent requests do not share commits",
			ops, commits)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b := open(t, cfg, nil)
	if got := b.Allocated(); !maps.Equal(got, owner) {
		t.Errorf("after restart %d allocations, want %d", len(got), len(owner))
	}
}

// TestAgainstModel drives one allocator with a random sequence of
// allocations, claims, releases and restarts, checking every answer against
// a plain map. The seed is printed so that a failure can be replayed.
func TestAgainstModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 0))
	cfg := testConfig(t, "a")
	cfg.Range = pfx("10.32.0.0/26")
	a, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { a.Close() }()
	model := map[netip.Addr]string{}
	steps := 400
	if testing.Short() {
		steps = 100
	}
	for step := range steps {
		addr := addrOf(uint64(u32(cfg.Range.Addr())) + 1 + uint64(rnd.IntN(62)))
		label := fmt.Sprintf("s%d", step)
		switch rnd.IntN(10) {
		case 0:
			if err := a.Close(); err != nil {
				t.Fatalf("seed %d step %d: close: %v", seed, step, err)
			}
			if a, err = Open(cfg, nil); err != nil {
				t.Fatalf("seed %d step %d: reopen: %v", seed, step, err)
			}
		case 1, 2, 3:
			got, err := a.Allocate(bg, cfg.Range, label)
			if want, ok := modelLowest(model, cfg.Range); !ok {
				if err == nil {
					t.Fatalf("seed %d step %d: full, yet Allocate gave %s", seed, step, got)
				}
			} else if err != nil || got != want {
				t.Fatalf("seed %d step %d: Allocate = %s, %v; want %s", seed, step, got, err, want)
			} else {
				model[got] = label
			}
		case 4, 5:
			err := a.Claim(bg, addr, label)
			_, held := model[addr]
			if held != (err != nil) {
				t.Fatalf("seed %d step %d: Claim(%s) = %v, held %v", seed, step, addr, err, held)
			}
			if !held {
				model[addr] = label
			}
		default:
			err := a.Release(bg, addr)
			_, held := model[addr]
			if held != (err == nil) {
				t.Fatalf("seed %d step %d: Release(%s) = %v, held %v", seed, step, addr, err, held)
			}
			delete(model, addr)
		}
		if got := a.Allocated(); !maps.Equal(got, model) {
			t.Fatalf("seed %d step %d: Allocated() = %v, want %v", seed, step, got, model)
		}
	}
}

// modelLowest is the model's answer to Allocate over the whole range.
func modelLowest(model map[netip.Addr]string, rng netip.Prefix) (netip.Addr, bool) {
	for a := rng.Addr().Next().Next(); rng.Contains(a.Next()); a = a.Next() {
		if _, held := model[a]; !held {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// BenchmarkAllocateParallel measures allocations from many goroutines at
// once, where group commit lets them share transactions.
func BenchmarkAllocateParallel(b *testing.B) {
	a := open(b, testConfig(b, "a"), nil)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			addr, err := a.Allocate(bg, pfx("10.32.0.0/12"), "bench")
			if err != nil {
				b.Error(err)
				return
			}
			if err := a.Release(bg, addr); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
