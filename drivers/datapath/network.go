package datapath

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// EnsureNetwork makes the devices of s exist, up, with the right MTU, the VXLAN device
// enslaved to the bridge. Devices already there are adopted, so a restarted daemon carries
// on with what it made (and containers stay attached); a device of the right name but the
// wrong kind, or a VXLAN device with another VNI, port, local address or ARP mode, is
// deleted and made again. A VXLAN device made again has lost its flood and neighbour
// entries, so callers follow EnsureNetwork with SetFloodPeers. It equals:
//
//	ip link add BRIDGE address MAC mtu MTU type bridge
//	ip link add VXLAN mtu MTU type vxlan id VNI dstport PORT local LOCAL learning
//	ip link set VXLAN master BRIDGE
//	ip link set VXLAN up; ip link set BRIDGE up
func EnsureNetwork(h *netlink.Handle, s NetworkSpec) error {
	h = handle(h)
	if err := s.Validate(); err != nil {
		return err
	}
	s.Local = s.Local.Unmap()

	mtu := s.MTU
	if mtu == 0 {
		var err error
		if mtu, err = UnderlayMTU(h, s.Local); err != nil {
			return fmt.Errorf("ensure network %s: %w", s.Bridge, err)
		}
	}

	br, err := ensureBridge(h, s, mtu)
	if err != nil {
		return fmt.Errorf("ensure network %s: %w", s.Bridge, err)
	}
	vx, err := ensureVXLAN(h, s, mtu)
	if err != nil {
		return fmt.Errorf("ensure network %s: %w", s.Bridge, err)
	}

	// The VXLAN device joins the bridge only once both exist; the bridge comes up last so
	// that it never forwards before its uplink is in place.
	if vx.Attrs().MasterIndex != br.Attrs().Index {
		if err := h.LinkSetMaster(vx, br); err != nil {
			return fmt.Errorf("ensure network %s: join %s to it: %w", s.Bridge, s.VXLAN, err)
		}
	}
	for _, l := range []netlink.Link{vx, br} {
		if err := h.LinkSetUp(l); err != nil {
			return fmt.Errorf("ensure network %s: set %s up: %w", s.Bridge, l.Attrs().Name, err)
		}
	}
	return nil
}

// DeleteNetwork removes the devices of s; those already gone are fine. Veths still joined
// to the bridge are left, detached. It equals `ip link del VXLAN; ip link del BRIDGE`.
func DeleteNetwork(h *netlink.Handle, s NetworkSpec) error {
	h = handle(h)
	if err := ValidateName("VXLAN", s.VXLAN); err != nil {
		return err
	}
	if err := ValidateName("Bridge", s.Bridge); err != nil {
		return err
	}
	for _, name := range []string{s.VXLAN, s.Bridge} {
		if err := deleteLink(h, name); err != nil {
			return fmt.Errorf("delete network %s: %w", s.Bridge, err)
		}
	}
	return nil
}

// ensureBridge returns the bridge of s, made or adopted, with the MTU and MAC address set.
func ensureBridge(h *netlink.Handle, s NetworkSpec, mtu int) (netlink.Link, error) {
	mac := bridgeMAC(s.Bridge, s.Local)
	link, err := adopt(h, s.Bridge, func(l netlink.Link) bool {
		_, ok := l.(*netlink.Bridge)
		return ok
	})
	if err != nil {
		return nil, err
	}
	if link == nil {
		attrs := netlink.NewLinkAttrs()
		attrs.Name, attrs.MTU, attrs.HardwareAddr = s.Bridge, mtu, mac
		return create(h, &netlink.Bridge{LinkAttrs: attrs})
	}

	// A bridge takes the lowest MAC of its ports unless it was given one; a fixed address
	// keeps the host's own neighbours valid as containers come and go.
	if !bytes.Equal(link.Attrs().HardwareAddr, mac) {
		if err := h.LinkSetHardwareAddr(link, mac); err != nil {
			return nil, fmt.Errorf("set %s address %s: %w", s.Bridge, mac, err)
		}
	}
	if err := setMTU(h, link, mtu); err != nil {
		return nil, err
	}
	return link, nil
}

// ensureVXLAN returns the VXLAN device of s, made or adopted, with the MTU set.
func ensureVXLAN(h *netlink.Handle, s NetworkSpec, mtu int) (netlink.Link, error) {
	link, err := adopt(h, s.VXLAN, func(l netlink.Link) bool {
		vx, ok := l.(*netlink.Vxlan)
		return ok && vxlanMatches(vx, s)
	})
	if err != nil {
		return nil, err
	}
	if link == nil {
		attrs := netlink.NewLinkAttrs()
		attrs.Name, attrs.MTU = s.VXLAN, mtu
		return create(h, &netlink.Vxlan{
			LinkAttrs: attrs,
			VxlanId:   int(s.VNI),
			SrcAddr:   net.IP(s.Local.AsSlice()),
			Port:      s.Port,
			Learning:  true,
			Proxy:     s.ARPProxy,
		})
	}
	if err := setMTU(h, link, mtu); err != nil {
		return nil, err
	}
	return link, nil
}

// vxlanMatches reports whether an existing VXLAN device is the one s describes.
func vxlanMatches(vx *netlink.Vxlan, s NetworkSpec) bool {
	src, ok := netip.AddrFromSlice(vx.SrcAddr)
	return ok && src.Unmap() == s.Local &&
		vx.VxlanId == int(s.VNI) && vx.Port == s.Port &&
		vx.Learning && vx.Proxy == s.ARPProxy && !vx.FlowBased
}

// adopt returns the link called name if fits says it is the right one, nil if there is no
// such link, and deletes it (returning nil) if it is the wrong one.
func adopt(h *netlink.Handle, name string, fits func(netlink.Link) bool) (netlink.Link, error) {
	link, err := linkByName(h, name)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if fits(link) {
		return link, nil
	}
	if err := h.LinkDel(link); err != nil {
		return nil, fmt.Errorf("replace %s (a %s not as wanted): %w", name, link.Type(), err)
	}
	return nil, nil
}

// create adds link and reads it back, so the caller sees its index and kernel defaults.
func create(h *netlink.Handle, link netlink.Link) (netlink.Link, error) {
	name := link.Attrs().Name
	if err := h.LinkAdd(link); err != nil {
		return nil, fmt.Errorf("add %s %s: %w", link.Type(), name, err)
	}
	return linkByName(h, name)
}

// setMTU sets the MTU of link unless it already has it (`ip link set DEV mtu MTU`).
func setMTU(h *netlink.Handle, link netlink.Link, mtu int) error {
	if link.Attrs().MTU == mtu {
		return nil
	}
	if err := h.LinkSetMTU(link, mtu); err != nil {
		return fmt.Errorf("set %s mtu %d: %w", link.Attrs().Name, mtu, err)
	}
	return nil
}

// deleteLink removes the link called name if there is one (`ip link del NAME`).
func deleteLink(h *netlink.Handle, name string) error {
	link, err := linkByName(h, name)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := h.LinkDel(link); err != nil && !isNotFound(err) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}
