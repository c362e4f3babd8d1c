package datapath

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/vishvananda/netlink"
)

// checkNetwork fails the test unless the devices of s are in place: a bridge and a VXLAN
// device with the spec's VNI, port, local address and MTU, enslaved, both up.
func checkNetwork(t *testing.T, n *testNS, s NetworkSpec, mtu int) (br, vx netlink.Link) {
	t.Helper()
	br, vx = n.link(t, s.Bridge), n.link(t, s.VXLAN)
	if _, ok := br.(*netlink.Bridge); !ok {
		t.Fatalf("%s is a %s, want a bridge", s.Bridge, br.Type())
	}
	v, ok := vx.(*netlink.Vxlan)
	if !ok {
		t.Fatalf("%s is a %s, want a vxlan", s.VXLAN, vx.Type())
	}
	if v.VxlanId != int(s.VNI) || v.Port != s.Port || !v.Learning ||
		!v.SrcAddr.Equal(net.IP(s.Local.AsSlice())) {
		t.Errorf("%s: vni %d port %d local %s learning %v; want %d %d %s true",
			s.VXLAN, v.VxlanId, v.Port, v.SrcAddr, v.Learning, s.VNI, s.Port, s.Local)
	}
	if vx.Attrs().MasterIndex != br.Attrs().Index {
		t.Errorf("%s master index %d, want %s (%d)", s.VXLAN, vx.Attrs().MasterIndex,
			s.Bridge, br.Attrs().Index)
	}
	for _, l := range []netlink.Link{br, vx} {
		if l.Attrs().MTU != mtu {
			t.Errorf("%s mtu %d, want %d", l.Attrs().Name, l.Attrs().MTU, mtu)
		}
		if l.Attrs().Flags&net.FlagUp == 0 {
			t.Errorf("%s is down", l.Attrs().Name)
		}
	}
	if !bytes.Equal(br.Attrs().HardwareAddr, bridgeMAC(s.Bridge, s.Local)) {
		t.Errorf("%s address %s, want %s", s.Bridge, br.Attrs().HardwareAddr,
			bridgeMAC(s.Bridge, s.Local))
	}
	return br, vx
}

func TestEnsureNetworkIdempotent(t *testing.T) {
	n, s := underlayNS(t)
	if err := EnsureNetwork(n.h, s); err != nil {
		t.Fatalf("EnsureNetwork: %v", err)
	}
	br1, vx1 := checkNetwork(t, n, s, 1500-OverheadIPv4)

	if err := EnsureNetwork(n.h, s); err != nil {
		t.Fatalf("EnsureNetwork again: %v", err)
	}
	br2, vx2 := checkNetwork(t, n, s, 1500-OverheadIPv4)
	if br1.Attrs().Index != br2.Attrs().Index || vx1.Attrs().Index != vx2.Attrs().Index {
		t.Errorf("second EnsureNetwork replaced devices: indexes %d,%d then %d,%d",
			br1.Attrs().Index, vx1.Attrs().Index, br2.Attrs().Index, vx2.Attrs().Index)
	}

	// A changed MTU is applied to the devices in place.
	s.MTU = 1400
	if err := EnsureNetwork(n.h, s); err != nil {
		t.Fatalf("EnsureNetwork with mtu 1400: %v", err)
	}
	br3, _ := checkNetwork(t, n, s, 1400)
	if br3.Attrs().Index != br1.Attrs().Index {
		t.Errorf("changing the MTU replaced the bridge")
	}
}

