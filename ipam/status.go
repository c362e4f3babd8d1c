package ipam

import (
	"net/netip"
	"sort"

	"weave.works/weave/ipam/ring"
)

// Status is a snapshot of the allocator for `weave status ipam`.
type Status struct {
	Range netip.Prefix
	Self  string
	// Seed identifies the seed set the ring came from.
	Seed string
	// Peers lists every peer owning part of the range, by name.
	Peers []PeerShare
	// Owned, Free and Used count this peer's addresses: owned in the ring,
	// free for allocation among those, allocated.
	Owned uint64
	Free  uint64
	Used  int
	// MergeErrors lists, per peer, the last ring from it that was refused;
	// a later ring from the peer that merges cleanly clears its line.
	MergeErrors []MergeError
}

// PeerShare is one peer's part of the range.
type PeerShare struct {
	Peer      string
	Addresses uint64
	// Percent is Addresses as a percentage of the range.
	Percent float64
	// Free is what the peer last reported as free.
	Free uint64
}

// MergeError is a refused ring: from whom, why, and how many in a row.
type MergeError struct {
	Peer  string
	Err   string
	Count int
}

// Status returns the range, each peer's share, this peer's counts and the
// merge errors kept.
func (a *Allocator) Status() Status {
	a.mu.Lock()
	defer a.mu.Unlock()
	total := ring.RangeOf(a.cfg.Range).Size()
	st := Status{
		Range: a.cfg.Range,
		Self:  a.cfg.Self,
		Seed:  a.ring.Identity().String(),
		Owned: a.ring.ShareOf(a.cfg.Self),
		Free:  a.freeOwned(),
	}
	for _, s := range a.slots {
		if s.state != pending {
			st.Used++
		}
	}
	for _, p := range a.ring.Peers() {
		n := a.ring.ShareOf(p)
		st.Peers = append(st.Peers, PeerShare{
			Peer:      p,
			Addresses: n,
			Percent:   100 * float64(n) / float64(total),
			Free:      a.ring.FreeOf(p),
		})
	}
	for p, e := range a.mergeErrs {
		e.Peer = p
		st.MergeErrors = append(st.MergeErrors, e)
	}
	sort.Slice(st.MergeErrors, func(i, j int) bool {
		return st.MergeErrors[i].Peer < st.MergeErrors[j].Peer
	})
	return st
}
