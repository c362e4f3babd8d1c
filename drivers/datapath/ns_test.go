package datapath

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// nsSeq makes namespace names unique within one test binary; the pid makes them unique
// across binaries running at once.
var nsSeq atomic.Int64

// testNS is a network namespace made for one test.
type testNS struct {
	name string
	ns   netns.NsHandle
	h    *netlink.Handle
}

// needRoot skips the test unless it runs as root, which namespace work needs.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to make network namespaces")
	}
}

// newNS makes a fresh named namespace "wvdp-PID-N" with its loopback up and returns a
// handle into it; t.Cleanup deletes it, also when the test fails. The namespace is made on
// a locked thread, which is switched back at once, so no other goroutine ever runs in it.
func newNS(t *testing.T) *testNS {
	t.Helper()
	needRoot(t)
	name := fmt.Sprintf("wvdp-%d-%d", os.Getpid(), nsSeq.Add(1))

	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("get current namespace: %v", err)
	}
	ns, newErr := netns.NewNamed(name)
	// NewNamed may fail after it switched the thread, so switch back whatever happened.
	if err := netns.Set(orig); err != nil {
		// The thread stays locked and dies with this goroutine instead of being reused
		// in the wrong namespace.
		t.Fatalf("switch back to the original namespace: %v", err)
	}
	orig.Close()
	runtime.UnlockOSThread()
	if newErr != nil {
		_ = netns.DeleteNamed(name)
		t.Fatalf("make namespace %s: %v", name, newErr)
	}

	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		ns.Close()
		_ = netns.DeleteNamed(name)
		t.Fatalf("handle in %s: %v", name, err)
	}
	t.Cleanup(func() {
		h.Close()
		ns.Close()
		if err := netns.DeleteNamed(name); err != nil {
			t.Errorf("delete namespace %s: %v", name, err)
		}
	})

	lo, err := h.LinkByName("lo")
	if err != nil {
		t.Fatalf("loopback in %s: %v", name, err)
	}
	if err := h.LinkSetUp(lo); err != nil {
		t.Fatalf("set loopback up in %s: %v", name, err)
	}
	return &testNS{name: name, ns: ns, h: h}
}

// do runs f on a thread switched into the namespace, then switches back. Sockets f opens
// stay in the namespace after it returns.
func (n *testNS) do(t *testing.T, f func() error) error {
	t.Helper()
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("get current namespace: %w", err)
	}
	defer orig.Close()
	if err := netns.Set(n.ns); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter %s: %w", n.name, err)
	}
	ferr := f()
	if err := netns.Set(orig); err != nil {
		t.Fatalf("switch back from %s: %v", n.name, err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// addVeth makes a veth pair name/peer with an address on name, both ends up and at the
// given MTU. Test namespaces stand in an underlay interface with it (this kernel may have
// no dummy driver), or take a device name with a link of the wrong kind.
func (n *testNS) addVeth(t *testing.T, name, peer, cidr string, mtu int) netlink.Link {
	t.Helper()
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.MTU = name, mtu
	veth := &netlink.Veth{LinkAttrs: attrs, PeerName: peer, PeerMTU: uint32(mtu)}
	if err := n.h.LinkAdd(veth); err != nil {
		t.Fatalf("add veth %s: %v", name, err)
	}
	link := n.link(t, name)
	if cidr != "" {
		n.addAddr(t, link, cidr)
	}
	for _, l := range []netlink.Link{link, n.link(t, peer)} {
		if err := n.h.LinkSetUp(l); err != nil {
			t.Fatalf("set %s up: %v", l.Attrs().Name, err)
		}
	}
	return link
}

// addAddr adds an address in CIDR form to link.
func (n *testNS) addAddr(t *testing.T, link netlink.Link, cidr string) {
	t.Helper()
	p := netip.MustParsePrefix(cidr)
	addr := &netlink.Addr{IPNet: &net.IPNet{
		IP:   p.Addr().AsSlice(),
		Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
	}}
	if err := n.h.AddrAdd(link, addr); err != nil {
		t.Fatalf("add %s to %s: %v", cidr, link.Attrs().Name, err)
	}
}

// link returns the link called name, failing the test if there is none.
func (n *testNS) link(t *testing.T, name string) netlink.Link {
	t.Helper()
	link, err := n.h.LinkByName(name)
	if err != nil {
		t.Fatalf("link %s in %s: %v", name, n.name, err)
	}
	return link
}

// absent fails the test if a link called name exists.
func (n *testNS) absent(t *testing.T, name string) {
	t.Helper()
	if _, err := n.h.LinkByName(name); err == nil {
		t.Errorf("link %s still exists in %s", name, n.name)
	}
}

// underlayNS makes a namespace with an underlay "ul0" (a veth whose peer "ul1" stays in
// the same namespace) holding 10.99.0.1/24 at MTU 1500, and returns it with the spec of a
// network sending from that address.
func underlayNS(t *testing.T) (*testNS, NetworkSpec) {
	t.Helper()
	n := newNS(t)
	n.addVeth(t, "ul0", "ul1", "10.99.0.1/24", 1500)
	return n, DefaultNetworkSpec(netip.MustParseAddr("10.99.0.1"))
}
