package integration

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"weave.works/weave/integration/harness"
	"weave.works/weave/integration/scenario"
)

// TestDockerClusterStore: Debian's dockerd 20.10 on three hosts, each with
// --cluster-store pointing at its own host's weave daemon. A global-scope network made on
// one host is listed on the others with the same ID, Docker's default IPAM (whose state
// lives in our Raft store) gives containers on different hosts distinct addresses, and
// restarting a dockerd or a weave daemon loses nothing.
func TestDockerClusterStore(t *testing.T) {
	needLong(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	o := harness.DefaultOptions()
	o.Hosts, o.Docker, o.Logf = 3, true, t.Logf
	o.DockerArgs = []string{"--cluster-store=etcd://127.0.0.1:2379",
		"--cluster-advertise=eth0:2376"}
	c, err := harness.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			dumpLogs(t, c)
		}
		if err := c.Close(); err != nil {
			t.Errorf("remove hosts: %v", err)
		}
	})
	w := launchAll(t, ctx, c, "--no-create-network")
	hs := c.Hosts()
	if err := waitStoreLeader(ctx, w, hs); err != nil {
		t.Fatal(err)
	}

	// dockerd retries its store connection; the first create may come before it is back.
	err = harness.WaitFor(ctx, 90*time.Second, "global network created", func() (bool, error) {
		_, err := hs[0].Docker(ctx, "network", "create", "-d", "overlay", "gnet")
		return err == nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	id := waitNetworkEverywhere(t, ctx, hs, "gnet", "")

	var cs []scenario.Container
	seen := map[netip.Addr]string{}
	for i, h := range hs {
		ct, err := scenario.Run(ctx, h, fmt.Sprintf("g%d", i+1), "gnet")
		if err != nil {
			t.Fatalf("container on %s: %v", h.Name, err)
		}
		if other, dup := seen[ct.IP]; dup {
			t.Errorf("%s and %s both got %s from Docker's IPAM", other, ct.Name, ct.IP)
		}
		seen[ct.IP] = ct.Name
		cs = append(cs, ct)
	}

	// A weave daemon killed and launched again, then a dockerd restarted: nothing is lost.
	if err := hs[1].Proc("weave").Kill(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = hs[1].Proc("weave").Wait(10 * time.Second)
	if _, err := w.Launch(ctx, hs[1], "--no-create-network"); err != nil {
		t.Fatal(err)
	}
	if err := waitStoreLeader(ctx, w, hs); err != nil {
		t.Fatal(err)
	}
	if err := hs[2].RestartDocker(ctx); err != nil {
		t.Fatal(err)
	}
	waitNetworkEverywhere(t, ctx, hs, "gnet", id)
	for _, ct := range cs[:2] {
		ip, err := ct.Addr(ctx, "gnet")
		if err != nil || ip != ct.IP {
			t.Errorf("%s had %s and now %s (%v)", ct.Name, ct.IP, ip, err)
		}
	}
	// g3 stopped with its dockerd and gave its address back; g1 and g2 still hold theirs.
	late, err := scenario.Run(ctx, hs[2], "g4", "gnet")
	if err != nil {
		t.Fatalf("container after the restarts: %v", err)
	}
	for _, ct := range cs[:2] {
		if late.IP == ct.IP {
			t.Errorf("after the restarts %s got %s, held by %s", late.Name, late.IP, ct.Name)
		}
	}
}

// waitStoreLeader waits until every host's store knows the same leader and has 3 voters.
func waitStoreLeader(ctx context.Context, w scenario.Weave, hs []*harness.Host) error {
	const what = "a store leader known to all"
	return harness.WaitFor(ctx, 60*time.Second, what, func() (bool, error) {
		leader := ""
		for _, h := range hs {
			s, err := w.Status(ctx, h)
			if err != nil {
				return false, err
			}
			if s.Store.Leader == "" || (leader != "" && s.Store.Leader != leader) ||
				len(s.Store.Voters) != 3 {
				return false, fmt.Errorf("%s: store %+v", h.Name, s.Store)
			}
			leader = s.Store.Leader
		}
		return true, nil
	})
}

// waitNetworkEverywhere waits until every host lists network name, with the ID want (or
// with one ID on all hosts, when want is empty), and returns the ID.
func waitNetworkEverywhere(t *testing.T, ctx context.Context, hs []*harness.Host, name,
	want string) string {
	t.Helper()
	err := harness.WaitFor(ctx, 60*time.Second, name+" on every host", func() (bool, error) {
		for _, h := range hs {
			out, err := h.Docker(ctx, "network", "inspect", "-f", "{{.ID}} {{.Scope}}", name)
			if err != nil {
				return false, err
			}
			f := strings.Fields(out)
			if len(f) != 2 || f[1] != "global" {
				return false, fmt.Errorf("%s: %q", h.Name, out)
			}
			if want == "" {
				want = f[0]
			}
			if f[0] != want {
				return false, fmt.Errorf("%s lists %s with ID %s, others %s", h.Name, name,
					f[0], want)
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}
