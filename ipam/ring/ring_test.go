package ring

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
)

var testRange = netip.MustParsePrefix("10.32.0.0/12")

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func rng(first, last string) Range { return Range{First: addr(first), Last: addr(last)} }

func mustSeed(t testing.TB, prefix string, peers ...string) *Ring {
	t.Helper()
	r, err := Seed(netip.MustParsePrefix(prefix), peers)
	if err != nil {
		t.Fatalf("Seed(%s, %v): %v", prefix, peers, err)
	}
	return r
}

func TestNewRejectsNonIPv4(t *testing.T) {
	for _, p := range []netip.Prefix{{}, netip.MustParsePrefix("fd01::/64")} {
		if _, err := New(p, "a"); !errors.Is(err, ErrNotIPv4) {
			t.Errorf("New(%s) error = %v, want ErrNotIPv4", p, err)
		}
	}
	r, err := New(netip.MustParsePrefix("10.32.1.2/12"), "a")
	if err != nil {
		t.Fatal(err)
	}
	if r.Range() != testRange || r.Len() != 0 || r.Owner(addr("10.32.0.1")) != "" {
		t.Errorf("New: range %s, %d entries, want masked %s and empty",
			r.Range(), r.Len(), testRange)
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	a := mustSeed(t, "10.32.0.0/12", "c", "a", "b")
	b := mustSeed(t, "10.32.0.0/12", "b", "c", "a", "b")
	if !a.Equal(b) {
		t.Fatalf("seeds from the same names differ:\n%v\n%v", a.Entries(), b.Entries())
	}
	other := mustSeed(t, "10.32.0.0/12", "a", "b", "d")
	if a.Identity() == other.Identity() {
		t.Errorf("different seed sets share identity %s", a.Identity())
	}
	if a.Identity().IsZero() {
		t.Error("seeded ring has the zero identity")
	}
}

func TestSeedSplit(t *testing.T) {
	r := mustSeed(t, "10.0.0.0/24", "b", "a", "c")
	tests := []struct {
		addr, owner string
	}{
		{"10.0.0.0", "a"}, {"10.0.0.84", "a"}, {"10.0.0.85", "b"},
		{"10.0.0.169", "b"}, {"10.0.0.170", "c"}, {"10.0.0.255", "c"},
		{"10.0.1.0", ""}, {"fd01::1", ""},
	}
	for _, tt := range tests {
		if got := r.Owner(addr(tt.addr)); got != tt.owner {
			t.Errorf("Owner(%s) = %q, want %q", tt.addr, got, tt.owner)
		}
	}
	var total uint64
	for _, p := range []string{"a", "b", "c"} {
		total += r.ShareOf(p)
		if r.FreeOf(p) != r.ShareOf(p) {
			t.Errorf("seeded peer %s: free %d, share %d", p, r.FreeOf(p), r.ShareOf(p))
		}
	}
	if total != 256 {
		t.Errorf("shares add up to %d, want 256", total)
	}
	if got := r.Peers(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Peers() = %v", got)
	}
}

func TestSeedErrors(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		peers  []string
		want   error
	}{
		{"no peers", "10.0.0.0/24", nil, ErrNoPeers},
		{"empty name", "10.0.0.0/24", []string{"a", ""}, ErrBadPeerName},
		{"long name", "10.0.0.0/24", []string{string(make([]byte, 256))}, ErrBadPeerName},
		{"too many", "10.0.0.0/31", []string{"a", "b", "c"}, ErrNoPeers},
		{"ipv6", "fd01::/64", []string{"a"}, ErrNotIPv4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Seed(netip.MustParsePrefix(tt.prefix), tt.peers)
			if !errors.Is(err, tt.want) {
				t.Errorf("Seed error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestOwnedRangesWrapAndJoin(t *testing.T) {
	r := mustSeed(t, "10.0.0.0/24", "a", "b")
	// Give b's first half to a and a's start to b: a ends up owning the
	// middle, b both ends, the last entry wrapping around.
	if err := r.Transfer("b", "a", rng("10.0.0.128", "10.0.0.191")); err != nil {
		t.Fatal(err)
	}
	if err := r.Transfer("a", "b", rng("10.0.0.0", "10.0.0.63")); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(r.OwnedRanges("a"), r.OwnedRanges("b"))
	want := "[10.0.0.64-10.0.0.191] [10.0.0.0-10.0.0.63 10.0.0.192-10.0.0.255]"
	if got != want {
		t.Errorf("owned ranges = %s, want %s", got, want)
	}
	if r.ShareOf("a") != 128 || r.ShareOf("b") != 128 {
		t.Errorf("shares a=%d b=%d, want 128 each", r.ShareOf("a"), r.ShareOf("b"))
	}
	if err := r.Validate(); err != nil {
		t.Error(err)
	}
}

func TestValidate(t *testing.T) {
	base := func() *Ring { return mustSeed(t, "10.0.0.0/24", "a", "b", "c") }
	tests := []struct {
		name   string
		mutate func(r *Ring)
		index  int
	}{
		{"unsorted", func(r *Ring) { r.entries[1].token = toU32(addr("10.0.0.200")) }, 2},
		{"duplicate", func(r *Ring) { r.entries[1].token = r.entries[0].token }, 1},
		{"below range", func(r *Ring) { r.entries[0].token = toU32(addr("9.255.255.255")) }, 0},
		{"above range", func(r *Ring) { r.entries[2].token = toU32(addr("10.0.1.0")) }, 2},
		{"empty peer", func(r *Ring) { r.entries[1].peer = "" }, 1},
		{"version 0", func(r *Ring) { r.entries[2].version = 0 }, 2},
		{"free above share", func(r *Ring) { r.entries[0].free = 86 }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			tt.mutate(r)
			err := r.Validate()
			var ee *EntryError
			if !errors.As(err, &ee) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate() = %v, want an EntryError", err)
			}
			if ee.Index != tt.index {
				t.Errorf("Validate() blames entry %d, want %d: %v", ee.Index, tt.index, err)
			}
		})
	}
	noID := base()
	noID.id = ID{}
	if err := noID.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("ring without identity: Validate() = %v", err)
	}
	if err := base().Validate(); err != nil {
		t.Errorf("seeded ring: Validate() = %v", err)
	}
}

func TestFreeIn(t *testing.T) {
	r := mustSeed(t, "10.0.0.0/24", "a", "b")
	r.UpdateFree("a", func(rg Range) uint64 { return 100 })
	tests := []struct {
		peer string
		rg   Range
		want uint64
	}{
		{"a", rng("10.0.0.0", "10.0.0.255"), 100},
		{"a", rng("10.0.0.0", "10.0.0.63"), 64},
		{"a", rng("10.0.0.128", "10.0.0.255"), 0},
		{"b", rng("10.0.0.120", "10.0.0.135"), 8},
		{"b", Range{}, 0},
	}
	for _, tt := range tests {
		if got := r.FreeIn(tt.peer, tt.rg); got != tt.want {
			t.Errorf("FreeIn(%s, %s) = %d, want %d", tt.peer, tt.rg, got, tt.want)
		}
	}
}
