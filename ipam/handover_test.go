package ipam

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// ownedTwice fails if two allocators' own rings both give one address to
// themselves, counting only space each may allocate from.
func ownedTwice(t *testing.T, as []*Allocator) {
	t.Helper()
	claims := map[string][]block{}
	for _, a := range as {
		a.mu.Lock()
		for _, r := range a.usableRanges() {
			claims[a.cfg.Self] = append(claims[a.cfg.Self], blockOf(r))
		}
		a.mu.Unlock()
	}
	for p, bs := range claims {
		for q, cs := range claims {
			if p >= q {
				continue
			}
			for _, b := range bs {
				for _, c := range cs {
					if o, ok := b.intersect(c); ok {
						t.Fatalf("%s and %s both own %s", p, q, o.toRange())
					}
				}
			}
		}
	}
}

func TestHandoverGivesFreeSpaceKeepsAllocations(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b", "c"}, "a", "b", "c")
	net.announce()
	var kept []string
	for _, l := range []string{"c1", "c2", "c3"} {
		kept = append(kept, mustAllocate(t, as[0], "10.32.0.0/12", l).String())
	}
	eventually(t, "rings to converge", func() bool { return converged(t, as) })
	owned := as[0].Status().Owned
	// The receiver is the peer reporting the most free space, the first by
	// name on a tie.
	r := ringOf(t, as[0])
	want := "b"
	if r.FreeOf("c") > r.FreeOf("b") {
		want = "c"
	}
	res, err := as[0].Handover(bg)
	if err != nil {
		t.Fatalf("Handover: %v", err)
	}
	if res.Peer != want || res.Given != owned-3 || res.Kept != 3 {
		t.Errorf("Handover() = %+v, want %s given %d, 3 kept", res, want, owned-3)
	}
	if got := len(as[0].Allocated()); got != 3 {
		t.Errorf("after handover a holds %d allocations, want its 3", got)
	}
	eventually(t, "rings to converge", func() bool { return converged(t, as) })
	ownedTwice(t, as)
	if _, err := as[0].Allocate(bg, pfx("10.32.0.0/12"), "late"); !errors.Is(err, ErrStopping) {
		t.Errorf("Allocate after Handover = %v, want ErrStopping", err)
	}
	err = as[1].Claim(bg, ip(kept[0]), "stolen")
	if !errors.Is(err, ErrInUse) {
		t.Errorf("b claims a's kept %s: %v, want ErrInUse", kept[0], err)
	}
	if st := as[0].Status(); !st.Stopping || st.Owned != 3 {
		t.Errorf("a after handover: %+v", st)
	}
}

func TestHandoverUnacknowledgedKeepsOwnership(t *testing.T) {
	net := newMemNet()
	cfgA := testConfig(t, "a", "a", "b")
	as := cluster(t, net, []string{"a", "b"}, "b")
	a, err := Open(cfgA, net.gossip("a"))
	if err != nil {
		t.Fatal(err)
	}
	net.add(a)
	net.announce()
	before := a.LocalState()
	offers := func(from, to string, p []byte) bool { return p[0] == msgHandoverOffer }
	net.setDrop(offers)
	ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
	defer cancel()
	_, err = a.Handover(ctx)
	if !errors.Is(err, ErrHandoverUnconfirmed) || !strings.Contains(err.Error(), "rmpeer a") {
		t.Fatalf("Handover without an answer = %v, want ErrHandoverUnconfirmed", err)
	}
	if string(a.LocalState()) != string(before) {
		t.Error("an unacknowledged handover changed the committed ring")
	}
	if st := a.Status(); st.Handover == "" || st.Stopping {
		t.Errorf("after the failed handover: %+v", st)
	}

	// The offered space is frozen: a allocates from space b donates.
	addr := mustAllocate(t, a, "10.32.0.0/12", "meanwhile")
	if a.frozen(addr) || ringOf(t, a).Owner(addr) != "a" {
		t.Errorf("a allocated %s in frozen or foreign space", addr)
	}

	// After a restart the offer is still pending and goes out again once b
	// is reachable; b takes it and a completes the handover.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = open(t, cfgA, net.gossip("a"))
	net.add(a)
	if a.Status().Handover == "" {
		t.Fatal("the pending handover did not survive the restart")
	}
	net.setDrop(nil)
	a.SetPeers(nil)
	net.announce()
	eventually(t, "the handover to complete", func() bool { return a.Status().Handover == "" })
	all := append(as, a)
	eventually(t, "rings to converge", func() bool { return converged(t, all) })
	ownedTwice(t, all)
	// a keeps only what b donated meanwhile.
	if st := a.Status(); st.Owned >= 1<<19 || st.Used != 1 || len(st.MergeErrors) != 0 {
		t.Errorf("a after the late handover: %+v", st)
	}
}

