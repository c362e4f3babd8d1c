package harness

import (
	"fmt"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFabric builds three hosts and checks that they reach each other, that
// each sees only its own links and hostname, and that every fault changes
// reachability as it says and its undo restores it.
func TestFabric(t *testing.T) {
	needRoot(t)
	ctx := testContext(t)
	o := DefaultOptions()
	o.Hosts = 3
	c := newTestCluster(t, ctx, o)
	hs := c.Hosts()
	h1, h2, h3 := hs[0], hs[1], hs[2]

	t.Run("ping", func(t *testing.T) {
		for _, a := range hs {
			for _, b := range hs {
				if a != b {
					checkReach(t, ctx, a, b, true)
				}
			}
		}
	})

	t.Run("isolation", func(t *testing.T) {
		names := make(map[string]bool)
		for _, h := range hs {
			out, err := h.Run(ctx, "sh", "-c", "hostname; ls /sys/class/net")
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Fields(out)
			if lines[0] != h.Name {
				t.Errorf("%s: hostname %q", h.Name, lines[0])
			}
			names[lines[0]] = true
			links := lines[1:]
			sort.Strings(links)
			if got := strings.Join(links, " "); got != "eth0 lo" {
				t.Errorf("%s: /sys/class/net = %q, want \"eth0 lo\"", h.Name, got)
			}
			id, err := h.Run(ctx, "cat", "/etc/machine-id")
			if err != nil {
				t.Fatal(err)
			}
			names[strings.TrimSpace(id)] = true
		}
		if len(names) != 2*len(hs) {
			t.Errorf("hostnames and machine ids not all different: %v", names)
		}
	})

	t.Run("cutoff", func(t *testing.T) {
		if err := c.CutOff(h2); err != nil {
			t.Fatal(err)
		}
		checkReach(t, ctx, h1, h2, false)
		checkReach(t, ctx, h3, h2, false)
		checkReach(t, ctx, h1, h3, true)
		if err := c.Reconnect(h2); err != nil {
			t.Fatal(err)
		}
		waitPing(t, ctx, h1, h2, true)
		waitPing(t, ctx, h3, h2, true)
	})

	t.Run("cutpair", func(t *testing.T) {
		if err := c.CutPair(h1, h2); err != nil {
			t.Fatal(err)
		}
		checkReach(t, ctx, h1, h2, false)
		checkReach(t, ctx, h2, h1, false)
		checkReach(t, ctx, h1, h3, true)
		checkReach(t, ctx, h2, h3, true)
		if err := c.CutPair(h1, h3); err != nil {
			t.Fatal(err)
		}
		checkReach(t, ctx, h3, h1, false)
		if err := c.HealPair(h1, h2); err != nil {
			t.Fatal(err)
		}
		checkReach(t, ctx, h1, h2, true)
		checkReach(t, ctx, h3, h1, false)
		if err := c.HealPair(h3, h1); err != nil {
			t.Fatal(err)
		}
		checkReach(t, ctx, h1, h3, true)
	})

	t.Run("loss", func(t *testing.T) {
		if err := c.Loss(h3, 100); err != nil {
			t.Fatal(err)
		}
		checkReach(t, ctx, h1, h3, false)
		checkReach(t, ctx, h1, h2, true)

		// With 30% lost each way a ping comes back with p = 0.49: none of
		// 30 coming back, or all, has a chance below 1e-8.
		if err := c.Loss(h3, 30); err != nil {
			t.Fatal(err)
		}
		out, _ := h1.Run(ctx, busyboxBin, "ping", "-c", "30", "-i", "0.02", "-W", "1",
			h3.Addr.String())
		var sent, got int
		if i := strings.Index(out, "packets transmitted"); i >= 0 {
			fmt.Sscanf(out[strings.LastIndex(out[:i], "\n")+1:],
				"%d packets transmitted, %d packets received", &sent, &got)
		}
		if sent != 30 || got == 0 || got == 30 {
			t.Errorf("30%% loss: %d of %d pings came back:\n%s", got, sent, out)
		}

		if err := c.ClearLoss(h3); err != nil {
			t.Fatal(err)
		}
		checkReach(t, ctx, h1, h3, true)
		if err := c.Loss(h3, 101); err == nil {
			t.Error("Loss(101) did not fail")
		}
	})

	t.Run("proc", func(t *testing.T) { testProc(t, c) })
}

// testProc checks the life of a process started on a host: it runs inside
// the host, logs to its file, pauses, resumes and dies by SIGKILL, and its
// name is free again afterwards.
func testProc(t *testing.T, c *Cluster) {
	ctx := testContext(t)
	h := c.Hosts()[0]
	p, err := h.Start(ctx, "talker", "sh", "-c", "hostname; echo up; exec sleep 600")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Start(ctx, "talker", "true"); err == nil {
		t.Error("second Start of a live name did not fail")
	}
	err = WaitFor(ctx, 5*time.Second, "talker's log", func() (bool, error) {
		log, err := p.Log()
		return strings.Contains(log, h.Name+"\nup\n"), err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Pause(); err != nil {
		t.Fatal(err)
	}
	if err := p.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(100 * time.Millisecond); err == nil {
		t.Fatal("Wait of a live process returned nil")
	}
	if err := p.Kill(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(5 * time.Second); err == nil || p.Alive() {
		t.Fatalf("after SIGKILL: Wait = %v, Alive = %v", err, p.Alive())
	}
	if err := p.Kill(syscall.SIGTERM); err == nil {
		t.Error("Kill of an exited process did not fail")
	}
	if h.Proc("talker") != p {
		t.Error("Proc(talker) is not the process started")
	}
	q, err := h.Start(ctx, "talker", "sleep", "600")
	if err != nil {
		t.Fatalf("restart under the same name: %v", err)
	}
	// Close stops q.
	_ = q
}
