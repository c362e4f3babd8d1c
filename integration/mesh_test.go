package integration

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"weave.works/weave/integration/scenario"
)

var meshRange = netip.MustParsePrefix("10.32.0.0/12")

// TestMeshAcrossHosts: containers on weave on three hosts reach each other both ways, their
// addresses are distinct and in the range, and the network is weavemesh's. The hosts are
// launched with the default --ipalloc-init, consensus among the three.
func TestMeshAcrossHosts(t *testing.T) {
	c := newCluster(t, 3, true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	w := launchWith(t, ctx, scenario.Weave{Bin: weaveBin, Hosts: c.Hosts(), Consensus: true})
	if err := w.WaitNetwork(ctx, 60*time.Second); err != nil {
		t.Fatal(err)
	}

	var cs []scenario.Container
	seen := map[netip.Addr]string{}
	for i, h := range c.Hosts() {
		ct, err := scenario.Run(ctx, h, fmt.Sprintf("c%d", i+1), "weave")
		if err != nil {
			t.Fatalf("run container on %s: %v", h.Name, err)
		}
		if !meshRange.Contains(ct.IP) {
			t.Errorf("%s got %s, outside %s", ct.Name, ct.IP, meshRange)
		}
		if other, dup := seen[ct.IP]; dup {
			t.Errorf("%s and %s both got %s", other, ct.Name, ct.IP)
		}
		seen[ct.IP] = ct.Name
		cs = append(cs, ct)
	}
	if err := scenario.WaitMesh(ctx, cs, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	out, err := c.Hosts()[0].Docker(ctx, "network", "inspect", "-f", "{{.Driver}} {{.IPAM.Driver}}",
		"weave")
	if err != nil || strings.TrimSpace(out) != "weavemesh weavemesh" {
		t.Errorf("docker network inspect weave: %q, %v; want driver and IPAM weavemesh", out, err)
	}
}

// TestMeshStaticIP: --ip gives that address; a second container asking for it gets a clear
// error; after the first one goes, the address can be had again.
func TestMeshStaticIP(t *testing.T) {
	ctx, c, _ := meshCluster(t, 2, 4*time.Minute)
	h := c.Hosts()[0]
	first, err := scenario.Run(ctx, h, "auto", "weave")
	if err != nil {
		t.Fatal(err)
	}
	want := first.IP.Next().Next().Next()

	fixed, err := scenario.Run(ctx, h, "fixed", "weave", "--ip", want.String())
	if err != nil {
		t.Fatalf("run with --ip %s: %v", want, err)
	}
	if fixed.IP != want {
		t.Fatalf("--ip %s gave %s", want, fixed.IP)
	}
	_, err = scenario.Run(ctx, h, "again", "weave", "--ip", want.String())
	if err == nil {
		t.Fatalf("a second container got %s too", want)
	}
	t.Logf("second claim refused: %v", err)
	if !strings.Contains(err.Error(), want.String()) || !strings.Contains(err.Error(), "in use") {
		t.Errorf("the error for a taken address should name it and say it is in use: %v", err)
	}

	if _, err := h.Docker(ctx, "rm", "-f", "fixed", "again"); err != nil {
		t.Fatal(err)
	}
	if _, err := scenario.Run(ctx, h, "third", "weave", "--ip", want.String()); err != nil {
		t.Errorf("%s is free again after its container went, but: %v", want, err)
	}
}

// TestMeshDaemonRestart: kill -9 of a daemon, then launch again, keeps every running
// container's address and connectivity, and leaks no link.
func TestMeshDaemonRestart(t *testing.T) {
	ctx, c, w := meshCluster(t, 2, 5*time.Minute)
	h1, h2 := c.Hosts()[0], c.Hosts()[1]
	a, err := scenario.Run(ctx, h1, "ca", "weave")
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenario.Run(ctx, h2, "cb", "weave")
	if err != nil {
		t.Fatal(err)
	}
	cs := []scenario.Container{a, b}
	if err := scenario.WaitMesh(ctx, cs, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	linksBefore := links(t, ctx, h2)

	if err := h2.Proc("weave").Kill(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := h2.Proc("weave").Wait(10 * time.Second); err != nil {
		t.Logf("weave on h2 after kill -9: %v", err)
	}
	if _, err := w.Launch(ctx, h2); err != nil {
		t.Fatalf("relaunch: %v", err)
	}
	if err := w.WaitAlive(ctx, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, ct := range cs {
		ip, err := ct.Addr(ctx, "weave")
		if err != nil || ip != ct.IP {
			t.Errorf("%s had %s before the restart and %s (%v) after", ct.Name, ct.IP, ip, err)
		}
	}
	if err := scenario.WaitMesh(ctx, cs, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// A new container on the restarted host must not get an address already in use.
	n, err := scenario.Run(ctx, h2, "cn", "weave")
	if err != nil {
		t.Fatal(err)
	}
	if n.IP == a.IP || n.IP == b.IP {
		t.Errorf("after the restart, a new container got %s, already in use", n.IP)
	}
	if after := links(t, ctx, h2); after != linksBefore+1 {
		t.Errorf("h2 had %d weave links before the restart and %d after one more container",
			linksBefore, after)
	}
}

// links counts the weave data-path links (bridge, vxlan, veths) on h.
func links(t *testing.T, ctx context.Context, h interface {
	Run(context.Context, string, ...string) (string, error)
}) int {
	t.Helper()
	out, err := h.Run(ctx, "ip", "-o", "link", "show")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "vethwl") || strings.Contains(l, "vxlan-6784") ||
			strings.Contains(l, ": weave:") {
			n++
		}
	}
	return n
}
