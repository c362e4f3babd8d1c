package paxos

import (
	"fmt"
	"slices"

	"pgregory.net/rapid"
)

// envelope is a message in flight.
type envelope struct {
	from, to int
	m        Msg
}

// world is n acceptors, each also a proposer, and a bag of messages in
// flight that the test delivers, drops, duplicates and reorders at will.
type world struct {
	n     int
	names []string
	acc   []Acceptor
	prop  []*Proposer
	bag   []envelope
	// reach, when not nil, says which pairs of peers can talk.
	reach func(from, to int) bool
	// chosen is the value each peer learnt, kept across restarts.
	chosen map[int][]string
}

func newWorld(n int) *world {
	w := &world{n: n, chosen: map[int][]string{}}
	for i := range n {
		w.names = append(w.names, fmt.Sprintf("p%d", i))
		w.acc = append(w.acc, Acceptor{})
		w.prop = append(w.prop, NewProposer(w.names[i], n))
	}
	return w
}

func (w *world) post(from, to int, m Msg) {
	if w.reach == nil || w.reach(from, to) {
		w.bag = append(w.bag, envelope{from: from, to: to, m: m})
	}
}

// begin starts a round at peer i as the allocator does: above the round its
// own acceptor promised, and with its own acceptor answering at once, before
// anything else happens.
func (w *world) begin(i int) {
	m, ok := w.prop[i].Begin(w.acc[i].Promised.Round)
	if !ok {
		return
	}
	if reply, _, ok := w.acc[i].Receive(m); ok {
		w.post(i, i, reply)
	}
	for j := range w.n {
		if j != i {
			w.post(i, j, m)
		}
	}
}

func (w *world) toAll(from int, m Msg) {
	for j := range w.n {
		w.post(from, j, m)
	}
}

// deliver hands message k of the bag to its receiver; keep leaves a copy in
// the bag, to be delivered again later.
func (w *world) deliver(t *rapid.T, k int, keep bool) {
	e := w.bag[k]
	if !keep {
		w.bag = slices.Delete(w.bag, k, k+1)
	}
	switch e.m.Kind {
	case KindPrepare, KindAccept:
		if reply, _, ok := w.acc[e.to].Receive(e.m); ok {
			w.post(e.to, e.from, reply)
		}
	default:
		if out, ok := w.prop[e.to].Receive(w.names[e.from], e.m); ok {
			w.toAll(e.to, out)
		}
		w.learn(t, e.to)
	}
}

// learn records what peer i decided and fails when two peers ever decided
// differently.
func (w *world) learn(t *rapid.T, i int) {
	v, ok := w.prop[i].Decided()
	if !ok {
		return
	}
	if prev, had := w.chosen[i]; had && !slices.Equal(prev, v) {
		t.Fatalf("%s decided %v, then %v", w.names[i], prev, v)
	}
	w.chosen[i] = v
	for j, other := range w.chosen {
		if !slices.Equal(other, v) {
			t.Fatalf("%s decided %v but %s decided %v", w.names[i], v, w.names[j], other)
		}
	}
	if len(v) < Quorum(w.n) {
		t.Fatalf("decided %v, fewer than a quorum of %d", v, Quorum(w.n))
	}
}

// step applies one random action.
func (w *world) step(t *rapid.T) {
	op := rapid.IntRange(0, 10).Draw(t, "op")
	if len(w.bag) == 0 && op < 7 {
		op = 7
	}
	switch {
	case op < 5:
		w.deliver(t, rapid.IntRange(0, len(w.bag)-1).Draw(t, "msg"), op == 4)
	case op < 7:
		k := rapid.IntRange(0, len(w.bag)-1).Draw(t, "drop")
		w.bag = slices.Delete(w.bag, k, k+1)
	case op < 9:
		w.begin(rapid.IntRange(0, w.n-1).Draw(t, "proposer"))
	case op == 9:
		// A restart loses the proposer's memory; the acceptor's state is
		// durable and stays.
		i := rapid.IntRange(0, w.n-1).Draw(t, "restart")
		w.prop[i] = NewProposer(w.names[i], w.n)
	default:
		// A proposer that waits for more promises gives up waiting.
		w.settleWait(rapid.IntRange(0, w.n-1).Draw(t, "settle"))
	}
}

// settleWait ends peer i's wait for more promises, as the allocator's grace
// timer does, and sends the Accept; it reports whether there was one.
func (w *world) settleWait(i int) bool {
	out, ok := w.prop[i].Settle()
	if ok {
		w.toAll(i, out)
	}
	return ok
}

// drain delivers every message in order, without loss, until none is left
// or the bound is reached.
func (w *world) drain(t *rapid.T, bound int) {
	for n := 0; len(w.bag) > 0 && n < bound; n++ {
		w.deliver(t, 0, false)
	}
}

// settle has peer i propose, round after round on a lossless network, until
// it decides or the bound on rounds is reached. Refusals teach it the rounds
// to go above, so it needs at most one round more than the rounds in use.
func (w *world) settle(t *rapid.T, i, rounds int) bool {
	for range rounds {
		w.begin(i)
		w.drain(t, 20*w.n*w.n)
		if w.settleWait(i) {
			w.drain(t, 20*w.n*w.n)
		}
		if _, ok := w.prop[i].Decided(); ok {
			return true
		}
	}
	return false
}
