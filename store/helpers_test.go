package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"weave.works/weave/internal/freeport"
)

// testCluster is a set of stores on 127.0.0.1 sharing one hand-set
// membership, each with its own data directory.
type testCluster struct {
	t       testing.TB
	base    string // holds every peer's data directory
	members *StaticMembership
	stores  map[string]*Store
	dirs    map[string]string
	voters  int
	tune    func(*Config)
}

// newCluster starts n stores named p1..pn with the given voter count.
func newCluster(t testing.TB, n, voters int, tune func(*Config)) *testCluster {
	t.Helper()
	// The directory comes first, so that its removal, a cleanup, runs
	// after the stores are closed: cleanups run last-registered first.
	base := t.TempDir()
	c := &testCluster{t: t, base: base, members: NewStaticMembership(),
		stores: map[string]*Store{}, dirs: map[string]string{}, voters: voters, tune: tune}
	t.Cleanup(c.closeAll)
	for i := 1; i <= n; i++ {
		c.start(fmt.Sprintf("p%d", i))
	}
	return c
}

// fixedCluster starts three voters p1..p3 on the given kind of log, each
// on a loopback address of its own that stays the same when it restarts,
// so that the whole cluster can stop and start again.
func fixedCluster(t *testing.T, kind string, tune func(*Config)) *testCluster {
	t.Helper()
	addrs := map[string]string{}
	for _, name := range []string{"p1", "p2", "p3"} {
		addrs[name] = freeAddr(t)
	}
	return newCluster(t, 3, 3, func(cfg *Config) {
		cfg.RaftLog, cfg.BindAddr = kind, addrs[cfg.Name]
		if tune != nil {
			tune(cfg)
		}
	})
}

// restartAll stops every peer, then starts them all again.
func (c *testCluster) restartAll() {
	c.t.Helper()
	for _, name := range []string{"p1", "p2", "p3"} {
		c.kill(name)
	}
	for _, name := range []string{"p1", "p2", "p3"} {
		c.start(name)
	}
}

// freeAddr returns a loopback address with a port that was free a moment
// ago, outside the range other processes' connections take ports from.
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := freeport.Loopback()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// testLogger writes the stores' records to the test log when -v is given.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() || os.Getenv("STORE_TEST_LOG") == "" {
		return nil
	}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(slog.NewTextHandler(testWriter{t}, opts))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// start opens (or reopens, on the same directory) the store called name
// and announces it alive.
func (c *testCluster) start(name string) *Store {
	c.t.Helper()
	dir, ok := c.dirs[name]
	if !ok {
		dir = filepath.Join(c.base, name)
		c.dirs[name] = dir
	}
	cfg := LocalConfig()
	cfg.Name, cfg.DataDir, cfg.Voters, cfg.Membership = name, dir, c.voters, c.members
	cfg.Logger = testLogger(c.t)
	if c.tune != nil {
		c.tune(&cfg)
	}
	s, err := Open(cfg)
	if err != nil {
		c.t.Fatalf("open %s: %v", name, err)
	}
	c.stores[name] = s
	c.members.Set(Member{Name: name, RaftAddr: s.Addr(), Alive: true})
	return s
}

// kill closes a store; the membership still lists it, now dead.
func (c *testCluster) kill(name string) {
	c.t.Helper()
	if err := c.stores[name].Close(); err != nil {
		c.t.Logf("close %s: %v", name, err)
	}
	delete(c.stores, name)
	m := Member{Name: name, Alive: false}
	for _, p := range c.members.Peers() {
		if p.Name == name {
			m.RaftAddr = p.RaftAddr
		}
	}
	c.members.Set(m)
}

func (c *testCluster) closeAll() {
	for name, s := range c.stores {
		if err := s.Close(); err != nil {
			c.t.Logf("close %s: %v", name, err)
		}
	}
}

// leader waits until the running stores agree on one leader and returns it.
func (c *testCluster) leader() *Store {
	c.t.Helper()
	var last string
	ok := waitFor(10*time.Second, func() bool {
		var leader *Store
		for _, s := range c.stores {
			st := s.Status()
			if st.State == "Leader" {
				leader = s
			}
			last = fmt.Sprintf("%s:%s(leader %q)", st.Name, st.State, st.Leader)
		}
		if leader == nil {
			return false
		}
		for _, s := range c.stores {
			if s.Status().Leader != leader.Name() {
				return false
			}
		}
		return true
	})
	if !ok {
		c.t.Fatalf("no leader agreed on; last seen %s", last)
	}
	for _, s := range c.stores {
		if s.Status().State == "Leader" {
			return s
		}
	}
	return nil
}

// followers returns the running stores that do not lead.
func (c *testCluster) followers() []*Store {
	var out []*Store
	for _, s := range c.stores {
		if s.Status().State != "Leader" {
			out = append(out, s)
		}
	}
	return out
}

// waitFor polls cond every 20ms until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

// ctx returns a context that ends with the test or after 10 seconds.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}
