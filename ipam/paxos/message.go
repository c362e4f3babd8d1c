package paxos

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Kind says what a message is.
type Kind uint8

// The four messages of single-decree Paxos.
const (
	// KindPrepare asks acceptors to promise Ballot.
	KindPrepare Kind = 1 + iota
	// KindPromise answers a Prepare: OK with the acceptor's last acceptance
	// (Accepted, Value), or a refusal naming the higher ballot it promised.
	KindPromise
	// KindAccept asks acceptors to accept Value under Ballot.
	KindAccept
	// KindAccepted answers an Accept: OK, or a refusal naming the higher
	// ballot the acceptor promised.
	KindAccepted
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindPrepare:
		return "prepare"
	case KindPromise:
		return "promise"
	case KindAccept:
		return "accept"
	case KindAccepted:
		return "accepted"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// MaxName is the longest peer name, in bytes, a message carries.
const MaxName = 255

// Msg is one Paxos message. Size is the N the sender was configured with;
// peers configured with another N must not take part together, since the
// quorums would no longer intersect.
type Msg struct {
	Kind     Kind
	Size     int
	Ballot   Ballot
	OK       bool
	Promised Ballot
	Accepted Ballot
	// Value is a sorted list of distinct peer names.
	Value []string
}

// The encoding, integers as unsigned varints and names as length and bytes:
//
//	kind (1 byte), ok (1 byte), size
//	ballot, promised and accepted, each as round then proposer name
//	value: count, then each name
//
// It is canonical: Unmarshal takes only minimal varints, ok as 0 or 1,
// sorted distinct names, and no trailing bytes.

// Marshal encodes m.
func (m Msg) Marshal() []byte {
	b := []byte{byte(m.Kind), 0}
	if m.OK {
		b[1] = 1
	}
	b = binary.AppendUvarint(b, uint64(m.Size))
	for _, bl := range []Ballot{m.Ballot, m.Promised, m.Accepted} {
		b = binary.AppendUvarint(b, bl.Round)
		b = appendName(b, bl.Proposer)
	}
	b = binary.AppendUvarint(b, uint64(len(m.Value)))
	for _, n := range m.Value {
		b = appendName(b, n)
	}
	return b
}

func appendName(b []byte, name string) []byte {
	b = binary.AppendUvarint(b, uint64(len(name)))
	return append(b, name...)
}

// Unmarshal decodes a message written by Marshal. The error names the byte
// offset where decoding stopped.
func Unmarshal(data []byte) (Msg, error) {
	d := decoder{buf: data}
	m, err := d.msg()
	if err != nil {
		return Msg{}, fmt.Errorf("decode paxos message at byte %d: %w", d.off, err)
	}
	return m, nil
}

type decoder struct {
	buf []byte
	off int
}

func (d *decoder) msg() (Msg, error) {
	if len(d.buf) < 2 {
		return Msg{}, fmt.Errorf("%w: %d bytes", ErrBadMessage, len(d.buf))
	}
	m := Msg{Kind: Kind(d.buf[0]), OK: d.buf[1] == 1}
	if m.Kind < KindPrepare || m.Kind > KindAccepted || d.buf[1] > 1 {
		return Msg{}, fmt.Errorf("%w: kind %d, ok %d", ErrBadMessage, d.buf[0], d.buf[1])
	}
	d.off = 2
	size, err := d.uvarint()
	if err != nil {
		return Msg{}, err
	}
	if size == 0 || size > 1<<16 {
		return Msg{}, fmt.Errorf("%w: size %d", ErrBadMessage, size)
	}
	m.Size = int(size)
	for _, bl := range []*Ballot{&m.Ballot, &m.Promised, &m.Accepted} {
		if *bl, err = d.ballot(); err != nil {
			return Msg{}, err
		}
	}
	if m.Value, err = d.value(); err != nil {
		return Msg{}, err
	}
	if d.off != len(d.buf) {
		return Msg{}, fmt.Errorf("%w: %d trailing bytes", ErrBadMessage, len(d.buf)-d.off)
	}
	return m, nil
}

func (d *decoder) ballot() (Ballot, error) {
	round, err := d.uvarint()
	if err != nil {
		return Ballot{}, err
	}
	name, err := d.name(true)
	if err != nil {
		return Ballot{}, err
	}
	if (round == 0) != (name == "") {
		return Ballot{}, fmt.Errorf("%w: ballot %d.%q", ErrBadMessage, round, name)
	}
	return Ballot{Round: round, Proposer: name}, nil
}

func (d *decoder) value() ([]string, error) {
	n, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	// Every name takes at least two bytes.
	if n > uint64(len(d.buf)-d.off)/2 {
		return nil, fmt.Errorf("%w: %d names exceed the input", ErrBadMessage, n)
	}
	var out []string
	for range n {
		name, err := d.name(false)
		if err != nil {
			return nil, err
		}
		if k := len(out); k > 0 && out[k-1] >= name {
			return nil, fmt.Errorf("%w: value names not sorted and distinct at %q",
				ErrBadMessage, name)
		}
		out = append(out, name)
	}
	return out, nil
}

func (d *decoder) name(emptyOK bool) (string, error) {
	n, err := d.uvarint()
	if err != nil {
		return "", err
	}
	if n > MaxName || (n == 0 && !emptyOK) || n > uint64(len(d.buf)-d.off) {
		return "", fmt.Errorf("%w: name of %d bytes", ErrBadMessage, n)
	}
	s := string(d.buf[d.off : d.off+int(n)])
	d.off += int(n)
	return s, nil
}

func (d *decoder) uvarint() (uint64, error) {
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 || n != len(binary.AppendUvarint(nil, v)) {
		return 0, fmt.Errorf("%w: bad varint", ErrBadMessage)
	}
	d.off += n
	return v, nil
}

// ValidValue reports whether v can be agreed on: at least one name, each 1
// to MaxName bytes, sorted and distinct.
func ValidValue(v []string) bool {
	if len(v) == 0 || !slices.IsSorted(v) {
		return false
	}
	for i, n := range v {
		if n == "" || len(n) > MaxName || (i > 0 && v[i-1] == n) {
			return false
		}
	}
	return true
}
