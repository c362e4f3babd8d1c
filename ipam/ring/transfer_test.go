package ring

import (
	"errors"
	"fmt"
	"testing"
)

func TestTransfer(t *testing.T) {
	// The seed gives a 10.0.0.0-127 and b 10.0.0.128-255.
	tests := []struct {
		name     string
		from, to string
		rg       Range
		want     string // a's and b's and c's ranges afterwards
		entries  int
	}{
		{"middle of an entry", "a", "c", rng("10.0.0.16", "10.0.0.31"),
			"[10.0.0.0-10.0.0.15 10.0.0.32-10.0.0.127] [10.0.0.128-10.0.0.255] " +
				"[10.0.0.16-10.0.0.31]", 4},
		{"start of an entry", "a", "c", rng("10.0.0.0", "10.0.0.63"),
			"[10.0.0.64-10.0.0.127] [10.0.0.128-10.0.0.255] [10.0.0.0-10.0.0.63]", 3},
		{"whole entry", "b", "c", rng("10.0.0.128", "10.0.0.255"),
			"[10.0.0.0-10.0.0.127] [] [10.0.0.128-10.0.0.255]", 2},
		{"end of range", "b", "a", rng("10.0.0.200", "10.0.0.255"),
			"[10.0.0.0-10.0.0.127 10.0.0.200-10.0.0.255] [10.0.0.128-10.0.0.199] []", 3},
		{"single address", "a", "c", rng("10.0.0.5", "10.0.0.5"),
			"[10.0.0.0-10.0.0.4 10.0.0.6-10.0.0.127] [10.0.0.128-10.0.0.255] " +
				"[10.0.0.5-10.0.0.5]", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustSeed(t, "10.0.0.0/24", "a", "b")
			if err := r.Transfer(tt.from, tt.to, tt.rg); err != nil {
				t.Fatalf("Transfer: %v", err)
			}
			got := fmt.Sprint(r.OwnedRanges("a"), r.OwnedRanges("b"), r.OwnedRanges("c"))
			if got != tt.want {
				t.Errorf("after transfer:\n got %s\nwant %s", got, tt.want)
			}
			if r.Len() != tt.entries {
				t.Errorf("%d entries, want %d: %v", r.Len(), tt.entries, r.Entries())
			}
			if err := r.Validate(); err != nil {
				t.Error(err)
			}
			if total := r.FreeOf("a") + r.FreeOf("b") + r.FreeOf("c"); total != 256 {
				t.Errorf("free counts add up to %d after split, want 256", total)
			}
		})
	}
}

func TestTransferWrapped(t *testing.T) {
	r := mustSeed(t, "10.0.0.0/24", "a", "b")
	// The first token is above the range start, so b's entry, the last one,
	// wraps around to own 10.0.0.0-63 as well.
	r.entries = []entry{
		{token: toU32(addr("10.0.0.64")), peer: "a", version: 1, free: 64},
		{token: toU32(addr("10.0.0.128")), peer: "b", version: 1, free: 128},
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := r.Owner(addr("10.0.0.3")); got != "b" {
		t.Fatalf("Owner(10.0.0.3) = %q, want b through the wrap", got)
	}
	if err := r.Transfer("b", "c", rng("10.0.0.10", "10.0.0.19")); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(r.OwnedRanges("b"), r.OwnedRanges("c"))
	want := "[10.0.0.0-10.0.0.9 10.0.0.20-10.0.0.63 10.0.0.128-10.0.0.255] " +
		"[10.0.0.10-10.0.0.19]"
	if got != want {
		t.Errorf("after transfer in the wrap:\n got %s\nwant %s", got, want)
	}
	if err := r.Validate(); err != nil {
		t.Error(err)
	}
}

func TestTransferErrors(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		rg       Range
		want     error
	}{
		{"not owner", "a", "c", rng("10.0.0.100", "10.0.0.130"), ErrNotOwner},
		{"unknown peer", "x", "c", rng("10.0.0.1", "10.0.0.2"), ErrNotOwner},
		{"to itself", "a", "a", rng("10.0.0.1", "10.0.0.2"), ErrNotOwner},
		{"outside", "a", "c", rng("10.0.1.1", "10.0.1.2"), ErrOutOfRange},
		{"backwards", "a", "c", rng("10.0.0.9", "10.0.0.2"), ErrOutOfRange},
		{"empty to", "a", "", rng("10.0.0.1", "10.0.0.2"), ErrBadPeerName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustSeed(t, "10.0.0.0/24", "a", "b")
			before := r.Clone()
			if err := r.Transfer(tt.from, tt.to, tt.rg); !errors.Is(err, tt.want) {
				t.Errorf("Transfer error = %v, want %v", err, tt.want)
			}
			if !r.Equal(before) {
				t.Errorf("failed transfer changed the ring: %v", r.Entries())
			}
		})
	}
	empty, _ := New(testRange, "a")
	if err := empty.Transfer("a", "b", RangeOf(testRange)); !errors.Is(err, ErrNotOwner) {
		t.Errorf("Transfer on an empty ring = %v, want ErrNotOwner", err)
	}
}

func TestUpdateFree(t *testing.T) {
	r := mustSeed(t, "10.0.0.0/24", "a", "b")
	before := r.Entries()
	changed := r.UpdateFree("a", func(rg Range) uint64 { return rg.Size() - 3 })
	after := r.Entries()
	if !changed || after[0].Free != 125 || after[0].Version != before[0].Version+1 {
		t.Errorf("UpdateFree: changed %v, entry %+v", changed, after[0])
	}
	if after[1] != before[1] {
		t.Errorf("UpdateFree on a changed b's entry: %+v", after[1])
	}
	if r.UpdateFree("a", func(rg Range) uint64 { return rg.Size() - 3 }) {
		t.Error("UpdateFree with the same counts reported a change")
	}
	r.UpdateFree("b", func(rg Range) uint64 { return 1 << 40 })
	if got := r.FreeOf("b"); got != 128 {
		t.Errorf("free count above share: FreeOf(b) = %d, want it cut to 128", got)
	}
}
