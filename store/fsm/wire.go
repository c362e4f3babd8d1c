package fsm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The binary form of events and results, which the history bucket keeps
// and the peers' RPC sends. Strings and byte counts are uvarint-prefixed,
// indexes are uvarints, times and TTLs varints. An event is its action's
// code, a byte of flags and its nodes; a node is a byte of flags, the key,
// the value when it has one, the expiration in Unix nanoseconds when it
// has one, the TTL, the modified and created index, and its children.

// actionCodes numbers the actions in the binary form. The order is
// fixed: append, never reorder.
var actionCodes = []string{ActionGet, ActionSet, ActionCreate, ActionUpdate,
	ActionCompareAndSwap, ActionDelete, ActionCompareAndDelete, ActionExpire}

const (
	eventNode = 1 << iota
	eventPrev
	eventRefresh
	eventFlags = eventNode | eventPrev | eventRefresh
)

const (
	nodeValue = 1 << iota
	nodeDir
	nodeExpiration
	nodeFlags = nodeValue | nodeDir | nodeExpiration
)

const (
	resultErr = 1 << iota
	resultSkipped
	resultFlags = resultErr | resultSkipped
)

// minNodeLen is the fewest bytes a node takes: a decoder trusts a child
// count only as far as the bytes left could hold that many.
const minNodeLen = 6

// AppendEvent appends e's binary form.
func AppendEvent(b []byte, e *Event) []byte {
	var flags byte
	if e.Node != nil {
		flags |= eventNode
	}
	if e.PrevNode != nil {
		flags |= eventPrev
	}
	if e.Refresh {
		flags |= eventRefresh
	}
	b = append(b, byte(slices.Index(actionCodes, e.Action)), flags)
	if e.Node != nil {
		b = appendNode(b, e.Node)
	}
	if e.PrevNode != nil {
		b = appendNode(b, e.PrevNode)
	}
	return b
}

func appendNode(b []byte, n *Node) []byte {
	var flags byte
	if n.Value != nil {
		flags |= nodeValue
	}
	if n.Dir {
		flags |= nodeDir
	}
	if n.Expiration != nil {
		flags |= nodeExpiration
	}
	b = appendString(append(b, flags), n.Key)
	if n.Value != nil {
		b = appendString(b, *n.Value)
	}
	if n.Expiration != nil {
		b = binary.AppendVarint(b, n.Expiration.UnixNano())
	}
	b = binary.AppendVarint(b, n.TTL)
	b = binary.AppendUvarint(b, n.ModifiedIndex)
	b = binary.AppendUvarint(b, n.CreatedIndex)
	b = binary.AppendUvarint(b, uint64(len(n.Nodes)))
	for _, c := range n.Nodes {
		b = appendNode(b, c)
	}
	return b
}

// AppendResult appends r's binary form.
func AppendResult(b []byte, r *Result) []byte {
	var flags byte
	if r.Err != nil {
		flags |= resultErr
	}
	if r.Skipped {
		flags |= resultSkipped
	}
	b = binary.AppendUvarint(append(b, flags), r.Index)
	if r.Err != nil {
		b = AppendError(b, r.Err)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Events)))
	for _, e := range r.Events {
		b = AppendEvent(b, e)
	}
	return b
}

// AppendError appends an etcd error's binary form.
func AppendError(b []byte, e *Error) []byte {
	b = binary.AppendVarint(b, int64(e.Code))
	b = appendString(b, e.Message)
	b = appendString(b, e.Cause)
	return binary.AppendUvarint(b, e.Index)
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// Decoder reads binary forms from a buffer. The first failure sticks:
// every later read returns zero values, and Err reports it.
type Decoder struct {
	b   []byte
	err error
}

// NewDecoder reads from b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// Err returns the first failure.
func (d *Decoder) Err() error { return d.err }

// Rest returns the bytes not read yet.
func (d *Decoder) Rest() []byte { return d.b }

// Finish fails unless every byte was read.
func (d *Decoder) Finish() error {
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%d bytes after the end", len(d.b))
	}
	return d.err
}

var errShort = errors.New("binary form ends early")

func (d *Decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

// Byte reads one byte.
func (d *Decoder) Byte() byte {
	if len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// Uvarint reads an unsigned varint.
func (d *Decoder) Uvarint() uint64 {
	v, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[k:]
	return v
}

// Varint reads a signed varint.
func (d *Decoder) Varint() int64 {
	v, k := binary.Varint(d.b)
	if k <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[k:]
	return v
}

// Str reads a length-prefixed string, copied out of the buffer.
func (d *Decoder) Str() string { return string(d.Bytes()) }

// Bytes reads a length-prefixed byte string; the result shares the
// buffer.
func (d *Decoder) Bytes() []byte {
	n := d.Uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errShort)
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

// Count reads a count of items that take at least min bytes each,
// failing when the bytes left could not hold them.
func (d *Decoder) Count(min int) int {
	n := d.Uvarint()
	if n > uint64(len(d.b)/min) {
		d.fail(fmt.Errorf("count %d larger than the bytes left allow", n))
		return 0
	}
	return int(n)
}

// Event reads an event that AppendEvent wrote.
func (d *Decoder) Event() *Event {
	code, flags := d.Byte(), d.Byte()
	if d.err != nil {
		return nil
	}
	if int(code) >= len(actionCodes) || flags&^eventFlags != 0 {
		d.fail(fmt.Errorf("event with action code %d and flags %#x", code, flags))
		return nil
	}
	e := &Event{Action: actionCodes[code], Refresh: flags&eventRefresh != 0}
	if flags&eventNode != 0 {
		e.Node = d.node()
	}
	if flags&eventPrev != 0 {
		e.PrevNode = d.node()
	}
	if d.err != nil {
		return nil
	}
	return e
}

func (d *Decoder) node() *Node {
	flags := d.Byte()
	if flags&^nodeFlags != 0 {
		d.fail(fmt.Errorf("node with flags %#x", flags))
	}
	n := &Node{Key: d.Str(), Dir: flags&nodeDir != 0}
	if flags&nodeValue != 0 {
		v := d.Str()
		n.Value = &v
	}
	if flags&nodeExpiration != 0 {
		t := time.Unix(0, d.Varint()).UTC()
		n.Expiration = &t
	}
	n.TTL = d.Varint()
	n.ModifiedIndex, n.CreatedIndex = d.Uvarint(), d.Uvarint()
	if count := d.Count(minNodeLen); count > 0 {
		n.Nodes = make([]*Node, count)
		for i := range n.Nodes {
			n.Nodes[i] = d.node()
		}
	}
	if d.err != nil {
		return nil
	}
	return n
}

// Result reads a result that AppendResult wrote.
func (d *Decoder) Result() *Result {
	flags := d.Byte()
	if flags&^resultFlags != 0 {
		d.fail(fmt.Errorf("result with flags %#x", flags))
	}
	r := &Result{Index: d.Uvarint(), Skipped: flags&resultSkipped != 0}
	if flags&resultErr != 0 {
		r.Err = d.EtcdError()
	}
	if count := d.Count(2); count > 0 {
		r.Events = make([]*Event, count)
		for i := range r.Events {
			r.Events[i] = d.Event()
		}
	}
	if d.err != nil {
		return nil
	}
	return r
}

// EtcdError reads an etcd error that AppendError wrote.
func (d *Decoder) EtcdError() *Error {
	e := &Error{Code: int(d.Varint()), Message: d.Str(), Cause: d.Str(), Index: d.Uvarint()}
	if d.err != nil {
		return nil
	}
	return e
}
