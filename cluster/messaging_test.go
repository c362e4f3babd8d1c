package cluster

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// threePeers starts a, b and c, joined and converged.
func threePeers(t *testing.T) (*testNet, *Cluster, *Cluster, *Cluster) {
	t.Helper()
	n := newTestNet(t)
	a, b, c := n.start("a"), n.start("b"), n.start("c")
	joinAll(t, a, b, c)
	waitFor(t, 5*time.Second, "a, b and c converge", func() bool { return converged(a, b, c) })
	return n, a, b, c
}

func TestBroadcastReachesAll(t *testing.T) {
	_, a, b, c := threePeers(t)
	recs := map[*Cluster]*recorder{a: {}, b: {}, c: {}}
	for cl, r := range recs {
		cl.Register("test", r)
	}

	a.Broadcast("test", []byte("hello"))
	for _, cl := range []*Cluster{b, c} {
		waitFor(t, 3*time.Second, cl.Self().Name+" gets a's broadcast", func() bool {
			return recs[cl].has("a", "hello")
		})
	}
	if n := recs[a].count(); n != 0 {
		t.Errorf("a received %d of its own broadcasts", n)
	}
}

func TestLargeBroadcastGoesReliably(t *testing.T) {
	_, a, b, c := threePeers(t)
	rb, rc := &recorder{}, &recorder{}
	b.Register("big", rb)
	c.Register("big", rc)

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	payload := make([]byte, 20000)
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range payload {
		payload[i] = byte(rng.UintN(256))
	}
	a.Broadcast("big", payload)
	for name, r := range map[string]*recorder{"b": rb, "c": rc} {
		waitFor(t, 3*time.Second, name+" gets the 20kB broadcast", func() bool {
			return r.has("a", string(payload))
		})
	}
}

func TestSendCarriesSender(t *testing.T) {
	_, a, b, c := threePeers(t)
	rb := &recorder{}
	b.Register("unicast", rb)
	if err := a.Send("b", "unicast", []byte("for b")); err != nil {
		t.Fatalf("a sends to b: %v", err)
	}
	if err := c.Send("b", "unicast", []byte("from c")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "b gets a's and c's messages, each with its sender", func() bool {
		return rb.has("a", "for b") && rb.has("c", "from c") && rb.count() == 2
	})

	if err := c.Shutdown(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "a sees c dead", func() bool { return stateOf(a, "c") == StateDead })
	tests := []struct {
		peer string
		want error
	}{
		{"nobody", ErrUnknownPeer},
		{"a", ErrSendToSelf},
		{"c", ErrPeerNotAlive},
	}
	for _, tt := range tests {
		t.Run(tt.peer, func(t *testing.T) {
			if err := a.Send(tt.peer, "unicast", nil); !errors.Is(err, tt.want) {
				t.Errorf("Send to %s: %v, want %v", tt.peer, err, tt.want)
			}
		})
	}
}

// stateRec is a StateHandler whose state can be changed and which keeps
// what it merges.
type stateRec struct {
	recorder
	smu    sync.Mutex
	state  []byte
	merged []received
}

func (s *stateRec) LocalState() []byte {
	s.smu.Lock()
	defer s.smu.Unlock()
	return s.state
}

func (s *stateRec) MergeState(from string, state []byte) {
	s.smu.Lock()
	defer s.smu.Unlock()
	s.merged = append(s.merged, received{from, string(state)})
}

func (s *stateRec) set(state string) {
	s.smu.Lock()
	defer s.smu.Unlock()
	s.state = []byte(state)
}

func (s *stateRec) hasMerged(from, state string) bool {
	s.smu.Lock()
	defer s.smu.Unlock()
	for _, m := range s.merged {
		if m.from == from && m.state() == state {
			return true
		}
	}
	return false
}

func (r received) state() string { return r.payload }

func TestPushPullMergesState(t *testing.T) {
	t.Parallel()
	n := newTestNet(t)
	a, b := n.start("a"), n.start("b")
	sa, sb := &stateRec{}, &stateRec{}
	sa.set("ring of a")
	sb.set("ring of b")
	a.Register("ring", sa)
	b.Register("ring", sb)
	// A plain Handler on another channel takes no part in push/pull.
	a.Register("plain", &recorder{})

	joinAll(t, a, b)
	// The join itself is a push/pull: both sides have merged by now.
	waitFor(t, time.Second, "a and b merge each other's state on join", func() bool {
		return sa.hasMerged("b", "ring of b") && sb.hasMerged("a", "ring of a")
	})

	// Later changes travel with the periodic push/pull.
	sa.set("ring of a, v2")
	waitFor(t, 4*FastTiming().PushPullInterval, "b merges a's new state", func() bool {
		return sb.hasMerged("a", "ring of a, v2")
	})
}

func TestBroadcastQueue(t *testing.T) {
	tests := []struct {
		name     string
		put      [][2]string // channel, message
		drop     []string
		limit    int
		want     []string
		queuedAt int // queued broadcasts after one take
	}{
		{"newer replaces older", [][2]string{{"ring", "v1"}, {"ring", "v2"}}, nil, 100,
			[]string{"v2"}, 1},
		{"channels are separate, newest first",
			[][2]string{{"ring", "r1"}, {"dns", "d1"}}, nil, 100, []string{"d1", "r1"}, 2},
		{"drop withdraws", [][2]string{{"ring", "r1"}, {"dns", "d1"}}, []string{"ring"}, 100,
			[]string{"d1"}, 1},
		{"what does not fit waits", [][2]string{{"a", "0123456789"}, {"b", "01234"}}, nil, 12,
			[]string{"01234"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newBroadcastQueue(4, func() int { return 3 })
			for _, p := range tt.put {
				q.put(p[0], []byte(p[1]))
			}
			for _, d := range tt.drop {
				q.drop(d)
			}
			got := q.take(2, tt.limit)
			if len(got) != len(tt.want) {
				t.Fatalf("take gave %q, want %q", got, tt.want)
			}
			for i := range got {
				if string(got[i]) != tt.want[i] {
					t.Errorf("message %d is %q, want %q", i, got[i], tt.want[i])
				}
			}
			if q.len() != tt.queuedAt {
				t.Errorf("%d queued after take, want %d", q.len(), tt.queuedAt)
			}
		})
	}
}

func TestBroadcastQueueRetransmitLimit(t *testing.T) {
	q := newBroadcastQueue(4, func() int { return 3 }) // 4 x ceil(log10(4)) = 4
	q.put("ring", []byte("v1"))
	for i := 0; i < 4; i++ {
		if got := q.take(2, 100); len(got) != 1 || !bytes.Equal(got[0], []byte("v1")) {
			t.Fatalf("take %d gave %q", i, got)
		}
	}
	if got := q.take(2, 100); len(got) != 0 {
		t.Fatalf("take after the limit gave %q", got)
	}
}
