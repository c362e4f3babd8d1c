package ipam

import (
	"fmt"
	"slices"
	"testing"
)

// TestAllocatorsNeverOwnTwice drives 100 to 120 allocators through random
// allocations, releases, claims (local, and from the owner), donations,
// full-state merges, lost and reordered messages, restarts, handovers of
// leaving peers, and rmpeer of peers gone for good. After every step no
// address is held by two containers, every allocation lies in its peer's own
// space, and no two peers own one address. Seeded: the seed is printed and
// -ipam.seed replays the run.
func TestAllocatorsNeverOwnTwice(t *testing.T) {
	seed := testSeed(t)
	steps := 2500
	if testing.Short() {
		steps = 400
	}
	n := newSimNet(t, seed, pfx("10.40.0.0/16"))
	n.fanout = 4
	n.loss = 50
	peers := 100 + n.rnd.IntN(21)
	var seeds []string
	for i := range 40 {
		seeds = append(seeds, fmt.Sprintf("p%03d", i))
	}
	for i := range peers {
		in := Init{Mode: InitSeed, Seeds: seeds}
		if i%20 == 19 {
			in = Init{Mode: InitObserver}
		}
		n.add(fmt.Sprintf("p%03d", i), in)
	}
	n.announce()

	kills := 0
	for step := range steps {
		nd := n.pick()
		switch op := n.rnd.IntN(1000); {
		case op < 400:
			for range 1 + n.rnd.IntN(10) {
				n.deliver()
			}
		case op < 620:
			n.allocate(nd)
		case op < 760:
			n.release(nd)
		case op < 830:
			n.claim(nd)
		case op < 950:
			n.exchange(nd, n.pick())
		case op < 975:
			n.restart()
		case op < 992:
			n.leave(nd, step)
		case kills < 3:
			n.kill(seed)
			kills++
		}
		n.departures(step)
		n.check(seed, step)
	}
	t.Logf("seed %d, %d peers: %v", seed, peers, n.stats)
}

// leave has nd start handing its space over, as `weave stop` does; the
// peer stops for good once the handover completes, or after a while.
func (n *simNet) leave(nd *simNode, step int) {
	if nd.leftAt >= 0 || len(n.up()) < 3 {
		return
	}
	if h, _, err := nd.a.beginHandover(); h == nil && err != nil {
		return
	}
	nd.leftAt = step
	n.stats["leave"]++
	n.settle()
}

// departures stops the leaving peers whose handover completed or that
// waited long enough.
func (n *simNet) departures(step int) {
	for _, nd := range n.up() {
		if nd.leftAt < 0 {
			continue
		}
		nd.a.mu.Lock()
		done := nd.a.pending == nil
		nd.a.mu.Unlock()
		if done || step-nd.leftAt > 50 {
			if done {
				n.stats["handed over"]++
			}
			n.stop(nd)
			nd.gone = true
			n.announce()
		}
	}
}

// kill makes a peer gone for good (stopping it if it runs) and has one live
// peer take its space over with rmpeer, as an operator would: once the
// peer's last ring has reached the others and they have converged. Peers
// down for a restart come back first, so that they converge too.
func (n *simNet) kill(seed uint64) {
	var candidates []*simNode
	for _, name := range n.names {
		nd := n.nodes[name]
		if nd.a == nil && !nd.gone {
			n.start(nd)
		}
		if !nd.removed {
			candidates = append(candidates, nd)
		}
	}
	v := candidates[n.rnd.IntN(len(candidates))]
	if v.a != nil {
		if len(n.up()) < 3 {
			return
		}
		n.stop(v)
		v.gone = true
	}
	n.mu.Lock()
	n.queue = slices.DeleteFunc(n.queue, func(m simMsg) bool {
		return m.from == v.name || m.to == v.name
	})
	n.fresh = len(n.queue)
	n.mu.Unlock()
	n.announce()
	for _, nd := range n.up() {
		nd.a.MergeState(v.name, v.state)
		n.settle()
	}
	bound := 2*bitsFor(len(n.up())) + 2
	for k := range bound {
		n.dissemination(1, k)
		n.dropQueue()
	}
	// The operator runs rmpeer on a peer that is not itself leaving.
	var x *simNode
	for _, nd := range n.up() {
		if nd.leftAt < 0 && (x == nil || n.rnd.IntN(4) == 0) {
			x = nd
		}
	}
	if x == nil {
		return
	}
	if _, err := x.a.RemovePeer(bg, v.name); err != nil {
		n.t.Fatalf("seed %d: %s cannot rmpeer %s: %v", seed, x.name, v.name, err)
	}
	v.removed = true
	n.stats["rmpeer"]++
	n.settle()
}
