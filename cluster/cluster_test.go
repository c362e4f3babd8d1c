package cluster

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestJoinThree(t *testing.T) {
	n := newTestNet(t)
	var cs []*Cluster
	for i, name := range []string{"peer-c", "peer-a", "peer-b"} {
		cs = append(cs, n.start(name, func(c *Config) { c.RaftPort = 7000 + i }))
	}
	joinAll(t, cs...)
	waitFor(t, 5*time.Second, "three peers see each other alive", func() bool {
		return converged(cs...)
	})

	for _, c := range cs {
		peers := c.Peers()
		if len(peers) != 3 {
			t.Fatalf("%s sees %d peers, want 3: %+v", c.Self().Name, len(peers), peers)
		}
		for i, want := range []string{"peer-a", "peer-b", "peer-c"} {
			if peers[i].Name != want {
				t.Errorf("%s: peer %d is %s, want %s (sorted)", c.Self().Name, i,
					peers[i].Name, want)
			}
		}
	}

	// Every peer's view of peer-a holds what peer-a announced.
	a := cs[1]
	self := a.Self()
	if !self.Local || self.State != StateAlive || self.Addr != memAddr(2).Addr() {
		t.Fatalf("peer-a's self is %+v", self)
	}
	for _, c := range []*Cluster{cs[0], cs[2]} {
		for _, p := range c.Peers() {
			if p.Name != "peer-a" {
				continue
			}
			want := Peer{Name: "peer-a", Nickname: "host-peer-a", Addr: memAddr(2).Addr(),
				Port: DefaultPort, RaftPort: 7001, Version: "test-1", State: StateAlive}
			got := p
			got.LastSeen = time.Time{}
			if got != want {
				t.Errorf("%s sees\n %+v, want\n %+v", c.Self().Name, got, want)
			}
			if p.LastSeen.IsZero() || p.Local {
				t.Errorf("%s sees peer-a with LastSeen %v, Local %v", c.Self().Name,
					p.LastSeen, p.Local)
			}
		}
	}
}

func TestEventsOnJoinAndLeave(t *testing.T) {
	n := newTestNet(t)
	a := n.start("a")
	events, cancel := a.Subscribe()
	defer cancel()
	b := n.start("b")
	c := n.start("c")

	joinAll(t, a, b)
	ev := waitEvent(t, events, 5*time.Second, "b joined", func(e Event) bool {
		return e.Kind == PeerJoined && e.Peer.Name == "b"
	})
	if ev.Peer.State != StateAlive || ev.Peer.Nickname != "host-b" {
		t.Errorf("join event: %+v", ev)
	}
	joinAll(t, a, c)
	waitEvent(t, events, 5*time.Second, "c joined", func(e Event) bool {
		return e.Kind == PeerJoined && e.Peer.Name == "c"
	})

	if err := b.Leave(2 * time.Second); err != nil {
		t.Fatalf("b leaves: %v", err)
	}
	ev = waitEvent(t, events, 5*time.Second, "b left", func(e Event) bool {
		return e.Kind == PeerLeft && e.Peer.Name == "b"
	})
	if ev.Peer.State != StateLeft {
		t.Errorf("b's leave event has state %s, want left", ev.Peer.State)
	}
	if got := b.Self().State; got != StateLeft {
		t.Errorf("b sees itself %s after Leave, want left", got)
	}

	// c dies without a word: it must be reported dead, not left.
	if err := c.Shutdown(); err != nil {
		t.Fatal(err)
	}
	ev = waitEvent(t, events, 10*time.Second, "c gone", func(e Event) bool {
		return e.Kind == PeerLeft && e.Peer.Name == "c"
	})
	if ev.Peer.State != StateDead {
		t.Errorf("c's event has state %s, want dead", ev.Peer.State)
	}
	if got := stateOf(a, "b"); got != StateLeft {
		t.Errorf("a sees b %s, want left", got)
	}
}

func TestLifecycleErrors(t *testing.T) {
	n := newTestNet(t)
	a := n.start("a")
	if err := a.Leave(time.Second); err != nil {
		t.Fatalf("leave alone: %v", err)
	}
	if err := a.Leave(time.Second); err != nil {
		t.Fatalf("second leave: %v", err)
	}
	if err := a.Shutdown(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := a.Shutdown(); err != nil {
		t.Fatalf("second shutdown: %v", err)
	}

	tests := []struct {
		name string
		call func() error
	}{
		{"join", func() error { _, err := a.Join([]string{"10.99.0.9"}); return err }},
		{"leave", func() error { return a.Leave(time.Second) }},
		{"send", func() error { return a.Send("b", "ch", nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrShutdown) {
				t.Errorf("after shutdown: %v, want ErrShutdown", err)
			}
		})
	}

	a.Broadcast("ch", []byte("ignored"))
	ch, cancel := a.Subscribe()
	defer cancel()
	if _, ok := <-ch; ok {
		t.Error("subscription after shutdown delivered an event")
	}
}

func TestRegisterPanics(t *testing.T) {
	n := newTestNet(t)
	a := n.start("a")
	a.Register("taken", &recorder{})
	tests := []struct {
		name    string
		channel string
		h       Handler
	}{
		{"twice", "taken", &recorder{}},
		{"empty name", "", &recorder{}},
		{"long name", fmt.Sprintf("%065d", 0), &recorder{}},
		{"nil handler", "free", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", tt.channel)
				}
			}()
			a.Register(tt.channel, tt.h)
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	cfg := DefaultConfig()
	if _, err := New(cfg); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("New without a name: %v, want ErrInvalidConfig", err)
	}
}
