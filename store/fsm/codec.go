package fsm

import (
	"encoding/binary"
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

// decodeBinary reads what appendBinary wrote after the version byte.
func decodeBinary(b []byte, c *Command) error {
	d := NewDecoder(b)
	code, flags := d.Byte(), d.Byte()
	if err := d.Err(); err != nil {
		return err
	}
	if int(code) >= len(opCodes) {
		return fmt.Errorf("unknown operation code %d", code)
	}
	if flags&^cmdFlags != 0 {
		return fmt.Errorf("unknown flags %#x", flags&^cmdFlags)
	}
	c.Op = opCodes[code]
	c.Dir, c.Refresh, c.Recursive = flags&cmdDir != 0, flags&cmdRefresh != 0,
		flags&cmdRecursive != 0
	c.Key = d.Str()
	c.Value = d.Str()
	c.PrevValue = d.Str()
	c.PrevIndex = d.Uvarint()
	if flags&cmdTTL != 0 {
		ttl := d.Varint()
		c.TTL = &ttl
	}
	c.Time = d.Varint()
	if err := d.Err(); err != nil {
		return err
	}
	if rest := len(d.Rest()); rest > 0 {
		return fmt.Errorf("%d bytes after the command", rest)
	}
	return nil
}
