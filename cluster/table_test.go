package cluster

import (
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"
)

// bareCluster is a Cluster with a peer table and no memberlist, for the
// table's transitions.
func bareCluster() *Cluster {
	return &Cluster{cfg: Config{Name: "self"}, log: slog.New(slog.DiscardHandler),
		hub: newHub(), peers: make(map[string]*record), known: make(map[string]struct{})}
}

func node(name string, leaving bool) *memberlist.Node {
	b, _ := encodeMeta(meta{Nickname: "host-" + name, Leaving: leaving})
	return &memberlist.Node{Name: name, Addr: net.ParseIP("10.0.0.1"), Port: 6783, Meta: b}
}

func TestPeerTableTransitions(t *testing.T) {
	type step struct {
		do        func(c *Cluster)
		wantState State
		wantKind  EventKind // 0: no event
	}
	live := func(leaving bool) func(*Cluster) {
		return func(c *Cluster) { c.peerLive(node("p", leaving)) }
	}
	gone := func(leaving bool) func(*Cluster) {
		return func(c *Cluster) { c.peerGone(node("p", leaving)) }
	}
	heard := func(c *Cluster) { c.heard("p") }
	silent := func(c *Cluster) { c.sweep(time.Now().Add(time.Hour), time.Minute) }
	tests := []struct {
		name  string
		steps []step
	}{
		{"join then die", []step{
			{live(false), StateAlive, PeerJoined},
			{gone(false), StateDead, PeerLeft},
			{gone(false), StateDead, 0},
		}},
		{"announce leaving then go", []step{
			{live(false), StateAlive, PeerJoined},
			{live(true), StateAlive, PeerUpdated},
			{gone(true), StateLeft, PeerLeft},
			{live(false), StateAlive, PeerJoined},
		}},
		{"silent then answering", []step{
			{live(false), StateAlive, PeerJoined},
			{silent, StateSuspect, PeerUpdated},
			{silent, StateSuspect, 0},
			{heard, StateAlive, PeerUpdated},
			{heard, StateAlive, 0},
		}},
		{"suspect dies", []step{
			{live(false), StateAlive, PeerJoined},
			{silent, StateSuspect, PeerUpdated},
			{gone(false), StateDead, PeerLeft},
			{heard, StateDead, 0},
			{silent, StateDead, 0},
		}},
		{"gone before seen", []step{
			{gone(false), StateDead, PeerLeft},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := bareCluster()
			events, cancel := c.hub.subscribe()
			defer cancel()
			for i, s := range tt.steps {
				s.do(c)
				if got := stateOf(c, "p"); got != s.wantState {
					t.Fatalf("step %d: state %s, want %s", i, got, s.wantState)
				}
				var kind EventKind
				select {
				case ev := <-events:
					kind = ev.Kind
				case <-time.After(50 * time.Millisecond):
				}
				if kind != s.wantKind {
					t.Fatalf("step %d: event %s, want %s", i, kind, s.wantKind)
				}
			}
			want := int32(0)
			if stateOf(c, "p").Live() {
				want = 1
			}
			if got := c.live.Load(); got != want {
				t.Errorf("live count %d, want %d", got, want)
			}
		})
	}
}

func TestSelfIsNotInTheTable(t *testing.T) {
	c := bareCluster()
	c.peerLive(node("self", false))
	c.peerGone(node("self", false))
	c.heard("self")
	if len(c.peers) != 0 {
		t.Fatalf("table holds %v", c.peers)
	}
}
