package cluster

import (
	"errors"
	"testing"
)

func TestNormalizeAddr(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"10.0.0.2", "10.0.0.2:6783"},
		{" 10.0.0.2:7000 ", "10.0.0.2:7000"},
		{"::ffff:10.0.0.2", "10.0.0.2:6783"},
		{"fd01::2", "[fd01::2]:6783"},
		{"[fd01::2]:7000", "[fd01::2]:7000"},
		{"Host-2", "host-2:6783"},
		{"host-2.example.", "host-2.example:6783"},
		{"host-2:7000", "host-2:7000"},
	}
	for _, tt := range tests {
		got, err := normalizeAddr(tt.in, 6783)
		if err != nil || got != tt.want {
			t.Errorf("normalizeAddr(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeAddrRejects(t *testing.T) {
	for _, in := range []string{
		"", "10.0.0.2:0", "10.0.0.2:65536", "host:", "host:07000", "host:+1", ":6783",
		"-host", "host-", "a..b", "host name", "host/x", "[host]:6783", "1.2.3.4.5:x",
		"fd01::2:99999x",
	} {
		if got, err := normalizeAddr(in, 6783); !errors.Is(err, ErrBadAddress) {
			t.Errorf("normalizeAddr(%q) = %q, %v; want ErrBadAddress", in, got, err)
		}
	}
}

// FuzzNormalizeAddr checks that normalizing never panics, that a normal
// address normalizes to itself, and that the result always has a port.
func FuzzNormalizeAddr(f *testing.F) {
	for _, s := range []string{"10.0.0.2", "[fd01::2]:7000", "host-2:7000", "a.b.", "::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := normalizeAddr(s, 6783)
		if err != nil {
			if !errors.Is(err, ErrBadAddress) {
				t.Fatalf("error %v is not ErrBadAddress", err)
			}
			return
		}
		again, err := normalizeAddr(n, 1)
		if err != nil || again != n {
			t.Fatalf("%q normalizes to %q, which normalizes to %q, %v", s, n, again, err)
		}
	})
}
