package ipam

import (
	"bytes"
	"errors"

	"weave.works/weave/ipam/ring"
)

// LocalState returns the ring as last committed, for the full-state exchange
// when peers join. It never returns changes that a crash could still undo.
func (a *Allocator) LocalState() []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return bytes.Clone(a.persisted)
}

// MergeState merges a ring received from peer from (LocalState or a
// broadcast of that peer). A ring that cannot be merged is refused and its
// error kept for Status.
func (a *Allocator) MergeState(from string, state []byte) {
	a.mergeRing(from, state, false)
}

// HandleMessage takes any message another allocator sent: a ring, as in
// broadcasts, a request for space or for an address, an answer to one, a
// consensus message, or a handover. The glue may feed it every message it
// receives for the allocator. It does not block on the network or the disk.
func (a *Allocator) HandleMessage(from string, payload []byte) {
	if len(payload) == 0 {
		return
	}
	body := payload[1:]
	switch payload[0] {
	case msgSpaceRequest:
		a.handleSpaceRequest(from, body)
	case msgSpaceAnswer:
		a.mergeRing(from, body, true)
	case msgPaxos:
		a.handlePaxos(from, body)
	case msgClaimRequest:
		a.handleClaimRequest(from, body)
	case msgClaimAnswer:
		a.handleClaimAnswer(from, body)
	case msgHandoverOffer:
		a.handleOffer(from, body)
	case msgHandoverAck:
		a.handleOfferAck(from, body)
	case msgHandoverRefuse:
		a.handleOfferRefusal(from, body)
	default:
		a.mergeRing(from, payload, false)
	}
}

// mergeRing merges a ring from peer from; answer says it answers a request
// for space.
func (a *Allocator) mergeRing(from string, data []byte, answer bool) {
	var other ring.Ring
	err := other.UnmarshalBinary(data)

	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	if err != nil {
		a.noteMergeError(from, err)
		return
	}
	if answer {
		// Whether or not it gave anything, the peer has answered: a
		// request waiting for it may ask the next one.
		a.heard[from]++
		a.spaceChanged()
	}
	next := a.ring.Clone()
	if err := next.Merge(&other); err != nil {
		// A ring that takes space this peer offered in a handover shows
		// that the receiver took the offer.
		if errors.Is(err, ring.ErrOwnRangeChanged) && a.resolvePending(&other) {
			a.clearMergeError(from)
			return
		}
		a.noteMergeError(from, err)
		if errors.Is(err, ring.ErrDifferentRing) && a.mergeErrs[from].Count == 1 {
			// Let the other side see the mismatch too, once.
			data := a.persisted
			a.spawn(func() { _ = a.gossip.Send(from, data) })
		}
		return
	}
	a.clearMergeError(from)
	a.install(from, next)
}

// install makes next the ring, commits and gossips it, and reports what the
// change means for this peer. The caller holds a.mu.
func (a *Allocator) install(from string, next *ring.Ring) {
	if next.Equal(a.ring) {
		return
	}
	before := a.ring
	a.ring = next
	switch gained := next.ShareOf(a.cfg.Self); {
	case before.Identity().IsZero():
		a.emit(Event{Kind: EventRingJoined, Peer: from, Peers: next.Peers()})
	case gained > before.ShareOf(a.cfg.Self):
		a.emit(Event{Kind: EventSpaceReceived, Peer: from,
			Addresses: gained - before.ShareOf(a.cfg.Self)})
	}
	a.spaceChanged()
	// Passing on what we learnt speeds up convergence; the ring goes out
	// only once committed.
	a.commit.writeRing(true, nil)
}

// noteMergeError keeps err as the last refused ring from peer, and reports
// it when it is the first in a row or says something new. The caller holds
// a.mu.
func (a *Allocator) noteMergeError(peer string, err error) {
	e := a.mergeErrs[peer]
	e.Count++
	changed := e.Err != err.Error()
	e.Err = err.Error()
	a.mergeErrs[peer] = e
	if changed {
		a.emit(Event{Kind: EventMergeRefused, Peer: peer, Err: e.Err})
	}
}

// clearMergeError forgets the refusals of peer after a ring from it merged.
// The caller holds a.mu.
func (a *Allocator) clearMergeError(peer string) {
	if _, ok := a.mergeErrs[peer]; ok {
		delete(a.mergeErrs, peer)
		a.emit(Event{Kind: EventMergeResumed, Peer: peer})
	}
}
