package ipam

import (
	"context"
	"fmt"
)

// RemovePeer takes over every range the ring gives to peer, as `weave rmpeer`
// does for a peer that is gone for good, and returns how many addresses it
// took. The ring is committed and broadcast before RemovePeer returns.
//
// It refuses a peer that SetPeers last reported alive (ErrPeerAlive), and
// works only while no handover of this peer's is pending. Beyond that it is
// the operator's decision, to be made on one live peer only, once the rest
// of the cluster has heard the removed peer's last ring: should the peer
// come back, it refuses the changed ring (ring.ErrOwnRangeChanged, shown in
// its Status) and the two peers disagree over those addresses until one of
// them is reset.
func (a *Allocator) RemovePeer(ctx context.Context, peer string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("remove peer %q: %w", peer, err)
	}
	if peer == a.cfg.Self {
		return 0, fmt.Errorf("remove peer %q: it is this peer", peer)
	}
	a.mu.Lock()
	switch {
	case a.closed:
		a.mu.Unlock()
		return 0, fmt.Errorf("remove peer %q: %w", peer, ErrClosed)
	case a.aliveKnown && a.alive[peer]:
		a.mu.Unlock()
		return 0, fmt.Errorf("remove peer %q: %w: the member list shows it alive; stop it "+
			"with weave stop there (which hands its space over), or wait until it is "+
			"reported dead", peer, ErrPeerAlive)
	case a.pending != nil:
		a.mu.Unlock()
		return 0, fmt.Errorf("remove peer %q: this peer's handover to %q waits for an "+
			"answer: %w", peer, a.pending.to, ErrHandoverPending)
	}
	next := a.ring.Clone()
	var taken uint64
	for _, r := range next.OwnedRanges(peer) {
		if err := next.Transfer(peer, a.cfg.Self, r); err != nil {
			a.mu.Unlock()
			return 0, fmt.Errorf("remove peer %q: %w", peer, err)
		}
		taken += r.Size()
	}
	if taken == 0 {
		a.mu.Unlock()
		return 0, nil
	}
	a.ring = next
	committed := make(chan struct{})
	a.commit.writeRing(true, func([]byte) { close(committed) })
	a.spaceChanged()
	a.emit(Event{Kind: EventPeerRemoved, Peer: peer, Addresses: taken})
	a.mu.Unlock()

	select {
	case <-committed:
		return taken, nil
	case <-ctx.Done():
		return taken, fmt.Errorf("remove peer %q: taken over in memory, commit pending: %w",
			peer, ctx.Err())
	}
}
