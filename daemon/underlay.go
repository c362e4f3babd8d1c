package daemon

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// underlayAddr picks the address to advertise when --host is not given: the source address
// of the route toward the first peer, or else the first global IPv4 address of an interface
// that is up.
func underlayAddr(h *netlink.Handle, peers []string) (netip.Addr, error) {
	for _, p := range peers {
		host, _, err := net.SplitHostPort(p)
		if err != nil {
			host = p
		}
		ip := net.ParseIP(host)
		if ip == nil {
			continue
		}
		routes, err := h.RouteGet(ip)
		if err == nil && len(routes) > 0 && routes[0].Src != nil {
			if a, ok := netip.AddrFromSlice(routes[0].Src.To4()); ok {
				return a, nil
			}
		}
	}
	addrs, err := h.AddrList(nil, netlink.FAMILY_V4)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return netip.Addr{}, fmt.Errorf("list addresses: %w", err)
	}
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP.To4())
		if ok && ip.IsGlobalUnicast() && a.Scope == int(netlink.SCOPE_UNIVERSE) {
			return ip, nil
		}
	}
	return netip.Addr{}, errors.New("no IPv4 address to advertise: give --host")
}
