package daemon

import (
	"strings"
	"testing"
)

func TestPeerNamePersisted(t *testing.T) {
	dir := t.TempDir()
	first, err := peerName("", dir, "host1")
	if err != nil {
		t.Fatal(err)
	}
	if !ValidName(first) || len(strings.Split(first, ":")) != 6 {
		t.Fatalf("derived name %q is not MAC-shaped", first)
	}
	again, err := peerName("", dir, "another-hostname")
	if err != nil || again != first {
		t.Errorf("restart gave %q (%v), want the persisted %q", again, err, first)
	}
	asked, err := peerName("h1", dir, "host1")
	if err != nil || asked != "h1" {
		t.Fatalf("asked name: %q, %v", asked, err)
	}
	if later, _ := peerName("", dir, "host1"); later != "h1" {
		t.Errorf("an asked name replaces the persisted one; got %q", later)
	}
	if other, _ := peerName("", t.TempDir(), "host1"); other == first {
		t.Errorf("two data dirs on one machine derived the same name %q", other)
	}
}
