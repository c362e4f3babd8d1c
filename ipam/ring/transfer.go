package ring

import (
	"fmt"
	"slices"
)

// Transfer gives the addresses of rg, all owned by from, to the peer to. It
// splits entries where rg starts or ends inside one, and raises the version
// of every entry it changes. It is how a peer donates space and how an
// operator takes over a dead peer's ranges (rmpeer); in the second case the
// caller is not the owner, which is the operator's decision to make.
//
// On error the ring is unchanged.
func (r *Ring) Transfer(from, to string, rg Range) error {
	if err := checkPeerName(to); err != nil {
		return fmt.Errorf("transfer %s to %q: %w", rg, to, err)
	}
	if from == to {
		return fmt.Errorf("transfer %s from %q to itself: %w", rg, from, ErrNotOwner)
	}
	if !rg.IsValid() || !r.prefix.IsValid() ||
		!r.prefix.Contains(rg.First) || !r.prefix.Contains(rg.Last) {
		return fmt.Errorf("transfer %s from %q: %w %s", rg, from, ErrOutOfRange, r.prefix)
	}
	if len(r.entries) == 0 {
		return fmt.Errorf("transfer %s from %q: ring is empty: %w", rg, from, ErrNotOwner)
	}
	s := spanFrom(rg)
	c := r.Clone()

	// Tokens at both ends make rg a whole number of entries. When rg reaches
	// the end of the range the last entry would also carry the addresses it
	// wraps around to, so those get a token of their own first.
	c.split(s.lo)
	if s.hi < c.all.hi {
		c.split(s.hi + 1)
	} else {
		c.split(c.all.lo)
	}

	for i := range c.entries {
		e := &c.entries[i]
		if e.token < s.lo || e.token > s.hi {
			continue
		}
		if e.peer != from {
			return fmt.Errorf("transfer %s from %q: %s is owned by %q: %w",
				rg, from, toAddr(e.token), e.peer, ErrNotOwner)
		}
		e.peer = to
		e.version++
	}
	*r = *c
	return nil
}

// split makes sure there is a token at v. The new entry keeps the owner of the
// entry it splits, and the two share its free count so that the total stays
// the same; the split entry's version goes up because its share shrank.
func (r *Ring) split(v uint32) {
	at, ok := r.find(v)
	if ok {
		return
	}
	ci := r.cover(v)
	old := r.entries[ci]
	r.entries = slices.Insert(r.entries, at, entry{token: v, peer: old.peer, version: 1})
	if ci >= at {
		ci++
	}
	newSize := r.size(at)
	moved := min(old.free, newSize)
	r.entries[at].free = moved
	r.entries[ci].free = min(old.free-moved, r.size(ci))
	r.entries[ci].version++
}

// UpdateFree sets the free count of every entry peer owns to what free reports
// for the addresses of that entry, raising the version of each entry whose
// count changes. Counts above an entry's share are cut to the share. It
// reports whether anything changed.
func (r *Ring) UpdateFree(peer string, free func(Range) uint64) bool {
	changed := false
	for i := range r.entries {
		e := &r.entries[i]
		if e.peer != peer {
			continue
		}
		var n uint64
		for _, s := range r.spans(i) {
			n += free(s.toRange())
		}
		n = min(n, r.size(i))
		if n != e.free {
			e.free = n
			e.version++
			changed = true
		}
	}
	return changed
}
