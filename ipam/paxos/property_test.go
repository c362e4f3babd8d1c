package paxos

import (
	"testing"

	"pgregory.net/rapid"
)

// TestNeverTwoValues runs random schedules of proposals, deliveries, losses,
// duplicates, reorderings and proposer restarts among at most N acceptors,
// and fails if two peers ever decide different values. At the end a single
// proposer with a lossless network must decide. rapid prints the seed of a
// failing run.
func TestNeverTwoValues(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld(rapid.IntRange(1, 7).Draw(t, "n"))
		for range rapid.IntRange(0, 300).Draw(t, "steps") {
			w.step(t)
		}
		// Two more proposers, one after the other on a lossless network,
		// must each decide, and learn checks that they decide what any
		// peer decided before.
		w.bag = nil
		first := rapid.IntRange(0, w.n-1).Draw(t, "last proposer")
		for _, p := range []int{first, (first + 1) % w.n} {
			if !w.settle(t, p, 3) {
				t.Fatalf("%s did not decide alone on a lossless network", w.names[p])
			}
		}
	})
}

// TestPartitionsNeverBothDecide splits the acceptors in two and lets both
// sides propose as they like: at most one side may reach a decision.
func TestPartitionsNeverBothDecide(t *testing.T) {
	tests := []struct {
		n, left  int
		decision string // which side can decide: "left", "right" or "none"
	}{
		{1, 1, "left"},
		{2, 1, "none"},
		{3, 1, "right"},
		{4, 2, "none"},
		{5, 3, "left"},
		{6, 3, "none"},
		{7, 3, "right"},
	}
	for _, tt := range tests {
		rapid.Check(t, func(t *rapid.T) {
			w := newWorld(tt.n)
			w.reach = func(from, to int) bool { return (from < tt.left) == (to < tt.left) }
			for range rapid.IntRange(1, 200).Draw(t, "steps") {
				w.step(t)
			}
			for i := range tt.n {
				w.settle(t, i, 3)
			}
			sides := map[string]bool{}
			for i := range w.chosen {
				sides[map[bool]string{true: "left", false: "right"}[i < tt.left]] = true
			}
			if len(sides) > 1 || (len(sides) == 1 && !sides[tt.decision]) {
				t.Fatalf("n=%d split %d: sides %v decided, only %s may", tt.n, tt.left, sides,
					tt.decision)
			}
			if tt.decision != "none" && len(sides) == 0 {
				t.Fatalf("n=%d split %d: the majority side %s did not decide", tt.n, tt.left,
					tt.decision)
			}
		})
	}
}
