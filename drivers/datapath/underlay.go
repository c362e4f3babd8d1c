package datapath

import (
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// UnderlayMTU returns the MTU of the interface holding local less the VXLAN overhead for
// local's family (OverheadIPv4 or OverheadIPv6): the largest frame a container may send
// that still fits in one underlay packet once encapsulated. It equals reading the mtu of
// the device that `ip addr show to LOCAL` lists. If no interface holds local the error
// wraps ErrNoUnderlay.
func UnderlayMTU(h *netlink.Handle, local netip.Addr) (int, error) {
	h = handle(h)
	local = local.Unmap().WithZone("")
	if !local.IsValid() {
		return 0, invalid("local", local, "must be an address")
	}

	family := netlink.FAMILY_V4
	if local.Is6() {
		family = netlink.FAMILY_V6
	}
	addrs, err := listAddrs(h, family)
	if err != nil {
		return 0, fmt.Errorf("underlay mtu for %s: %w", local, err)
	}

	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok || ip.Unmap() != local {
			continue
		}
		link, err := h.LinkByIndex(a.LinkIndex)
		if err != nil {
			return 0, fmt.Errorf("underlay mtu for %s: interface %d: %w", local, a.LinkIndex, err)
		}
		mtu := link.Attrs().MTU - overhead(local)
		if mtu < minMTU {
			return 0, fmt.Errorf("underlay mtu for %s: %s has mtu %d, too small for VXLAN: %w",
				local, link.Attrs().Name, link.Attrs().MTU, ErrInvalid)
		}
		return mtu, nil
	}
	return 0, fmt.Errorf("underlay mtu for %s: %w", local, ErrNoUnderlay)
}
