package datapath

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
)

// dumpAttempts bounds how often a dump interrupted by a concurrent change is asked again.
// A table that changes on every one of these attempts is churning faster than any caller
// of this package could act on it, so giving up with an error is the honest answer.
const dumpAttempts = 5

// retryDump runs dump until it returns a result that was not interrupted, at most
// dumpAttempts times. It is the one place that handles netlink.ErrDumpInterrupted: a
// partial result is never returned.
func retryDump[T any](what string, dump func() (T, error)) (T, error) {
	var zero T
	var err error
	for range dumpAttempts {
		var res T
		res, err = dump()
		if err == nil {
			return res, nil
		}
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			return zero, fmt.Errorf("list %s: %w", what, err)
		}
	}
	return zero, fmt.Errorf("list %s: still interrupted after %d attempts: %w",
		what, dumpAttempts, err)
}

// listLinks returns every link (`ip link show`).
func listLinks(h *netlink.Handle) ([]netlink.Link, error) {
	return retryDump("links", h.LinkList)
}

// listAddrs returns every address of the given family (`ip addr show`).
func listAddrs(h *netlink.Handle, family int) ([]netlink.Addr, error) {
	return retryDump("addresses", func() ([]netlink.Addr, error) {
		return h.AddrList(nil, family)
	})
}

// listNeighs returns the neighbour entries of one link and family: the forwarding
// database for AF_BRIDGE (`bridge fdb show dev DEV`), the ARP or NDP table otherwise
// (`ip neigh show dev DEV`).
func listNeighs(h *netlink.Handle, linkIndex, family int) ([]netlink.Neigh, error) {
	return retryDump("neighbours", func() ([]netlink.Neigh, error) {
		return h.NeighList(linkIndex, family)
	})
}
