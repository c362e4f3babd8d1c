package store

import (
	"slices"
	"strings"
	"sync"
)

// Member is one peer as the membership layer sees it: its stable name (the
// Raft server ID), the address of its Raft transport, and whether gossip
// thinks it alive. A peer that left the cluster is not a Member at all.
type Member struct {
	Name     string
	RaftAddr string
	Alive    bool
}

// Membership tells the store who its peers are; the daemon feeds it from
// gossip. Peers includes this peer. Subscribe returns a channel that
// receives a value (coalesced: at most one pending) after the peer set or
// a peer's state changes, and a function that ends the subscription.
// Both methods may be called from any goroutine and must not block.
type Membership interface {
	Peers() []Member
	Subscribe() (<-chan struct{}, func())
}

// StaticMembership is a Membership set by hand: for tests, and for a
// daemon that knows its peers without gossip.
type StaticMembership struct {
	mu      sync.Mutex
	members map[string]Member
	subs    map[chan struct{}]struct{}
}

// NewStaticMembership returns a membership holding members.
func NewStaticMembership(members ...Member) *StaticMembership {
	s := &StaticMembership{members: map[string]Member{}, subs: map[chan struct{}]struct{}{}}
	for _, m := range members {
		s.members[m.Name] = m
	}
	return s
}

// Peers returns the members sorted by name.
func (s *StaticMembership) Peers() []Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Member, 0, len(s.members))
	for _, m := range s.members {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Subscribe returns a change channel and its cancel function.
func (s *StaticMembership) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}
}

// Set adds or replaces a member and tells the subscribers.
func (s *StaticMembership) Set(m Member) {
	s.mu.Lock()
	s.members[m.Name] = m
	s.mu.Unlock()
	s.changed()
}

// Remove takes a member out, as when it leaves, and tells the subscribers.
func (s *StaticMembership) Remove(name string) {
	s.mu.Lock()
	delete(s.members, name)
	s.mu.Unlock()
	s.changed()
}

func (s *StaticMembership) changed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
