package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"weave.works/weave/integration/harness"
	"weave.works/weave/integration/scenario"
)

// TestDockerLateAndRestart: Docker may start after the daemon and restart under it. The
// daemon serves its sockets regardless, creates the network weave once Docker answers, and
// a container with --restart comes back on weave with its address after dockerd restarts.
func TestDockerLateAndRestart(t *testing.T) {
	c := newCluster(t, 2, true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h1, h2 := c.Hosts()[0], c.Hosts()[1]
	if err := h1.StopDocker(ctx); err != nil {
		t.Fatal(err)
	}
	w := launchAll(t, ctx, c)
	s, err := w.Status(ctx, h1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Docker == "connected" {
		t.Fatalf("h1's daemon says Docker is connected while dockerd is stopped")
	}
	t.Logf("with dockerd stopped, h1 reports docker: %s", s.Docker)

	if err := h1.StartDocker(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.WaitNetwork(ctx, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	a, err := scenario.Run(ctx, h1, "ca", "weave", "--restart", "always")
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenario.Run(ctx, h2, "cb", "weave")
	if err != nil {
		t.Fatal(err)
	}
	if err := scenario.WaitMesh(ctx, []scenario.Container{a, b}, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	if err := h1.RestartDocker(ctx); err != nil {
		t.Fatal(err)
	}
	err = harness.WaitFor(ctx, 60*time.Second, "ca running again", func() (bool, error) {
		out, err := h1.Docker(ctx, "inspect", "-f", "{{.State.Running}}", "ca")
		return strings.TrimSpace(out) == "true", err
	})
	if err != nil {
		t.Fatal(err)
	}
	ip, err := a.Addr(ctx, "weave")
	if err != nil {
		t.Fatal(err)
	}
	if ip != a.IP {
		t.Errorf("ca came back with %s instead of %s", ip, a.IP)
		a.IP = ip
	}
	if err := scenario.WaitMesh(ctx, []scenario.Container{a, b}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	s, err = w.Status(ctx, h1)
	if err != nil || s.Docker != "connected" {
		t.Errorf("after the restart h1 reports docker %q (%v)", s.Docker, err)
	}
}
