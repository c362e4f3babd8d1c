package ipam

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"weave.works/weave/ipam/ring"
)

// simNet is a deterministic network of allocators. Messages wait in a queue
// until the test delivers or drops them; every choice (which message, which
// operation, loss, partitions, restarts) comes from one seeded generator.
// After each step the test waits until no allocator has work under way, and
// sorts the messages that arrived meanwhile, so that the run depends on the
// seed alone and not on goroutine timing.
type simNet struct {
	t   testing.TB
	rnd *rand.Rand
	dir string

	mu    sync.Mutex
	queue []simMsg
	// fresh is where the messages not yet sorted start in queue.
	fresh int
	group map[string]int

	nodes map[string]*simNode
	names []string
	// rng is the range every peer divides.
	rng netip.Prefix
	// loss is the chance, in per mille, that a delivered message is lost.
	loss int
	// fanout, when not 0, is how many peers a broadcast reaches, chosen by
	// a hash of the message so that the choice does not depend on timing.
	fanout int
	// label numbers allocations, so that every container is told apart.
	label int
	stats map[string]int
}

// simMsg is a message in flight.
type simMsg struct {
	from, to string
	payload  []byte
}

// simNode is one peer: up with an allocator, down for a restart (its
// allocations kept from before it went down), or gone for good.
type simNode struct {
	name string
	cfg  Config
	a    *Allocator
	// held is what the peer's containers hold while it is down or gone;
	// owned and state are its space and ring from then.
	held  map[netip.Addr]string
	owned []ring.Range
	state []byte
	// gone marks a peer stopped for good; removed, one taken over by
	// rmpeer, whose containers are gone too.
	gone, removed bool
	// leftAt is the step a leaving peer began its handover at, or -1.
	leftAt int
}

func newSimNet(t testing.TB, seed uint64, rng netip.Prefix) *simNet {
	n := &simNet{t: t, rnd: rand.New(rand.NewPCG(seed, 7)), dir: t.TempDir(), rng: rng,
		group: map[string]int{}, nodes: map[string]*simNode{}, stats: map[string]int{}}
	t.Cleanup(func() {
		for _, nd := range n.nodes {
			if nd.a != nil {
				nd.a.Close()
			}
		}
	})
	return n
}

// simGossip is one peer's Gossip on the simulated network.
type simGossip struct {
	n    *simNet
	self string
}

func (g simGossip) Broadcast(payload []byte) {
	g.n.mu.Lock()
	defer g.n.mu.Unlock()
	names := g.n.names
	if f := g.n.fanout; f > 0 && f < len(names) {
		h := fnv.New64a()
		h.Write([]byte(g.self))
		h.Write(payload)
		start := int(h.Sum64() % uint64(len(names)))
		names = nil
		for i := range f + 1 {
			names = append(names, g.n.names[(start+i)%len(g.n.names)])
		}
	}
	for _, name := range names {
		if name != g.self {
			g.n.queue = append(g.n.queue, simMsg{g.self, name, bytes.Clone(payload)})
		}
	}
}

// Send fails, as the membership layer's does, when the peer is known to be
// unreachable; otherwise the message waits in the queue and may still be
// lost.
func (g simGossip) Send(to string, payload []byte) error {
	g.n.mu.Lock()
	defer g.n.mu.Unlock()
	if nd := g.n.nodes[to]; nd == nil || nd.a == nil || g.n.group[to] != g.n.group[g.self] {
		return fmt.Errorf("send to %s: unreachable", to)
	}
	g.n.queue = append(g.n.queue, simMsg{g.self, to, bytes.Clone(payload)})
	return nil
}

// add makes a peer and starts it.
func (n *simNet) add(name string, in Init) *simNode {
	cfg := DefaultConfig()
	cfg.Self, cfg.Init = name, in
	cfg.Range = n.rng
	cfg.Path = filepath.Join(n.dir, name+".db")
	// No operation of the simulation waits; the shortest timeout makes
	// every "ask again after patience" decision the same on every run.
	cfg.RequestTimeout = time.Nanosecond
	nd := &simNode{name: name, cfg: cfg, leftAt: -1}
	n.nodes[name] = nd
	n.names = append(n.names, name)
	slices.Sort(n.names)
	n.start(nd)
	return nd
}

func (n *simNet) start(nd *simNode) {
	a, err := Open(nd.cfg, simGossip{n: n, self: nd.name})
	if err != nil {
		n.t.Fatalf("open %s: %v", nd.name, err)
	}
	// The simulation restarts processes, not machines: what is written
	// survives without waiting for the disk.
	a.db.NoSync = true
	if nd.held != nil && !maps.Equal(a.Allocated(), nd.held) {
		n.t.Fatalf("%s restarted with %d allocations, had %d", nd.name, len(a.Allocated()),
			len(nd.held))
	}
	n.mu.Lock()
	nd.a, nd.held = a, nil
	n.mu.Unlock()
}

