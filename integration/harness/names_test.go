package harness

import (
	"testing"
)

func TestRunIDOf(t *testing.T) {
	tests := []struct{ name, id string }{
		{"wt-3fa2c1-fab", "3fa2c1"},
		{"wt-3fa2c1-h12", "3fa2c1"},
		{"wt-3fa2c1", "3fa2c1"},
		{"wt-3FA2C1-h1", ""},
		{"wt-3fa2c-h1", ""},
		{"wt-3fa2c1x-h1", ""},
		{"wt-fab", ""},
		{"wt-h1", ""},
		{"xwt-3fa2c1-h1", ""},
		{"wt-3fa2c1-h1-x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := runIDOf(tt.name); got != tt.id {
			t.Errorf("runIDOf(%q) = %q, want %q", tt.name, got, tt.id)
		}
	}
}

// TestNames checks that every name the harness gives holds the run id, is
// recognised as the run's, and that link names fit the kernel's limit.
func TestNames(t *testing.T) {
	id, err := newRunID()
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != runIDLen || runIDOf(runMarker(id)) != id {
		t.Fatalf("newRunID() = %q", id)
	}
	const ifNameMax = 15
	if n := bridgeName(id); len(n) > ifNameMax {
		t.Errorf("bridge name %q longer than %d", n, ifNameMax)
	}
	if runIDOf(fabricNS(id)) != id {
		t.Errorf("fabric namespace %q not recognised", fabricNS(id))
	}
	seen := make(map[string]bool)
	for i := 1; i <= MaxHosts; i++ {
		for _, n := range []string{hostNS(id, i), cgroupName(id, i)} {
			if runIDOf(n) != id {
				t.Errorf("name %q not recognised as run %s", n, id)
			}
		}
		v := fabricVeth(id, i)
		if len(v) > ifNameMax || seen[v] {
			t.Errorf("veth name %q too long or repeated", v)
		}
		seen[v] = true
		if a := hostAddr(i); !Underlay.Contains(a) || a.As4()[3] != byte(i) {
			t.Errorf("hostAddr(%d) = %s", i, a)
		}
	}
}
