package fsm

import (
	"encoding/json"
	"fmt"
)

// Op names what a Command does. The names follow the etcd action each one
// produces when it succeeds.
type Op string

// The operations. Making a directory is OpSet or OpCreate with Dir set;
// refreshing a TTL is OpSet, OpUpdate or OpCompareAndSwap with Refresh set.
const (
	// OpSet writes a file or makes a directory, replacing a file that is there.
	OpSet Op = "set"
	// OpCreate writes a file or makes a directory that must not exist yet.
	OpCreate Op = "create"
	// OpCreateInOrder makes a file below Key named after the new index.
	OpCreateInOrder Op = "createInOrder"
	// OpUpdate rewrites a node that must exist.
	OpUpdate Op = "update"
	// OpCompareAndSwap rewrites a file whose value or index match.
	OpCompareAndSwap Op = "compareAndSwap"
	// OpDelete removes a file, or a directory when Dir or Recursive is set.
	OpDelete Op = "delete"
	// OpCompareAndDelete removes a file whose value or index match.
	OpCompareAndDelete Op = "compareAndDelete"
	// OpExpire removes every node whose expiration is at or before Time.
	OpExpire Op = "expire"
	// OpNoop changes nothing; a new leader commits one to learn when all
	// earlier entries are applied.
	OpNoop Op = "noop"
)

// MaxValueLen is the largest value accepted, in bytes: 1.5 MiB, the request
// limit etcd's v3 API applies by default.
const MaxValueLen = 3 << 19

// MaxTTL is the longest TTL accepted, in seconds (about 100 years); it keeps
// the expiration time inside int64 nanoseconds.
const MaxTTL = 100 * 365 * 24 * 3600

// Command is one change to the tree, as it travels through the Raft log.
// Time is the leader's clock when it proposed the command, in Unix
// nanoseconds: expirations are computed from it, so every replica computes
// the same ones.
type Command struct {
	Op        Op     `json:"op"`
	Key       string `json:"key,omitempty"`
	Value     string `json:"value,omitempty"`
	Dir       bool   `json:"dir,omitempty"`
	TTL       *int64 `json:"ttl,omitempty"`
	Refresh   bool   `json:"refresh,omitempty"`
	PrevValue string `json:"prevValue,omitempty"`
	PrevIndex uint64 `json:"prevIndex,omitempty"`
	Recursive bool   `json:"recursive,omitempty"`
	Time      int64  `json:"time,omitempty"`
}

// The first byte of an encoded command names its format, so that logs
// written in an older one stay readable: 1 is JSON, 2 the binary format of
// codec.go, which Encode writes.
const (
	commandJSON   = 1
	commandBinary = 2
)

// Encode returns the command as stored in a log entry.
func (c *Command) Encode() ([]byte, error) {
	b, err := appendBinary(make([]byte, 0, 32+len(c.Key)+len(c.Value)+len(c.PrevValue)), c)
	if err != nil {
		return nil, fmt.Errorf("encode %s command: %w", c.Op, err)
	}
	return b, nil
}

// DecodeCommand reads a command that Encode wrote, in either format, and
// checks it with Validate, so that the tree never sees a malformed one.
func DecodeCommand(b []byte) (*Command, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("decode command: empty entry")
	}
	var c Command
	switch b[0] {
	case commandBinary:
		if err := decodeBinary(b[1:], &c); err != nil {
			return nil, fmt.Errorf("decode command: %w", err)
		}
	case commandJSON:
		if err := json.Unmarshal(b[1:], &c); err != nil {
			return nil, fmt.Errorf("decode command: %w", err)
		}
	default:
		return nil, fmt.Errorf("decode command: unknown version %d", b[0])
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("decode command: %w", err)
	}
	return &c, nil
}

// Validate checks the fields the operation uses: a known Op, a canonical
// key, a value and TTL within bounds, no refresh with a value, and a
// compare for the compare operations.
func (c *Command) Validate() error {
	switch c.Op {
	case OpNoop, OpExpire:
		return nil
	case OpSet, OpCreate, OpCreateInOrder, OpUpdate, OpCompareAndSwap,
		OpDelete, OpCompareAndDelete:
	default:
		return fmt.Errorf("field Op: unknown operation %q", c.Op)
	}
	if !ValidKey(c.Key) {
		return fmt.Errorf("field Key: %q is not a canonical key", c.Key)
	}
	if len(c.Value) > MaxValueLen {
		return fmt.Errorf("field Value: %d bytes, more than %d", len(c.Value), MaxValueLen)
	}
	if c.TTL != nil && (*c.TTL < 0 || *c.TTL > MaxTTL) {
		return fmt.Errorf("field TTL: %d is outside 0..%d", *c.TTL, MaxTTL)
	}
	if c.Refresh && c.Value != "" {
		return fmt.Errorf("field Value: must be empty on a refresh")
	}
	if c.Refresh && c.TTL == nil {
		return fmt.Errorf("field TTL: a refresh needs one")
	}
	compare := c.Op == OpCompareAndSwap || c.Op == OpCompareAndDelete
	if compare && c.PrevValue == "" && c.PrevIndex == 0 {
		return fmt.Errorf("field PrevIndex: %s needs PrevValue or PrevIndex", c.Op)
	}
	return nil
}

// expiration returns the absolute expiration the command asks for, in Unix
// nanoseconds, or 0 for a permanent node. A TTL always yields a non-zero
// time, even at the epoch, so that 0 keeps meaning permanent.
func (c *Command) expiration() int64 {
	if c.TTL == nil {
		return 0
	}
	return max(c.Time+*c.TTL*1e9, 1)
}
