package datapath

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// trafficHost is one side of TestTraffic: a host namespace with its underlay address and a
// container namespace behind it.
type trafficHost struct {
	host, ctr *testNS
	underlay  netip.Addr
	overlay   netip.Addr
}

// TestTraffic joins two host namespaces by a veth "underlay" (10.99.0.1 and .2), gives each
// a network and a container namespace (10.40.0.1 and .2), and sends UDP between the
// containers across the VXLAN devices, both ways.
func TestTraffic(t *testing.T) {
	a := &trafficHost{host: newNS(t), ctr: newNS(t),
		underlay: netip.MustParseAddr("10.99.0.1"), overlay: netip.MustParseAddr("10.40.0.1")}
	b := &trafficHost{host: newNS(t), ctr: newNS(t),
		underlay: netip.MustParseAddr("10.99.0.2"), overlay: netip.MustParseAddr("10.40.0.2")}
	connectUnderlay(t, a, b)

	for _, side := range []struct{ self, peer *trafficHost }{{a, b}, {b, a}} {
		s := DefaultNetworkSpec(side.self.underlay)
		s.VNI = 42
		mustEnsure(t, side.self.host, s)
		if err := SetFloodPeers(side.self.host.h, s.VXLAN,
			[]netip.Addr{side.peer.underlay}); err != nil {
			t.Fatalf("SetFloodPeers: %v", err)
		}
		attachContainer(t, side.self, s)
	}

	sendUDP(t, a, b)
	sendUDP(t, b, a)

	// The VXLAN device learned where the other container lives.
	if !hasFDB(t, b.host, DefaultVXLAN, MACFor(a.overlay), a.underlay) {
		t.Errorf("host b did not learn %s at %s", MACFor(a.overlay), a.underlay)
	}
}

// connectUnderlay makes a veth pair "ul0" between the two hosts and addresses both ends.
func connectUnderlay(t *testing.T, a, b *trafficHost) {
	t.Helper()
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.MTU = "ul0", 1500
	veth := &netlink.Veth{LinkAttrs: attrs, PeerName: "ul0", PeerMTU: 1500,
		PeerNamespace: netlink.NsFd(int(b.host.ns))}
	if err := a.host.h.LinkAdd(veth); err != nil {
		t.Fatalf("add underlay veth: %v", err)
	}
	for _, side := range []*trafficHost{a, b} {
		link := side.host.link(t, "ul0")
		side.host.addAddr(t, link, side.underlay.String()+"/24")
		if err := side.host.h.LinkSetUp(link); err != nil {
			t.Fatalf("set underlay up: %v", err)
		}
	}
}

// attachContainer makes the side's veth, moves its container end into the container
// namespace as eth0 and addresses it, as Docker would.
func attachContainer(t *testing.T, side *trafficHost, s NetworkSpec) {
	t.Helper()
	host, container := VethNames(fmt.Sprintf("%08x", side.overlay.As4()))
	v, err := CreateVeth(side.host.h, host, container, s.Bridge, 0, MACFor(side.overlay))
	if err != nil {
		t.Fatalf("CreateVeth: %v", err)
	}
	err = side.host.h.LinkSetNsFd(side.host.link(t, v.Container), int(side.ctr.ns))
	if err != nil {
		t.Fatalf("move %s into the container: %v", v.Container, err)
	}

	eth := side.ctr.link(t, v.Container)
	if err := side.ctr.h.LinkSetName(eth, "eth0"); err != nil {
		t.Fatalf("rename %s: %v", v.Container, err)
	}
	eth = side.ctr.link(t, "eth0")
	side.ctr.addAddr(t, eth, side.overlay.String()+"/24")
	if err := side.ctr.h.LinkSetUp(eth); err != nil {
		t.Fatalf("set eth0 up: %v", err)
	}
	if eth.Attrs().MTU != 1500-OverheadIPv4 {
		t.Errorf("container mtu %d, want %d", eth.Attrs().MTU, 1500-OverheadIPv4)
	}
}

// sendUDP sends datagrams from one container to the other until one arrives, at most 40
// times over about 8 seconds: the first may wait for ARP to cross the VXLAN.
func sendUDP(t *testing.T, from, to *trafficHost) {
	t.Helper()
	dst := &net.UDPAddr{IP: to.overlay.AsSlice(), Port: 7000}
	recv := listenIn(t, to.ctr, dst)
	send := listenIn(t, from.ctr, &net.UDPAddr{IP: from.overlay.AsSlice()})

	buf := make([]byte, 64)
	for i := range 40 {
		msg := fmt.Sprintf("hello %s #%d", to.overlay, i)
		if _, err := send.WriteTo([]byte(msg), dst); err != nil {
			t.Fatalf("send to %s: %v", dst, err)
		}
		if err := recv.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
			t.Fatalf("set deadline: %v", err)
		}
		n, src, err := recv.ReadFrom(buf)
		if err != nil {
			continue // timed out: send again
		}
		// An earlier datagram may arrive late: the kernel queues it while ARP resolves.
		if got := string(buf[:n]); !strings.HasPrefix(got, fmt.Sprintf("hello %s #", to.overlay)) {
			t.Fatalf("received %q from %s, want one of our datagrams up to %q", got, src, msg)
		}
		t.Logf("%s -> %s after %d sends", from.overlay, to.overlay, i+1)
		return
	}
	t.Fatalf("no datagram from %s reached %s", from.overlay, to.overlay)
}

// listenIn opens a UDP socket in the namespace, closed when the test ends.
func listenIn(t *testing.T, n *testNS, addr *net.UDPAddr) *net.UDPConn {
	t.Helper()
	var conn *net.UDPConn
	err := n.do(t, func() error {
		var err error
		conn, err = net.ListenUDP("udp4", addr)
		return err
	})
	if err != nil {
		t.Fatalf("listen on %s in %s: %v", addr, n.name, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
