package ring

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"pgregory.net/rapid"
)

// world is a set of peers, each with its own replica of one seeded ring,
// driven by random owner-only changes and random gossip. It is the source of
// the rings the property tests check.
type world struct {
	names []string
	reps  []*Ring
}

func newWorld(t *rapid.T, peers, bits int) *world {
	prefix := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 40, 0, 0}), bits)
	w := &world{}
	for i := range peers {
		w.names = append(w.names, fmt.Sprintf("peer-%03d", i))
	}
	for _, n := range w.names {
		r, err := Seed(prefix, w.names)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		r.SetSelf(n)
		w.reps = append(w.reps, r)
	}
	return w
}

// peer draws the index of one peer.
func (w *world) peer(t *rapid.T, label string) int {
	return rapid.IntRange(0, len(w.names)-1).Draw(t, label)
}

// step applies one random change: a transfer by an owner, a free count
// update by an owner, or one replica merging another.
func (w *world) step(t *rapid.T) {
	switch rapid.IntRange(0, 3).Draw(t, "op") {
	case 0, 1:
		w.transfer(t)
	case 2:
		p := w.peer(t, "free peer")
		w.reps[p].UpdateFree(w.names[p], func(rg Range) uint64 {
			return rapid.Uint64Range(0, rg.Size()).Draw(t, "free")
		})
	case 3:
		x, y := w.peer(t, "merge into"), w.peer(t, "merge from")
		if err := w.reps[x].Merge(w.reps[y]); err != nil {
			t.Fatalf("gossip %s <- %s: %v", w.names[x], w.names[y], err)
		}
	}
}

// transfer has a random peer give part of one of its ranges to another.
func (w *world) transfer(t *rapid.T) {
	if len(w.names) < 2 {
		return
	}
	p := w.peer(t, "giver")
	owned := w.reps[p].OwnedRanges(w.names[p])
	if len(owned) == 0 {
		return
	}
	rg := owned[rapid.IntRange(0, len(owned)-1).Draw(t, "range")]
	size := rg.Size()
	lo := rapid.Uint64Range(0, size-1).Draw(t, "lo")
	hi := rapid.Uint64Range(lo, min(size-1, lo+rapid.Uint64Range(0, 64).Draw(t, "len"))).
		Draw(t, "hi")
	first := uint64(toU32(rg.First))
	sub := span{lo: uint32(first + lo), hi: uint32(first + hi)}.toRange()
	q := w.peer(t, "taker")
	if q == p {
		q = (q + 1) % len(w.names)
	}
	if err := w.reps[p].Transfer(w.names[p], w.names[q], sub); err != nil {
		t.Fatalf("%s gives %s to %s: %v", w.names[p], sub, w.names[q], err)
	}
}

// gossipAll merges every replica into every other until all are equal.
func (w *world) gossipAll(t *rapid.T) {
	all := w.reps[0].Clone()
	all.SetSelf("")
	for _, r := range w.reps[1:] {
		if err := all.Merge(r); err != nil {
			t.Fatalf("merge all: %v", err)
		}
	}
	for i, r := range w.reps {
		if err := r.Merge(all); err != nil {
			t.Fatalf("%s merges all: %v", w.names[i], err)
		}
	}
}

// claims returns, for each peer, the ranges its own replica says it owns.
func (w *world) claims() map[string][]Range {
	out := map[string][]Range{}
	for i, r := range w.reps {
		out[w.names[i]] = r.OwnedRanges(w.names[i])
	}
	return out
}

// checkPartition fails unless the peers' ranges in r cover the whole range
// once, without gaps or overlaps.
func checkPartition(t *rapid.T, r *Ring) {
	var spans []span
	for _, p := range r.Peers() {
		for _, rg := range r.OwnedRanges(p) {
			spans = append(spans, spanFrom(rg))
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	next := uint64(r.all.lo)
	for _, s := range spans {
		if uint64(s.lo) != next {
			t.Fatalf("ring over %s: owned ranges jump from %s to %s", r.prefix,
				toAddr(uint32(next)), toAddr(s.lo))
		}
		next = uint64(s.hi) + 1
	}
	if next != uint64(r.all.hi)+1 {
		t.Fatalf("ring over %s: owned ranges end at %s", r.prefix, toAddr(uint32(next-1)))
	}
}

// checkDisjoint fails if two peers claim one address.
func checkDisjoint(t *rapid.T, claims map[string][]Range) {
	type owned struct {
		s    span
		peer string
	}
	var all []owned
	for p, rs := range claims {
		for _, rg := range rs {
			all = append(all, owned{spanFrom(rg), p})
		}
	}
	slices.SortFunc(all, func(a, b owned) int { return cmp.Compare(a.s.lo, b.s.lo) })
	for i := 1; i < len(all); i++ {
		if all[i].s.lo <= all[i-1].s.hi {
			t.Fatalf("%s claims %s and %s claims %s", all[i-1].peer, all[i-1].s.toRange(),
				all[i].peer, all[i].s.toRange())
		}
	}
}

// checkKept fails unless every claim of a peer in the merged ring m is still
// that peer's in m: merging never takes addresses from their current owner.
func checkKept(t *rapid.T, m *Ring, peer string, claimed []Range) {
	for _, c := range claimed {
		for _, a := range []netip.Addr{c.First, c.Last} {
			if got := m.Owner(a); got != peer {
				t.Fatalf("%s owns %s but the merged ring says %q", peer, a, got)
			}
		}
		owner := m.cover(toU32(c.First))
		for i := owner; i < len(m.entries) && m.entries[i].token <= toU32(c.Last); i++ {
			if m.entries[i].peer != peer {
				t.Fatalf("%s owns %s but the merged ring gives %s to %q", peer, c,
					toAddr(m.entries[i].token), m.entries[i].peer)
			}
		}
	}
}
