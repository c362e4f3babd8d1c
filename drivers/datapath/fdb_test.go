package datapath

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, 0, len(ss))
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func TestSetFloodPeers(t *testing.T) {
	n, s := underlayNS(t)
	mustEnsure(t, n, s)

	// A static entry for a remote endpoint must survive every reconcile.
	mac := MACFor(netip.MustParseAddr("10.40.0.9"))
	endpoint, host := netip.MustParseAddr("10.40.0.9"), netip.MustParseAddr("10.99.0.9")
	if err := AddNeighbour(n.h, s.VXLAN, mac, endpoint, host); err != nil {
		t.Fatalf("AddNeighbour: %v", err)
	}

	steps := []struct {
		name  string
		set   []netip.Addr
		wants []netip.Addr
	}{
		{"from none", addrs("10.99.0.3", "10.99.0.2", "10.99.0.4"),
			addrs("10.99.0.2", "10.99.0.3", "10.99.0.4")},
		{"same again", addrs("10.99.0.2", "10.99.0.3", "10.99.0.4"),
			addrs("10.99.0.2", "10.99.0.3", "10.99.0.4")},
		{"add and remove", addrs("10.99.0.3", "10.99.0.5", "10.99.0.5"),
			addrs("10.99.0.3", "10.99.0.5")},
		{"ipv4-mapped", addrs("::ffff:10.99.0.6"), addrs("10.99.0.6")},
		{"to none", nil, nil},
	}
	for _, st := range steps {
		if err := SetFloodPeers(n.h, s.VXLAN, st.set); err != nil {
			t.Fatalf("%s: SetFloodPeers(%v): %v", st.name, st.set, err)
		}
		got, err := FloodPeers(n.h, s.VXLAN)
		if err != nil {
			t.Fatalf("%s: FloodPeers: %v", st.name, err)
		}
		if !slices.Equal(got, st.wants) {
			t.Errorf("%s: FloodPeers = %v, want %v", st.name, got, st.wants)
		}
		if !hasFDB(t, n, s.VXLAN, mac, host) {
			t.Errorf("%s: the static entry for %s was removed", st.name, mac)
		}
	}
}

func TestFloodPeersErrors(t *testing.T) {
	n := newNS(t)
	if err := SetFloodPeers(n.h, "vxlan-none", addrs("10.99.0.2")); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetFloodPeers on a missing device = %v, want ErrNotFound", err)
	}
	if _, err := FloodPeers(n.h, "vxlan-none"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FloodPeers on a missing device = %v, want ErrNotFound", err)
	}
	if err := SetFloodPeers(n.h, "vxlan-none", []netip.Addr{{}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetFloodPeers with an invalid peer = %v, want ErrInvalid", err)
	}
}

func TestNeighbour(t *testing.T) {
	n, s := underlayNS(t)
	mustEnsure(t, n, s)
	ip, peer := netip.MustParseAddr("10.40.0.7"), netip.MustParseAddr("10.99.0.2")
	mac := MACFor(ip)

	for i := range 2 {
		if err := AddNeighbour(n.h, s.VXLAN, mac, ip, peer); err != nil {
			t.Fatalf("AddNeighbour #%d: %v", i+1, err)
		}
	}
	if !hasFDB(t, n, s.VXLAN, mac, peer) {
		t.Errorf("no forwarding entry %s -> %s", mac, peer)
	}
	if got := arpMAC(t, n, s.VXLAN, ip); !bytes.Equal(got, mac) {
		t.Errorf("arp entry for %s = %v, want %s", ip, got, mac)
	}

	for i := range 2 {
		if err := DelNeighbour(n.h, s.VXLAN, mac, ip, peer); err != nil {
			t.Fatalf("DelNeighbour #%d: %v", i+1, err)
		}
	}
	if hasFDB(t, n, s.VXLAN, mac, peer) {
		t.Errorf("forwarding entry %s -> %s left after DelNeighbour", mac, peer)
	}
	if got := arpMAC(t, n, s.VXLAN, ip); got != nil {
		t.Errorf("arp entry for %s left after DelNeighbour: %s", ip, got)
	}

	if err := AddNeighbour(n.h, s.VXLAN, net.HardwareAddr{1, 0, 0, 0, 0, 1}, ip, peer); err == nil {
		t.Errorf("AddNeighbour with a multicast MAC succeeded")
	}
	if err := DelNeighbour(n.h, "vxlan-none", mac, ip, peer); err != nil {
		t.Errorf("DelNeighbour on a missing device = %v, want nil", err)
	}
}

// hasFDB reports whether the VXLAN device holds its own entry sending mac to dst.
func hasFDB(t *testing.T, n *testNS, vxlan string, mac net.HardwareAddr, dst netip.Addr) bool {
	t.Helper()
	entries, err := listNeighs(n.h, n.link(t, vxlan).Attrs().Index, unix.AF_BRIDGE)
	if err != nil {
		t.Fatalf("fdb of %s: %v", vxlan, err)
	}
	for _, e := range entries {
		if e.Flags&netlink.NTF_SELF != 0 && bytes.Equal(e.HardwareAddr, mac) &&
			e.IP.Equal(net.IP(dst.AsSlice())) {
			return true
		}
	}
	return false
}

// arpMAC returns the MAC of the permanent IPv4 neighbour entry for ip, or nil.
func arpMAC(t *testing.T, n *testNS, dev string, ip netip.Addr) net.HardwareAddr {
	t.Helper()
	entries, err := listNeighs(n.h, n.link(t, dev).Attrs().Index, unix.AF_INET)
	if err != nil {
		t.Fatalf("neighbours of %s: %v", dev, err)
	}
	for _, e := range entries {
		if e.IP.Equal(net.IP(ip.AsSlice())) && e.State&netlink.NUD_PERMANENT != 0 {
			return e.HardwareAddr
		}
	}
	return nil
}
