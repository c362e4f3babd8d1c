package ipam

import (
	"context"
	"fmt"
)

// RemovePeer takes over every range the ring gives to peer, as `weave rmpeer`
// does for a peer that is gone for good, and returns how many addresses it
// took. The ring is committed and broadcast before RemovePeer returns.
//
// It is the operator's decision: should the peer still be alive, it refuses
// the changed ring (ring.ErrOwnRangeChanged, shown in its Status) and the two
// peers disagree over those addresses until one of them is reset.
func (a *Allocator) RemovePeer(ctx context.Context, peer string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("remove peer %q: %w", peer, err)
	}
	if peer == a.cfg.Self {
		return 0, fmt.Errorf("remove peer %q: it is this peer", peer)
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return 0, fmt.Errorf("remove peer %q: %w", peer, ErrClosed)
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
	a.mu.Unlock()

	select {
	case <-committed:
		return taken, nil
	case <-ctx.Done():
		return taken, fmt.Errorf("remove peer %q: taken over in memory, commit pending: %w",
			peer, ctx.Err())
	}
}
