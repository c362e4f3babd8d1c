package ipam

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestClaimFromOwner(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b"}, "a", "b")
	net.announce()
	held := mustAllocate(t, as[1], "10.40.0.0/16", "on b")

	// a claims a free address in b's half: b gives a the block holding it.
	want := ip("10.40.7.9")
	if err := as[0].Claim(bg, want, "on a"); err != nil {
		t.Fatalf("claim of a free address b owns: %v", err)
	}
	if got := as[0].Allocated()[want]; got != "on a" {
		t.Errorf("a's allocations lack %s: %v", want, as[0].Allocated())
	}
	rb := ringOf(t, as[1])
	if rb.Owner(want) != "a" || rb.Owner(held) != "b" {
		t.Errorf("b's ring: %s owned by %q, %s by %q", want, rb.Owner(want), held,
			rb.Owner(held))
	}
	share := rb.ShareOf("a") - (1 << 19)
	if share == 0 || share&(share-1) != 0 || share > 1<<18 {
		t.Errorf("b gave %d addresses, want a power of two up to half its free space", share)
	}

	// An address b has allocated is in use, and the error says where.
	err := as[0].Claim(bg, held, "stolen")
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), `"b"`) {
		t.Errorf("claim of b's allocated %s: %v, want ErrInUse naming b", held, err)
	}
}

func TestClaimOwnerUnreachable(t *testing.T) {
	net := newMemNet()
	as := cluster(t, net, []string{"a", "b"}, "a", "b")
	as[0].SetPeers(nil)
	start := time.Now()
	err := as[0].Claim(bg, ip("10.40.0.9"), "c")
	if !errors.Is(err, ErrOwnedElsewhere) || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("claim from an unreachable owner: %v", err)
	}
	if time.Since(start) > time.Second {
		t.Error("claim from an unreachable owner waited")
	}

	// b is reported alive but its answers are lost: the claim times out.
	as[0].SetPeers([]string{"b"})
	net.setDrop(func(from, to string, payload []byte) bool { return from == "b" })
	as[0].cfg.RequestTimeout = 300 * time.Millisecond
	err = as[0].Claim(bg, ip("10.40.0.9"), "c")
	if !errors.Is(err, ErrOwnedElsewhere) || !strings.Contains(err.Error(), "did not give it") {
		t.Errorf("claim without an answer: %v", err)
	}
}
