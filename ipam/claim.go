package ipam

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"weave.works/weave/ipam/ring"
)

// claimBook keeps, for each address a Claim waits on, how many Claims wait
// and the owner's latest answer. Answers for addresses no one waits on are
// not kept.
type claimBook map[netip.Addr]*claimWait

// claimWait is the entry of one address in a claimBook.
type claimWait struct {
	waiters int
	// seq counts the answers; an answer newer than the request is one
	// whose seq is above the seq seen when the request went out.
	seq  uint64
	from string
	code byte
}

// Claim allocates the address addr for label. It fails with ErrInUse when the
// address is held, here or, as its owner answers, on another peer. When
// another peer owns addr, Claim asks that peer to give it the block holding
// addr, and fails with ErrOwnedElsewhere, naming the owner, when the owner is
// unreachable, does not answer within RequestTimeout, or will not give it.
// Claiming an address already allocated to the same non-empty label
// succeeds, so that a restarted container gets its address back.
func (a *Allocator) Claim(ctx context.Context, addr netip.Addr, label string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("claim %s: %w", addr, err)
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	if err := a.awaitRing(ctx); err != nil {
		return fmt.Errorf("claim %s: %w", addr, err)
	}
	a.mu.Lock()
	w := a.claims.wait(addr)
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.claims.done(addr)
		a.mu.Unlock()
	}()

	patience := min(maxAskPatience, a.cfg.RequestTimeout/4)
	var asked string
	var askedSeq uint64
	var askedAt time.Time
	for {
		a.mu.Lock()
		err := a.checkClaim(addr, label)
		switch {
		case err == nil:
			done := a.reserve(addr, label)
			a.mu.Unlock()
			if err := <-done; err != nil {
				return fmt.Errorf("claim %s: %w", addr, err)
			}
			return nil
		case err == errAlreadyYours:
			a.mu.Unlock()
			return nil
		case !errors.Is(err, ErrOwnedElsewhere):
			a.mu.Unlock()
			return fmt.Errorf("claim %s: %w", addr, err)
		}
		owner := a.ring.Owner(addr)
		if owner == "" || !a.reachable(owner) {
			a.mu.Unlock()
			return fmt.Errorf("claim %s: %w, which is unreachable", addr, err)
		}
		if asked == owner && w.seq > askedSeq && w.from == owner {
			// The owner answered and still owns it: it will not give it.
			a.mu.Unlock()
			return fmt.Errorf("claim %s: %w", addr, claimRefusal(owner, w.code))
		}
		if asked != owner || time.Since(askedAt) >= patience {
			asked, askedSeq, askedAt = owner, w.seq, time.Now()
			a.sendClaimRequest(owner, addr)
		}
		if !a.awaitChange(ctx, patience) {
			return fmt.Errorf("claim %s: owned by peer %q, which did not give it: %w (%w)",
				addr, owner, ErrOwnedElsewhere, ctx.Err())
		}
	}
}

// claimRefusal turns an owner's answer into the error Claim returns.
func claimRefusal(owner string, code byte) error {
	switch code {
	case claimInUse:
		return fmt.Errorf("allocated on peer %q: %w", owner, ErrInUse)
	case claimBusy:
		return fmt.Errorf("owned by peer %q, which is handing its space over: %w", owner,
			ErrOwnedElsewhere)
	}
	return fmt.Errorf("owned by peer %q, which would not give it: %w", owner,
		ErrOwnedElsewhere)
}

// wait registers one more Claim waiting on addr and returns its entry.
func (b claimBook) wait(addr netip.Addr) *claimWait {
	w := b[addr]
	if w == nil {
		w = &claimWait{}
		b[addr] = w
	}
	w.waiters++
	return w
}

// done unregisters a Claim on addr, forgetting the entry after the last.
func (b claimBook) done(addr netip.Addr) {
	if w := b[addr]; w != nil {
		if w.waiters--; w.waiters <= 0 {
			delete(b, addr)
		}
	}
}

