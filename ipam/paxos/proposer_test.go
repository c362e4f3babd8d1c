package paxos

import (
	"slices"
	"testing"
)

// run carries messages between a proposer and acceptors in order, without
// loss, and returns what the proposer decided.
func run(t *testing.T, p *Proposer, self int, acc []Acceptor, names []string) []string {
	t.Helper()
	m, ok := p.Begin(acc[self].Promised.Round)
	if !ok {
		t.Fatal("Begin refused")
	}
	for range 2 {
		var next Msg
		sent := false
		for i := range acc {
			reply, _, _ := acc[i].Receive(m)
			if out, ok := p.Receive(names[i], reply); ok {
				next, sent = out, true
			}
		}
		if !sent && p.Waiting() {
			next, sent = p.Settle()
		}
		if !sent {
			break
		}
		m = next
	}
	v, _ := p.Decided()
	return v
}

func TestProposerChoosesPromisersOrEarlierValue(t *testing.T) {
	names := []string{"a", "b", "c"}
	acc := make([]Acceptor, 3)
	p := NewProposer("b", 3)
	if got := run(t, p, 1, acc, names); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("first decision = %v, want every acceptor that promised, [a b c]", got)
	}
	if !slices.Equal(p.Heard(), []string{"a", "b", "c"}) || p.Quorum() != 2 {
		t.Errorf("Heard() = %v, Quorum() = %d", p.Heard(), p.Quorum())
	}
	if _, ok := p.Begin(0); ok {
		t.Error("Begin after a decision succeeded")
	}

	// A later proposer proposes the value already chosen, not its own
	// promisers.
	q := NewProposer("c", 3)
	if got := run(t, q, 2, acc, names); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("second decision = %v, want the chosen [a b c]", got)
	}
	if q.Ballot().Round <= p.Ballot().Round {
		t.Errorf("second ballot %s not above the first %s", q.Ballot(), p.Ballot())
	}
}

func TestProposerIgnoresOtherSize(t *testing.T) {
	p := NewProposer("a", 3)
	m, _ := p.Begin(0)
	for _, from := range []string{"a", "b"} {
		reply := Msg{Kind: KindPromise, Size: 4, Ballot: m.Ballot, OK: true}
		if _, ok := p.Receive(from, reply); ok {
			t.Fatal("promises from peers configured with another N made a quorum")
		}
	}
	if len(p.Heard()) != 0 {
		t.Errorf("Heard() = %v, want no one", p.Heard())
	}
	if pending, ok := p.Pending(); !ok || pending.Kind != KindPrepare {
		t.Errorf("Pending() = %+v, %v; want the Prepare", pending, ok)
	}
}

// TestProposerWaitsThenSettles has a quorum promise while the third
// acceptor is silent: the proposer waits for it rather than leave it out of
// the value, and Settle ends the wait with the promisers it has.
func TestProposerWaitsThenSettles(t *testing.T) {
	acc := make([]Acceptor, 3)
	p := NewProposer("a", 3)
	m, _ := p.Begin(0)
	for i, name := range []string{"a", "b"} {
		reply, _, _ := acc[i].Receive(m)
		if _, ok := p.Receive(name, reply); ok {
			t.Fatalf("promise of %s: the proposer did not wait for c", name)
		}
	}
	if !p.Waiting() {
		t.Fatal("a quorum promised and c is silent: Waiting() is false")
	}
	accept, ok := p.Settle()
	if !ok || accept.Kind != KindAccept || !slices.Equal(accept.Value, []string{"a", "b"}) {
		t.Fatalf("Settle = %+v %v, want an Accept of [a b]", accept, ok)
	}
	if p.Waiting() {
		t.Error("still waiting after Settle")
	}
	if _, ok := p.Settle(); ok {
		t.Error("a second Settle sent another Accept")
	}

	// With a value accepted before among the promises there is nothing to
	// wait for: the proposer must propose that value at once.
	q := NewProposer("b", 3)
	acc[0].Accepted, acc[0].Value = Ballot{Round: 1, Proposer: "a"}, []string{"a", "b"}
	m, _ = q.Begin(5)
	var got Msg
	for i, name := range []string{"a", "b"} {
		reply, _, _ := acc[i].Receive(m)
		got, ok = q.Receive(name, reply)
	}
	if !ok || !slices.Equal(got.Value, []string{"a", "b"}) || q.Waiting() {
		t.Errorf("with an accepted value: %+v %v waiting=%v", got, ok, q.Waiting())
	}
}
