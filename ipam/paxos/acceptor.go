package paxos

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// Acceptor is the state an acceptor keeps, and must keep durably: the highest
// ballot it promised, and the last ballot and value it accepted. The zero
// Acceptor has promised and accepted nothing.
type Acceptor struct {
	Promised Ballot
	Accepted Ballot
	Value    []string
}

// Receive answers a Prepare or an Accept. Changed reports that the state
// moved; the caller must then make it durable before it sends the reply. Any
// other kind of message gets no reply (ok is false).
func (a *Acceptor) Receive(m Msg) (reply Msg, changed, ok bool) {
	switch m.Kind {
	case KindPrepare:
		reply, changed = a.prepare(m)
	case KindAccept:
		reply, changed = a.accept(m)
	default:
		return Msg{}, false, false
	}
	reply.Size = m.Size
	return reply, changed, true
}

func (a *Acceptor) prepare(m Msg) (Msg, bool) {
	if m.Ballot.Less(a.Promised) {
		return Msg{Kind: KindPromise, Ballot: m.Ballot, Promised: a.Promised}, false
	}
	// An equal ballot is a duplicate of the Prepare already promised, and
	// gets the same answer again.
	changed := a.Promised != m.Ballot
	a.Promised = m.Ballot
	return Msg{Kind: KindPromise, Ballot: m.Ballot, OK: true, Promised: a.Promised,
		Accepted: a.Accepted, Value: slices.Clone(a.Value)}, changed
}

func (a *Acceptor) accept(m Msg) (Msg, bool) {
	if m.Ballot.Less(a.Promised) || len(m.Value) == 0 {
		return Msg{Kind: KindAccepted, Ballot: m.Ballot, Promised: a.Promised}, false
	}
	changed := a.Promised != m.Ballot || a.Accepted != m.Ballot ||
		!slices.Equal(a.Value, m.Value)
	a.Promised, a.Accepted = m.Ballot, m.Ballot
	a.Value = slices.Clone(m.Value)
	return Msg{Kind: KindAccepted, Ballot: m.Ballot, OK: true, Promised: a.Promised}, changed
}

// acceptorMagic starts an encoded Acceptor: "PXA" and format version 1.
var acceptorMagic = []byte{'P', 'X', 'A', 1}

// MarshalBinary encodes the acceptor's state for its user's durable store.
func (a Acceptor) MarshalBinary() ([]byte, error) {
	b := append([]byte{}, acceptorMagic...)
	for _, bl := range []Ballot{a.Promised, a.Accepted} {
		b = binary.AppendUvarint(b, bl.Round)
		b = appendName(b, bl.Proposer)
	}
	b = binary.AppendUvarint(b, uint64(len(a.Value)))
	for _, n := range a.Value {
		b = appendName(b, n)
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote. On error a is unchanged.
func (a *Acceptor) UnmarshalBinary(data []byte) error {
	if !bytes.HasPrefix(data, acceptorMagic) {
		return fmt.Errorf("decode paxos acceptor: %w: bad magic", ErrBadMessage)
	}
	d := decoder{buf: data, off: len(acceptorMagic)}
	var next Acceptor
	var err error
	for _, bl := range []*Ballot{&next.Promised, &next.Accepted} {
		if *bl, err = d.ballot(); err != nil {
			return fmt.Errorf("decode paxos acceptor at byte %d: %w", d.off, err)
		}
	}
	if next.Value, err = d.value(); err != nil {
		return fmt.Errorf("decode paxos acceptor at byte %d: %w", d.off, err)
	}
	if d.off != len(data) {
		return fmt.Errorf("decode paxos acceptor: %w: %d trailing bytes", ErrBadMessage,
			len(data)-d.off)
	}
	*a = next
	return nil
}
