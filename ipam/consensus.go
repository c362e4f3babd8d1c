package ipam

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"

	"weave.works/weave/ipam/paxos"
	"weave.works/weave/ipam/ring"
)

// consensusInbox bounds the paxos messages waiting for the consensus loop;
// beyond it they are dropped, which Paxos tolerates like any loss.
const consensusInbox = 256

// maxRoundTimeout is the longest a proposer waits for a round to complete
// before it starts a higher one.
const maxRoundTimeout = time.Second

// consensus is the state of --ipalloc-init consensus=N while there is no
// ring. The acceptor, proposer and sentTo belong to the loop goroutine alone;
// want and heard are guarded by the allocator's mutex.
type consensus struct {
	n      int
	acc    paxos.Acceptor
	prop   *paxos.Proposer
	sentTo map[string]bool

	inbox chan inbound
	kick  chan struct{}
	done  chan struct{}

	// want says an allocation waits for the ring, so the loop proposes.
	want bool
	// heard lists the peers that answered this peer's proposals.
	heard []string
}

// inbound is a paxos message from another peer, waiting for the loop.
type inbound struct {
	from string
	msg  paxos.Msg
}

// newConsensus returns the state of consensus=n, its acceptor as saved.
func newConsensus(n int, acc paxos.Acceptor) *consensus {
	return &consensus{n: n, acc: acc, inbox: make(chan inbound, consensusInbox),
		kick: make(chan struct{}, 1), done: make(chan struct{})}
}

// kickConsensus wakes the consensus loop. The caller holds a.mu.
func (a *Allocator) kickConsensus() {
	if a.cons == nil {
		return
	}
	select {
	case a.cons.kick <- struct{}{}:
	default:
	}
}

// runConsensus answers other peers' paxos messages as an acceptor and, once
// an allocation waits for the ring, proposes round after round until the
// ring exists or the allocator closes.
func (a *Allocator) runConsensus(c *consensus) {
	defer close(c.done)
	roundTimeout := min(maxRoundTimeout, a.cfg.RequestTimeout/4)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	// grace bounds the wait of a proposer that has a quorum of promises
	// for the other acceptors' (paxos.Proposer.Waiting): peers launched
	// together answer within it, and each then gets a share of the range.
	grace := time.NewTimer(time.Hour)
	grace.Stop()
	defer grace.Stop()
	waiting := false
	for !a.hasRing() {
		if !waiting && c.prop != nil && c.prop.Waiting() {
			waiting = true
			grace.Reset(roundTimeout / 4)
		}
		select {
		case <-a.quit:
			return
		case in := <-c.inbox:
			a.consensusStep(c, in.from, in.msg)
		case <-grace.C:
			waiting = false
			if m, ok := c.prop.Settle(); ok {
				a.consensusOut(c, m)
			}
		case <-c.kick:
			a.mu.Lock()
			want := c.want
			a.mu.Unlock()
			switch {
			case c.prop != nil:
				a.consensusResend(c)
			case want:
				c.prop = paxos.NewProposer(a.cfg.Self, c.n)
				a.consensusRound(c)
				timer.Reset(jitter(roundTimeout))
			}
		case <-timer.C:
			grace.Stop()
			waiting = false
			a.consensusRound(c)
			timer.Reset(jitter(roundTimeout))
		}
	}
}

// jitter returns d scaled by a random factor from 0.5 to 1.5, so that
// proposers that failed together do not retry together.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d)
}

// hasRing reports whether the ring exists, or the allocator closed: either
// way the consensus loop is done.
func (a *Allocator) hasRing() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.closed || !a.ring.Identity().IsZero()
}

// consensusRound starts a new ballot, above the round this peer's own
// acceptor promised, so that no ballot is ever used twice.
func (a *Allocator) consensusRound(c *consensus) {
	if m, ok := c.prop.Begin(c.acc.Promised.Round); ok {
		a.consensusOut(c, m)
	}
}

// consensusOut sends a Prepare or Accept of this peer's proposer to its own
// acceptor first, which makes the ballot durable before any other peer sees
// it, then to every live peer.
func (a *Allocator) consensusOut(c *consensus, m paxos.Msg) {
	reply, ok := a.acceptDurably(c, m)
	c.sentTo = map[string]bool{}
	for _, p := range a.livePeersNow() {
		a.sendPaxos(p, m)
		c.sentTo[p] = true
	}
	if ok {
		a.consensusStep(c, a.cfg.Self, reply)
	}
}

