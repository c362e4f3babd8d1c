package cluster

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestMergeEvents(t *testing.T) {
	p := func(state State) Peer { return Peer{Name: "p", State: state} }
	tests := []struct {
		older, newer, want Event
	}{
		{Event{PeerJoined, p(StateAlive)}, Event{PeerUpdated, p(StateSuspect)},
			Event{PeerJoined, p(StateSuspect)}},
		{Event{PeerJoined, p(StateAlive)}, Event{PeerLeft, p(StateDead)},
			Event{PeerLeft, p(StateDead)}},
		{Event{PeerLeft, p(StateDead)}, Event{PeerJoined, p(StateAlive)},
			Event{PeerJoined, p(StateAlive)}},
		{Event{PeerUpdated, p(StateSuspect)}, Event{PeerUpdated, p(StateAlive)},
			Event{PeerUpdated, p(StateAlive)}},
	}
	for _, tt := range tests {
		if got := mergeEvents(tt.older, tt.newer); got != tt.want {
			t.Errorf("merge(%v, %v) = %v, want %v", tt.older, tt.newer, got, tt.want)
		}
	}
}

// TestSlowSubscriberGetsLatestState publishes many random events to a
// subscriber that reads nothing until the end: publish must never block, and
// the last event delivered for each peer must be the last published.
func TestSlowSubscriberGetsLatestState(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	h := newHub()
	ch, cancel := h.subscribe()
	defer cancel()
	last := map[string]Event{}
	const peers, events = 7, 5000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < events; i++ {
			ev := Event{
				Kind: EventKind(1 + rng.IntN(3)),
				Peer: Peer{Name: fmt.Sprintf("p%d", rng.IntN(peers)),
					State: State(1 + rng.IntN(4)), Port: uint16(i)},
			}
			h.publish(ev)
			last[ev.Peer.Name] = ev
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publish blocked on a subscriber that does not read")
	}

	got := map[string]Event{}
	n := 0
	for len(got) < len(last) || !sameLast(got, last) {
		select {
		case ev := <-ch:
			got[ev.Peer.Name] = ev
			n++
		case <-time.After(2 * time.Second):
			t.Fatalf("after %d events, last per peer is %v, want %v", n, got, last)
		}
	}
	if n > subscriberBuffer+peers+1 {
		t.Errorf("%d events delivered for %d published: no merging", n, events)
	}
}

func sameLast(got, want map[string]Event) bool {
	for name, w := range want {
		if g, ok := got[name]; !ok || g.Peer != w.Peer {
			return false
		}
	}
	return true
}

func TestSubscriptionCancelAndClose(t *testing.T) {
	h := newHub()
	a, cancelA := h.subscribe()
	b, _ := h.subscribe()
	h.publish(Event{Kind: PeerJoined, Peer: Peer{Name: "p"}})
	if ev := <-a; ev.Peer.Name != "p" {
		t.Fatalf("a got %v", ev)
	}
	cancelA()
	cancelA()
	if _, ok := <-a; ok {
		t.Error("a's channel still open after cancel")
	}
	<-b
	h.close()
	if _, ok := <-b; ok {
		t.Error("b's channel still open after close")
	}
	late, cancel := h.subscribe()
	cancel()
	if _, ok := <-late; ok {
		t.Error("subscription after close is open")
	}
}
