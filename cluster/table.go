package cluster

import (
	"time"

	"github.com/hashicorp/memberlist"
)

// record is the table entry of one remote peer.
type record struct {
	peer Peer
	// leaving is set once the peer's metadata said it is leaving.
	leaving bool
	// addr is the gossip address the rejoin loop uses while the peer is not
	// live; "" once Forget dropped it, until the peer is heard from again.
	addr string
}

// peerLive records a peer memberlist reports alive, new or with new
// metadata, and publishes the change.
func (c *Cluster) peerLive(n *memberlist.Node) {
	if n.Name == c.cfg.Name {
		return
	}
	p, m := peerFromNode(n)
	p.State = StateAlive
	p.LastSeen = time.Now()

	c.mu.Lock()
	defer c.mu.Unlock()
	r, seen := c.peers[p.Name]
	if !seen {
		r = &record{}
		c.peers[p.Name] = r
	}
	wasLive := seen && r.peer.State.Live()
	r.peer, r.leaving, r.addr = p, m.Leaving, p.GossipAddr()
	kind := PeerUpdated
	if !wasLive {
		kind = PeerJoined
		c.live.Add(1)
		c.log.Info("peer joined", "peer", p.Name, "nickname", p.Nickname,
			"addr", r.addr, "version", p.Version)
	}
	c.hub.publish(Event{Kind: kind, Peer: p})
}

// peerGone records a peer memberlist declared dead or that left.
func (c *Cluster) peerGone(n *memberlist.Node) {
	if n.Name == c.cfg.Name {
		return
	}
	p, m := peerFromNode(n)

	c.mu.Lock()
	defer c.mu.Unlock()
	r, seen := c.peers[p.Name]
	if !seen {
		r = &record{addr: p.GossipAddr()}
		c.peers[p.Name] = r
	}
	if seen && !r.peer.State.Live() {
		return
	}
	if seen {
		c.live.Add(-1)
	}
	p.LastSeen = r.peer.LastSeen
	p.State = StateDead
	if r.leaving || m.Leaving {
		// A peer that leaves is the source of the news, so this counts
		// as hearing from it.
		p.State = StateLeft
		p.LastSeen = time.Now()
	}
	r.peer = p
	c.log.Info("peer gone", "peer", p.Name, "state", p.State.String(), "addr", r.addr)
	c.hub.publish(Event{Kind: PeerLeft, Peer: p})
}

// heard records that a peer answered a probe or sent a message. A suspect
// peer becomes alive again.
func (c *Cluster) heard(name string) {
	if name == c.cfg.Name {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.peers[name]
	if !ok || !r.peer.State.Live() {
		return
	}
	r.peer.LastSeen = time.Now()
	if r.peer.State == StateSuspect {
		r.peer.State = StateAlive
		c.log.Info("peer answers again", "peer", name)
		c.hub.publish(Event{Kind: PeerUpdated, Peer: r.peer})
	}
}

// sweep marks suspect every alive peer silent for longer than after.
func (c *Cluster) sweep(now time.Time, after time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.peers {
		if r.peer.State != StateAlive || now.Sub(r.peer.LastSeen) <= after {
			continue
		}
		r.peer.State = StateSuspect
		c.log.Info("peer suspect", "peer", r.peer.Name,
			"silent", now.Sub(r.peer.LastSeen).Round(time.Millisecond).String())
		c.hub.publish(Event{Kind: PeerUpdated, Peer: r.peer})
	}
}

// sweepLoop runs sweep twice per probe interval until Shutdown.
func (c *Cluster) sweepLoop() {
	defer c.wg.Done()
	t := time.NewTicker(c.cfg.Timing.ProbeInterval / 2)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case now := <-t.C:
			others := int(c.live.Load())
			if others == 0 {
				continue
			}
			c.sweep(now, c.cfg.Timing.suspectAfter(others, c.ml.GetHealthScore()))
		}
	}
}

// livePeers returns the peers that are alive or suspect.
func (c *Cluster) livePeers() []Peer {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Peer, 0, len(c.peers))
	for _, r := range c.peers {
		if r.peer.State.Live() {
			out = append(out, r.peer)
		}
	}
	return out
}
