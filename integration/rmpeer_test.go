package integration

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"weave.works/weave/api"
	"weave.works/weave/integration/harness"
	"weave.works/weave/integration/scenario"
)

// share is what status on h says of peer's part of the range.
func share(t *testing.T, ctx context.Context, w scenario.Weave, h *harness.Host,
	peer string) (api.Share, api.IPAM) {
	t.Helper()
	s, err := w.Status(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range s.IPAM.Shares {
		if sh.Peer == peer {
			return sh, s.IPAM
		}
	}
	return api.Share{Peer: peer}, s.IPAM
}

// TestStopHandsOverAndRmpeer: weave stop gives the stopping peer's space to a live peer;
// weave rmpeer is refused for a live peer, and takes over a dead peer's space, which the
// status marks unreachable with a hint until then.
func TestStopHandsOverAndRmpeer(t *testing.T) {
	ctx, c, w := gossipCluster(t, 3, 3*time.Minute)
	h1, h2, h3 := c.Hosts()[0], c.Hosts()[1], c.Hosts()[2]

	if out, err := h1.Run(ctx, weaveBin, "rmpeer", h3.Name); err == nil ||
		!strings.Contains(err.Error(), "alive") {
		t.Errorf("rmpeer of a live peer: %q, %v; want a refusal saying it is alive", out, err)
	}

	// The status lists h2's share before it stops, so that its absence after means it went.
	if sh, _ := share(t, ctx, w, h1, h2.Name); sh.Addresses == 0 {
		t.Fatalf("h1's status shows no share for h2 before the stop")
	}
	if _, err := h2.Run(ctx, weaveBin, "stop"); err != nil {
		t.Fatalf("weave stop: %v", err)
	}
	if err := h2.Proc("weave").Wait(30 * time.Second); err != nil {
		t.Errorf("weave on h2 after stop: %v", err)
	}
	err := harness.WaitFor(ctx, 30*time.Second, "h2's space handed over", func() (bool, error) {
		sh, _ := share(t, ctx, w, h1, h2.Name)
		return sh.Addresses == 0, nil
	})
	if err != nil {
		t.Error(err)
	}

	if err := h3.Proc("weave").Kill(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = harness.WaitFor(ctx, 30*time.Second, "h3 unreachable in h1's ipam status",
		func() (bool, error) {
			sh, m := share(t, ctx, w, h1, h3.Name)
			return sh.Addresses > 0 && !sh.Reachable && strings.Contains(m.Hint, "rmpeer"), nil
		})
	if err != nil {
		t.Fatal(err)
	}
	out, err := h1.Run(ctx, weaveBin, "rmpeer", h3.Name)
	if err != nil {
		t.Fatalf("rmpeer of a dead peer: %v", err)
	}
	t.Logf("weave rmpeer: %s", strings.TrimSpace(out))
	if sh, _ := share(t, ctx, w, h1, h3.Name); sh.Addresses != 0 {
		t.Errorf("h3 still owns %d addresses after rmpeer", sh.Addresses)
	}
	if sh, m := share(t, ctx, w, h1, h1.Name); sh.Percent < 99.9 {
		t.Errorf("h1 owns %.1f%% of the range after taking over from both: %+v", sh.Percent, m)
	}
}
