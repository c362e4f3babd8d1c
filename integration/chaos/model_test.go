package chaos

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// op is a shorthand for a test operation on key k.
func op(kind Kind, k, value, expected, read string, out Outcome, call, ret int64) Op {
	return Op{Kind: kind, Key: k, Value: value, Expected: expected, Read: read, Outcome: out,
		Call: call, Return: ret}
}

func TestCheckTable(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []Op
		ok   bool
	}{
		{"empty key reads empty", []Op{op(Get, "a", "", "", "", OK, 0, 1)}, true},
		{"read after put", []Op{
			op(Put, "a", "x", "", "", OK, 0, 1),
			op(Get, "a", "", "", "x", OK, 2, 3)}, true},
		{"stale read", []Op{
			op(Put, "a", "x", "", "", OK, 0, 1),
			op(Put, "a", "y", "", "", OK, 2, 3),
			op(Get, "a", "", "", "x", OK, 4, 5)}, false},
		{"concurrent read may see either", []Op{
			op(Put, "a", "x", "", "", OK, 0, 1),
			op(Put, "a", "y", "", "", OK, 2, 5),
			op(Get, "a", "", "", "x", OK, 3, 4)}, true},
		{"lost acknowledged write", []Op{
			op(Put, "a", "x", "", "", OK, 0, 1),
			op(Get, "a", "", "", "", OK, 2, 3)}, false},
		{"unknown put seen later", []Op{
			op(Put, "a", "x", "", "", Unknown, 0, 1),
			op(Get, "a", "", "", "x", OK, 5, 6)}, true},
		{"unknown put never seen", []Op{
			op(Put, "a", "x", "", "", Unknown, 0, 1),
			op(Get, "a", "", "", "", OK, 5, 6)}, true},
		{"unknown put cannot vanish once seen", []Op{
			op(Put, "a", "x", "", "", Unknown, 0, 1),
			op(Get, "a", "", "", "x", OK, 2, 3),
			op(Get, "a", "", "", "", OK, 4, 5)}, false},
		{"cas swaps", []Op{
			op(Put, "a", "x", "", "", OK, 0, 1),
			op(CAS, "a", "y", "x", "", OK, 2, 3),
			op(Get, "a", "", "", "y", OK, 4, 5)}, true},
		{"cas swapped on the wrong value", []Op{
			op(Put, "a", "x", "", "", OK, 0, 1),
			op(CAS, "a", "y", "z", "", OK, 2, 3)}, false},
		{"cas failed on the right value", []Op{
			op(Put, "a", "x", "", "", OK, 0, 1),
			op(CAS, "a", "y", "x", "", Failed, 2, 3)}, false},
		{"cas on a missing key fails", []Op{
			op(CAS, "a", "y", "x", "", Failed, 0, 1),
			op(Get, "a", "", "", "", OK, 2, 3)}, true},
		{"unknown cas may have swapped", []Op{
			op(Put, "a", "x", "", "", OK, 0, 1),
			op(CAS, "a", "y", "x", "", Unknown, 2, 3),
			op(Get, "a", "", "", "y", OK, 4, 5)}, true},
		{"unknown read constrains nothing", []Op{
			op(Put, "a", "x", "", "", OK, 0, 1),
			op(Get, "a", "", "", "q", Unknown, 2, 3)}, true},
		{"keys are independent", []Op{
			op(Put, "a", "x", "", "", OK, 0, 1),
			op(Get, "b", "", "", "", OK, 2, 3),
			op(Get, "a", "", "", "x", OK, 2, 3)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.ops, nil, 10*time.Second, "")
			if tc.ok && err != nil {
				t.Fatalf("want linearizable: %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrNotLinearizable) {
				t.Fatalf("want ErrNotLinearizable, got %v", err)
			}
		})
	}
}

// simulate returns a random history of clients on keys, each operation
// taking effect atomically at a point inside its interval, so it is
// linearizable by construction. Some writes are given an unknown outcome,
// whether or not they took effect.
func simulate(rng *rand.Rand, clients, perClient int) []Op {
	state := map[string]string{}
	next := make([]int64, clients) // when each client may call again
	var ops []Op
	for now, n := int64(0), 0; n < clients*perClient; now++ {
		c := rng.IntN(clients)
		if next[c] > now {
			continue
		}
		k := fmt.Sprintf("k%d", rng.IntN(2))
		o := Op{Client: c, Key: k, Value: fmt.Sprintf("c%d-%d", c, n), Call: now - rng.Int64N(3)}
		o.Call = max(o.Call, next[c])
		switch rng.IntN(3) {
		case 0:
			o.Kind, o.Value, o.Read = Get, "", state[k]
		case 1:
			o.Kind = Put
			state[k] = o.Value
		default:
			o.Kind = CAS
			o.Expected = state[k]
			if o.Expected == "" || rng.IntN(2) == 0 {
				o.Expected = "guess"
			}
			o.Outcome = Failed
			if state[k] == o.Expected {
				o.Outcome, state[k] = OK, o.Value
			}
		}
		if o.Outcome == "" {
			o.Outcome = OK
		}
		o.Return = now + rng.Int64N(3)
		if o.Kind != Get && rng.IntN(8) == 0 {
			o.Outcome = Unknown
		}
		next[c] = o.Return + 1
		ops = append(ops, o)
		n++
	}
	return ops
}

func TestCheckSimulated(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for round := range 20 {
		ops := simulate(rng, 4, 30)
		if err := Check(ops, nil, 10*time.Second, ""); err != nil {
			t.Fatalf("round %d (seed %d): %v", round, seed, err)
		}

		// A successful read of a value nobody wrote cannot be linearized.
		for i := len(ops) - 1; i >= 0; i-- {
			if ops[i].Kind == Get {
				ops[i].Read = "never written"
				break
			}
		}
		if err := Check(ops, nil, 10*time.Second, ""); !errors.Is(err, ErrNotLinearizable) {
			t.Fatalf("round %d (seed %d): a forged read passed: %v", round, seed, err)
		}
	}
}

func TestCheckVisualizes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.html")
	ops := []Op{op(Put, "a", "x", "", "", OK, 10, 20), op(Get, "a", "", "", "", OK, 30, 40)}
	tl := Timeline{{What: "cut off h1", Start: time.Unix(0, 15), End: time.Unix(0, 35)}}
	err := Check(ops, tl, 10*time.Second, path)
	if !errors.Is(err, ErrNotLinearizable) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Check = %v, want ErrNotLinearizable naming %s", err, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "cut off h1") {
		t.Fatal("the visualization does not mark the fault")
	}
}
