package ipam

import (
	"fmt"
	"strings"
)

// eventBuffer is how many events wait for a slow reader before new ones are
// dropped (and counted in Status.DroppedEvents).
const eventBuffer = 64

// EventKind says what happened.
type EventKind uint8

// The events an Allocator reports.
const (
	// EventMergeRefused: a ring from Peer was refused, for the first time
	// in a row or for a new reason (Err). Rings seeded differently, and
	// rings that take this peer's space, are refused this way.
	EventMergeRefused EventKind = 1 + iota
	// EventMergeResumed: a ring from Peer merged again after refusals.
	EventMergeResumed
	// EventRingAgreed: consensus chose Peers to divide the range between.
	EventRingAgreed
	// EventRingJoined: this peer had no ring and took Peer's.
	EventRingJoined
	// EventSpaceReceived: Peer gave this peer Addresses (a donation, a
	// claim or a handover).
	EventSpaceReceived
	// EventSpaceGiven: this peer gave Peer Addresses.
	EventSpaceGiven
	// EventPeerRemoved: RemovePeer took Addresses over from Peer.
	EventPeerRemoved
)

// String returns the kind as a lowercase phrase, fit for a log message.
func (k EventKind) String() string {
	switch k {
	case EventMergeRefused:
		return "ring refused"
	case EventMergeResumed:
		return "ring merges again"
	case EventRingAgreed:
		return "ring agreed"
	case EventRingJoined:
		return "ring joined"
	case EventSpaceReceived:
		return "space received"
	case EventSpaceGiven:
		return "space given"
	case EventPeerRemoved:
		return "peer removed"
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is one change worth a log line. Only the fields its Kind names are
// set.
type Event struct {
	Kind      EventKind
	Peer      string
	Addresses uint64
	Peers     []string
	Err       string
}

// String returns the event on one line.
func (e Event) String() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	if e.Peer != "" {
		fmt.Fprintf(&b, " peer=%s", e.Peer)
	}
	if e.Addresses != 0 {
		fmt.Fprintf(&b, " addresses=%d", e.Addresses)
	}
	if len(e.Peers) > 0 {
		fmt.Fprintf(&b, " peers=%s", strings.Join(e.Peers, ","))
	}
	if e.Err != "" {
		fmt.Fprintf(&b, " err=%q", e.Err)
	}
	return b.String()
}

// Events returns the channel of events, for the daemon to log. It is
// buffered; when the reader falls behind, new events are dropped and counted
// in Status.DroppedEvents. Close closes it. Every call returns the same
// channel.
func (a *Allocator) Events() <-chan Event { return a.events }

// emit sends e without blocking. The caller holds a.mu.
func (a *Allocator) emit(e Event) {
	if a.closed {
		return
	}
	select {
	case a.events <- e:
	default:
		a.dropped++
	}
}
