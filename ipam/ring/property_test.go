package ring

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

// mergeOf returns a copy of a with b merged into it.
func mergeOf(t *rapid.T, a, b *Ring) *Ring {
	m := a.Clone()
	if err := m.Merge(b); err != nil {
		t.Fatalf("merge: %v", err)
	}
	return m
}

// TestMergeLaws checks that merge is commutative, associative and idempotent
// over replicas that went apart from one seed through owner-only changes.
// rapid prints the seed of a failing run.
func TestMergeLaws(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld(t, rapid.IntRange(2, 8).Draw(t, "peers"),
			rapid.IntRange(20, 28).Draw(t, "bits"))
		for range rapid.IntRange(0, 60).Draw(t, "steps") {
			w.step(t)
		}
		empty, _ := New(w.reps[0].Range(), "")
		pool := append(append([]*Ring{}, w.reps...), empty)
		pick := func(label string) *Ring {
			return pool[rapid.IntRange(0, len(pool)-1).Draw(t, label)]
		}
		a, b, c := pick("a"), pick("b"), pick("c")

		if ab, ba := mergeOf(t, a, b), mergeOf(t, b, a); !ab.Equal(ba) {
			t.Fatalf("not commutative:\n%v\n%v", ab.Entries(), ba.Entries())
		}
		left := mergeOf(t, mergeOf(t, a, b), c)
		right := mergeOf(t, a, mergeOf(t, b, c))
		if !left.Equal(right) {
			t.Fatalf("not associative:\n%v\n%v", left.Entries(), right.Entries())
		}
		if aa := mergeOf(t, a, a); !aa.Equal(a) {
			t.Fatalf("not idempotent:\n%v\n%v", aa.Entries(), a.Entries())
		}
		if err := left.Validate(); err != nil {
			t.Fatalf("merged ring invalid: %v", err)
		}
	})
}

// TestNoAddressOwnedTwice drives at least 100 peers through random transfers
// and gossip. After every step each replica gives every address one owner, no
// two peers claim one address in their own replicas, and a merge of any
// subset of replicas keeps every claim of the peers in it.
func TestNoAddressOwnedTwice(t *testing.T) {
	maxSteps := 150
	if testing.Short() {
		maxSteps = 60
	}
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld(t, rapid.IntRange(100, 140).Draw(t, "peers"),
			rapid.IntRange(16, 22).Draw(t, "bits"))
		for n := range rapid.IntRange(50, maxSteps).Draw(t, "steps") {
			w.step(t)
			checkDisjoint(t, w.claims())
			if n%10 == 0 {
				checkSubset(t, w)
			}
		}
		checkSubset(t, w)
		w.gossipAll(t)
		claims := w.claims()
		checkDisjoint(t, claims)
		var total uint64
		for _, rs := range claims {
			for _, rg := range rs {
				total += rg.Size()
			}
		}
		if size := RangeOf(w.reps[0].Range()).Size(); total != size {
			t.Fatalf("after full gossip peers claim %d of %d addresses", total, size)
		}
	})
}

func checkSubset(t *rapid.T, w *world) {
	subset := rapid.SliceOfNDistinct(rapid.IntRange(0, len(w.reps)-1), 1, 8,
		rapid.ID[int]).Draw(t, "subset")
	m, _ := New(w.reps[0].Range(), "")
	for _, i := range subset {
		if err := m.Merge(w.reps[i]); err != nil {
			t.Fatalf("merge subset %v: %v", subset, err)
		}
	}
	checkPartition(t, m)
	claims := w.claims()
	for _, i := range subset {
		checkKept(t, m, w.names[i], claims[w.names[i]])
	}
	for _, i := range subset {
		checkPartition(t, w.reps[i])
	}
}

// TestEncodingRoundTrip checks that every ring the world makes decodes to
// itself and encodes to the same bytes again.
func TestEncodingRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld(t, rapid.IntRange(1, 20).Draw(t, "peers"),
			rapid.IntRange(8, 26).Draw(t, "bits"))
		for range rapid.IntRange(0, 80).Draw(t, "steps") {
			w.step(t)
		}
		r := w.reps[w.peer(t, "replica")]
		data, err := r.MarshalBinary()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var back Ring
		if err := back.UnmarshalBinary(data); err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		if !back.Equal(r) {
			t.Fatalf("round trip changed the ring:\n%v\n%v", r.Entries(), back.Entries())
		}
		again, _ := back.MarshalBinary()
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs:\n% x\n% x", data, again)
		}
	})
}
