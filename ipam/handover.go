package ipam

import (
	"context"
	"fmt"
	"time"

	"weave.works/weave/ipam/ring"
)

// handover is space offered to a peer and not yet acknowledged. While it is
// pending the offered ranges are frozen (no allocation, donation or claim
// touches them) and this peer's own entries do not change, so that the offer
// stays exactly what the receiver may take. It is saved in the state file
// before it is first sent, and cleared in the commit of the ring that gives
// the space away.
type handover struct {
	to     string
	offer  *ring.Ring
	data   []byte
	ranges []ring.Range
	given  uint64
	// saved says the offer is in the state file and may be sent.
	saved    bool
	lastSent time.Time
}

// HandoverResult says what Handover did.
type HandoverResult struct {
	// Peer is the peer that took the space.
	Peer string
	// Given counts the addresses handed over; Kept those this peer still
	// owns, because its containers hold them.
	Given, Kept uint64
}

// Handover gives every free address this peer owns to one live peer, for
// `weave stop`, and returns once that peer has committed them and said so.
// Addresses that containers here hold stay this peer's, so that no address
// is ever handed out twice, and so that the containers get them back if the
// peer returns; if it never does, `weave rmpeer` frees them.
//
// The receiver is the live peer reporting the most free space. From the
// start of Handover on, the allocator takes no new allocations (ErrStopping).
// If the receiver does not acknowledge in time, Handover fails with
// ErrHandoverUnconfirmed: this peer keeps the addresses, frozen, offers them
// again whenever the receiver is reachable (also after a restart) until it
// answers, and takes allocations again. With no live peer, it fails with
// ErrNoLivePeer and changes nothing.
func (a *Allocator) Handover(ctx context.Context) (HandoverResult, error) {
	if err := ctx.Err(); err != nil {
		return HandoverResult{}, fmt.Errorf("hand over: %w", err)
	}
	h, res, err := a.beginHandover()
	if h == nil {
		return res, err
	}
	return a.awaitHandover(ctx, h)
}

// beginHandover stops new allocations, makes or takes up the offer, saves it
// and sends it. It returns a nil handover when there is nothing to wait for:
// nothing to give, or an error.
func (a *Allocator) beginHandover() (*handover, HandoverResult, error) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil, HandoverResult{}, fmt.Errorf("hand over: %w", ErrClosed)
	}
	a.stopping = true
	h := a.pending
	if h == nil {
		var err error
		if h, err = a.prepareHandover(); h == nil {
			kept := a.ring.ShareOf(a.cfg.Self)
			if err != nil {
				a.stopping = false
			}
			a.mu.Unlock()
			return nil, HandoverResult{Kept: kept}, err
		}
		a.pending = h
	}
	a.refusal = ""
	a.mu.Unlock()

	if !h.saved {
		if err := savePending(a.db, h); err != nil {
			a.mu.Lock()
			// The offer never left: dropping it is safe.
			a.pending, a.stopping = nil, false
			a.mu.Unlock()
			return nil, HandoverResult{}, fmt.Errorf("hand over to %q: %w", h.to, err)
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	h.saved = true
	if a.reachable(h.to) {
		a.sendOffer(h)
	}
	return h, HandoverResult{}, nil
}

// prepareHandover chooses the receiver and builds the offer, or returns nil
// when there is nothing to give. The caller holds a.mu.
func (a *Allocator) prepareHandover() (*handover, error) {
	var runs []ring.Range
	var given uint64
	for _, r := range a.usableRanges() {
		a.held.freeRuns(blockOf(r), func(b block) {
			runs = append(runs, b.toRange())
			given += b.size()
		})
	}
	if len(runs) == 0 {
		return nil, nil
	}
	to := ""
	for _, p := range a.livePeers() {
		if to == "" || a.ring.FreeOf(p) > a.ring.FreeOf(to) {
			to = p
		}
	}
	if to == "" {
		return nil, fmt.Errorf("hand over %d addresses: %w; this peer keeps them (if it is "+
			"gone for good, run weave rmpeer %s on a live peer)", given, ErrNoLivePeer,
			a.cfg.Self)
	}
	offer := a.ring.Clone()
	for _, r := range runs {
		if err := offer.Transfer(a.cfg.Self, to, r); err != nil {
			return nil, fmt.Errorf("hand over %s to %q: %w", r, to, err)
		}
	}
	data, err := offer.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("hand over to %q: %w", to, err)
	}
	return &handover{to: to, offer: offer, data: data, ranges: runs, given: given}, nil
}