// consensusResend sends the message of the phase under way to live peers
// that did not get it, as when they were not up yet.
func (a *Allocator) consensusResend(c *consensus) {
	m, ok := c.prop.Pending()
	if !ok {
		return
	}
	for _, p := range a.livePeersNow() {
		if !c.sentTo[p] {
			a.sendPaxos(p, m)
			c.sentTo[p] = true
		}
	}
}

// acceptDurably has this peer's acceptor answer m, and saves its state
// before the answer may leave. No answer is given when saving fails.
func (a *Allocator) acceptDurably(c *consensus, m paxos.Msg) (paxos.Msg, bool) {
	reply, changed, ok := c.acc.Receive(m)
	if !ok {
		return paxos.Msg{}, false
	}
	if changed {
		if err := saveAcceptor(a.db, c.acc); err != nil {
			return paxos.Msg{}, false
		}
	}
	return reply, true
}

// consensusStep takes one paxos message, from another peer or from this
// peer's own acceptor.
func (a *Allocator) consensusStep(c *consensus, from string, m paxos.Msg) {
	switch m.Kind {
	case paxos.KindPrepare, paxos.KindAccept:
		if reply, ok := a.acceptDurably(c, m); ok {
			a.sendPaxos(from, reply)
		}
		return
	}
	if c.prop == nil {
		return
	}
	next, ok := c.prop.Receive(from, m)
	a.mu.Lock()
	c.heard = c.prop.Heard()
	a.mu.Unlock()
	if ok {
		a.consensusOut(c, next)
	}
	if v, ok := c.prop.Decided(); ok {
		a.adoptConsensus(v)
	}
}

// adoptConsensus seeds the ring from the agreed peers, commits it and sends
// it to them and to every live peer.
func (a *Allocator) adoptConsensus(peers []string) {
	r, err := ring.Seed(a.cfg.Range, peers)
	if err != nil {
		return
	}
	r.SetSelf(a.cfg.Self)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || !a.ring.Identity().IsZero() {
		return
	}
	a.ring = r
	to := a.livePeers()
	a.commit.writeRing(true, func(data []byte) {
		for _, p := range to {
			a.spawn(func() { _ = a.gossip.Send(p, data) })
		}
	})
	a.spaceChanged()
	a.emit(Event{Kind: EventRingAgreed, Peers: slices.Clone(peers)})
}

// sendPaxos sends m to peer to, in the background; Paxos copes with its loss.
func (a *Allocator) sendPaxos(to string, m paxos.Msg) {
	if to == a.cfg.Self {
		return
	}
	msg := append(rangeHeader(msgPaxos, a.cfg.Range), m.Marshal()...)
	a.spawn(func() { _ = a.gossip.Send(to, msg) })
}

// rangeHeader returns the message type followed by the range.
func rangeHeader(kind byte, rng netip.Prefix) []byte {
	b := rng.Addr().As4()
	return append([]byte{kind}, b[0], b[1], b[2], b[3], byte(rng.Bits()))
}

// handlePaxos takes a paxos message from another peer. A peer that has the
// ring answers any request with the ring itself, so that late peers join it
// rather than vote again; others hand it to the consensus loop.
func (a *Allocator) handlePaxos(from string, body []byte) {
	if len(body) < 5 || from == "" || from == a.cfg.Self {
		return
	}
	rng := netip.PrefixFrom(netip.AddrFrom4([4]byte(body[:4])), int(body[4]))
	m, err := paxos.Unmarshal(body[5:])
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.closed:
		return
	case rng != a.cfg.Range:
		a.noteMergeError(from, fmt.Errorf("consensus over range %s there, %s here: %w", rng,
			a.cfg.Range, ring.ErrDifferentRing))
		return
	case err != nil:
		a.noteMergeError(from, err)
		return
	case !a.ring.Identity().IsZero():
		if m.Kind == paxos.KindPrepare || m.Kind == paxos.KindAccept {
			data := a.persisted
			a.spawn(func() { _ = a.gossip.Send(from, data) })
		}
		return
	case a.cons == nil:
		return
	case m.Size != a.cons.n:
		a.noteMergeError(from, fmt.Errorf("consensus=%d there, consensus=%d here: %w", m.Size,
			a.cons.n, ring.ErrDifferentRing))
		return
	}
	select {
	case a.cons.inbox <- inbound{from: from, msg: m}:
	default:
	}
}
