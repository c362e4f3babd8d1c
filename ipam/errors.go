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

// ErrBadInit means the text of --ipalloc-init could not be read; the error
// names the input.
var ErrBadInit = errors.New("bad ipalloc-init")

// ErrNoRing means the ring does not exist yet: consensus has not been reached
// (the error says how many peers were heard of how many needed), or an
// observer has not heard the ring from any peer.
var ErrNoRing = errors.New("no ring yet")

// ErrPeerAlive means RemovePeer was asked to take over a peer that the
// membership layer reports alive; only a peer gone for good may be removed.
var ErrPeerAlive = errors.New("peer is alive")

// ErrStopping means the allocator is handing its space over for shutdown
// (Handover) and takes no new allocations.
var ErrStopping = errors.New("allocator is stopping")

// ErrNoLivePeer means Handover found no live peer to give the space to; this
// peer keeps it.
var ErrNoLivePeer = errors.New("no live peer to hand over to")

// ErrHandoverUnconfirmed means the receiver of a handover did not acknowledge
// it in time. This peer keeps the addresses, frozen, and offers them again
// whenever the receiver is reachable, until it answers.
var ErrHandoverUnconfirmed = errors.New("handover not acknowledged")

// ErrHandoverPending means an operation that changes this peer's space was
// refused because a handover is waiting for its receiver's answer.
var ErrHandoverPending = errors.New("handover pending")
