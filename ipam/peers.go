package ipam

import (
	"maps"
	"slices"
	"time"
)

// SetPeers tells the allocator which peers are alive now, by name; the
// daemon calls it on every membership change. Names not given count as
// unreachable: the allocator asks no space of them, refuses to hand over to
// them, marks them in Status, and lets RemovePeer take them over. Until
// SetPeers is first called every peer counts as reachable (and RemovePeer as
// the operator's call alone), except for an allocator opened without Gossip,
// which knows it is alone.
func (a *Allocator) SetPeers(alive []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	next := make(map[string]bool, len(alive))
	for _, p := range alive {
		if p != a.cfg.Self && p != "" {
			next[p] = true
		}
	}
	var appeared []string
	for p := range next {
		if !a.alive[p] {
			appeared = append(appeared, p)
		}
	}
	a.alive, a.aliveKnown = next, true
	// A pending handover's offer goes out again on membership changes while
	// its receiver is alive (Handover itself resends while it waits).
	if h := a.pending; h != nil && next[h.to] && !a.stopping &&
		time.Since(h.lastSent) >= min(maxAskPatience, a.cfg.RequestTimeout/4) {
		a.sendOffer(h)
	}
	if len(appeared) == 0 {
		return
	}
	// New peers may have space to give or may vote.
	a.kickConsensus()
	a.spaceChanged()
}

// reachable reports whether peer may be asked for anything. The caller holds
// a.mu.
func (a *Allocator) reachable(peer string) bool {
	return !a.aliveKnown || a.alive[peer]
}

// livePeers returns the sorted names of the peers last reported alive,
// without this peer. The caller holds a.mu.
func (a *Allocator) livePeers() []string {
	return slices.Sorted(maps.Keys(a.alive))
}

// livePeersNow is livePeers for callers that do not hold a.mu.
func (a *Allocator) livePeersNow() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.livePeers()
}
