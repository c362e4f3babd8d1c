// Package integration holds the multi-host tests: hosts in network namespaces, a real
// dockerd per host, the real weave binary, and faults.
package integration

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"weave.works/weave/integration/harness"
	"weave.works/weave/integration/scenario"
)

// weaveBin is the binary under test: $WEAVE_BIN, or one built for this run.
var weaveBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("integration: skipped with -short")
		os.Exit(m.Run())
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "integration: the multi-host tests need root (run `make test`)")
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "weave-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	weaveBin = os.Getenv("WEAVE_BIN")
	if weaveBin == "" {
		weaveBin = filepath.Join(dir, "weave")
		out, err := exec.Command("go", "build", "-o", weaveBin, "../cmd/weave").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "build weave: %v\n%s", err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needLong skips under -short: these tests need root, namespaces and dockerd.
func needLong(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("multi-host test; run without -short")
	}
}

// newCluster builds n hosts, with Docker when docker is set, removed when the test ends.
func newCluster(t *testing.T, n int, docker bool) *harness.Cluster {
	t.Helper()
	needLong(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o := harness.DefaultOptions()
	o.Hosts, o.Docker, o.Logf = n, docker, t.Logf
	c, err := harness.New(ctx, o)
	if err != nil {
		t.Fatalf("build %d hosts: %v", n, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			dumpLogs(t, c)
		}
		if err := c.Close(); err != nil {
			t.Errorf("remove hosts: %v", err)
		}
	})
	return c
}

// dumpLogs prints the tail of every weave log, to see why a test failed.
func dumpLogs(t *testing.T, c *harness.Cluster) {
	for _, h := range c.Hosts() {
		p := h.Proc("weave")
		if p == nil {
			continue
		}
		b, err := os.ReadFile(p.LogPath())
		if err != nil {
			continue
		}
		if len(b) > 6000 {
			b = b[len(b)-6000:]
		}
		t.Logf("weave log of %s:\n%s", h.Name, b)
	}
}

// launchAll starts weave on every host and waits until they all see each other.
func launchAll(t *testing.T, ctx context.Context, c *harness.Cluster,
	extra ...string) scenario.Weave {
	t.Helper()
	return launchWith(t, ctx, scenario.Weave{Bin: weaveBin, Hosts: c.Hosts()}, extra...)
}

// launchWith starts w on every host and waits until they all see each other.
func launchWith(t *testing.T, ctx context.Context, w scenario.Weave,
	extra ...string) scenario.Weave {
	t.Helper()
	for _, h := range w.Hosts {
		if _, err := w.Launch(ctx, h, extra...); err != nil {
			t.Fatalf("launch weave on %s: %v", h.Name, err)
		}
	}
	if err := w.WaitAlive(ctx, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	return w
}

// meshCluster builds n hosts with Docker, launches weave on each and waits for the network
// weave on every host. The context it returns ends with the test or after timeout.
func meshCluster(t *testing.T, n int, timeout time.Duration) (context.Context,
	*harness.Cluster, scenario.Weave) {
	t.Helper()
	c := newCluster(t, n, true)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	w := launchAll(t, ctx, c)
	if err := w.WaitNetwork(ctx, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	return ctx, c, w
}

// gossipCluster builds n hosts without Docker and launches weave on each with
// --no-create-network, for tests of gossip, the sockets and the CLI. The context it returns
// ends with the test or after timeout.
func gossipCluster(t *testing.T, n int, timeout time.Duration) (context.Context,
	*harness.Cluster, scenario.Weave) {
	t.Helper()
	c := newCluster(t, n, false)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx, c, launchAll(t, ctx, c, "--no-create-network")
}
