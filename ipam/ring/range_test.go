package ring

import (
	"net/netip"
	"testing"
)

func TestRangeOf(t *testing.T) {
	tests := []struct {
		prefix string
		want   string
		size   uint64
	}{
		{"10.32.0.0/12", "10.32.0.0-10.47.255.255", 1 << 20},
		{"10.32.5.7/24", "10.32.5.0-10.32.5.255", 256},
		{"192.168.1.1/32", "192.168.1.1-192.168.1.1", 1},
		{"0.0.0.0/0", "0.0.0.0-255.255.255.255", 1 << 32},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			r := RangeOf(netip.MustParsePrefix(tt.prefix))
			if got := r.String(); got != tt.want {
				t.Errorf("RangeOf(%s) = %s, want %s", tt.prefix, got, tt.want)
			}
			if got := r.Size(); got != tt.size {
				t.Errorf("RangeOf(%s).Size() = %d, want %d", tt.prefix, got, tt.size)
			}
		})
	}
	if r := RangeOf(netip.MustParsePrefix("fd01::/64")); r.IsValid() {
		t.Errorf("RangeOf(IPv6) = %s, want the zero Range", r)
	}
}

func TestRangeContains(t *testing.T) {
	r := Range{First: netip.MustParseAddr("10.0.0.10"), Last: netip.MustParseAddr("10.0.0.20")}
	tests := []struct {
		addr string
		want bool
	}{
		{"10.0.0.9", false},
		{"10.0.0.10", true},
		{"10.0.0.15", true},
		{"10.0.0.20", true},
		{"10.0.0.21", false},
		{"fd01::1", false},
	}
	for _, tt := range tests {
		if got := r.Contains(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("%s.Contains(%s) = %v, want %v", r, tt.addr, got, tt.want)
		}
	}
	backwards := Range{First: r.Last, Last: r.First}
	if backwards.IsValid() || backwards.Size() != 0 {
		t.Errorf("backwards range %s: valid %v size %d, want invalid and empty",
			backwards, backwards.IsValid(), backwards.Size())
	}
}
