package ipam

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"weave.works/weave/ipam/ring"
)

// TestHeldSetAgainstModel checks the run-based held set against a plain map
// over random adds and removes in a small window, where runs join and split
// often. The seed is printed.
func TestHeldSetAgainstModel(t *testing.T) {
	seed := testSeed(t)
	rnd := rand.New(rand.NewPCG(seed, 1))
	const lo, size = 1000, 64
	var h heldSet
	model := map[uint64]bool{}
	for step := range 4000 {
		x := uint64(lo + rnd.IntN(size))
		if rnd.IntN(2) == 0 {
			h.add(addrOf(x))
			model[x] = true
		} else {
			h.remove(addrOf(x))
			delete(model, x)
		}
		for i := 1; i < len(h); i++ {
			if uint64(h[i-1].hi)+1 >= uint64(h[i].lo) {
				t.Fatalf("seed %d step %d: runs %v and %v overlap or touch", seed, step,
					h[i-1], h[i])
			}
		}
		b := block{lo: uint64(lo + rnd.IntN(size)), hi: uint64(lo + size + rnd.IntN(8))}
		var want uint64
		var free []block
		wantLowest, found := uint64(0), false
		for v := b.lo; v <= b.hi; v++ {
			switch {
			case model[v]:
				want++
			case len(free) > 0 && free[len(free)-1].hi == v-1:
				free[len(free)-1].hi = v
			default:
				free = append(free, block{lo: v, hi: v})
			}
			if !model[v] && !found && v != b.lo {
				wantLowest, found = v, true
			}
		}
		if got := h.countIn(b); got != want {
			t.Fatalf("seed %d step %d: countIn(%v) = %d, want %d", seed, step, b, got, want)
		}
		var runs []block
		h.freeRuns(b, func(r block) { runs = append(runs, r) })
		if fmt.Sprint(runs) != fmt.Sprint(free) {
			t.Fatalf("seed %d step %d: freeRuns(%v) = %v, want %v", seed, step, b, runs, free)
		}
		// b.lo is reserved, so the answer is the lowest free one above it.
		got, ok := h.lowestFree(b, []uint64{b.lo})
		if ok != found || (ok && got != wantLowest) {
			t.Fatalf("seed %d step %d: lowestFree(%v) = %d %v, want %d %v", seed, step, b, got,
				ok, wantLowest, found)
		}
		if h.has(addrOf(x)) != model[x] {
			t.Fatalf("seed %d step %d: has(%d) = %v", seed, step, x, !model[x])
		}
	}
}

func TestAlignedAround(t *testing.T) {
	tests := []struct {
		b        block
		x, limit uint64
		want     block
	}{
		{block{0, 255}, 77, 64, block{64, 127}},
		{block{0, 255}, 77, 1, block{77, 77}},
		{block{0, 255}, 77, 0, block{77, 77}},
		{block{70, 255}, 77, 64, block{72, 79}},
		{block{0, 255}, 0, 1 << 40, block{0, 255}},
		{block{76, 78}, 77, 64, block{76, 77}},
		{block{77, 78}, 77, 64, block{77, 77}},
	}
	for _, tt := range tests {
		if got := alignedAround(tt.b, tt.x, tt.limit); got != tt.want {
			t.Errorf("alignedAround(%v, %d, %d) = %v, want %v", tt.b, tt.x, tt.limit, got,
				tt.want)
		}
	}
}

func TestSubtractRanges(t *testing.T) {
	r := func(a, b string) ring.Range { return ring.Range{First: ip(a), Last: ip(b)} }
	got := subtractRanges(
		[]ring.Range{r("10.0.0.0", "10.0.0.255"), r("10.0.2.0", "10.0.2.9")},
		[]ring.Range{r("10.0.0.10", "10.0.0.19"), r("10.0.0.250", "10.0.1.5"),
			r("10.0.2.0", "10.0.2.9")})
	want := "[10.0.0.0-10.0.0.9 10.0.0.20-10.0.0.249]"
	if fmt.Sprint(got) != want {
		t.Errorf("subtractRanges = %v, want %s", got, want)
	}
}
