package paxos

import (
	"maps"
	"slices"
)

type phase uint8

const (
	idle phase = iota
	preparing
	accepting
	decided
)

// Proposer drives one peer's proposals. It is not safe for concurrent use.
type Proposer struct {
	self string
	n    int

	phase  phase
	ballot Ballot
	value  []string
	// maxRound is the highest round seen in any message, so that the next
	// ballot can start above it.
	maxRound uint64
	promises map[string]Msg
	accepted map[string]bool
	// heard holds every acceptor that answered any of our ballots.
	heard map[string]bool
}

// NewProposer returns the proposer of peer self among n acceptors.
func NewProposer(self string, n int) *Proposer {
	return &Proposer{self: self, n: n, heard: map[string]bool{}}
}

// Quorum returns how many acceptors must agree.
func (p *Proposer) Quorum() int { return Quorum(p.n) }

// Begin starts a new round and returns its Prepare, to send to every
// acceptor, this peer's own first. The ballot's round is above minRound and
// above every round seen. minRound must be at least the round of the ballot
// this peer's own acceptor last promised (durable), which guarantees that a
// restarted proposer never reuses a ballot. After a decision Begin returns
// false.
func (p *Proposer) Begin(minRound uint64) (Msg, bool) {
	if p.phase == decided {
		return Msg{}, false
	}
	round := max(minRound, p.maxRound) + 1
	p.maxRound = round
	p.ballot = Ballot{Round: round, Proposer: p.self}
	p.phase = preparing
	p.value = nil
	p.promises = map[string]Msg{}
	p.accepted = map[string]bool{}
	return p.current(), true
}

// Pending returns the message of the phase under way, for acceptors that
// could not be reached when it was first sent; false when there is none.
func (p *Proposer) Pending() (Msg, bool) {
	if p.phase != preparing && p.phase != accepting {
		return Msg{}, false
	}
	return p.current(), true
}

func (p *Proposer) current() Msg {
	if p.phase == accepting {
		return Msg{Kind: KindAccept, Size: p.n, Ballot: p.ballot, Value: slices.Clone(p.value)}
	}
	return Msg{Kind: KindPrepare, Size: p.n, Ballot: p.ballot}
}

// Receive takes an answer from acceptor from. When the answer completes a
// quorum of promises it returns the Accept to send to every acceptor. Answers
// to other ballots, and messages for another N, only raise the round the next
// ballot starts above.
func (p *Proposer) Receive(from string, m Msg) (Msg, bool) {
	p.maxRound = max(p.maxRound, m.Ballot.Round, m.Promised.Round, m.Accepted.Round)
	if m.Size != p.n || m.Ballot != p.ballot || p.phase == idle || p.phase == decided {
		return Msg{}, false
	}
	p.heard[from] = true
	switch {
	case m.Kind == KindPromise && m.OK && p.phase == preparing:
		p.promises[from] = m
		if len(p.promises) < p.Quorum() || p.Waiting() {
			return Msg{}, false
		}
		return p.accept()
	case m.Kind == KindAccepted && m.OK && p.phase == accepting:
		p.accepted[from] = true
		if len(p.accepted) >= p.Quorum() {
			p.phase = decided
		}
	}
	return Msg{}, false
}

// Waiting reports whether a quorum promised but the proposer would rather
// wait for the others: the value is still free (no promise carries an
// accepted one) and would name only the acceptors that promised, so every
// acceptor more that promises gets a share of the range from the start.
// Settle ends the wait.
func (p *Proposer) Waiting() bool {
	if p.phase != preparing || len(p.promises) < p.Quorum() || len(p.promises) >= p.n {
		return false
	}
	for _, m := range p.promises {
		if !m.Accepted.IsZero() && ValidValue(m.Value) {
			return false
		}
	}
	return true
}

// Settle stops waiting for more promises: with a quorum of them it returns
// the Accept to send to every acceptor.
func (p *Proposer) Settle() (Msg, bool) {
	if p.phase != preparing || len(p.promises) < p.Quorum() {
		return Msg{}, false
	}
	return p.accept()
}

// accept chooses the value and moves to the accept phase.
func (p *Proposer) accept() (Msg, bool) {
	p.value = p.choose()
	p.phase = accepting
	return p.current(), true
}

// choose returns the value to propose: the one accepted under the highest
// ballot among the promises, or else the names of the acceptors that
// promised.
func (p *Proposer) choose() []string {
	var best Msg
	for _, m := range p.promises {
		if !m.Accepted.IsZero() && best.Accepted.Less(m.Accepted) && ValidValue(m.Value) {
			best = m
		}
	}
	if !best.Accepted.IsZero() {
		return slices.Clone(best.Value)
	}
	return slices.Sorted(maps.Keys(p.promises))
}

// Decided returns the chosen value once a quorum accepted it.
func (p *Proposer) Decided() ([]string, bool) {
	if p.phase != decided {
		return nil, false
	}
	return slices.Clone(p.value), true
}

// Ballot returns the ballot of the round under way, zero before Begin.
func (p *Proposer) Ballot() Ballot { return p.ballot }

// Heard returns the sorted names of the acceptors that answered any ballot
// of this proposer, refusals included.
func (p *Proposer) Heard() []string { return slices.Sorted(maps.Keys(p.heard)) }
