package harness

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashHelperEnv makes TestSweepAfterKill, run again as a child, build a
// cluster and wait to be killed, as a test binary that dies without Close.
const crashHelperEnv = "WT_HARNESS_CRASH_HELPER"

// crashHelper is TestSweepAfterKill's child: it builds a cluster, prints its
// id and directory, and waits to be killed.
func crashHelper(t *testing.T) {
	ctx := testContext(t)
	o := DefaultOptions()
	o.Hosts = 1
	o.NoSweep = true
	c, err := New(ctx, o)
	if err != nil {
		fmt.Println("error", err)
		return
	}
	if _, err := c.Hosts()[0].Start(ctx, "sleeper", "sleep", "600"); err != nil {
		fmt.Println("error", err)
		return
	}
	fmt.Println("ready", c.ID(), c.Dir())
	time.Sleep(time.Minute)
}

// TestSweepAfterKill kills a test binary that holds a cluster and checks
// that Sweep removes all the dead run left.
func TestSweepAfterKill(t *testing.T) {
	if os.Getenv(crashHelperEnv) != "" {
		crashHelper(t)
		return
	}
	needRoot(t)
	ctx := testContext(t)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSweepAfterKill$", "-test.v")
	cmd.Env = append(os.Environ(), crashHelperEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var id, dir string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && f[0] == "error" {
			t.Fatal(sc.Text())
		}
		if len(f) == 3 && f[0] == "ready" {
			id, dir = f[1], f[2]
			break
		}
	}
	if id == "" {
		t.Fatal("helper ended without a cluster")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if ns, _ := runNetns(id); len(ns) == 0 {
		t.Fatal("the killed run left no namespace to sweep")
	}

	if err := Sweep(ctx, t.Logf); err != nil {
		t.Fatal(err)
	}
	checkGone(t, id, dir)
}

// TestSweepDeadDockerRun drops the lock of a run with a dockerd and a
// running container, as if its process had died, and checks that Sweep
// removes dockerd, containerd, the container and the rest, and that Close
// afterwards is harmless.
func TestSweepDeadDockerRun(t *testing.T) {
	needRoot(t)
	ctx := testContext(t)
	o := DefaultOptions()
	o.Hosts = 1
	o.Docker = true
	c := newTestCluster(t, ctx, o)
	h := c.Hosts()[0]
	_, err := h.Docker(ctx, "run", "-d", "--network", "none", Image, "sleep", "4243")
	if err != nil {
		t.Fatal(err)
	}
	dockerd := h.Proc(dockerdName)

	c.lock.f.Close()
	c.lock = nil
	if err := Sweep(ctx, t.Logf); err != nil {
		t.Fatal(err)
	}
	checkGone(t, c.ID(), c.Dir())
	if err := dockerd.Wait(5 * time.Second); dockerd.Alive() {
		t.Errorf("dockerd alive after Sweep: %v", err)
	}
	procs, err := listProcs()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if strings.Contains(p.cmdline, "sleep 4243") {
			t.Errorf("container process %d left", p.pid)
		}
	}
}

// TestSweepSparesLiveRun checks that Sweep leaves a live run alone.
func TestSweepSparesLiveRun(t *testing.T) {
	needRoot(t)
	ctx := testContext(t)
	o := DefaultOptions()
	o.Hosts = 1
	c := newTestCluster(t, ctx, o)
	if err := Sweep(ctx, t.Logf); err != nil {
		t.Fatal(err)
	}
	if ns, _ := runNetns(c.ID()); len(ns) != 2 {
		t.Errorf("namespaces of the live run after Sweep: %v", ns)
	}
	if _, err := c.Hosts()[0].Run(context.Background(), "true"); err != nil {
		t.Errorf("host of the live run after Sweep: %v", err)
	}
}
