package ipam

import (
	"context"
	"errors"
	"maps"
	"net/netip"
	"strings"
	"testing"
)

func TestAllocateSkipsReserved(t *testing.T) {
	a := open(t, testConfig(t, "a"), nil)
	tests := []struct{ pool, want string }{
		{"10.32.0.0/12", "10.32.0.2"},
		{"10.32.0.0/12", "10.32.0.3"},
		{"10.32.1.0/24", "10.32.1.2"},
		{"10.32.1.0/24", "10.32.1.3"},
		{"10.32.2.0/30", "10.32.2.2"},
		{"10.47.255.252/30", "10.47.255.254"},
	}
	for _, tt := range tests {
		if got := mustAllocate(t, a, tt.pool, "c"); got.String() != tt.want {
			t.Errorf("Allocate(%s) = %s, want %s", tt.pool, got, tt.want)
		}
	}
	if _, err := a.Allocate(bg, pfx("10.32.2.0/30"), "c"); !errors.Is(err, ErrExhausted) {
		t.Errorf("Allocate in a full /30 = %v, want ErrExhausted", err)
	}
}

func TestAllocatePoolErrors(t *testing.T) {
	a := open(t, testConfig(t, "a"), nil)
	tests := []struct {
		pool string
		want error
	}{
		{"10.48.0.0/24", ErrPoolNotInRange},
		{"10.0.0.0/8", ErrPoolNotInRange},
		{"fd01::/64", ErrPoolNotInRange},
		{"10.32.0.0/31", ErrPoolTooSmall},
	}
	for _, tt := range tests {
		if _, err := a.Allocate(bg, pfx(tt.pool), "c"); !errors.Is(err, tt.want) {
			t.Errorf("Allocate(%s) = %v, want %v", tt.pool, err, tt.want)
		}
	}
	if _, err := a.Allocate(bg, netip.Prefix{}, "c"); !errors.Is(err, ErrPoolNotInRange) {
		t.Errorf("Allocate(invalid prefix) = %v, want ErrPoolNotInRange", err)
	}
}

func TestClaimAndRelease(t *testing.T) {
	a := open(t, testConfig(t, "a", "a", "b"), nil)
	// An empty label marks a release.
	steps := []struct {
		name  string
		addr  string
		label string
		want  error
	}{
		{"claim", "10.32.0.9", "c1", nil},
		{"claim again, same label", "10.32.0.9", "c1", nil},
		{"claim held", "10.32.0.9", "c2", ErrInUse},
		{"claim outside", "10.48.0.1", "c2", ErrOutOfRange},
		{"claim ipv6", "fd01::1", "c2", ErrOutOfRange},
		{"claim network", "10.32.0.0", "c2", ErrReserved},
		{"claim b's", "10.40.0.9", "c2", ErrOwnedElsewhere},
		{"release", "10.32.0.9", "", nil},
		{"release again", "10.32.0.9", "", ErrNotAllocated},
		{"release never held", "10.32.0.10", "", ErrNotAllocated},
		{"claim after release", "10.32.0.9", "c2", nil},
	}
	for _, s := range steps {
		var err error
		if s.label == "" {
			err = a.Release(bg, ip(s.addr))
		} else {
			err = a.Claim(bg, ip(s.addr), s.label)
		}
		if !errors.Is(err, s.want) || (s.want == nil && err != nil) {
			t.Fatalf("%s: error %v, want %v", s.name, err, s.want)
		}
	}
	err := a.Claim(bg, ip("10.40.0.9"), "c2")
	if err == nil || !strings.Contains(err.Error(), `"b"`) {
		t.Errorf("claim in b's space: %v, want an error naming peer b", err)
	}
	want := map[netip.Addr]string{ip("10.32.0.9"): "c2"}
	if got := a.Allocated(); !maps.Equal(got, want) {
		t.Errorf("Allocated() = %v, want %v", got, want)
	}
}

func TestCanceledContext(t *testing.T) {
	a := open(t, testConfig(t, "a"), nil)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if err := a.Claim(ctx, ip("10.32.0.9"), "c"); !errors.Is(err, context.Canceled) {
		t.Errorf("Claim with a canceled context = %v", err)
	}
	if err := a.Release(ctx, ip("10.32.0.9")); !errors.Is(err, context.Canceled) {
		t.Errorf("Release with a canceled context = %v", err)
	}
}

func TestRestartKeepsState(t *testing.T) {
	cfg := testConfig(t, "a", "a", "b", "c")
	a, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []netip.Addr
	for _, l := range []string{"c1", "c2", "c3", "c4"} {
		addrs = append(addrs, mustAllocate(t, a, "10.32.0.0/12", l))
	}
	if err := a.Claim(bg, ip("10.33.0.7"), "c5"); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(bg, addrs[1]); err != nil {
		t.Fatal(err)
	}
	allocated, state := a.Allocated(), a.LocalState()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Allocate(bg, pfx("10.32.0.0/12"), "late"); !errors.Is(err, ErrClosed) {
		t.Errorf("Allocate after Close = %v, want ErrClosed", err)
	}

	b := open(t, cfg, nil)
	if got := b.Allocated(); !maps.Equal(got, allocated) {
		t.Errorf("after restart Allocated() = %v, want %v", got, allocated)
	}
	if got := b.LocalState(); string(got) != string(state) {
		t.Errorf("after restart the ring differs")
	}
	if got := mustAllocate(t, b, "10.32.0.0/12", "c6"); got != addrs[1] {
		t.Errorf("after restart Allocate = %s, want the released %s", got, addrs[1])
	}
}

func TestOpenRefusesOtherState(t *testing.T) {
	cfg := testConfig(t, "a", "a", "b")
	a := open(t, cfg, nil)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(c *Config)
	}{
		{"other peer", func(c *Config) { c.Self = "b" }},
		{"other range", func(c *Config) { c.Range = pfx("10.64.0.0/12") }},
		{"other seeds", func(c *Config) { c.Seeds = []string{"a", "c"} }},
	}
	for _, tt := range tests {
		c := cfg
		tt.mutate(&c)
		if _, err := Open(c, nil); !errors.Is(err, ErrStateMismatch) {
			t.Errorf("%s: Open = %v, want ErrStateMismatch", tt.name, err)
		}
	}
}

func TestStatus(t *testing.T) {
	a := open(t, testConfig(t, "a", "a", "b"), nil)
	mustAllocate(t, a, "10.32.0.0/12", "c1")
	st := a.Status()
	if st.Self != "a" || st.Range != pfx("10.32.0.0/12") || st.Used != 1 || len(st.Peers) != 2 {
		t.Fatalf("Status() = %+v", st)
	}
	half := uint64(1 << 19)
	if st.Owned != half || st.Free != half-2 {
		t.Errorf("owned %d free %d, want %d and %d", st.Owned, st.Free, half, half-2)
	}
	for _, p := range st.Peers {
		if p.Addresses != half || p.Percent != 50 {
			t.Errorf("peer share %+v, want %d addresses, 50%%", p, half)
		}
	}
}