func TestHandoverLostAckResolvedByGossip(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b"}, "a", "b")
	net.announce()
	net.setDrop(func(from, to string, p []byte) bool { return from == "b" })
	ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
	defer cancel()
	if _, err := as[0].Handover(ctx); !errors.Is(err, ErrHandoverUnconfirmed) {
		t.Fatalf("Handover with b's answers lost = %v", err)
	}
	if ringOf(t, as[1]).ShareOf("a") != 0 {
		t.Fatal("b did not take the offer")
	}
	net.setDrop(nil)
	as[0].MergeState("b", as[1].LocalState())
	if st := as[0].Status(); st.Handover != "" || len(st.MergeErrors) != 0 || st.Owned != 0 {
		t.Errorf("b's ring did not complete the handover: %+v", st)
	}
	ownedTwice(t, as)
}

func TestHandoverRefusals(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b"}, "a", "b")
	as[0].SetPeers(nil)
	if _, err := as[0].Handover(bg); !errors.Is(err, ErrNoLivePeer) {
		t.Errorf("Handover alone = %v, want ErrNoLivePeer", err)
	}
	mustAllocate(t, as[0], "10.32.0.0/12", "still works")

	// A receiver that is itself stopping refuses.
	net.announce()
	as[1].mu.Lock()
	as[1].stopping = true
	as[1].mu.Unlock()
	_, err := as[0].Handover(bg)
	if !errors.Is(err, ErrHandoverUnconfirmed) || !strings.Contains(err.Error(), "own space over") {
		t.Errorf("Handover to a stopping peer = %v", err)
	}
	if _, err := as[0].RemovePeer(bg, "c"); !errors.Is(err, ErrHandoverPending) {
		t.Errorf("RemovePeer with a handover pending = %v", err)
	}
}

func TestRemovePeerRefusesLivePeer(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b", "c"}, "a", "b", "c")
	as[0].SetPeers([]string{"b", "c"})
	if _, err := as[0].RemovePeer(bg, "b"); !errors.Is(err, ErrPeerAlive) {
		t.Errorf("RemovePeer of a live peer = %v, want ErrPeerAlive", err)
	}
	as[0].SetPeers([]string{"c"})
	st := as[0].Status()
	var reach []bool
	for _, p := range st.Peers {
		reach = append(reach, p.Reachable)
	}
	if len(reach) != 3 || !reach[0] || reach[1] || !reach[2] ||
		!strings.Contains(st.Hint, "weave rmpeer b") {
		t.Errorf("Status with b down: reachable %v, hint %q", reach, st.Hint)
	}
	if n, err := as[0].RemovePeer(bg, "b"); err != nil || n == 0 {
		t.Errorf("RemovePeer of a dead peer = %d, %v", n, err)
	}
	if st := as[0].Status(); st.Hint != "" {
		t.Errorf("hint after rmpeer: %q", st.Hint)
	}
}

func TestEvents(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b"}, "a", "b", "c")
	stranger := open(t, testConfig(t, "x", "x"), nil)
	for range 3 {
		as[0].MergeState("x", stranger.LocalState())
	}
	mustAllocate(t, as[2], "10.32.0.0/12", "on c")
	kinds := func(a *Allocator) []EventKind {
		var out []EventKind
		for len(a.Events()) > 0 {
			out = append(out, (<-a.Events()).Kind)
		}
		return out
	}
	ea, eb, ec := kinds(as[0]), kinds(as[1]), kinds(as[2])
	if len(ea) == 0 || ea[0] != EventMergeRefused || count(ea, EventMergeRefused) != 1 {
		t.Errorf("a's events = %v, want one refusal first", ea)
	}
	if count(ec, EventSpaceReceived) != 1 {
		t.Errorf("c's events = %v, want the space it received", ec)
	}
	if given := count(ea, EventSpaceGiven) + count(eb, EventSpaceGiven); given != 1 {
		t.Errorf("%d donors reported giving space, want 1", given)
	}
	e := Event{Kind: EventSpaceGiven, Peer: "c", Addresses: 8}
	if e.String() != "space given peer=c addresses=8" {
		t.Errorf("Event.String() = %q", e.String())
	}
	as[0].Close()
	if _, ok := <-as[0].Events(); ok {
		t.Error("Events not closed by Close")
	}
}

func count(ks []EventKind, k EventKind) int {
	n := 0
	for _, x := range ks {
		if x == k {
			n++
		}
	}
	return n
}
