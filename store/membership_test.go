package store

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestMembershipChanges starts four peers with three voters and checks
// that the fourth joins as a non-voter, replaces a voter that stays dead
// past the grace period, and that a peer that leaves is removed.
func TestMembershipChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four stores")
	}
	c := newCluster(t, 4, 3, nil)
	lead := c.leader()
	config := func() servers { return serversOf(t, c.leader()) }
	ok := waitFor(10*time.Second, func() bool {
		st := config()
		return len(st.Voters) == 3 && slices.Equal(st.NonVoters, []string{"p4"})
	})
	if !ok {
		t.Fatalf("p4 did not join as a non-voter: %+v", config())
	}
	if v := serversOf(t, lead).Voters; !slices.Equal(sorted(v), []string{"p1", "p2", "p3"}) {
		t.Fatalf("bootstrap voters %v, want the first three by name", v)
	}

	victim := "p1"
	if lead.Name() == victim {
		victim = "p2"
	}
	c.kill(victim)
	ok = waitFor(15*time.Second, func() bool {
		st := config()
		return len(st.Voters) == 3 && slices.Contains(st.Voters, "p4") &&
			!slices.Contains(append(st.Voters, st.NonVoters...), victim)
	})
	if !ok {
		t.Fatalf("dead voter %s was not replaced by p4: %+v", victim, config())
	}

	leaver := ""
	for name := range c.stores {
		if name != c.leader().Name() {
			leaver = name
			break
		}
	}
	if err := c.stores[leaver].Close(); err != nil {
		t.Log(err)
	}
	delete(c.stores, leaver)
	c.members.Remove(leaver)
	ok = waitFor(10*time.Second, func() bool {
		st := config()
		return !slices.Contains(append(st.Voters, st.NonVoters...), leaver)
	})
	if !ok {
		t.Fatalf("peer %s that left is still configured: %+v", leaver, config())
	}
}

// servers is a Raft configuration by suffrage.
type servers struct{ Voters, NonVoters []string }

func serversOf(t *testing.T, s *Store) servers {
	t.Helper()
	v, n, err := s.Servers()
	if err != nil {
		t.Fatal(err)
	}
	return servers{Voters: v, NonVoters: n}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestRecoverFromPeersFile kills two of three voters, then restarts the
// survivor with a peers.json naming only itself: it must lead alone and
// keep the data.
func TestRecoverFromPeersFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three stores")
	}
	c := newCluster(t, 3, 3, nil)
	lead := c.leader()
	if err := lead.Put(ctx(t), "/kept", []byte("yes"), nil); err != nil {
		t.Fatal(err)
	}
	// The survivor must hold the write: a commit needs only the leader and
	// one follower, and a survivor that never got an entry cannot keep it.
	f := c.followers()[0]
	survivor := f.Name()
	if !waitFor(5*time.Second, func() bool {
		res, err := f.Read(ctx(t), "/kept", ReadOptions{})
		return err == nil && res.Event != nil
	}) {
		t.Fatalf("%s never applied the write", survivor)
	}
	for name := range c.stores {
		c.kill(name)
	}
	peers := `[{"id":"` + survivor + `","address":"127.0.0.1:1","non_voter":false}]`
	path := filepath.Join(c.dirs[survivor], PeersFile)
	if err := os.WriteFile(path, []byte(peers), 0o600); err != nil {
		t.Fatal(err)
	}
	s := c.start(survivor)
	if c.leader() != s {
		t.Fatal("survivor does not lead")
	}
	p, err := s.Get(ctx(t), "/kept")
	if err != nil || string(p.Value) != "yes" {
		t.Fatalf("data after recovery: %+v %v", p, err)
	}
	if _, err := os.Stat(path + ".applied"); err != nil {
		t.Errorf("peers file not marked applied: %v", err)
	}
}
