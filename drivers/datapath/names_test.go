package datapath

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestVethNames(t *testing.T) {
	tests := []struct {
		id, host, container string
	}{
		{"0123456789abcdef0123", "vethwl01234567", "vethwg01234567"},
		{"deadbeef", "vethwldeadbeef", "vethwgdeadbeef"},
		// IDs that are short, not hex or upper case are hashed.
		{"abc", "", ""},
		{"ep-not-hex-at-all", "", ""},
		{"DEADBEEF00", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		host, container := VethNames(tt.id)
		for _, name := range []string{host, container} {
			if err := ValidateName("name", name); err != nil {
				t.Errorf("VethNames(%q) gives %q: %v", tt.id, name, err)
			}
		}
		if !strings.HasPrefix(host, HostVethPrefix) ||
			!strings.HasPrefix(container, ContainerVethPrefix) {
			t.Errorf("VethNames(%q) = %q, %q: wrong prefixes", tt.id, host, container)
		}
		if host[len(HostVethPrefix):] != container[len(ContainerVethPrefix):] {
			t.Errorf("VethNames(%q) = %q, %q: suffixes differ", tt.id, host, container)
		}
		if tt.host != "" && (host != tt.host || container != tt.container) {
			t.Errorf("VethNames(%q) = %q, %q, want %q, %q",
				tt.id, host, container, tt.host, tt.container)
		}
		if h2, c2 := VethNames(tt.id); h2 != host || c2 != container {
			t.Errorf("VethNames(%q) not deterministic: %q, %q then %q, %q",
				tt.id, host, container, h2, c2)
		}
	}
	one, _ := VethNames("ep-one")
	two, _ := VethNames("ep-two")
	if one == two {
		t.Errorf("hashed IDs ep-one and ep-two give the same name %q", one)
	}
}

func FuzzVethNames(f *testing.F) {
	for _, seed := range []string{"", "abc", "0123456789abcdef", "é/:  x", "DEADBEEF"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		host, container := VethNames(id)
		if err := ValidateName("host", host); err != nil {
			t.Fatalf("VethNames(%q) host: %v", id, err)
		}
		if err := ValidateName("container", container); err != nil {
			t.Fatalf("VethNames(%q) container: %v", id, err)
		}
		if host == container {
			t.Fatalf("VethNames(%q) gives the same name twice: %q", id, host)
		}
		if h2, c2 := VethNames(id); h2 != host || c2 != container {
			t.Fatalf("VethNames(%q) not deterministic", id)
		}
	})
}

func TestMACFor(t *testing.T) {
	tests := []struct {
		ip, want string
	}{
		{"10.40.0.1", "7a:77:0a:28:00:01"},
		{"::ffff:10.40.0.1", "7a:77:0a:28:00:01"},
		{"255.255.255.255", "7a:77:ff:ff:ff:ff"},
		{"", "7a:77:00:00:00:00"},
	}
	for _, tt := range tests {
		var ip netip.Addr
		if tt.ip != "" {
			ip = netip.MustParseAddr(tt.ip)
		}
		if got := MACFor(ip).String(); got != tt.want {
			t.Errorf("MACFor(%s) = %s, want %s", tt.ip, got, tt.want)
		}
	}
	v6 := MACFor(netip.MustParseAddr("fd99:1::5"))
	if !isUnicastMAC(v6) || v6[0] != 0x7a || v6[1] != 0x76 {
		t.Errorf("MACFor(fd99:1::5) = %s, want 7a:76:...", v6)
	}
}

// TestMACProperties checks, over random addresses and keys, that every derived MAC is a
// locally administered unicast address and that distinct IPv4 addresses never share one.
func TestMACProperties(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	seen := make(map[string]netip.Addr)
	for range 2000 {
		var a4 [4]byte
		var a16 [16]byte
		for i := range a16 {
			a16[i] = byte(rng.UintN(256))
		}
		copy(a4[:], a16[:4])
		ip4, ip6 := netip.AddrFrom4(a4), netip.AddrFrom16(a16)
		key := ip6.String()

		for _, mac := range [][]byte{MACFor(ip4), MACFor(ip6), StableMAC(key)} {
			if !isUnicastMAC(mac) || mac[0]&2 == 0 {
				t.Fatalf("seed %d: %x is not locally administered unicast", seed, mac)
			}
		}
		if !bytes.Equal(MACFor(ip4), MACFor(ip4)) || !bytes.Equal(StableMAC(key), StableMAC(key)) {
			t.Fatalf("seed %d: derived MAC not stable for %s", seed, ip4)
		}
		m := MACFor(ip4).String()
		if other, ok := seen[m]; ok && other != ip4 {
			t.Fatalf("seed %d: %s and %s share MAC %s", seed, other, ip4, m)
		}
		seen[m] = ip4
		if bytes.Equal(MACFor(ip6)[:2], StableMAC(key)[:2]) || MACFor(ip6)[1] == MACFor(ip4)[1] {
			t.Fatalf("seed %d: MAC layouts overlap for %s", seed, ip6)
		}
	}
}
