package ipam

import (
	"bytes"

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
// broadcasts, a request for space, or the answer to one. The glue may feed
// it every message it receives for the allocator. It does not block on the
// network or the disk.
func (a *Allocator) HandleMessage(from string, payload []byte) {
	if len(payload) == 0 {
		return
	}
	switch payload[0] {
	case msgSpaceRequest:
		a.handleSpaceRequest(from, payload[1:])
	case msgSpaceAnswer:
		a.mergeRing(from, payload[1:], true)
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
		a.noteMergeError(from, err)
		return
	}
	delete(a.mergeErrs, from)
	if next.Equal(a.ring) {
		return
	}
	a.ring = next
	// Passing on what we learnt speeds up convergence; the ring goes out
	// only once committed.
	a.commit.writeRing(true, nil)
}

// noteMergeError keeps err as the last refused ring from peer. The caller
// holds a.mu.
func (a *Allocator) noteMergeError(peer string, err error) {
	e := a.mergeErrs[peer]
	e.Count++
	e.Err = err.Error()
	a.mergeErrs[peer] = e
}
