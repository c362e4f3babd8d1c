package cluster

import (
	"strconv"
	"time"

	"github.com/hashicorp/memberlist"
)

// Timing holds memberlist's failure detection and gossip periods. Failure
// detection works in rounds: every ProbeInterval a peer pings the next peer of
// its shuffled list and waits ProbeTimeout for an answer, then asks others to
// ping it indirectly. A peer nobody reaches becomes suspect; it is declared
// dead after a suspicion timeout of SuspicionMult x log10(peers) x
// ProbeInterval (at least SuspicionMult x ProbeInterval), which confirmations
// from other peers shorten.
//
// Our own suspect state (see the package doc) appears when we have had no
// direct answer from a peer for two probe rounds plus one interval:
// ProbeInterval x (2 x others + 1) + ProbeTimeout, scaled by memberlist's
// health score when this host is itself slow.
type Timing struct {
	// ProbeInterval is the period of failure detection probes.
	ProbeInterval time.Duration
	// ProbeTimeout is how long a direct probe waits for its answer.
	ProbeTimeout time.Duration
	// SuspicionMult scales the time a suspect peer has to refute.
	SuspicionMult int
	// GossipInterval is the period of gossip to a few random peers.
	GossipInterval time.Duration
	// PushPullInterval is the period of the full-state exchange with one
	// random peer; it also carries StateHandler state.
	PushPullInterval time.Duration
	// TCPTimeout bounds a stream dial, a push/pull and a reliable send.
	TCPTimeout time.Duration
	// GossipToTheDead is how long gossip still goes to a dead peer, so that
	// it may learn of its death and refute it.
	GossipToTheDead time.Duration
	// DeadNodeReclaim is how long a dead peer's name stays bound to its old
	// address; after it, the name may come back from another address.
	DeadNodeReclaim time.Duration
}

// DefaultTiming returns memberlist's LAN profile with two changes, each
// explained beside its value. A peer cut off is dead for the others after
// about six seconds in a cluster of three (one probe round to notice, then
// the 4s suspicion timeout), and within ten seconds in clusters of a few
// dozen, where confirmations from several probers shorten the timeout.
func DefaultTiming() Timing {
	lan := memberlist.DefaultLANConfig()
	return Timing{
		ProbeInterval:    lan.ProbeInterval,
		ProbeTimeout:     lan.ProbeTimeout,
		SuspicionMult:    lan.SuspicionMult,
		GossipInterval:   lan.GossipInterval,
		PushPullInterval: lan.PushPullInterval,
		// TCPTimeout is 5s instead of LAN's 10s: each rejoin attempt of an
		// unreachable peer holds a rejoin worker this long, and a LAN
		// connect that has not finished in 5s is not going to.
		TCPTimeout:      5 * time.Second,
		GossipToTheDead: lan.GossipToTheDeadTime,
		// DeadNodeReclaim is 30s instead of LAN's 0 (never): a host that
		// comes back with a new underlay address (DHCP, re-provisioning)
		// keeps its stable peer name, and must be let in under it.
		DeadNodeReclaim: 30 * time.Second,
	}
}

// FastTiming returns periods about five times shorter than DefaultTiming, for
// tests: a peer cut off is dead within about a second and a half, and dead
// peers are no longer gossiped to after two seconds.
func FastTiming() Timing {
	return Timing{
		ProbeInterval:    200 * time.Millisecond,
		ProbeTimeout:     100 * time.Millisecond,
		SuspicionMult:    3,
		GossipInterval:   40 * time.Millisecond,
		PushPullInterval: 2 * time.Second,
		TCPTimeout:       time.Second,
		GossipToTheDead:  2 * time.Second,
		DeadNodeReclaim:  2 * time.Second,
	}
}

func (t Timing) validate() error {
	checks := []struct {
		field string
		v     time.Duration
	}{
		{"Timing.ProbeInterval", t.ProbeInterval},
		{"Timing.ProbeTimeout", t.ProbeTimeout},
		{"Timing.GossipInterval", t.GossipInterval},
		{"Timing.PushPullInterval", t.PushPullInterval},
		{"Timing.TCPTimeout", t.TCPTimeout},
		{"Timing.GossipToTheDead", t.GossipToTheDead},
	}
	for _, c := range checks {
		if c.v <= 0 {
			return invalid(c.field, c.v.String(), "must be positive")
		}
	}
	if t.ProbeTimeout >= t.ProbeInterval {
		return invalid("Timing.ProbeTimeout", t.ProbeTimeout.String(),
			"must be shorter than Timing.ProbeInterval "+t.ProbeInterval.String())
	}
	if t.SuspicionMult < 1 {
		return invalid("Timing.SuspicionMult", strconv.Itoa(t.SuspicionMult), "must be at least 1")
	}
	if t.DeadNodeReclaim < 0 {
		return invalid("Timing.DeadNodeReclaim", t.DeadNodeReclaim.String(),
			"must not be negative (0 never reclaims)")
	}
	return nil
}

// suspectAfter is how long a live peer may stay silent before we call it
// suspect, given how many other peers memberlist probes and its health score.
func (t Timing) suspectAfter(others, health int) time.Duration {
	if others < 1 {
		others = 1
	}
	interval := t.ProbeInterval * time.Duration(health+1)
	return interval*time.Duration(2*others+1) + t.ProbeTimeout
}
