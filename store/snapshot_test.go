package store

import (
	"fmt"
	"testing"
	"time"
)

// TestCatchUpBySnapshot compacts the log while a follower is down, so that
// it can only catch up from a snapshot, on each kind of log; then restarts
// every peer from its compacted log and snapshot.
func TestCatchUpBySnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three stores")
	}
	for _, kind := range []string{LogWAL, LogBoltDB} {
		t.Run(kind, func(t *testing.T) {
			c := fixedCluster(t, kind, func(cfg *Config) {
				cfg.SnapshotThreshold, cfg.TrailingLogs = 16, 4
				cfg.SnapshotInterval = 50 * time.Millisecond
			})
			lead := c.leader()
			lagging := c.followers()[0].Name()
			c.kill(lagging)
			x := ctx(t)
			const n = 200
			for i := range n {
				if err := lead.Put(x, fmt.Sprintf("/snap/%03d", i), []byte("v"), nil); err != nil {
					t.Fatal(err)
				}
			}
			compacted := waitFor(10*time.Second, func() bool {
				first, err := lead.logs.log.FirstIndex()
				return err == nil && first > n/2
			})
			if !compacted {
				first, _ := lead.logs.log.FirstIndex()
				t.Fatalf("leader's log not compacted: first index %d", first)
			}
			back := c.start(lagging)
			last := fmt.Sprintf("/snap/%03d", n-1)
			if !waitFor(10*time.Second, func() bool {
				p, err := back.Get(x, last)
				return err == nil && p != nil
			}) {
				t.Fatalf("%s did not catch up by snapshot", lagging)
			}
			// Writes go on, on the follower that restored the snapshot too.
			if err := back.Put(x, "/after", []byte("1"), nil); err != nil {
				t.Fatal(err)
			}
			c.restartAll()
			l := c.leader()
			for _, k := range []string{"/snap/000", last, "/after"} {
				if p, err := l.Get(x, k); err != nil || p == nil {
					t.Fatalf("%s after a full restart: %+v %v", k, p, err)
				}
			}
		})
	}
}
