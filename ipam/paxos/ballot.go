package paxos

import "fmt"

// Ballot numbers a proposal. Ballots order by Round, then by Proposer's name,
// so two proposers never share one. The zero Ballot is below all others.
type Ballot struct {
	Round    uint64
	Proposer string
}

// IsZero reports whether b is the zero Ballot.
func (b Ballot) IsZero() bool { return b == Ballot{} }

// Compare returns -1, 0 or 1 as b is below, equal to or above o.
func (b Ballot) Compare(o Ballot) int {
	switch {
	case b.Round < o.Round:
		return -1
	case b.Round > o.Round:
		return 1
	case b.Proposer < o.Proposer:
		return -1
	case b.Proposer > o.Proposer:
		return 1
	}
	return 0
}

// Less reports whether b is below o.
func (b Ballot) Less(o Ballot) bool { return b.Compare(o) < 0 }

// String returns the ballot as "ROUND.PROPOSER".
func (b Ballot) String() string { return fmt.Sprintf("%d.%s", b.Round, b.Proposer) }

// Quorum returns the number of acceptors that make a quorum among n: a strict
// majority.
func Quorum(n int) int { return n/2 + 1 }
