package datapath

import (
	"errors"
	"net/netip"
	"testing"
)

func TestUnderlayMTU(t *testing.T) {
	n := newNS(t)
	n.addVeth(t, "ul0", "ul1", "10.99.1.1/24", 1500)
	n.addVeth(t, "jumbo0", "jumbo1", "10.99.2.1/24", 9000)
	n.addAddr(t, n.link(t, "ul0"), "fd99:1::1/64")

	tests := []struct {
		local string
		want  int
		err   error
	}{
		{"10.99.1.1", 1500 - OverheadIPv4, nil},
		{"::ffff:10.99.1.1", 1500 - OverheadIPv4, nil},
		{"10.99.2.1", 9000 - OverheadIPv4, nil},
		{"fd99:1::1", 1500 - OverheadIPv6, nil},
		{"10.99.3.1", 0, ErrNoUnderlay},
	}
	for _, tt := range tests {
		got, err := UnderlayMTU(n.h, netip.MustParseAddr(tt.local))
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("UnderlayMTU(%s) = %d, %v; want %v", tt.local, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("UnderlayMTU(%s) = %d, %v; want %d", tt.local, got, err, tt.want)
		}
	}

	// EnsureNetwork without an MTU takes the one derived from its underlay.
	s := DefaultNetworkSpec(netip.MustParseAddr("10.99.2.1"))
	mustEnsure(t, n, s)
	checkNetwork(t, n, s, 9000-OverheadIPv4)
}
