package harness

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDocker builds two hosts with a dockerd each and checks that containers
// run, that the hosts are told apart by Docker, and that dockerd survives a
// restart and a kill -9. After Close it checks that the container left
// running is gone and that the machine's addresses and routes are as before.
func TestDocker(t *testing.T) {
	needRoot(t)
	ctx := testContext(t)
	before, err := RootNetSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var containerPid int
	t.Cleanup(func() {
		// This runs after the cluster's Close, registered below.
		if containerPid > 0 {
			cl, err := os.ReadFile("/proc/" + strconv.Itoa(containerPid) + "/cmdline")
			if err == nil && strings.Contains(string(cl), "4242") {
				t.Errorf("container process %d survived Close", containerPid)
			}
		}
		after, err := RootNetSnapshot(ctx)
		if err != nil || after != before {
			t.Errorf("root namespace changed (%v):\nbefore:\n%s\nafter:\n%s", err, before, after)
		}
	})
	o := DefaultOptions()
	o.Docker = true
	c := newTestCluster(t, ctx, o)
	hs := c.Hosts()

	t.Run("run", func(t *testing.T) {
		for _, h := range hs {
			_, err := h.Docker(ctx, "run", "--rm", "--network", "none", Image, "true")
			if err != nil {
				t.Error(err)
			}
		}
	})

	t.Run("names", func(t *testing.T) {
		for _, h := range hs {
			out, err := h.Docker(ctx, "info", "--format", "{{.Name}}")
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(out); got != h.Name {
				t.Errorf("%s: docker info Name = %q", h.Name, got)
			}
		}
	})

	t.Run("sysfs", func(t *testing.T) {
		for _, h := range hs {
			sys, err := h.Run(ctx, "ls", "/sys/class/net")
			if err != nil {
				t.Fatal(err)
			}
			links, err := h.Run(ctx, ipBin, "-o", "link", "show")
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, l := range strings.Split(strings.TrimSpace(links), "\n") {
				f := strings.Fields(l)
				want = append(want, strings.SplitN(strings.TrimSuffix(f[1], ":"), "@", 2)[0])
			}
			got := strings.Fields(sys)
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s: /sys/class/net = %v, links = %v", h.Name, got, want)
			}
		}
	})

	t.Run("plugindir", func(t *testing.T) {
		h1, h2 := hs[0], hs[1]
		if _, err := h1.Run(ctx, "touch", PluginDir+"/probe.sock"); err != nil {
			t.Fatal(err)
		}
		if !exists(filepath.Join(h1.PluginDir(), "probe.sock")) {
			t.Errorf("%s: probe not seen at %s", h1.Name, h1.PluginDir())
		}
		if exists(filepath.Join(h2.PluginDir(), "probe.sock")) ||
			exists(filepath.Join(PluginDir, "probe.sock")) {
			t.Errorf("probe of %s seen outside it", h1.Name)
		}
	})

	t.Run("cgroup", func(t *testing.T) {
		h := hs[0]
		id, err := h.Docker(ctx, "run", "-d", "--network", "none", Image, "sleep", "4242")
		if err != nil {
			t.Fatal(err)
		}
		out, err := h.Docker(ctx, "inspect", "--format", "{{.State.Pid}}", strings.TrimSpace(id))
		if err != nil {
			t.Fatal(err)
		}
		containerPid, _ = strconv.Atoi(strings.TrimSpace(out))
		cg, err := os.ReadFile("/proc/" + strconv.Itoa(containerPid) + "/cgroup")
		if err != nil || !strings.Contains(string(cg), cgroupName(c.ID(), h.Index)) {
			t.Errorf("container %d not below %s: %v\n%s", containerPid,
				cgroupName(c.ID(), h.Index), err, cg)
		}
	})

	t.Run("restart", func(t *testing.T) {
		h := hs[1]
		if err := h.RestartDocker(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Docker(ctx, "run", "--rm", "--network", "none", Image, "true"); err != nil {
			t.Error(err)
		}
	})

	t.Run("kill", func(t *testing.T) {
		h := hs[1]
		p := h.Proc(dockerdName)
		if err := p.Kill(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := p.Wait(10 * time.Second); err == nil {
			t.Fatal("dockerd exited cleanly after SIGKILL")
		}
		if err := h.StartDocker(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Docker(ctx, "run", "--rm", "--network", "none", Image, "true"); err != nil {
			t.Error(err)
		}
	})
}

// TestNewCleansUp checks that a New that fails halfway (a dockerd that
// will not start) leaves nothing behind. Other runs, of tests running at the
// same time, may come and go meanwhile; only new objects of dead runs count.
func TestNewCleansUp(t *testing.T) {
	needRoot(t)
	ctx := testContext(t)
	before := harnessObjects(t)
	o := DefaultOptions()
	o.Docker = true
	o.DockerArgs = []string{"--no-such-flag"}
	o.Logf = t.Logf
	c, err := New(ctx, o)
	if err == nil {
		c.Close()
		t.Fatal("New with a bad dockerd flag did not fail")
	}
	t.Logf("New: %v", err)
	for name, id := range harnessObjects(t) {
		if _, old := before[name]; old {
			continue
		}
		if lock, _, live, err := claimRun(id); err == nil && !live {
			if lock != nil {
				lock.f.Close()
			}
			t.Errorf("left by the failed New: %s", name)
		}
	}
}

// harnessObjects returns the namespaces, temp directories and lock files of
// every run, each with its run id.
func harnessObjects(t *testing.T) map[string]string {
	t.Helper()
	ns, err := listNetns()
	if err != nil {
		t.Fatal(err)
	}
	tmp, _ := filepath.Glob(filepath.Join(os.TempDir(), Prefix+"*"))
	locks, _ := filepath.Glob(filepath.Join(registryDir, "*.lock"))
	out := make(map[string]string)
	for _, n := range append(append(ns, tmp...), locks...) {
		base := strings.TrimSuffix(filepath.Base(n), ".lock")
		if id := runIDOf(base); id != "" {
			out[n] = id
		} else if id := runIDOf(Prefix + base); id != "" {
			out[n] = id
		}
	}
	return out
}
