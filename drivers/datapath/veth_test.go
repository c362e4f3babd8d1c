package datapath

import (
	"bytes"
	"errors"
	"net"
	"slices"
	"testing"
)

func TestCreateVeth(t *testing.T) {
	n, s := underlayNS(t)
	mustEnsure(t, n, s)
	host, container := VethNames("0123456789abcdef")
	mac := net.HardwareAddr{0x7a, 0x77, 10, 40, 0, 1}

	tests := []struct {
		name    string
		mtu     int
		mac     net.HardwareAddr
		wantMTU int
		wantMAC net.HardwareAddr
	}{
		{"given mac and mtu", 1400, mac, 1400, mac},
		{"bridge mtu and stable mac", 0, nil, 1500 - OverheadIPv4, StableMAC(container)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := CreateVeth(n.h, host, container, s.Bridge, tt.mtu, tt.mac)
			if err != nil {
				t.Fatalf("CreateVeth: %v", err)
			}
			if v.Host != host || v.Container != container || !bytes.Equal(v.MAC, tt.wantMAC) {
				t.Errorf("CreateVeth = %+v, want %s, %s, %s", v, host, container, tt.wantMAC)
			}
			hl, cl := n.link(t, host), n.link(t, container)
			if hl.Attrs().MasterIndex != n.link(t, s.Bridge).Attrs().Index {
				t.Errorf("%s is not in %s", host, s.Bridge)
			}
			if hl.Attrs().Flags&net.FlagUp == 0 {
				t.Errorf("%s is down", host)
			}
			if !bytes.Equal(cl.Attrs().HardwareAddr, tt.wantMAC) {
				t.Errorf("%s address %s, want %s", container, cl.Attrs().HardwareAddr, tt.wantMAC)
			}
			for _, l := range []string{host, container} {
				if got := n.link(t, l).Attrs().MTU; got != tt.wantMTU {
					t.Errorf("%s mtu %d, want %d", l, got, tt.wantMTU)
				}
			}

			_, err = CreateVeth(n.h, host, container, s.Bridge, 0, nil)
			if !errors.Is(err, ErrExists) {
				t.Errorf("CreateVeth again = %v, want ErrExists", err)
			}
			for i := range 2 {
				if err := DeleteVeth(n.h, host); err != nil {
					t.Fatalf("DeleteVeth #%d: %v", i+1, err)
				}
			}
			n.absent(t, host)
			n.absent(t, container)
		})
	}
}

// TestCreateVethUndo makes the step after the pair exists fail, by naming a veth (which
// cannot take ports) as the bridge, and checks the pair is gone again.
func TestCreateVethUndo(t *testing.T) {
	n := newNS(t)
	n.addVeth(t, "notbr0", "notbr1", "", 1500)
	host, container := VethNames("feedface00")

	if _, err := CreateVeth(n.h, host, container, "notbr0", 0, nil); err == nil {
		t.Fatalf("CreateVeth with a veth as bridge succeeded")
	}
	n.absent(t, host)
	n.absent(t, container)

	if _, err := CreateVeth(n.h, host, container, "nobr", 0, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("CreateVeth with a missing bridge = %v, want ErrNotFound", err)
	}
	n.absent(t, host)
	n.absent(t, container)
}

func TestCreateVethArgs(t *testing.T) {
	tests := []struct {
		name                    string
		host, container, bridge string
		mtu                     int
		mac                     net.HardwareAddr
	}{
		{"long host", "vethwl0123456789", "vethwg0", "weave", 0, nil},
		{"same names", "vethwl0", "vethwl0", "weave", 0, nil},
		{"no bridge", "vethwl0", "vethwg0", "", 0, nil},
		{"small mtu", "vethwl0", "vethwg0", "weave", 10, nil},
		{"multicast mac", "vethwl0", "vethwg0", "weave", 0, net.HardwareAddr{1, 2, 3, 4, 5, 6}},
		{"short mac", "vethwl0", "vethwg0", "weave", 0, net.HardwareAddr{2, 2, 3}},
	}
	for _, tt := range tests {
		// A nil handle would mean this thread's namespace, but arguments are checked
		// before any kernel call, so nothing is touched.
		_, err := CreateVeth(nil, tt.host, tt.container, tt.bridge, tt.mtu, tt.mac)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: CreateVeth = %v, want ErrInvalid", tt.name, err)
		}
	}
}

func TestLinks(t *testing.T) {
	n, s := underlayNS(t)
	mustEnsure(t, n, s)
	var hosts []string
	for _, id := range []string{"bbbbbbbb00", "aaaaaaaa00"} {
		host, container := VethNames(id)
		if _, err := CreateVeth(n.h, host, container, s.Bridge, 0, nil); err != nil {
			t.Fatalf("CreateVeth: %v", err)
		}
		hosts = append(hosts, host)
	}
	slices.Sort(hosts)

	got, err := Links(n.h, HostVethPrefix)
	if err != nil {
		t.Fatalf("Links: %v", err)
	}
	if !slices.Equal(got, hosts) {
		t.Errorf("Links(%q) = %v, want %v", HostVethPrefix, got, hosts)
	}
	if got, _ := Links(n.h, "nothing-"); len(got) != 0 {
		t.Errorf("Links(nothing-) = %v, want none", got)
	}
}
