package ipam

import (
	"bytes"
	"testing"

	"weave.works/weave/ipam/ring"
)

// TestDecodePendingCopies decodes a saved handover and then overwrites the
// bytes it came from, as bbolt reuses its memory after the transaction: the
// handover must still hold its offer. It used to keep a slice of them, and
// the simulated network crashed reading freed memory.
func TestDecodePendingCopies(t *testing.T) {
	cfg := testConfig(t, "a", "a")
	offer, err := ring.New(cfg.Range, "a")
	if err != nil {
		t.Fatal(err)
	}
	data, err := offer.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	saved := encodePending(&handover{to: "b", offer: offer, data: data})
	h, err := decodePending(saved, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range saved {
		saved[i] = 0xee
	}
	if h.to != "b" || !bytes.Equal(h.data, data) {
		t.Errorf("handover after its source was overwritten: to %q, data % x, want % x",
			h.to, h.data, data)
	}
}
