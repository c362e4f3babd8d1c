package integration

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"weave.works/weave/integration/harness"
	"weave.works/weave/integration/scenario"
)

// TestIPAMPartition: with a pair of hosts cut apart, containers started on both sides get
// addresses; after the heal no address is held twice and every container reaches every other.
func TestIPAMPartition(t *testing.T) {
	ctx, c, w := meshCluster(t, 3, 6*time.Minute)
	hs := c.Hosts()
	var cs []scenario.Container
	run := func(i int, name string) {
		t.Helper()
		ct, err := scenario.Run(ctx, hs[i], name, "weave")
		if err != nil {
			t.Fatalf("run %s on %s: %v", name, hs[i].Name, err)
		}
		cs = append(cs, ct)
	}
	run(0, "before1")
	run(1, "before2")

	if err := c.CutPair(hs[0], hs[1]); err != nil {
		t.Fatal(err)
	}
	// The partition is real once h1 no longer sees h2 alive.
	err := harness.WaitFor(ctx, 30*time.Second, "h1 to lose h2", func() (bool, error) {
		st, err := w.PeerState(ctx, hs[0], hs[1].Name)
		return err == nil && st != "alive", err
	})
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		for i := range hs {
			run(i, fmt.Sprintf("cut%d-%d", i+1, round))
		}
	}
	if err := c.HealPair(hs[0], hs[1]); err != nil {
		t.Fatal(err)
	}
	if err := w.WaitAlive(ctx, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	for i := range hs {
		run(i, fmt.Sprintf("after%d", i+1))
	}

	held := map[netip.Addr]string{}
	for _, ct := range cs {
		if other, dup := held[ct.IP]; dup {
			t.Errorf("%s and %s both hold %s", other, ct.Name, ct.IP)
		}
		held[ct.IP] = ct.Name
	}
	// Every pair of hosts, not every pair of containers: one container per host per phase.
	probe := []scenario.Container{cs[0], cs[1], cs[len(cs)-3], cs[len(cs)-2], cs[len(cs)-1]}
	if err := scenario.WaitMesh(ctx, probe, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}
