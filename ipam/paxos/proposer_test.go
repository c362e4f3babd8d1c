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
	if got := run(t, p, 1, acc, names); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("first decision = %v, want the first quorum of promisers [a b]", got)
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
	if got := run(t, q, 2, acc, names); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("second decision = %v, want the chosen [a b]", got)
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
