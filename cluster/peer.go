package cluster

import (
	"fmt"
	"net/netip"
	"time"
)

// State is how this peer sees another one. The zero State is unknown.
type State int

// The states a peer goes through. A dead or left peer becomes alive again
// when it is heard from again.
const (
	// StateAlive means memberlist lists the peer and it answers us.
	StateAlive State = iota + 1
	// StateSuspect means memberlist lists the peer but it has not answered
	// our probes for longer than it should have.
	StateSuspect
	// StateDead means memberlist declared the peer failed.
	StateDead
	// StateLeft means the peer said it was leaving and then went.
	StateLeft
)

var stateNames = map[State]string{
	StateAlive:   "alive",
	StateSuspect: "suspect",
	StateDead:    "dead",
	StateLeft:    "left",
}

// String returns the lowercase name of s: "alive", "suspect", "dead", "left".
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("unknown(%d)", int(s))
}

// MarshalText encodes s as its name, so that JSON shows "alive", not 1.
func (s State) MarshalText() ([]byte, error) {
	return []byte(s.String()), nil
}

// UnmarshalText parses a name that String returns.
func (s *State) UnmarshalText(b []byte) error {
	for st, n := range stateNames {
		if n == string(b) {
			*s = st
			return nil
		}
	}
	return fmt.Errorf("parse peer state %q: unknown name", b)
}

// Live reports whether a peer in state s still counts as a member: alive or
// suspect.
func (s State) Live() bool {
	return s == StateAlive || s == StateSuspect
}

// Peer is one member of the mesh as this peer sees it.
type Peer struct {
	// Name is the peer's stable name, unique in the cluster.
	Name string
	// Nickname is the peer's host name, for people.
	Nickname string
	// Addr is the peer's underlay address, where its gossip port is reached.
	Addr netip.Addr
	// Port is the peer's gossip port (TCP and UDP).
	Port uint16
	// RaftPort is the port of the peer's Raft transport on Addr.
	RaftPort uint16
	// Version is the weave version the peer runs.
	Version string
	// State is the peer's state as this peer sees it.
	State State
	// LastSeen is the last time we heard from the peer: an answer to our
	// probe, a message from it, or news of it changing.
	LastSeen time.Time
	// Local is true for this peer itself.
	Local bool
}

// GossipAddr returns the host:port form of the peer's gossip address.
func (p Peer) GossipAddr() string {
	return netip.AddrPortFrom(p.Addr, p.Port).String()
}

// EventKind says what happened to a peer.
type EventKind int

// The kinds of Event. The zero EventKind is not used.
const (
	// PeerJoined: the peer is new, or came back after being dead or left.
	PeerJoined EventKind = iota + 1
	// PeerUpdated: the peer's metadata changed, or it went between alive
	// and suspect.
	PeerUpdated
	// PeerLeft: the peer is dead or left; Peer.State says which.
	PeerLeft
)

// String returns "joined", "updated" or "left".
func (k EventKind) String() string {
	switch k {
	case PeerJoined:
		return "joined"
	case PeerUpdated:
		return "updated"
	case PeerLeft:
		return "left"
	}
	return fmt.Sprintf("unknown(%d)", int(k))
}

// Event tells a subscriber about a change of one peer. Peer is the peer as it
// is after the change.
type Event struct {
	Kind EventKind
	Peer Peer
}
