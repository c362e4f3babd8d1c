package ipam

import "errors"

// ErrInUse means the requested address is already allocated.
var ErrInUse = errors.New("address already in use")

// ErrNotAllocated means an address to release was not allocated.
var ErrNotAllocated = errors.New("address not allocated")

// ErrOwnedElsewhere means a claimed address belongs to another peer's part of
// the range; the error text names that peer.
var ErrOwnedElsewhere = errors.New("address owned by another peer")

// ErrOutOfRange means an address lies outside the allocator's range.
var ErrOutOfRange = errors.New("address outside the allocation range")

// ErrPoolNotInRange means a pool is not the range or a subnet of it.
var ErrPoolNotInRange = errors.New("pool not inside the allocation range")

// ErrReserved means a claimed address is the first or last of the range,
// which no container may have.
var ErrReserved = errors.New("address reserved")

// ErrExhausted means no free address could be found or obtained from other
// peers within the request timeout.
var ErrExhausted = errors.New("no free address")

// ErrClosed means the allocator was closed.
var ErrClosed = errors.New("allocator closed")

// ErrStateMismatch means the state file was written for another peer, range
// or seed set than the configuration names; the operator must reconcile them
// (or remove the file) before the allocator can start.
var ErrStateMismatch = errors.New("state file does not match the configuration")

// ErrPoolTooSmall means a pool has no room for an address besides its
// network, gateway and broadcast addresses: it is smaller than a /30.
var ErrPoolTooSmall = errors.New("pool too small")
