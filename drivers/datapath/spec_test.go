package datapath

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestNetworkSpecValidate(t *testing.T) {
	good := DefaultNetworkSpec(netip.MustParseAddr("10.99.0.1"))
	tests := []struct {
		name   string
		change func(*NetworkSpec)
		field  string // empty when the spec is valid
	}{
		{"default", func(*NetworkSpec) {}, ""},
		{"ipv6 local", func(s *NetworkSpec) { s.Local = netip.MustParseAddr("fd99:1::1") }, ""},
		{"explicit mtu", func(s *NetworkSpec) { s.MTU = 1400 }, ""},
		{"max vni", func(s *NetworkSpec) { s.VNI = 1<<24 - 1 }, ""},
		{"empty bridge", func(s *NetworkSpec) { s.Bridge = "" }, "Bridge"},
		{"long bridge", func(s *NetworkSpec) { s.Bridge = "abcdefghijklmnop" }, "Bridge"},
		{"slash in vxlan", func(s *NetworkSpec) { s.VXLAN = "vx/1" }, "VXLAN"},
		{"same names", func(s *NetworkSpec) { s.VXLAN = s.Bridge }, "VXLAN"},
		{"vni zero", func(s *NetworkSpec) { s.VNI = 0 }, "VNI"},
		{"vni too big", func(s *NetworkSpec) { s.VNI = 1 << 24 }, "VNI"},
		{"port zero", func(s *NetworkSpec) { s.Port = 0 }, "Port"},
		{"port too big", func(s *NetworkSpec) { s.Port = 65536 }, "Port"},
		{"no local", func(s *NetworkSpec) { s.Local = netip.Addr{} }, "Local"},
		{"unspecified local", func(s *NetworkSpec) { s.Local = netip.IPv4Unspecified() }, "Local"},
		{"multicast local", func(s *NetworkSpec) { s.Local = netip.MustParseAddr("239.1.1.1") },
			"Local"},
		{"mtu too small", func(s *NetworkSpec) { s.MTU = 67 }, "MTU"},
		{"mtu too big", func(s *NetworkSpec) { s.MTU = 65536 }, "MTU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			tt.change(&s)
			err := s.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate() = %v, want an error wrapping ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.field+" ") {
				t.Errorf("Validate() = %q, want it to name field %s", err, tt.field)
			}
		})
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"weave", true},
		{"vxlan-6784", true},
		{"abcdefghijklmno", true}, // 15 bytes
		{"abcdefghijklmnop", false},
		{"", false},
		{".", false},
		{"..", false},
		{"a/b", false},
		{"a:b", false},
		{"a b", false},
		{"a\tb", false},
	}
	for _, tt := range tests {
		err := ValidateName("name", tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateName(%q) = %v, want an error wrapping ErrInvalid", tt.name, err)
		}
	}
}
