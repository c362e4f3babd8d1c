package ipam

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"weave.works/weave/ipam/paxos"
)

// initConfig returns a test configuration of peer self with the given
// initial division and a short request timeout.
func initConfig(t testing.TB, self string, in Init) Config {
	c := testConfig(t, self)
	c.Init = in
	c.RequestTimeout = 2 * time.Second
	return c
}

// join opens allocators on net with the given configurations and announces
// the live set.
func join(t *testing.T, net *memNet, cfgs ...Config) []*Allocator {
	var out []*Allocator
	for _, c := range cfgs {
		a := open(t, c, net.gossip(c.Self))
		net.add(a)
		out = append(out, a)
	}
	net.announce()
	return out
}

func consensusPeers(t *testing.T, n int, names ...string) []Config {
	var out []Config
	for _, name := range names {
		out = append(out, initConfig(t, name, Init{Mode: InitConsensus, Quorum: n}))
	}
	return out
}

// allocateAll allocates on every allocator at once and fails on any error or
// duplicate.
func allocateAll(t *testing.T, as []*Allocator) {
	t.Helper()
	var wg sync.WaitGroup
	got := make([]string, len(as))
	for i, a := range as {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr, err := a.Allocate(bg, pfx("10.32.0.0/12"), "first")
			if err != nil {
				t.Errorf("Allocate on %s: %v", a.cfg.Self, err)
				return
			}
			got[i] = addr.String()
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, g := range got {
		if g != "" && seen[g] {
			t.Errorf("%s handed out twice", g)
		}
		seen[g] = true
	}
}

func TestConsensusAgreesOnOneRing(t *testing.T) {
	net := newMemNet()
	as := join(t, net, consensusPeers(t, 3, "a", "b", "c")...)
	allocateAll(t, as)
	eventually(t, "rings to converge", func() bool { return converged(t, as) })
	r := ringOf(t, as[0])
	if n := len(r.Peers()); n < 2 || n > 3 {
		t.Errorf("consensus divided the range between %v, want a majority of a, b, c",
			r.Peers())
	}
	// All three were live from the start: the proposer waits for the
	// third promise, so the range is divided between all of them.
	agreed := false
	for _, a := range as {
		for len(a.Events()) > 0 {
			if e := <-a.Events(); e.Kind == EventRingAgreed {
				agreed = true
				if strings.Join(e.Peers, ",") != "a,b,c" {
					t.Errorf("%s agreed on %v, want all of a, b, c", a.cfg.Self, e.Peers)
				}
			}
		}
	}
	if !agreed {
		t.Error("no allocator reported EventRingAgreed")
	}
}

func TestConsensusWithoutQuorumFails(t *testing.T) {
	net := newMemNet()
	cfgs := consensusPeers(t, 3, "a", "b")
	cfgs[0].RequestTimeout = 300 * time.Millisecond
	as := join(t, net, cfgs[0])
	start := time.Now()
	_, err := as[0].Allocate(bg, pfx("10.32.0.0/12"), "c1")
	want := "needs 2 peers, heard from 1 (a)"
	if !errors.Is(err, ErrNoRing) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Allocate with 1 of 3 peers = %v, want ErrNoRing saying 1 of 2", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Allocate took %s, want about RequestTimeout", took)
	}
	if w := as[0].Status().Waiting; !strings.Contains(w, "consensus=3 needs 2") {
		t.Errorf("Status().Waiting = %q", w)
	}

	// A second peer comes up: now there is a quorum.
	b := join(t, net, cfgs[1])[0]
	mustAllocate(t, as[0], "10.32.0.0/12", "c2")
	eventually(t, "b to get the ring", func() bool { return converged(t, []*Allocator{as[0], b}) })
}

func TestConsensusMinorityWaitsMajorityDecides(t *testing.T) {
	net := newMemNet()
	as := join(t, net, consensusPeers(t, 3, "a", "b", "c")...)
	net.setCut("a", true)
	net.announce()
	as[0].cfg.RequestTimeout = 300 * time.Millisecond
	if _, err := as[0].Allocate(bg, pfx("10.32.0.0/12"), "alone"); !errors.Is(err, ErrNoRing) {
		t.Fatalf("Allocate in the minority = %v, want ErrNoRing", err)
	}
	allocateAll(t, as[1:])
	r := ringOf(t, as[1])
	if fmt.Sprint(r.Peers()) != "[b c]" {
		t.Fatalf("the majority divided the range between %v, want [b c]", r.Peers())
	}

	// Healed, a joins the ring the majority agreed on and gets space by
	// donation.
	net.setCut("a", false)
	net.announce()
	as[0].cfg.RequestTimeout = 5 * time.Second
	addr := mustAllocate(t, as[0], "10.32.0.0/12", "back")
	if got := ringOf(t, as[0]); got.Identity() != r.Identity() || got.Owner(addr) != "a" {
		t.Errorf("a allocated %s in ring %s owned by %q, want ring %s", addr, got.Identity(),
			got.Owner(addr), r.Identity())
	}
}

