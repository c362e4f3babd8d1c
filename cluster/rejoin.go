package cluster

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rejoinPerTick bounds the join attempts of one rejoin round; the round
// after takes the next ones, so every address gets its turn.
const rejoinPerTick = 8

// resolveTimeout bounds the lookup of a host name in a rejoin round.
const resolveTimeout = time.Second

// Join contacts each address ("host" or "host:port", the port defaulting to
// ours), and merges with the cluster of every peer that answers. It returns
// how many answered, and an error if none did. Every address is remembered
// as known, whether it answered or not, so the rejoin loop keeps trying it.
func (c *Cluster) Join(addrs []string) (int, error) {
	if err := c.errIfClosed(); err != nil {
		return 0, err
	}
	targets := make([]string, 0, len(addrs))
	for _, a := range addrs {
		n, err := normalizeAddr(a, c.advPort)
		if err != nil {
			return 0, fmt.Errorf("join %q: %w", a, err)
		}
		if n != c.selfAddr {
			targets = append(targets, n)
		}
	}
	if len(targets) == 0 {
		return 0, nil
	}
	c.mu.Lock()
	for _, t := range targets {
		c.known[t] = struct{}{}
	}
	c.mu.Unlock()

	n, err := c.ml.Join(targets)
	if err != nil {
		err = flatten(err)
		c.log.Warn("join failed", "addrs", strings.Join(targets, ","), "err", err)
		return n, fmt.Errorf("join %s: %w", strings.Join(targets, ","), err)
	}
	c.log.Info("joined", "addrs", strings.Join(targets, ","), "answered", n)
	return n, nil
}

// Forget drops addresses from the known ones: neither an address given to
// Join nor the address of a peer seen there is re-joined any more, until the
// peer is heard from again. Addresses that do not parse are ignored.
func (c *Cluster) Forget(addrs []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range addrs {
		n, err := normalizeAddr(a, c.advPort)
		if err != nil {
			continue
		}
		delete(c.known, n)
		for _, r := range c.peers {
			if r.addr == n {
				r.addr = ""
			}
		}
		c.log.Info("address forgotten", "addr", n)
	}
}

// Known returns the known peer addresses, sorted: those given to Join and
// those of every peer seen, minus the forgotten ones.
func (c *Cluster) Known() []string {
	c.mu.Lock()
	set := make(map[string]struct{}, len(c.known)+len(c.peers))
	for a := range c.known {
		set[a] = struct{}{}
	}
	for _, r := range c.peers {
		if r.addr != "" {
			set[r.addr] = struct{}{}
		}
	}
	c.mu.Unlock()
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// rejoinLoop runs a rejoin round every RejoinInterval until Shutdown.
func (c *Cluster) rejoinLoop() {
	defer c.wg.Done()
	t := time.NewTicker(c.cfg.RejoinInterval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if !c.leaving.Load() {
				c.rejoinRound()
			}
		}
	}
}

// rejoinRound joins, concurrently, up to rejoinPerTick known addresses whose
// peer is not live, and waits for them (each bounded by Timing.TCPTimeout).
func (c *Cluster) rejoinRound() {
	targets, live := c.rejoinTargets()
	targets = c.dropLiveNames(targets, live)
	if len(targets) == 0 {
		return
	}
	c.mu.Lock()
	start := c.cursor % len(targets)
	c.cursor = start + rejoinPerTick
	c.mu.Unlock()

	var wg sync.WaitGroup
	for i := 0; i < len(targets) && i < rejoinPerTick; i++ {
		addr := targets[(start+i)%len(targets)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.rejoin(addr)
		}()
	}
	wg.Wait()
}

// rejoin joins one address. memberlist has merged the answer when Join
// returns, so the peer is live by then if the rejoin worked; a peer that has
// left but not yet shut down answers without coming back.
func (c *Cluster) rejoin(addr string) {
	c.log.Debug("rejoin attempt", "addr", addr)
	if _, err := c.ml.Join([]string{addr}); err != nil {
		c.log.Debug("rejoin failed", "addr", addr, "err", flatten(err))
		return
	}
	if name, ok := c.liveAt(addr); ok {
		c.log.Info("rejoined", "addr", addr, "peer", name)
		return
	}
	c.log.Debug("rejoin answered, peer still not alive", "addr", addr)
}

// liveAt returns the name of the live peer at a gossip address.
func (c *Cluster) liveAt(addr string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.peers {
		if r.peer.State.Live() && r.peer.GossipAddr() == addr {
			return r.peer.Name, true
		}
	}
	return "", false
}

// rejoinTargets returns the sorted known addresses that no live peer has,
// and the set of live peers' addresses.
func (c *Cluster) rejoinTargets() ([]string, map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	live := map[string]bool{c.selfAddr: true}
	for _, r := range c.peers {
		if r.peer.State.Live() {
			live[r.peer.GossipAddr()] = true
		}
	}
	set := make(map[string]struct{})
	for a := range c.known {
		set[a] = struct{}{}
	}
	for _, r := range c.peers {
		if r.addr != "" && !r.peer.State.Live() {
			set[r.addr] = struct{}{}
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		if !live[a] {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out, live
}

// dropLiveNames removes the host names that resolve only to live peers'
// addresses. A name that does not resolve stays, for memberlist to try.
func (c *Cluster) dropLiveNames(targets []string, live map[string]bool) []string {
	out := targets[:0]
	for _, t := range targets {
		host, port, err := net.SplitHostPort(t)
		if err != nil {
			continue
		}
		if _, err := netip.ParseAddr(host); err == nil || !c.allLive(host, port, live) {
			out = append(out, t)
		}
	}
	return out
}

func (c *Cluster) allLive(host, port string, live map[string]bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return false
	}
	p, _ := strconv.Atoi(port)
	for _, ip := range ips {
		if !live[netip.AddrPortFrom(ip.Unmap(), uint16(p)).String()] {
			return false
		}
	}
	return true
}
