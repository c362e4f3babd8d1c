package ipam

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"weave.works/weave/ipam/ring"
)

// Status is a snapshot of the allocator for `weave status ipam`.
type Status struct {
	Range netip.Prefix
	Self  string
	// Init is the initial division in force, as ParseInit reads it.
	Init string
	// Seed identifies the seed set the ring came from; empty while there is
	// no ring.
	Seed string
	// Waiting says, while there is no ring, what it waits for, as
	// "consensus=3 needs 2 peers, heard from 1 (a)".
	Waiting string
	// Peers lists every peer owning part of the range, by name.
	Peers []PeerShare
	// Owned, Free and Used count this peer's addresses: owned in the ring,
	// free for allocation among those, allocated.
	Owned uint64
	Free  uint64
	Used  int
	// Stopping says Handover ran: no new allocations.
	Stopping bool
	// Handover describes a handover offered and not yet acknowledged.
	Handover string
	// MergeErrors lists, per peer, the last ring (or consensus message)
	// from it that was refused; a later ring from the peer that merges
	// cleanly clears its line.
	MergeErrors []MergeError
	// Hint is one line on what to do about unreachable peers that still
	// hold space; empty when there are none.
	Hint string
	// DroppedEvents counts events lost because no one read Events.
	DroppedEvents uint64
}

// PeerShare is one peer's part of the range.
type PeerShare struct {
	Peer      string
	Addresses uint64
	// Percent is Addresses as a percentage of the range.
	Percent float64
	// Free is what the peer last reported as free.
	Free uint64
	// Reachable is false for a peer SetPeers did not report alive.
	Reachable bool
}

// MergeError is a refused ring: from whom, why, and how many in a row.
type MergeError struct {
	Peer  string
	Err   string
	Count int
}

// Status returns the range, each peer's share, this peer's counts, what is
// pending, the merge errors kept and a hint for the operator.
func (a *Allocator) Status() Status {
	a.mu.Lock()
	defer a.mu.Unlock()
	total := ring.RangeOf(a.cfg.Range).Size()
	st := Status{
		Range:         a.cfg.Range,
		Self:          a.cfg.Self,
		Init:          a.cfg.init().String(),
		Waiting:       a.waitingFor(),
		Owned:         a.ring.ShareOf(a.cfg.Self),
		Free:          a.freeOwned(),
		Stopping:      a.stopping,
		DroppedEvents: a.dropped,
	}
	if id := a.ring.Identity(); !id.IsZero() {
		st.Seed = id.String()
	}
	for _, s := range a.slots {
		if s.state != pending {
			st.Used++
		}
	}
	var gone []PeerShare
	for _, p := range a.ring.Peers() {
		n := a.ring.ShareOf(p)
		sh := PeerShare{
			Peer:      p,
			Addresses: n,
			Percent:   100 * float64(n) / float64(total),
			Free:      a.ring.FreeOf(p),
			Reachable: p == a.cfg.Self || a.reachable(p),
		}
		st.Peers = append(st.Peers, sh)
		if !sh.Reachable {
			gone = append(gone, sh)
		}
	}
	st.Hint = hint(gone)
	if h := a.pending; h != nil {
		st.Handover = fmt.Sprintf("%d addresses offered to %s, waiting for its answer",
			h.given, h.to)
		if a.refusal != "" {
			st.Handover += "; it refused: " + a.refusal
		}
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

// hint returns the advice for unreachable peers that hold space.
func hint(gone []PeerShare) string {
	switch len(gone) {
	case 0:
		return ""
	case 1:
		g := gone[0]
		return fmt.Sprintf("%s is unreachable and holds %d addresses (%.1f%%): run "+
			"`weave rmpeer %s` on one live peer if %s is gone for good", g.Peer, g.Addresses,
			g.Percent, g.Peer, g.Peer)
	}
	var names []string
	var n uint64
	for _, g := range gone {
		names = append(names, g.Peer)
		n += g.Addresses
	}
	return fmt.Sprintf("%s are unreachable and hold %d addresses: run `weave rmpeer NAME` "+
		"on one live peer for each that is gone for good", strings.Join(names, ", "), n)
}
