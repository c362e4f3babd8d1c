package ipam

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"weave.works/weave/ipam/ring"
)

// memNet connects allocators in memory. Delivery is synchronous, which the
// Gossip contract allows since no allocator lock is held while it sends.
type memNet struct {
	mu    sync.Mutex
	peers map[string]*Allocator
	// cut, when set for a peer, drops everything it sends or receives.
	cut map[string]bool
	// drop, when set, drops the messages it returns true for.
	drop func(from, to string, payload []byte) bool
}

func newMemNet() *memNet {
	return &memNet{peers: map[string]*Allocator{}, cut: map[string]bool{}}
}

// gossip returns the Gossip of peer name.
func (n *memNet) gossip(name string) Gossip { return memGossip{net: n, self: name} }

func (n *memNet) add(a *Allocator) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.peers[a.cfg.Self] = a
}

func (n *memNet) setCut(name string, cut bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cut[name] = cut
}

// setDrop installs a filter of messages to drop; nil drops none.
func (n *memNet) setDrop(f func(from, to string, payload []byte) bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.drop = f
}

// target returns the allocator to deliver to, or nil when the link is down or
// the message is dropped.
func (n *memNet) target(from, to string, payload []byte) *Allocator {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cut[from] || n.cut[to] || (n.drop != nil && n.drop(from, to, payload)) {
		return nil
	}
	return n.peers[to]
}

// announce tells every allocator on the net that the peers not cut off are
// alive, as the daemon does on membership changes.
func (n *memNet) announce() {
	n.mu.Lock()
	var alive []string
	var all []*Allocator
	for name, a := range n.peers {
		all = append(all, a)
		if !n.cut[name] {
			alive = append(alive, name)
		}
	}
	n.mu.Unlock()
	for _, a := range all {
		a.SetPeers(alive)
	}
}

func (n *memNet) names() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for name := range n.peers {
		out = append(out, name)
	}
	return out
}

type memGossip struct {
	net  *memNet
	self string
}

func (g memGossip) Broadcast(payload []byte) {
	for _, name := range g.net.names() {
		if a := g.net.target(g.self, name, payload); a != nil && name != g.self {
			a.HandleMessage(g.self, payload)
		}
	}
}

func (g memGossip) Send(peer string, payload []byte) error {
	a := g.net.target(g.self, peer, payload)
	if a == nil {
		return fmt.Errorf("send to %s: unreachable", peer)
	}
	a.HandleMessage(g.self, payload)
	return nil
}

// cluster opens one allocator per name on a shared memNet, all seeded from
// seeds.
func cluster(t *testing.T, net *memNet, seeds []string, names ...string) []*Allocator {
	var out []*Allocator
	for _, name := range names {
		a := open(t, testConfig(t, name, seeds...), net.gossip(name))
		net.add(a)
		out = append(out, a)
	}
	return out
}

func ringOf(t testing.TB, a *Allocator) *ring.Ring {
	t.Helper()
	var r ring.Ring
	if err := r.UnmarshalBinary(a.LocalState()); err != nil {
		t.Fatal(err)
	}
	return &r
}

// converged reports whether every allocator holds the same committed ring.
func converged(t testing.TB, as []*Allocator) bool {
	first := ringOf(t, as[0])
	for _, a := range as[1:] {
		if !ringOf(t, a).Equal(first) {
			return false
		}
	}
	return true
}

func TestThreePeersConverge(t *testing.T) {
	net := newMemNet()
	seeds := []string{"a", "b", "c"}
	as := cluster(t, net, seeds, seeds...)
	seen := map[string]string{}
	for i, a := range as {
		for j := range 5 {
			addr := mustAllocate(t, a, "10.32.0.0/12", fmt.Sprintf("c%d", j))
			if owner := ringOf(t, a).Owner(addr); owner != seeds[i] {
				t.Errorf("%s allocated %s in %s's space", seeds[i], addr, owner)
			}
			if prev, dup := seen[addr.String()]; dup {
				t.Errorf("%s handed out by %s and %s", addr, prev, seeds[i])
			}
			seen[addr.String()] = seeds[i]
		}
	}
	eventually(t, "rings to converge", func() bool { return converged(t, as) })
	st := as[0].Status()
	for _, p := range st.Peers {
		if p.Free != p.Addresses-5-frameFor(p.Peer) {
			t.Errorf("a sees %s free %d of %d, want the 5 allocations counted", p.Peer,
				p.Free, p.Addresses)
		}
	}
}

// frameFor returns how many of the range's first and last addresses fall in
// the seeded share of peer: a holds the first, c the last.
func frameFor(peer string) uint64 {
	if peer == "b" {
		return 0
	}
	return 1
}

func TestDifferentRingIsReported(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b"}, "a", "b")
	stranger := open(t, testConfig(t, "x", "x", "y"), net.gossip("x"))
	before := as[0].LocalState()
	as[0].MergeState("x", stranger.LocalState())
	as[0].HandleMessage("x", []byte("not a ring"))
	if string(as[0].LocalState()) != string(before) {
		t.Error("a foreign ring changed a's ring")
	}
	st := as[0].Status()
	if len(st.MergeErrors) != 1 || st.MergeErrors[0].Peer != "x" || st.MergeErrors[0].Count != 2 {
		t.Fatalf("MergeErrors = %+v, want two refusals from x", st.MergeErrors)
	}
	as[0].MergeState("x", stranger.LocalState())
	msg := as[0].Status().MergeErrors[0].Err
	if !strings.Contains(msg, ring.ErrDifferentRing.Error()) {
		t.Errorf("merge error %q does not say the rings differ", msg)
	}
}

