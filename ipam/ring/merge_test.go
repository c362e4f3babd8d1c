package ring

import (
	"errors"
	"net/netip"
	"testing"
)

func TestMergeTakesNewerVersion(t *testing.T) {
	a := mustSeed(t, "10.0.0.0/24", "a", "b")
	a.SetSelf("a")
	b := a.Clone()
	b.SetSelf("b")
	if err := b.Transfer("b", "c", rng("10.0.0.192", "10.0.0.255")); err != nil {
		t.Fatal(err)
	}
	if err := a.Merge(b); err != nil {
		t.Fatalf("Merge: %v", err)
	}
	if !a.Equal(b) {
		t.Errorf("after merge:\n%v\nwant\n%v", a.Entries(), b.Entries())
	}
	if a.Self() != "a" {
		t.Errorf("Merge changed Self to %q", a.Self())
	}
	if got := a.Owner(addr("10.0.0.200")); got != "c" {
		t.Errorf("Owner after merge = %q, want c", got)
	}
}

func TestMergeIntoEmptyAdoptsIdentity(t *testing.T) {
	seeded := mustSeed(t, "10.0.0.0/24", "a", "b")
	empty, _ := New(netip.MustParsePrefix("10.0.0.0/24"), "z")
	want := seeded.Clone()
	if err := seeded.Merge(empty.Clone()); err != nil || !seeded.Equal(want) {
		t.Errorf("merging an empty ring changed the seeded one (err %v)", err)
	}
	if err := empty.Merge(seeded); err != nil {
		t.Fatalf("Merge into empty: %v", err)
	}
	if !empty.Equal(seeded) || empty.Identity() != seeded.Identity() {
		t.Errorf("empty ring did not adopt the seeded one")
	}
}

func TestMergeRefuses(t *testing.T) {
	tests := []struct {
		name  string
		self  string
		other func(t *testing.T) *Ring
		want  error
	}{
		{"other seed", "a", func(t *testing.T) *Ring {
			return mustSeed(t, "10.0.0.0/24", "a", "c")
		}, ErrDifferentRing},
		{"other range", "a", func(t *testing.T) *Ring {
			return mustSeed(t, "10.0.1.0/24", "a", "b")
		}, ErrDifferentRing},
		{"same version, other content", "", func(t *testing.T) *Ring {
			r := mustSeed(t, "10.0.0.0/24", "a", "b")
			r.entries[1].free = 7
			return r
		}, ErrConflict},
		{"our entry changed", "a", func(t *testing.T) *Ring {
			r := mustSeed(t, "10.0.0.0/24", "a", "b")
			if err := r.Transfer("a", "b", rng("10.0.0.0", "10.0.0.127")); err != nil {
				t.Fatal(err)
			}
			return r
		}, ErrOwnRangeChanged},
		{"token in our space", "a", func(t *testing.T) *Ring {
			// Same entries as ours, plus a token inside a's space that a
			// never made.
			r := mustSeed(t, "10.0.0.0/24", "a", "b")
			c := entry{token: toU32(addr("10.0.0.64")), peer: "c", version: 1}
			r.entries = append(r.entries[:1], append([]entry{c}, r.entries[1:]...)...)
			r.entries[0].free = 0
			return r
		}, ErrOwnRangeChanged},
		{"invalid", "a", func(t *testing.T) *Ring {
			r := mustSeed(t, "10.0.0.0/24", "a", "b")
			r.entries[0].version = 0
			return r
		}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustSeed(t, "10.0.0.0/24", "a", "b")
			r.entries[0].free = 0
			r.SetSelf(tt.self)
			before := r.Clone()
			if err := r.Merge(tt.other(t)); !errors.Is(err, tt.want) {
				t.Errorf("Merge error = %v, want %v", err, tt.want)
			}
			if !r.Equal(before) {
				t.Errorf("refused merge changed the ring: %v", r.Entries())
			}
		})
	}
}