// sendClaimRequest asks owner for the block holding addr. The caller holds
// a.mu.
func (a *Allocator) sendClaimRequest(owner string, addr netip.Addr) {
	b := addr.As4()
	msg := append([]byte{msgClaimRequest}, b[:]...)
	a.spawn(func() {
		if err := a.gossip.Send(owner, msg); err != nil {
			a.mu.Lock()
			// An owner that cannot be reached answers nothing; the claim
			// gives up when its time is up, or asks again after patience.
			a.spaceChanged()
			a.mu.Unlock()
		}
	})
}

// handleClaimRequest answers a peer that claims an address this peer owns:
// when the address is free, it gives the peer the largest aligned free block
// holding it, no larger than half of this peer's free space (but at least the
// address itself), and answers once the transfer is committed.
func (a *Allocator) handleClaimRequest(from string, body []byte) {
	if len(body) != 4 || from == "" || from == a.cfg.Self {
		return
	}
	addr := netip.AddrFrom4([4]byte(body))
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || !a.cfg.Range.Contains(addr) || checkName(from) != nil {
		return
	}
	code := claimGiven
	switch {
	case a.ring.Owner(addr) != a.cfg.Self || a.frozen(addr):
		code = claimNotOwner
	case a.held.has(addr):
		code = claimInUse
	case a.stopping || a.pending != nil:
		code = claimBusy
	}
	var given uint64
	if code == claimGiven {
		blk := a.claimBlock(addr)
		if err := a.ring.Transfer(a.cfg.Self, from, blk.toRange()); err != nil {
			code = claimNotOwner
		} else {
			given = blk.size()
			a.emit(Event{Kind: EventSpaceGiven, Peer: from, Addresses: given})
		}
	}
	a.commit.writeRing(given > 0, func(data []byte) {
		answer := append([]byte{msgClaimAnswer}, body...)
		answer = append(append(answer, code), data...)
		a.spawn(func() { _ = a.gossip.Send(from, answer) })
	})
}

// claimBlock returns the block to give for a claim of the free address addr.
// The caller holds a.mu.
func (a *Allocator) claimBlock(addr netip.Addr) block {
	x := uint64(u32(addr))
	limit := max(1, a.freeOwned()/2)
	for _, r := range a.usableRanges() {
		b := blockOf(r)
		if x < b.lo || x > b.hi {
			continue
		}
		var around block
		a.held.freeRuns(b, func(run block) {
			if x >= run.lo && x <= run.hi {
				around = alignedAround(run, x, limit)
			}
		})
		return around
	}
	return block{lo: x, hi: x}
}

// handleClaimAnswer merges the owner's ring and records its answer for the
// Claims waiting on the address.
func (a *Allocator) handleClaimAnswer(from string, body []byte) {
	if len(body) < 5 {
		return
	}
	addr := netip.AddrFrom4([4]byte(body[:4]))
	code := body[4]
	a.mergeRing(from, body[5:], false)
	a.mu.Lock()
	defer a.mu.Unlock()
	if w := a.claims[addr]; w != nil && code >= claimGiven && code <= claimBusy {
		w.seq++
		w.from, w.code = from, code
		if code == claimGiven {
			// The ring says whether the block really came; Claim looks.
			w.from = ""
		}
		a.spaceChanged()
	}
}

// usableRanges returns what this peer owns and may allocate from: its ranges
// in the ring, less any offered in a pending handover. The caller holds a.mu.
func (a *Allocator) usableRanges() []ring.Range {
	own := a.ring.OwnedRanges(a.cfg.Self)
	if a.pending == nil {
		return own
	}
	return subtractRanges(own, a.pending.ranges)
}

// frozen reports whether addr was offered in a pending handover. The caller
// holds a.mu.
func (a *Allocator) frozen(addr netip.Addr) bool {
	if a.pending == nil {
		return false
	}
	for _, r := range a.pending.ranges {
		if r.Contains(addr) {
			return true
		}
	}
	return false
}
