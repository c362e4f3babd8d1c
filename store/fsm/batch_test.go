package fsm

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// TestApplyBatchMatchesApply applies the same random entries to two trees,
// one entry at a time and in random batches (replays of applied entries
// included), and requires the same results, the same tree and the same
// indexes.
func TestApplyBatchMatchesApply(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		one, err := Open(t.TempDir() + "/one.db")
		if err != nil {
			rt.Fatal(err)
		}
		defer one.Close()
		batched, err := Open(t.TempDir() + "/batched.db")
		if err != nil {
			rt.Fatal(err)
		}
		defer batched.Close()

		now, next := int64(1e9), uint64(1)
		for range rapid.IntRange(1, 12).Draw(rt, "batches") {
			var entries []Entry
			if next > 1 && rapid.IntRange(0, 4).Draw(rt, "replay") == 0 {
				entries = append(entries, Entry{Index: next - 1, Cmd: &Command{Op: OpNoop}})
			}
			for range rapid.IntRange(1, 10).Draw(rt, "size") {
				now += rapid.Int64Range(0, 2e9).Draw(rt, "advance")
				c := genCommand(rt, now, one.Index())
				entries = append(entries, Entry{Index: next, Cmd: &c})
				next++
			}
			var want []string
			for _, e := range entries {
				want = append(want, outcome(one.Apply(e.Index, e.Cmd)))
			}
			got := batched.ApplyBatch(entries)
			if len(got) != len(entries) {
				rt.Fatalf("%d results for %d entries", len(got), len(entries))
			}
			for i := range got {
				if d := outcome(got[i]); d != want[i] {
					rt.Fatalf("entry %d %+v:\n got %s\nwant %s", entries[i].Index, *entries[i].Cmd,
						d, want[i])
				}
			}
			if g, w := renderTree(rt, batched), renderTree(rt, one); g != w {
				rt.Fatalf("trees differ:\n%s\nwant\n%s", g, w)
			}
			if batched.Index() != one.Index() || batched.Applied() != one.Applied() {
				rt.Fatalf("indexes %d/%d, want %d/%d", batched.Index(), batched.Applied(),
					one.Index(), one.Applied())
			}
		}
	})
}

// outcome is describe with the store index and whether the entry was skipped.
func outcome(r Result) string {
	return fmt.Sprintf("%s index=%d skipped=%v", describe(r), r.Index, r.Skipped)
}
