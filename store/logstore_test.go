package store

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/raft"
)

// TestLogKinds writes through a cluster on each kind of log, stops every
// peer, starts them again on the same addresses and requires the data back.
func TestLogKinds(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three stores twice")
	}
	for _, kind := range []string{LogWAL, LogBoltDB} {
		t.Run(kind, func(t *testing.T) {
			c := fixedCluster(t, kind, nil)
			if err := c.leader().Put(ctx(t), "/kind", []byte(kind), nil); err != nil {
				t.Fatal(err)
			}
			// The entries went to the kind of log asked for, and only there.
			for name, s := range c.stores {
				segs, _ := filepath.Glob(filepath.Join(c.dirs[name], "wal", "*.seg"))
				inBolt, err := s.logs.bolt.LastIndex()
				if err != nil {
					t.Fatal(err)
				}
				if got := len(segs) > 0 && inBolt == 0; got != (kind == LogWAL) {
					t.Errorf("%s on %s: %d wal segments, raft.db log up to %d", name, kind,
						len(segs), inBolt)
				}
			}
			c.restartAll()
			p, err := c.leader().Get(ctx(t), "/kind")
			if err != nil || string(p.Value) != kind {
				t.Fatalf("after restart: %+v %v", p, err)
			}
		})
	}
}

// TestMixedLogRefused opens a directory written with one kind of log with
// the other: the store must refuse and say which flag would work.
func TestMixedLogRefused(t *testing.T) {
	for _, tc := range []struct{ wrote, open string }{
		{LogWAL, LogBoltDB},
		{LogBoltDB, LogWAL},
	} {
		dir := t.TempDir()
		st, err := openRaftStorage(dir, tc.wrote)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.log.StoreLog(&raft.Log{Index: 1, Term: 1, Data: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		_, err = openRaftStorage(dir, tc.open)
		if err == nil || !strings.Contains(err.Error(), "--raft-log "+tc.wrote) {
			t.Errorf("open a %s log as %s: %v", tc.wrote, tc.open, err)
		}
		again, err := openRaftStorage(dir, tc.wrote)
		if err != nil {
			t.Fatalf("reopen %s log: %v", tc.wrote, err)
		}
		if last, err := again.log.LastIndex(); err != nil || last != 1 {
			t.Errorf("%s log after a refused open: last index %d, %v", tc.wrote, last, err)
		}
		_ = again.Close()
	}
}
