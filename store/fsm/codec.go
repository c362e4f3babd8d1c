package fsm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// The binary command format, after its version byte: the operation's
// code, a byte of flags, the key, the value and the compared value (each
// a uvarint length and the bytes), the compared index (uvarint), the TTL
// when the flags say there is one, and the time (varints). It is a
// quarter of the JSON's size for a typical write, and decoding it
// allocates only the strings.

// opCodes numbers the operations in the binary format. The order is
// fixed: append, never reorder.
var opCodes = []Op{OpSet, OpCreate, OpCreateInOrder, OpUpdate, OpCompareAndSwap, OpDelete,
	OpCompareAndDelete, OpExpire, OpNoop}

const (
	cmdDir = 1 << iota
	cmdRefresh
	cmdRecursive
	cmdTTL
	cmdFlags = cmdDir | cmdRefresh | cmdRecursive | cmdTTL
)

// appendBinary appends c, version byte first.
func appendBinary(b []byte, c *Command) ([]byte, error) {
	code := slices.Index(opCodes, c.Op)
	if code < 0 {
		return nil, fmt.Errorf("unknown operation %q", c.Op)
	}
	var flags byte
	for _, f := range []struct {
		on  bool
		bit byte
	}{{c.Dir, cmdDir}, {c.Refresh, cmdRefresh}, {c.Recursive, cmdRecursive},
		{c.TTL != nil, cmdTTL}} {
		if f.on {
			flags |= f.bit
		}
	}
	b = append(b, commandBinary, byte(code), flags)
	for _, s := range []string{c.Key, c.Value, c.PrevValue} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, c.PrevIndex)
	if c.TTL != nil {
		b = binary.AppendVarint(b, *c.TTL)
	}
	return binary.AppendVarint(b, c.Time), nil
}

var errTruncated = errors.New("binary command ends early")

// decodeBinary reads what appendBinary wrote after the version byte.
func decodeBinary(b []byte, c *Command) error {
	if len(b) < 2 {
		return errTruncated
	}
	if int(b[0]) >= len(opCodes) {
		return fmt.Errorf("unknown operation code %d", b[0])
	}
	c.Op = opCodes[b[0]]
	flags := b[1]
	if flags&^cmdFlags != 0 {
		return fmt.Errorf("unknown flags %#x", flags&^cmdFlags)
	}
	c.Dir, c.Refresh, c.Recursive = flags&cmdDir != 0, flags&cmdRefresh != 0,
		flags&cmdRecursive != 0
	b = b[2:]
	for _, s := range []*string{&c.Key, &c.Value, &c.PrevValue} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return errTruncated
		}
		*s = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	var k int
	if c.PrevIndex, k = binary.Uvarint(b); k <= 0 {
		return errTruncated
	}
	b = b[k:]
	if flags&cmdTTL != 0 {
		ttl, k := binary.Varint(b)
		if k <= 0 {
			return errTruncated
		}
		c.TTL, b = &ttl, b[k:]
	}
	if c.Time, k = binary.Varint(b); k <= 0 {
		return errTruncated
	}
	if len(b) != k {
		return fmt.Errorf("%d bytes after the command", len(b)-k)
	}
	return nil
}
