package integration

import (
	"context"
	"testing"
	"time"

	"weave.works/weave/integration/harness"
	"weave.works/weave/integration/scenario"
)

// cutDetect is how soon the others must show a host cut off as not alive.
const cutDetect = 10 * time.Second

// TestPeerCutOffAndBack: a host cut off is shown not alive by the others within 10 seconds,
// and alive again after it is reconnected; also after a cut longer than memberlist's
// dead-node timeout, which memberlist alone does not recover from.
func TestPeerCutOffAndBack(t *testing.T) {
	ctx, c, w := gossipCluster(t, 3, 5*time.Minute)
	h1, h3 := c.Hosts()[0], c.Hosts()[2]

	for _, cut := range []time.Duration{2 * time.Second, 45 * time.Second} {
		if err := c.CutOff(h3); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err := harness.WaitFor(ctx, cutDetect, "h1 to see h3 not alive", func() (bool, error) {
			st, err := w.PeerState(ctx, h1, h3.Name)
			return err == nil && st != "alive", err
		})
		if err != nil {
			t.Fatalf("cut of %s: %v", cut, err)
		}
		t.Logf("h3 shown not alive after %s", time.Since(start).Round(100*time.Millisecond))
		if rest := cut - time.Since(start); rest > 0 {
			time.Sleep(rest) // the length of the cut is the point of this step
		}
		if err := c.Reconnect(h3); err != nil {
			t.Fatal(err)
		}
		if err := w.WaitAlive(ctx, 60*time.Second); err != nil {
			t.Fatalf("after a cut of %s: %v", cut, err)
		}
	}
}

// TestPasswordMismatch: peers with different passwords never merge.
func TestPasswordMismatch(t *testing.T) {
	c := newCluster(t, 2, false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h1, h2 := c.Hosts()[0], c.Hosts()[1]
	w := scenario.Weave{Bin: weaveBin, Hosts: c.Hosts()}
	if _, err := w.Launch(ctx, h1, "--no-create-network", "--password", "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Launch(ctx, h2, "--no-create-network", "--password", "two"); err != nil {
		t.Fatal(err)
	}
	for _, h := range c.Hosts() {
		if err := w.WaitUp(ctx, h, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	// Both daemons keep re-joining each other; give them several rounds to (wrongly) merge.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, pair := range [][2]*harness.Host{{h1, h2}, {h2, h1}} {
			st, err := w.PeerState(ctx, pair[0], pair[1].Name)
			if err != nil {
				t.Fatal(err)
			}
			if st == "alive" || st == "suspect" {
				t.Fatalf("%s merged with %s although their passwords differ", pair[0].Name,
					pair[1].Name)
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	log, err := readLog(h1)
	if err != nil {
		t.Fatal(err)
	}
	if !containsAny(log, "decrypt", "encrypt", "password") {
		t.Errorf("h1's log does not say why the join failed:\n%s", tail(log, 3000))
	}
}