func TestConsensusLatePeerJoinsTheRing(t *testing.T) {
	net := newMemNet()
	as := join(t, net, consensusPeers(t, 3, "a", "b", "c")...)
	allocateAll(t, as)
	late := join(t, net, consensusPeers(t, 3, "d")...)[0]
	mustAllocate(t, late, "10.32.0.0/12", "on d")
	if ringOf(t, late).Identity() != ringOf(t, as[0]).Identity() {
		t.Error("the late peer made a ring of its own")
	}
}

func TestConsensusOtherSizeIsReported(t *testing.T) {
	net := newMemNet()
	cfgs := append(consensusPeers(t, 3, "a"), consensusPeers(t, 4, "b")...)
	cfgs[0].RequestTimeout = 300 * time.Millisecond
	as := join(t, net, cfgs...)
	if _, err := as[0].Allocate(bg, pfx("10.32.0.0/12"), "c"); !errors.Is(err, ErrNoRing) {
		t.Fatalf("Allocate = %v, want ErrNoRing", err)
	}
	eventually(t, "b to report a's consensus size", func() bool {
		errs := as[1].Status().MergeErrors
		return len(errs) == 1 &&
			strings.Contains(errs[0].Err, "consensus=3 there, consensus=4 here")
	})
}

// recorder is a Gossip that keeps what is sent.
type recorder struct {
	mu   sync.Mutex
	sent [][]byte
}

func (r *recorder) Broadcast([]byte) {}

func (r *recorder) Send(_ string, payload []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, payload)
	return nil
}

func (r *recorder) last(t *testing.T) paxos.Msg {
	t.Helper()
	var m paxos.Msg
	eventually(t, "a paxos answer", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		if len(r.sent) == 0 || r.sent[len(r.sent)-1][0] != msgPaxos {
			return false
		}
		var err error
		m, err = paxos.Unmarshal(r.sent[len(r.sent)-1][6:])
		return err == nil
	})
	r.mu.Lock()
	r.sent = nil
	r.mu.Unlock()
	return m
}

func TestConsensusPromiseSurvivesRestart(t *testing.T) {
	cfg := consensusPeers(t, 3, "a")[0]
	rec := &recorder{}
	a, err := Open(cfg, rec)
	if err != nil {
		t.Fatal(err)
	}
	prepare := func(round uint64) []byte {
		m := paxos.Msg{Kind: paxos.KindPrepare, Size: 3, Ballot: paxos.Ballot{Round: round,
			Proposer: "x"}}
		return append(rangeHeader(msgPaxos, cfg.Range), m.Marshal()...)
	}
	a.HandleMessage("x", prepare(5))
	if m := rec.last(t); !m.OK {
		t.Fatalf("fresh acceptor refused ballot 5: %+v", m)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = open(t, cfg, rec)
	a.HandleMessage("x", prepare(4))
	if m := rec.last(t); m.OK || m.Promised.Round != 5 {
		t.Errorf("after restart ballot 4 got %+v, want a refusal naming the promised 5", m)
	}
}

func TestObserverGetsRingAndSpace(t *testing.T) {
	net := newMemNet()
	seeds := Init{Mode: InitSeed, Seeds: []string{"a", "b"}}
	as := join(t, net, initConfig(t, "a", seeds), initConfig(t, "b", seeds),
		initConfig(t, "o", Init{Mode: InitObserver}))
	o := as[2]
	st := o.Status()
	if st.Owned != 0 || st.Seed != "" || !strings.Contains(st.Waiting, "observer") {
		t.Fatalf("fresh observer: %+v", st)
	}
	addr := mustAllocate(t, o, "10.32.0.0/12", "on o")
	if r := ringOf(t, o); r.Owner(addr) != "o" || r.Identity() != ringOf(t, as[0]).Identity() {
		t.Errorf("observer allocated %s owned by %q", addr, r.Owner(addr))
	}

	// Alone, an observer fails with a clear error.
	lonely := open(t, initConfig(t, "p", Init{Mode: InitObserver}), nil)
	lonely.cfg.RequestTimeout = 200 * time.Millisecond
	_, err := lonely.Allocate(bg, pfx("10.32.0.0/12"), "c")
	if !errors.Is(err, ErrNoRing) || !strings.Contains(err.Error(), "no peer has sent the ring") {
		t.Errorf("lonely observer: %v", err)
	}
}
