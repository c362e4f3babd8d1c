package ipam

import (
	"context"
	"fmt"
	"strings"
	"time"

	"weave.works/weave/ipam/paxos"
)

// awaitRing returns once the ring exists and is committed, asking for
// consensus if that is how it comes, or fails when ctx ends, saying what was
// missing.
func (a *Allocator) awaitRing(ctx context.Context) error {
	patience := min(maxAskPatience, a.cfg.RequestTimeout/4)
	ask := ringAsk{patience: patience}
	for {
		a.mu.Lock()
		if a.closed {
			a.mu.Unlock()
			return ErrClosed
		}
		if !a.persistedID.IsZero() {
			a.mu.Unlock()
			return nil
		}
		switch c := a.cons; {
		case !a.ring.Identity().IsZero():
			// The ring is there and its commit under way: wait for it, so
			// that what this peer sends from now on carries it.
		case c != nil:
			c.want = true
			a.kickConsensus()
		default:
			a.askForRing(&ask)
		}
		if !a.awaitChange(ctx, patience) {
			a.mu.Lock()
			defer a.mu.Unlock()
			return fmt.Errorf("%w: %s within %s: %w", ErrNoRing, a.waitingFor(),
				a.cfg.RequestTimeout, ctx.Err())
		}
	}
}

// ringAsk is an observer's search for the ring: whom it asked, and when it
// last did.
type ringAsk struct {
	asked    map[string]bool
	last     time.Time
	patience time.Duration
}

// askForRing has an observer without a ring ask one live peer it has not
// asked yet for space in the whole range, at most once per patience: the
// answer brings the ring, and often space with it. The caller holds a.mu.
func (a *Allocator) askForRing(ask *ringAsk) {
	if time.Since(ask.last) < ask.patience {
		return
	}
	if ask.asked == nil {
		ask.asked = map[string]bool{}
	}
	for _, p := range a.livePeers() {
		if ask.asked[p] {
			continue
		}
		ask.asked[p] = true
		ask.last = time.Now()
		msg := newSpaceRequest(a.cfg.Range, a.cfg.RequestTimeout).message
		a.spawn(func() { _ = a.gossip.Send(p, msg) })
		return
	}
}

// waitingFor says what the ring waits for, or "" when there is a ring. The
// caller holds a.mu.
func (a *Allocator) waitingFor() string {
	switch {
	case !a.ring.Identity().IsZero():
		return ""
	case a.cons == nil:
		return "observer: no peer has sent the ring yet"
	}
	c := a.cons
	msg := fmt.Sprintf("consensus=%d needs %d peers, heard from %d", c.n, paxos.Quorum(c.n),
		len(c.heard))
	if len(c.heard) > 0 {
		msg += " (" + strings.Join(c.heard, ", ") + ")"
	}
	if !a.aliveKnown {
		msg += "; no member list reported yet"
	}
	return msg
}
