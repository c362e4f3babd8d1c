package datapath

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"syscall"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// zeroMAC is the forwarding entry a VXLAN device copies broadcast and unknown unicast
// frames to, once per destination that holds it.
var zeroMAC = net.HardwareAddr{0, 0, 0, 0, 0, 0}

// SetFloodPeers makes the all-zero flood entries of the VXLAN device vxlan exactly peers:
// it appends those missing and deletes those no longer wanted, leaving every other
// forwarding entry alone. Duplicates in peers are ignored. It equals, per change:
//
//	bridge fdb append 00:00:00:00:00:00 dev VXLAN dst PEER
//	bridge fdb del 00:00:00:00:00:00 dev VXLAN dst PEER
func SetFloodPeers(h *netlink.Handle, vxlan string, peers []netip.Addr) error {
	h = handle(h)
	want := make(map[netip.Addr]bool, len(peers))
	for _, p := range peers {
		if !p.IsValid() || p.IsUnspecified() {
			return invalid("peer", p, "must be an address")
		}
		want[p.Unmap()] = true
	}

	link, err := linkByName(h, vxlan)
	if err != nil {
		return fmt.Errorf("set flood peers: %w", err)
	}
	have, err := floodPeers(h, link)
	if err != nil {
		return fmt.Errorf("set flood peers of %s: %w", vxlan, err)
	}

	// Stale entries go first, so a device never floods to a peer that has left for
	// longer than the call takes.
	for _, p := range have {
		if want[p] {
			delete(want, p)
			continue
		}
		err := h.NeighDel(fdbEntry(link, zeroMAC, p))
		if err != nil && !errors.Is(err, syscall.ENOENT) {
			return fmt.Errorf("set flood peers of %s: delete %s: %w", vxlan, p, err)
		}
	}
	for _, p := range sortedAddrs(want) {
		if err := h.NeighAppend(fdbEntry(link, zeroMAC, p)); err != nil {
			return fmt.Errorf("set flood peers of %s: add %s: %w", vxlan, p, err)
		}
	}
	return nil
}

// FloodPeers returns, sorted, the destinations of the all-zero flood entries of the VXLAN
// device vxlan (`bridge fdb show dev VXLAN | grep ^00:00:00:00:00:00`).
func FloodPeers(h *netlink.Handle, vxlan string) ([]netip.Addr, error) {
	h = handle(h)
	link, err := linkByName(h, vxlan)
	if err != nil {
		return nil, fmt.Errorf("flood peers: %w", err)
	}
	peers, err := floodPeers(h, link)
	if err != nil {
		return nil, fmt.Errorf("flood peers of %s: %w", vxlan, err)
	}
	return peers, nil
}

// floodPeers lists the destinations of link's own all-zero entries; entries the bridge
// keeps for the port (flagged master) carry no destination and are skipped.
func floodPeers(h *netlink.Handle, link netlink.Link) ([]netip.Addr, error) {
	entries, err := listNeighs(h, link.Attrs().Index, unix.AF_BRIDGE)
	if err != nil {
		return nil, err
	}
	var peers []netip.Addr
	for _, e := range entries {
		if e.Flags&netlink.NTF_SELF == 0 || !bytes.Equal(e.HardwareAddr, zeroMAC) {
			continue
		}
		if ip, ok := netip.AddrFromSlice(e.IP); ok {
			peers = append(peers, ip.Unmap())
		}
	}
	slices.SortFunc(peers, netip.Addr.Compare)
	return slices.Compact(peers), nil
}

// AddNeighbour tells the VXLAN device vxlan that the remote endpoint with mac and ip lives
// on the host at peer: frames to mac go straight there, and (with NetworkSpec.ARPProxy)
// ARP requests for ip are answered locally. Existing entries are replaced. It equals:
//
//	bridge fdb replace MAC dev VXLAN dst PEER
//	ip neigh replace IP lladdr MAC dev VXLAN nud permanent
func AddNeighbour(h *netlink.Handle, vxlan string, mac net.HardwareAddr,
	ip, peer netip.Addr) error {
	h = handle(h)
	link, err := neighbourArgs(h, vxlan, mac, ip, peer)
	if err != nil {
		return fmt.Errorf("add neighbour %s: %w", ip, err)
	}
	if err := h.NeighSet(fdbEntry(link, mac, peer)); err != nil {
		return fmt.Errorf("add neighbour %s: forward %s to %s: %w", ip, mac, peer, err)
	}
	if err := h.NeighSet(arpEntry(link, mac, ip)); err != nil {
		return fmt.Errorf("add neighbour %s: arp entry: %w", ip, err)
	}
	return nil
}

// DelNeighbour removes what AddNeighbour added; entries already gone are fine. It equals:
//
//	bridge fdb del MAC dev VXLAN dst PEER
//	ip neigh del IP dev VXLAN
func DelNeighbour(h *netlink.Handle, vxlan string, mac net.HardwareAddr,
	ip, peer netip.Addr) error {
	h = handle(h)
	link, err := neighbourArgs(h, vxlan, mac, ip, peer)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete neighbour %s: %w", ip, err)
	}
	for _, e := range []*netlink.Neigh{arpEntry(link, mac, ip), fdbEntry(link, mac, peer)} {
		if err := h.NeighDel(e); err != nil && !errors.Is(err, syscall.ENOENT) {
			return fmt.Errorf("delete neighbour %s: %w", ip, err)
		}
	}
	return nil
}

// neighbourArgs checks the arguments of AddNeighbour and DelNeighbour and looks up the
// device.
func neighbourArgs(h *netlink.Handle, vxlan string, mac net.HardwareAddr,
	ip, peer netip.Addr) (netlink.Link, error) {
	if !isUnicastMAC(mac) {
		return nil, invalid("mac", mac, "must be a unicast Ethernet address")
	}
	if !ip.IsValid() || ip.IsUnspecified() {
		return nil, invalid("ip", ip, "must be an address")
	}
	if !peer.IsValid() || peer.IsUnspecified() {
		return nil, invalid("peer", peer, "must be an address")
	}
	return linkByName(h, vxlan)
}

// fdbEntry is the VXLAN device's own forwarding entry sending frames for mac to dst.
func fdbEntry(link netlink.Link, mac net.HardwareAddr, dst netip.Addr) *netlink.Neigh {
	return &netlink.Neigh{
		LinkIndex:    link.Attrs().Index,
		Family:       unix.AF_BRIDGE,
		State:        netlink.NUD_PERMANENT | netlink.NUD_NOARP,
		Flags:        netlink.NTF_SELF,
		IP:           net.IP(dst.Unmap().AsSlice()),
		HardwareAddr: mac,
	}
}

// arpEntry is the permanent neighbour entry mapping ip to mac on the VXLAN device.
func arpEntry(link netlink.Link, mac net.HardwareAddr, ip netip.Addr) *netlink.Neigh {
	family := unix.AF_INET6
	if ip.Unmap().Is4() {
		family = unix.AF_INET
	}
	return &netlink.Neigh{
		LinkIndex:    link.Attrs().Index,
		Family:       family,
		State:        netlink.NUD_PERMANENT,
		IP:           net.IP(ip.Unmap().AsSlice()),
		HardwareAddr: mac,
	}
}

// sortedAddrs returns the keys of set in order, so changes are made deterministically.
func sortedAddrs(set map[netip.Addr]bool) []netip.Addr {
	out := make([]netip.Addr, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}