// TestEnsureNetworkAdopts stands for a daemon restart: a new handle, devices left as they
// were (one down, the VXLAN device detached) and a container still on the bridge.
func TestEnsureNetworkAdopts(t *testing.T) {
	n, s := underlayNS(t)
	if err := EnsureNetwork(n.h, s); err != nil {
		t.Fatalf("EnsureNetwork: %v", err)
	}
	host, container := VethNames("0123456789abcdef")
	if _, err := CreateVeth(n.h, host, container, s.Bridge, 0, nil); err != nil {
		t.Fatalf("CreateVeth: %v", err)
	}
	br, vx := n.link(t, s.Bridge), n.link(t, s.VXLAN)
	if err := n.h.LinkSetNoMaster(vx); err != nil {
		t.Fatalf("detach %s: %v", s.VXLAN, err)
	}
	if err := n.h.LinkSetDown(br); err != nil {
		t.Fatalf("set %s down: %v", s.Bridge, err)
	}

	h, err := netlink.NewHandleAt(n.ns)
	if err != nil {
		t.Fatalf("new handle: %v", err)
	}
	defer h.Close()
	if err := EnsureNetwork(h, s); err != nil {
		t.Fatalf("EnsureNetwork after restart: %v", err)
	}
	br2, vx2 := checkNetwork(t, n, s, 1500-OverheadIPv4)
	if br2.Attrs().Index != br.Attrs().Index || vx2.Attrs().Index != vx.Attrs().Index {
		t.Errorf("restart replaced devices instead of adopting them")
	}
	if got := n.link(t, host).Attrs().MasterIndex; got != br.Attrs().Index {
		t.Errorf("%s master index %d after restart, want %d", host, got, br.Attrs().Index)
	}
}

func TestEnsureNetworkReplacesWrongDevice(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, n *testNS, s NetworkSpec)
	}{
		{"wrong vni", func(t *testing.T, n *testNS, s NetworkSpec) {
			s.VNI = 99
			mustEnsure(t, n, s)
		}},
		{"wrong port", func(t *testing.T, n *testNS, s NetworkSpec) {
			s.Port = 4789
			mustEnsure(t, n, s)
		}},
		{"wrong local", func(t *testing.T, n *testNS, s NetworkSpec) {
			n.addAddr(t, n.link(t, "ul0"), "10.99.0.9/24")
			s.Local = netip.MustParseAddr("10.99.0.9")
			mustEnsure(t, n, s)
		}},
		{"vxlan name taken by a veth", func(t *testing.T, n *testNS, s NetworkSpec) {
			n.addVeth(t, s.VXLAN, "other0", "", 1500)
		}},
		{"bridge name taken by a veth", func(t *testing.T, n *testNS, s NetworkSpec) {
			n.addVeth(t, s.Bridge, "other0", "", 1500)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, s := underlayNS(t)
			tt.prepare(t, n, s)
			if err := EnsureNetwork(n.h, s); err != nil {
				t.Fatalf("EnsureNetwork: %v", err)
			}
			checkNetwork(t, n, s, 1500-OverheadIPv4)
		})
	}
}

func mustEnsure(t *testing.T, n *testNS, s NetworkSpec) {
	t.Helper()
	if err := EnsureNetwork(n.h, s); err != nil {
		t.Fatalf("EnsureNetwork(%+v): %v", s, err)
	}
}

func TestEnsureNetworkErrors(t *testing.T) {
	n, s := underlayNS(t)
	bad := s
	bad.VNI = 0
	if err := EnsureNetwork(n.h, bad); err == nil {
		t.Errorf("EnsureNetwork with VNI 0 succeeded")
	}
	noUnderlay := s
	noUnderlay.Local = netip.MustParseAddr("10.99.7.7")
	if err := EnsureNetwork(n.h, noUnderlay); err == nil {
		t.Errorf("EnsureNetwork without an underlay holding %s succeeded", noUnderlay.Local)
	}
	n.absent(t, s.Bridge)
	n.absent(t, s.VXLAN)
}

func TestDeleteNetwork(t *testing.T) {
	n, s := underlayNS(t)
	mustEnsure(t, n, s)
	for i := range 2 {
		if err := DeleteNetwork(n.h, s); err != nil {
			t.Fatalf("DeleteNetwork #%d: %v", i+1, err)
		}
		n.absent(t, s.Bridge)
		n.absent(t, s.VXLAN)
	}
}
