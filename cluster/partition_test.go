package cluster

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func gossipAddrs(cs ...*Cluster) []netip.AddrPort {
	var out []netip.AddrPort
	for _, c := range cs {
		s := c.Self()
		out = append(out, netip.AddrPortFrom(s.Addr, s.Port))
	}
	return out
}

func TestRejoinAfterLongPartition(t *testing.T) {
	t.Parallel()
	n, a, b, c := threePeers(t)
	timing := FastTiming()

	n.net.Partition(gossipAddrs(a, b), gossipAddrs(c))
	waitFor(t, 10*time.Second, "both sides see the other dead", func() bool {
		return stateOf(a, "c") == StateDead && stateOf(b, "c") == StateDead &&
			stateOf(c, "a") == StateDead && stateOf(c, "b") == StateDead
	})
	// The partition outlasts memberlist's gossip to the dead, after which
	// memberlist alone would never bring the halves together again.
	time.Sleep(timing.GossipToTheDead + 2*timing.ProbeInterval)
	if !converged(a, b) {
		t.Fatal("a and b lost each other during the partition")
	}

	n.net.Heal()
	waitFor(t, 10*time.Second, "the halves merge again", func() bool {
		return converged(a, b, c)
	})
	rejoined := n.logs.find(func(e logEntry) bool { return e.msg == "rejoined" })
	if !rejoined {
		t.Error("no rejoin was logged: the halves merged some other way")
	}
}

func TestCutOffPeerNotAliveWithinTenSeconds(t *testing.T) {
	if testing.Short() {
		t.Skip("takes up to 10s with production timing")
	}
	t.Parallel()
	n := newTestNet(t)
	prod := func(c *Config) {
		c.Timing = DefaultTiming()
		c.RejoinInterval = DefaultRejoinInterval
	}
	a, b, c := n.start("a", prod), n.start("b", prod), n.start("c", prod)
	joinAll(t, a, b, c)
	waitFor(t, 10*time.Second, "a, b and c converge", func() bool { return converged(a, b, c) })

	start := time.Now()
	n.net.Isolate(gossipAddrs(c)[0])
	waitFor(t, 10*time.Second, "a and b show c not alive", func() bool {
		return stateOf(a, "c") != StateAlive && stateOf(b, "c") != StateAlive
	})
	t.Logf("c not alive for a (%s) and b (%s) after %v", stateOf(a, "c"), stateOf(b, "c"),
		time.Since(start).Round(time.Millisecond))
}

// TestBrokenDirectPathShowsSuspect cuts a from c only. memberlist keeps c
// alive, since b's indirect probes reach it, but a hears nothing from c
// directly and shows it suspect until the path comes back.
func TestBrokenDirectPathShowsSuspect(t *testing.T) {
	t.Parallel()
	n, a, b, c := threePeers(t)
	events, cancel := a.Subscribe()
	defer cancel()

	ac := gossipAddrs(a, c)
	n.net.Cut(ac[0], ac[1])
	waitEvent(t, events, 5*time.Second, "c suspect for a", func(e Event) bool {
		return e.Kind == PeerUpdated && e.Peer.Name == "c" && e.Peer.State == StateSuspect
	})
	holds(t, 2*time.Second, "c stays suspect for a, and alive for b", func() bool {
		return stateOf(a, "c") == StateSuspect && stateOf(b, "c") == StateAlive
	})

	n.net.Heal()
	waitEvent(t, events, 5*time.Second, "c alive again for a", func(e Event) bool {
		return e.Kind == PeerUpdated && e.Peer.Name == "c" && e.Peer.State == StateAlive
	})
}

func TestForgetAndKnown(t *testing.T) {
	n := newTestNet(t)
	a, b := n.start("a"), n.start("b")
	bAddr := b.Self().GossipAddr()
	if _, err := a.Join([]string{strings.TrimSuffix(bAddr, ":6783"), "10.99.0.77"}); err != nil {
		t.Fatalf("join b and an absent peer: %v", err)
	}
	waitFor(t, 3*time.Second, "a and b converge", func() bool { return converged(a, b) })

	want := []string{"10.99.0.2:6783", "10.99.0.77:6783"}
	if got := a.Known(); !equalStrings(got, want) {
		t.Fatalf("a knows %q, want %q", got, want)
	}
	// b learned a's address from the gossip, not from Join.
	if got := b.Known(); !equalStrings(got, []string{"10.99.0.1:6783"}) {
		t.Errorf("b knows %q, want a's address", got)
	}

	a.Forget([]string{"10.99.0.77", "not an address!"})
	if got := a.Known(); !equalStrings(got, []string{"10.99.0.2:6783"}) {
		t.Errorf("after Forget, a knows %q", got)
	}

	// Once b is dead and forgotten, a stops trying it.
	if err := b.Shutdown(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "a sees b dead", func() bool { return stateOf(a, "b") == StateDead })
	a.Forget([]string{bAddr})
	if got := a.Known(); len(got) != 0 {
		t.Errorf("after forgetting b, a knows %q", got)
	}
	if targets, _ := a.rejoinTargets(); len(targets) != 0 {
		t.Errorf("after forgetting b, a would rejoin %q", targets)
	}
}

func TestJoinRejectsBadAddress(t *testing.T) {
	n := newTestNet(t)
	a := n.start("a")
	if _, err := a.Join([]string{"10.99.0.2:0"}); err == nil {
		t.Fatal("join of port 0 succeeded")
	}
	if got := a.Known(); len(got) != 0 {
		t.Errorf("a bad join left known addresses %q", got)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
