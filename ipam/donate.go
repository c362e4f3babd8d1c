package ipam

import (
	"bytes"
	"context"
	"net/netip"
	"time"
)

// maxAskPatience is how long a request waits for one donor before it asks
// the next peer.
const maxAskPatience = 2 * time.Second

// spaceRequest is one Allocate's search for space: which peers it asked, and
// when it last asked.
type spaceRequest struct {
	pool     netip.Prefix
	message  []byte
	asked    map[string]bool
	lastAsk  time.Time
	patience time.Duration
	// waitingFor is the peer asked last, and heard how many of its answers
	// had arrived then: one more is its answer to this request.
	waitingFor string
	heard      uint64
}

func newSpaceRequest(pool netip.Prefix, timeout time.Duration) *spaceRequest {
	a := pool.Addr().As4()
	msg := append([]byte{msgSpaceRequest}, a[:]...)
	return &spaceRequest{
		pool:     pool,
		message:  append(msg, byte(pool.Bits())),
		asked:    map[string]bool{},
		patience: min(maxAskPatience, timeout/4),
	}
}

// askForSpace asks the peer reporting the most free space in the request's
// pool, among those this request has not asked yet, to donate some; while the
// last peer asked may still answer, it asks no one else. It reports whether
// waiting may still bring space. The caller holds a.mu.
func (a *Allocator) askForSpace(req *spaceRequest) bool {
	answered := a.heard[req.waitingFor] != req.heard
	if !req.lastAsk.IsZero() && time.Since(req.lastAsk) < req.patience && !answered {
		return true
	}
	pool := blockOfPrefix(req.pool).toRange()
	best, bestFree := "", uint64(0)
	for _, p := range a.ring.Peers() {
		if p == a.cfg.Self || req.asked[p] || !a.reachable(p) {
			continue
		}
		if free := a.ring.FreeIn(p, pool); free > bestFree {
			best, bestFree = p, free
		}
	}
	if best == "" {
		return false
	}
	req.asked[best] = true
	req.lastAsk = time.Now()
	req.waitingFor, req.heard = best, a.heard[best]
	// The request carries this peer's ring, so that a donor that has not
	// heard of the latest ring yet (the first one, after consensus) can
	// still give.
	msg := append(bytes.Clone(req.message), a.persisted...)
	// Send may block on the network; the answer comes back as a ring
	// through HandleMessage, which wakes the request.
	a.spawn(func() {
		if err := a.gossip.Send(best, msg); err != nil {
			a.mu.Lock()
			req.lastAsk = time.Time{}
			a.spaceChanged()
			a.mu.Unlock()
		}
	})
	return true
}

// wait blocks until the space may have changed, the patience for the last
// donor runs out, or ctx ends; only the last is an error.
func (req *spaceRequest) wait(ctx context.Context, wake <-chan struct{}) error {
	t := time.NewTimer(req.patience)
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// handleSpaceRequest answers a peer's request for space: it gives the peer
// the largest aligned free block of this peer's space in the pool, at most
// half of this peer's free space, and sends the peer the ring once the
// transfer is committed. The peer gets the ring even when nothing could be
// given, so that it learns the current free counts. A peer handing its space
// over gives nothing this way.
func (a *Allocator) handleSpaceRequest(from string, body []byte) {
	if len(body) < 5 || from == "" || from == a.cfg.Self {
		return
	}
	if len(body) > 5 {
		a.mergeRing(from, body[5:], false)
	}
	pool := netip.PrefixFrom(netip.AddrFrom4([4]byte(body[:4])), int(body[4]))
	if a.checkPool(pool) != nil {
		return
	}
	pool = pool.Masked()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || checkName(from) != nil {
		return
	}
	blk, ok := a.donationBlock(pool)
	ok = ok && !a.stopping && a.pending == nil
	gave := ok && a.ring.Transfer(a.cfg.Self, from, blk.toRange()) == nil
	if gave {
		a.emit(Event{Kind: EventSpaceGiven, Peer: from, Addresses: blk.size()})
	}
	a.commit.writeRing(gave, func(ring []byte) {
		// A lost answer costs the asker its patience, after which it asks
		// another peer; the transfer itself is already committed and
		// reaches it by gossip anyway.
		answer := append([]byte{msgSpaceAnswer}, ring...)
		a.spawn(func() { _ = a.gossip.Send(from, answer) })
	})
}

// donationBlock picks what to give away in pool: the largest aligned run of
// free addresses this peer owns there, no larger than half of its free
// space. The caller holds a.mu.
func (a *Allocator) donationBlock(pool netip.Prefix) (block, bool) {
	limit := a.freeOwned() / 2
	if limit == 0 {
		return block{}, false
	}
	pb := blockOfPrefix(pool)
	var best block
	found := false
	for _, r := range a.usableRanges() {
		b, ok := blockOf(r).intersect(pb)
		if !ok {
			continue
		}
		a.held.freeRuns(b, func(run block) {
			if blk, ok := largestAligned(run, limit); ok && (!found || blk.size() > best.size()) {
				best, found = blk, true
			}
		})
	}
	return best, found
}
