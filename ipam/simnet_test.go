package ipam

import (
	"fmt"
	"testing"
)

// TestSimulatedNetwork runs six allocators (four seeds, a peer outside the
// seeds and an observer) over a simulated network with random partitions,
// 10% message loss and restarts (Close, then Open on the same file), for
// thousands of operations. At every step no address is held by two
// containers, every allocation lies in its peer's own space, and no two
// peers own one address. Every side of a partition that owns free space
// keeps allocating. After the heal, with loss off, the rings agree within
// the bound the test states: 2*ceil(log2 N)+2 rounds of pairwise full-state
// exchange (the second half covers the free counts a peer corrects after
// taking in space it learnt of). Seeded: the seed is printed and -ipam.seed
// replays the run.
func TestSimulatedNetwork(t *testing.T) {
	seed := testSeed(t)
	steps := 4000
	if testing.Short() {
		steps = 800
	}
	n := runSimulation(t, seed, steps)
	t.Logf("seed %d: %v", seed, n.stats)
	if n.stats["partition-alloc"] == 0 || n.stats["restart"] == 0 {
		t.Errorf("seed %d: the run had no partitioned allocation or no restart: %v", seed,
			n.stats)
	}
}

// TestSimulationIsReproducible runs one seed twice and compares every
// peer's final ring and allocations.
func TestSimulationIsReproducible(t *testing.T) {
	seed := testSeed(t)
	digest := func(n *simNet) string {
		out := fmt.Sprint(n.stats)
		for _, nd := range n.up() {
			out += fmt.Sprintf("\n%s %x %v", nd.name, nd.a.LocalState(), nd.a.Allocated())
		}
		return out
	}
	first := digest(runSimulation(t, seed, 300))
	if second := digest(runSimulation(t, seed, 300)); second != first {
		t.Fatalf("seed %d gave two different runs:\n%s\n---\n%s", seed, first, second)
	}
}

// runSimulation runs six allocators for the given number of steps, heals
// the network and checks the convergence bound. It returns the network, its
// peers still running.
func runSimulation(t *testing.T, seed uint64, steps int) *simNet {
	n := newSimNet(t, seed, pfx("10.40.0.0/22"))
	seeds := Init{Mode: InitSeed, Seeds: []string{"p0", "p1", "p2", "p3"}}
	for i := range 5 {
		n.add(fmt.Sprintf("p%d", i), seeds)
	}
	n.add("obs", Init{Mode: InitObserver})
	n.loss = 100
	n.announce()

	for step := range steps {
		n.simStep(step)
		n.check(seed, step)
	}

	// Heal: everyone up, one partition, no loss.
	for _, name := range n.names {
		if nd := n.nodes[name]; nd.a == nil {
			n.start(nd)
		}
		n.group[name] = 0
	}
	n.loss = 0
	n.announce()
	n.check(seed, steps)
	// What is still in flight is dropped: the bound holds for full-state
	// exchanges alone.
	n.dropQueue()
	bound := 2*bitsFor(len(n.names)) + 2
	for k := range bound {
		n.dissemination(1, k)
		n.dropQueue()
		if *verboseSim && n.agree() {
			t.Logf("agree after %d rounds", k+1)
			break
		}
	}
	n.converged(seed, bound)
	n.check(seed, steps+1)
	return n
}

// simStep applies one random operation.
func (n *simNet) simStep(step int) {
	nd := n.pick()
	op := n.rnd.IntN(100)
	switch {
	case op < 40 || nd == nil:
		for range 1 + n.rnd.IntN(8) {
			n.deliver()
		}
	case op < 62:
		n.allocate(nd)
	case op < 75:
		n.release(nd)
	case op < 80:
		n.claim(nd)
	case op < 90:
		n.exchange(nd, n.pick())
	case op < 95:
		n.restart()
	default:
		n.repartition()
	}
}

// restart stops a running peer, or starts one that is down.
func (n *simNet) restart() {
	name := n.names[n.rnd.IntN(len(n.names))]
	nd := n.nodes[name]
	switch {
	case nd.gone:
		return
	case nd.a == nil:
		n.start(nd)
	case len(n.up()) > 2:
		n.stop(nd)
		n.stats["restart"]++
	}
	n.announce()
}

// repartition heals the network or splits it into two or three groups, then
// has one peer on every side that owns free space allocate, which must work.
func (n *simNet) repartition() {
	groups := 1 + n.rnd.IntN(3)
	for _, name := range n.names {
		n.group[name] = n.rnd.IntN(groups)
	}
	n.announce()
	if groups == 1 {
		return
	}
	for g := range groups {
		for _, nd := range n.up() {
			if n.group[nd.name] != g {
				continue
			}
			nd.a.mu.Lock()
			_, free := nd.a.lowestFree(n.rng)
			free = free && nd.a.refuseNew() == nil
			nd.a.mu.Unlock()
			if !free {
				continue
			}
			if _, err := nd.a.Allocate(bg, n.rng, n.nextLabel()); err != nil {
				n.t.Fatalf("%s, partitioned with free space, cannot allocate: %v", nd.name, err)
			}
			n.stats["partition-alloc"]++
			n.settle()
			break
		}
	}
}