// stop closes a peer, keeping what its containers hold and its last ring.
func (n *simNet) stop(nd *simNode) {
	n.settle()
	held, state := nd.a.Allocated(), nd.a.LocalState()
	nd.a.mu.Lock()
	owned := nd.a.usableRanges()
	nd.a.mu.Unlock()
	if err := nd.a.Close(); err != nil {
		n.t.Fatalf("close %s: %v", nd.name, err)
	}
	n.mu.Lock()
	nd.a, nd.held, nd.owned, nd.state = nil, held, owned, state
	n.mu.Unlock()
}

// up returns the peers that run, in name order.
func (n *simNet) up() []*simNode {
	var out []*simNode
	for _, name := range n.names {
		if nd := n.nodes[name]; nd.a != nil {
			out = append(out, nd)
		}
	}
	return out
}

// announce tells every running peer which peers it can reach, as the daemon
// does from the member list.
func (n *simNet) announce() {
	up := n.up()
	for _, nd := range up {
		var alive []string
		for _, o := range up {
			if n.group[o.name] == n.group[nd.name] {
				alive = append(alive, o.name)
			}
		}
		nd.a.SetPeers(alive)
	}
	n.settle()
}

// settle waits until no allocator has a commit or a send under way, then
// sorts the messages that came in meanwhile.
func (n *simNet) settle() {
	deadline := time.Now().Add(10 * time.Second)
	for _, nd := range n.up() {
		for !nd.a.idle() {
			if time.Now().After(deadline) {
				n.t.Fatalf("%s did not settle", nd.name)
			}
			time.Sleep(20 * time.Microsecond)
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	slices.SortStableFunc(n.queue[n.fresh:], func(x, y simMsg) int {
		if c := cmp.Compare(x.from, y.from); c != 0 {
			return c
		}
		if c := cmp.Compare(x.to, y.to); c != 0 {
			return c
		}
		return bytes.Compare(x.payload, y.payload)
	})
	n.fresh = len(n.queue)
}

// idle reports whether the allocator has nothing under way: no change
// waiting for or in a commit, and no goroutine sending.
func (a *Allocator) idle() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := &a.commit
	return len(c.queue) == 0 && !c.ringDirty && !c.busy && a.async.Load() == 0
}

// deliver hands one random queued message to its receiver, unless the
// receiver is down, in another partition, or the message is lost.
func (n *simNet) deliver() {
	n.mu.Lock()
	if len(n.queue) == 0 {
		n.mu.Unlock()
		return
	}
	k := n.rnd.IntN(len(n.queue))
	m := n.queue[k]
	n.queue = slices.Delete(n.queue, k, k+1)
	n.fresh = len(n.queue)
	to := n.nodes[m.to]
	lost := n.rnd.IntN(1000) < n.loss
	reach := to.a != nil && n.group[m.from] == n.group[m.to]
	n.mu.Unlock()
	switch {
	case !reach:
		n.stats["undeliverable"]++
	case lost:
		n.stats["lost"]++
	default:
		n.stats["delivered"]++
		to.a.HandleMessage(m.from, m.payload)
	}
	n.settle()
}

// exchange has two running peers in one partition swap full state, as
// memberlist's push/pull does.
func (n *simNet) exchange(x, y *simNode) {
	if x == y || x.a == nil || y.a == nil || n.group[x.name] != n.group[y.name] {
		return
	}
	sx, sy := x.a.LocalState(), y.a.LocalState()
	y.a.MergeState(x.name, sx)
	x.a.MergeState(y.name, sy)
	n.settle()
}

// dissemination runs rounds of exchanges among the running peers: in round
// k peer i exchanges with peer i+2^k. After ceil(log2 N) rounds every peer
// has merged, through some chain, the state every other peer had at the
// start.
func (n *simNet) dissemination(rounds, first int) {
	up := n.up()
	for k := first; k < first+rounds; k++ {
		step := 1 << (k % bitsFor(len(up)))
		for i := range up {
			n.exchange(up[i], up[(i+step)%len(up)])
		}
	}
}

// bitsFor returns ceil(log2 n), at least 1.
func bitsFor(n int) int {
	r := 1
	for 1<<r < n {
		r++
	}
	return r
}

// dropQueue loses every message in flight.
func (n *simNet) dropQueue() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stats["dropped at heal"] += len(n.queue)
	n.queue, n.fresh = nil, 0
}

// agree reports whether every running peer has the same committed ring.
func (n *simNet) agree() bool {
	var first []byte
	for _, nd := range n.up() {
		s := nd.a.LocalState()
		if first != nil && !bytes.Equal(s, first) {
			return false
		}
		first = s
	}
	return true
}

var verboseSim = flag.Bool("ipam.simlog", false, "log how fast the simulated rings agree")
