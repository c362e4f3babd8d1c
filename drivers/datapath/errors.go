package datapath

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/vishvananda/netlink"
)

// ErrInvalid is wrapped by every error that rejects an argument before any kernel call: a
// bad device name, VNI, port, address or MTU.
var ErrInvalid = errors.New("invalid argument")

// ErrNotFound is wrapped when a device the call works on (a bridge, a VXLAN device) does
// not exist.
var ErrNotFound = errors.New("device not found")

// ErrExists is wrapped when CreateVeth finds a device already holding one of the names it
// was asked to use; the caller decides whether to delete it and try again.
var ErrExists = errors.New("device already exists")

// ErrNoUnderlay is wrapped when no interface holds the underlay address, so no MTU can be
// derived from it.
var ErrNoUnderlay = errors.New("no interface holds the underlay address")

// invalid returns an error wrapping ErrInvalid that names the field and its value.
func invalid(field string, value any, why string) error {
	return fmt.Errorf("%w: %s %v: %s", ErrInvalid, field, value, why)
}

// isNotFound reports whether err says a link does not exist: the library's lookup error,
// the kernel's ENODEV for a request naming a device that went away, or ErrNotFound.
func isNotFound(err error) bool {
	var lnf netlink.LinkNotFoundError
	return errors.As(err, &lnf) || errors.Is(err, syscall.ENODEV) || errors.Is(err, ErrNotFound)
}

// linkByName looks a link up by name (`ip link show NAME`); a missing link gives an error
// wrapping ErrNotFound.
func linkByName(h *netlink.Handle, name string) (netlink.Link, error) {
	link, err := h.LinkByName(name)
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("%s: %w", name, ErrNotFound)
		}
		return nil, fmt.Errorf("look up %s: %w", name, err)
	}
	return link, nil
}

// handle returns h, or a handle working in the calling thread's namespace when h is nil.
func handle(h *netlink.Handle) *netlink.Handle {
	if h == nil {
		return &netlink.Handle{}
	}
	return h
}
