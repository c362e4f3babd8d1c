package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testTimeout bounds every multi-host test.
const testTimeout = 3 * time.Minute

// TestMain checks, around all tests, that the machine's own addresses and
// routes are the same after the run as before it.
func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	before, err := RootNetSnapshot(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "snapshot root namespace:", err)
		os.Exit(1)
	}
	code := m.Run()
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	after, err := RootNetSnapshot(ctx)
	cancel()
	if err != nil || after != before {
		fmt.Fprintf(os.Stderr, "root namespace changed (%v):\nbefore:\n%s\nafter:\n%s\n",
			err, before, after)
		code = 1
	}
	os.Exit(code)
}

// needRoot skips t in -short mode and when not running as root.
func needRoot(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("multi-host test; skipped with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// testContext returns a context bounded by testTimeout and t's end.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// newTestCluster builds a cluster for t and registers its Close, followed by
// a check that nothing of it is left.
func newTestCluster(t *testing.T, ctx context.Context, o Options) *Cluster {
	t.Helper()
	o.Logf = t.Logf
	c, err := New(ctx, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		checkGone(t, c.ID(), c.Dir())
	})
	return c
}

// checkGone fails t if anything of run id is left: a namespace, a process
// naming it, a mount under its directory, a cgroup, the directory or the
// lock file.
func checkGone(t *testing.T, id, dir string) {
	t.Helper()
	if ns, err := runNetns(id); err != nil || len(ns) > 0 {
		t.Errorf("run %s: namespaces left: %v (%v)", id, ns, err)
	}
	procs, err := listProcs()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if strings.Contains(p.cmdline, runMarker(id)) && p.pid != os.Getpid() {
			t.Errorf("run %s: process left: %d %s", id, p.pid, p.cmdline)
		}
	}
	if mps, err := mountsUnder(dir); err != nil || len(mps) > 0 {
		t.Errorf("run %s: mounts left: %v (%v)", id, mps, err)
	}
	if cg := runCgroups(id); len(cg) > 0 {
		t.Errorf("run %s: cgroups left: %v", id, cg)
	}
	if exists(dir) {
		t.Errorf("run %s: state dir %s left", id, dir)
	}
	if exists(lockPath(id)) {
		t.Errorf("run %s: lock file left", id)
	}
	if matches, _ := filepath.Glob(filepath.Join(netnsDir, runMarker(id)+"*")); len(matches) > 0 {
		t.Errorf("run %s: netns files left: %v", id, matches)
	}
}

// ping sends one ping from h to addr, waiting a second for the answer.
func ping(ctx context.Context, h *Host, addr string) error {
	_, err := h.Run(ctx, busyboxBin, "ping", "-c", "1", "-W", "1", addr)
	return err
}

// waitPing waits until from reaches to (want true) or stops reaching it.
func waitPing(t *testing.T, ctx context.Context, from, to *Host, want bool) {
	t.Helper()
	what := fmt.Sprintf("%s to reach %s = %v", from.Name, to.Name, want)
	err := WaitFor(ctx, 20*time.Second, what, func() (bool, error) {
		err := ping(ctx, from, to.Addr.String())
		return (err == nil) == want, err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkReach fails t unless from reaches to exactly when want, at once.
func checkReach(t *testing.T, ctx context.Context, from, to *Host, want bool) {
	t.Helper()
	err := ping(ctx, from, to.Addr.String())
	if (err == nil) != want {
		t.Fatalf("%s reaches %s: %v, want %v (%v)", from.Name, to.Name, err == nil, want, err)
	}
}