// awaitHandover sends the offer, again after each patience, until the
// receiver acknowledges or refuses it, or ctx ends.
func (a *Allocator) awaitHandover(ctx context.Context, h *handover) (HandoverResult, error) {
	patience := min(maxAskPatience, a.cfg.RequestTimeout/4)
	fail := func(why string) (HandoverResult, error) {
		a.stopping = false
		kept := a.ring.ShareOf(a.cfg.Self)
		a.mu.Unlock()
		return HandoverResult{Peer: h.to, Kept: kept}, fmt.Errorf("hand over %d addresses to "+
			"peer %q: %s: %w; this peer keeps them, frozen, and offers them again when %q is "+
			"reachable; if this peer is gone for good, run weave rmpeer %s on a live peer",
			h.given, h.to, why, ErrHandoverUnconfirmed, h.to, a.cfg.Self)
	}
	for {
		a.mu.Lock()
		switch {
		case a.pending != h:
			res := HandoverResult{Peer: h.to, Given: h.given, Kept: a.ring.ShareOf(a.cfg.Self)}
			a.mu.Unlock()
			return res, nil
		case a.closed:
			a.mu.Unlock()
			return HandoverResult{Peer: h.to}, fmt.Errorf("hand over: %w", ErrClosed)
		case a.refusal != "":
			return fail("refused: " + a.refusal)
		case ctx.Err() != nil:
			return fail(fmt.Sprintf("no acknowledgement (%v)", ctx.Err()))
		}
		if a.reachable(h.to) && time.Since(h.lastSent) >= patience {
			a.sendOffer(h)
		}
		// An ended ctx is answered at the top of the loop.
		_ = a.awaitChange(ctx, patience)
	}
}

// sendOffer sends the pending offer to its receiver, once it is saved. The
// caller holds a.mu.
func (a *Allocator) sendOffer(h *handover) {
	if !h.saved {
		return
	}
	h.lastSent = time.Now()
	msg := append([]byte{msgHandoverOffer}, h.data...)
	a.spawn(func() { _ = a.gossip.Send(h.to, msg) })
}

// handleOffer takes space a stopping peer offers: it merges the offer like
// any ring of that peer, commits it, and acknowledges with its own ring. An
// offer already taken is acknowledged again.
func (a *Allocator) handleOffer(from string, body []byte) {
	refuse := func(reason string) {
		msg := append([]byte{msgHandoverRefuse}, reason...)
		a.spawn(func() { _ = a.gossip.Send(from, msg) })
	}
	var other ring.Ring
	if err := other.UnmarshalBinary(body); err != nil {
		refuse(err.Error())
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || from == a.cfg.Self {
		return
	}
	next := a.ring.Clone()
	if err := next.Merge(&other); err != nil {
		a.noteMergeError(from, err)
		refuse(err.Error())
		return
	}
	if !next.Equal(a.ring) && (a.stopping || a.pending != nil) {
		refuse(fmt.Sprintf("peer %s is handing its own space over", a.cfg.Self))
		return
	}
	a.clearMergeError(from)
	a.install(from, next)
	a.commit.writeRing(true, func(data []byte) {
		msg := append([]byte{msgHandoverAck}, data...)
		a.spawn(func() { _ = a.gossip.Send(from, msg) })
	})
}

// handleOfferAck completes the pending handover that from acknowledged.
func (a *Allocator) handleOfferAck(from string, body []byte) {
	var other ring.Ring
	decoded := other.UnmarshalBinary(body) == nil
	a.mu.Lock()
	h := a.pending
	if h == nil || h.to != from || a.closed {
		a.mu.Unlock()
		a.mergeRing(from, body, false)
		return
	}
	// The acknowledgement is proof enough that the receiver committed the
	// offer, even when the rest of its ring does not merge.
	if decoded && a.resolvePending(&other) {
		a.mu.Unlock()
		return
	}
	a.resolvePending(nil)
	a.mu.Unlock()
	a.mergeRing(from, body, false)
}

// handleOfferRefusal records why the receiver of the pending handover did not
// take it.
func (a *Allocator) handleOfferRefusal(from string, body []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if h := a.pending; h != nil && h.to == from {
		a.refusal = string(body[:min(len(body), 300)])
		a.spaceChanged()
	}
}

// resolvePending applies the pending offer to the ring, with evidence (a ring
// that shows the receiver took it) merged on top when given, and commits the
// result. It reports false, changing nothing, when evidence does not agree
// with the offer. The caller holds a.mu.
func (a *Allocator) resolvePending(evidence *ring.Ring) bool {
	h := a.pending
	if h == nil {
		return false
	}
	next := a.ring.Clone()
	// This peer's own entries have not changed since the offer was made,
	// so the offer is a newer replica of them; the check that protects
	// them from other peers does not apply.
	next.SetSelf("")
	if err := next.Merge(h.offer); err != nil {
		return false
	}
	next.SetSelf(a.cfg.Self)
	if evidence != nil {
		if err := next.Merge(evidence); err != nil {
			return false
		}
	}
	a.pending, a.refusal = nil, ""
	a.commit.clearHandover = true
	a.install(h.to, next)
	a.commit.writeRing(true, nil)
	a.emit(Event{Kind: EventSpaceGiven, Peer: h.to, Addresses: h.given})
	return true
}
