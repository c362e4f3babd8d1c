package integration

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"weave.works/weave/integration/harness"
	"weave.works/weave/integration/scenario"
)

// TestConnectForgetStop: weave connect joins a peer launched alone, weave forget drops its
// address from the ones re-joined, and weave stop makes the daemon leave and exit cleanly.
func TestConnectForgetStop(t *testing.T) {
	c := newCluster(t, 2, false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h1, h2 := c.Hosts()[0], c.Hosts()[1]
	w := scenario.Weave{Bin: weaveBin, Hosts: c.Hosts()}
	seeds := "--ipalloc-init=" + w.Seeds()
	for _, h := range c.Hosts() {
		// Launched with no peers: each knows only itself until told.
		args := []string{"launch", "--name", h.Name, "--host", h.Addr.String(),
			"--data-dir", h.Dir + "/weave", "--no-create-network", seeds}
		if _, err := h.Start(ctx, "weave", weaveBin, args...); err != nil {
			t.Fatal(err)
		}
		if err := w.WaitUp(ctx, h, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := w.PeerState(ctx, h1, h2.Name); st != "" {
		t.Fatalf("h1 knows h2 (%s) before weave connect", st)
	}

	out, err := h1.Run(ctx, weaveBin, "connect", h2.Addr.String())
	if err != nil {
		t.Fatalf("weave connect: %v", err)
	}
	t.Logf("weave connect: %s", strings.TrimSpace(out))
	if err := w.WaitAlive(ctx, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	metrics, err := h1.Run(ctx, "busybox", "wget", "-qO-", "http://127.0.0.1:6782/metrics")
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	if !strings.Contains(metrics, `weave_peers{state="alive"} 2`) {
		t.Errorf("metrics do not count 2 alive peers:\n%s", metrics)
	}

	if _, err := h1.Run(ctx, weaveBin, "forget", h2.Addr.String()+":6783"); err != nil {
		t.Fatalf("weave forget: %v", err)
	}
	s, err := w.Status(ctx, h1)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(s.Known, h2.Addr.String()+":6783") {
		t.Errorf("h1 still re-joins %s after weave forget: %v", h2.Addr, s.Known)
	}

	if _, err := h2.Run(ctx, weaveBin, "stop"); err != nil {
		t.Fatalf("weave stop: %v", err)
	}
	if err := h2.Proc("weave").Wait(30 * time.Second); err != nil {
		t.Errorf("weave on h2 after weave stop: %v", err)
	}
	err = harness.WaitFor(ctx, 20*time.Second, "h1 to see h2 left", func() (bool, error) {
		st, err := w.PeerState(ctx, h1, h2.Name)
		return st == "left", err
	})
	if err != nil {
		t.Error(err)
	}
	if _, err := h2.Run(ctx, weaveBin, "status"); err == nil ||
		!strings.Contains(err.Error(), "not running") {
		t.Errorf("weave status after stop should say weave is not running: %v", err)
	}
}