func TestPartitionedPeersKeepAllocating(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b"}, "a", "b")
	net.setCut("b", true)
	x := mustAllocate(t, as[0], "10.32.0.0/12", "on a")
	y := mustAllocate(t, as[1], "10.32.0.0/12", "on b")
	if x == y {
		t.Fatalf("both halves handed out %s", x)
	}
	net.setCut("b", false)
	as[0].MergeState("b", as[1].LocalState())
	as[1].MergeState("a", as[0].LocalState())
	eventually(t, "rings to converge after the partition", func() bool { return converged(t, as) })
}

func TestDonation(t *testing.T) {
	net := newMemNet()
	// c is not a seed: it owns nothing until a or b gives it space.
	as := cluster(t, net, []string{"a", "b"}, "a", "b", "c")
	c := as[2]
	addr := mustAllocate(t, c, "10.32.0.0/12", "on c")
	r := ringOf(t, c)
	if owner := r.Owner(addr); owner != "c" {
		t.Fatalf("c allocated %s, owned by %q", addr, owner)
	}
	share := r.ShareOf("c")
	if share == 0 || share > 1<<18 || share&(share-1) != 0 {
		t.Errorf("c was given %d addresses, want a power of two up to half a donor's free space",
			share)
	}
	eventually(t, "rings to converge after the donation", func() bool { return converged(t, as) })
	// The donors ask c, the owner, which answers that the address is in
	// use there.
	for _, donor := range as[:2] {
		err := donor.Claim(bg, addr, "stolen")
		if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), `"c"`) {
			t.Errorf("%s claims c's %s: %v, want ErrInUse naming c", donor.cfg.Self, addr, err)
		}
	}
}

func TestDonationInSmallPool(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b"}, "a", "b")
	// The pool lies in a's half; b must get part of it from a.
	got := map[string]bool{}
	for i := range 6 {
		addr := mustAllocate(t, as[1], "10.32.3.0/28", fmt.Sprintf("b%d", i))
		if got[addr.String()] {
			t.Fatalf("b got %s twice", addr)
		}
		got[addr.String()] = true
	}
	// a gave the pool away and must now get the rest back from b, until all
	// 13 usable addresses of the /28 are out.
	for i := 0; ; i++ {
		addr, err := as[0].Allocate(bg, pfx("10.32.3.0/28"), fmt.Sprintf("a%d", i))
		if err != nil {
			if !errors.Is(err, ErrExhausted) {
				t.Fatalf("Allocate on a: %v", err)
			}
			break
		}
		if got[addr.String()] {
			t.Fatalf("a handed out %s, which b holds", addr)
		}
		got[addr.String()] = true
	}
	if len(got) != 13 {
		t.Errorf("a and b handed out %d addresses of the /28, want 13", len(got))
	}
}

func TestNoDonorMeansExhausted(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b"}, "a", "b", "c")
	net.setCut("c", true)
	_, err := as[2].Allocate(bg, pfx("10.32.0.0/12"), "alone")
	if !errors.Is(err, ErrExhausted) {
		t.Errorf("Allocate with every donor unreachable = %v, want ErrExhausted", err)
	}
}

func TestRemovePeer(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b", "c"}, "a", "b", "c")
	b := mustAllocate(t, as[1], "10.32.0.0/12", "on b")
	// rmpeer is only safe once the others heard b's last ring: b's
	// broadcast of its new free count goes out after Allocate returns.
	eventually(t, "b's last ring to spread", func() bool { return converged(t, as) })
	net.setCut("b", true)
	taken, err := as[0].RemovePeer(bg, "b")
	if err != nil {
		t.Fatal(err)
	}
	r := ringOf(t, as[0])
	if taken == 0 || r.ShareOf("b") != 0 || r.Owner(b) != "a" {
		t.Fatalf("after rmpeer: took %d, b still owns %d, %s is %q's", taken, r.ShareOf("b"), b,
			r.Owner(b))
	}
	eventually(t, "c to learn of the rmpeer", func() bool {
		return ringOf(t, as[2]).ShareOf("b") == 0
	})

	// b was not dead after all: it refuses the ring that took its space.
	net.setCut("b", false)
	as[1].MergeState("a", as[0].LocalState())
	if st := as[1].Status(); len(st.MergeErrors) == 0 || st.Owned == 0 {
		t.Errorf("b merged the ring that removed it: %+v", st)
	}
	if _, err := as[0].RemovePeer(bg, "a"); err == nil {
		t.Error("RemovePeer of itself succeeded")
	}
}

func TestDifferentRingIsReportedOnBothSides(t *testing.T) {
	net := newMemNet()
	a := cluster(t, net, []string{"a"}, "a")[0]
	x := cluster(t, net, []string{"x"}, "x")[0]
	a.MergeState("x", x.LocalState())
	// a refuses x's ring and sends its own once; x refuses it and sends
	// its own once; a refuses that too, and it stops there.
	for _, tt := range []struct {
		self  *Allocator
		other string
		count int
	}{{a, "x", 2}, {x, "a", 1}} {
		eventually(t, tt.self.cfg.Self+" to report the other ring", func() bool {
			errs := tt.self.Status().MergeErrors
			return len(errs) == 1 && errs[0].Peer == tt.other && errs[0].Count == tt.count &&
				strings.Contains(errs[0].Err, ring.ErrDifferentRing.Error())
		})
	}
	eventually(t, "both to settle", func() bool { return a.idle() && x.idle() })
	if a.Status().MergeErrors[0].Count != 2 || x.Status().MergeErrors[0].Count != 1 {
		t.Error("the two sides kept sending each other their rings")
	}
}
