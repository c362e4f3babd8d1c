package ring

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrNotIPv4 means a range or address is not IPv4; the ring divides IPv4
// ranges only.
var ErrNotIPv4 = errors.New("not an IPv4 range")

// ErrNoPeers means Seed was given no usable peer names, or more peers than the
// range has addresses.
var ErrNoPeers = errors.New("no peers to seed the ring with")

// ErrBadPeerName means a peer name is empty or longer than MaxPeerName bytes.
var ErrBadPeerName = errors.New("bad peer name")

// ErrDifferentRing means two rings were seeded differently (another range or
// another seed set) and so must never be merged.
var ErrDifferentRing = errors.New("rings come from different seeds")

// ErrConflict means two replicas hold different entries with the same token
// and version. Correct peers never produce this; it points at a peer that
// lost its state or a peer named twice.
var ErrConflict = errors.New("conflicting ring entries")

// ErrOwnRangeChanged means a received ring changes, or adds tokens inside,
// addresses that this replica's own peer owns. Only the owner may do that, so
// the ring is refused; it is what a peer sees after another peer ran rmpeer on
// it while it was still alive.
var ErrOwnRangeChanged = errors.New("received ring changes addresses this peer owns")

// ErrNotOwner means a transfer asked to move addresses that the giving peer
// does not own.
var ErrNotOwner = errors.New("addresses not owned by the giving peer")

// ErrOutOfRange means an address or range lies outside the ring's range.
var ErrOutOfRange = errors.New("outside the ring's range")

// ErrInvalid is the cause of every EntryError and of every encoding Validate
// or UnmarshalBinary rejects.
var ErrInvalid = errors.New("invalid ring")

// EntryError reports a ring entry that breaks an invariant. It unwraps to
// ErrInvalid.
type EntryError struct {
	Index  int
	Token  netip.Addr
	Reason string
}

// Error names the entry by index and token, then says what is wrong.
func (e *EntryError) Error() string {
	return fmt.Sprintf("invalid ring: entry %d (token %s): %s", e.Index, e.Token, e.Reason)
}

// Unwrap returns ErrInvalid.
func (e *EntryError) Unwrap() error { return ErrInvalid }

func checkPeerName(name string) error {
	if name == "" || len(name) > MaxPeerName {
		return fmt.Errorf("%w: %q", ErrBadPeerName, name)
	}
	return nil
}
