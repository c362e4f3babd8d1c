package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"weave.works/weave/store/fsm"
)

// TestKVContract drives every call of the key-value contract on a
// one-voter store.
func TestKVContract(t *testing.T) {
	c := newCluster(t, 1, 1, nil)
	s := c.leader()
	x := ctx(t)

	if _, err := s.Get(x, "/missing"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	if err := s.Put(x, "/d/a", []byte("1"), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(x, "/d/sub", nil, &WriteOptions{IsDir: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(x, "/d/sub", nil, &WriteOptions{IsDir: true}); err != nil {
		t.Fatalf("second mkdir: %v", err)
	}
	p, err := s.Get(x, "d/a")
	if err != nil || string(p.Value) != "1" || p.Key != "/d/a" {
		t.Fatalf("get: %+v %v", p, err)
	}
	if ok, err := s.Exists(x, "/d/a"); !ok || err != nil {
		t.Fatalf("exists: %v %v", ok, err)
	}
	list, err := s.List(x, "/d")
	if err != nil || len(list) != 2 || list[0].Key != "/d/a" || list[1].Key != "/d/sub" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if _, _, err := s.AtomicPut(x, "/d/a", []byte("2"), nil, nil); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("atomic create over a key: %v", err)
	}
	stale := &KVPair{Key: "/d/a", LastIndex: p.LastIndex + 100}
	_, _, err = s.AtomicPut(x, "/d/a", []byte("2"), stale, nil)
	if !errors.Is(err, ErrKeyModified) {
		t.Fatalf("atomic put with a stale index: %v", err)
	}
	ok, np, err := s.AtomicPut(x, "/d/a", []byte("2"), p, nil)
	if !ok || err != nil || np.LastIndex <= p.LastIndex {
		t.Fatalf("atomic put: %v %+v %v", ok, np, err)
	}
	if _, err := s.AtomicDelete(x, "/d/a", p); !errors.Is(err, ErrKeyModified) {
		t.Fatalf("atomic delete with an old index: %v", err)
	}
	if ok, err := s.AtomicDelete(x, "/d/a", np); !ok || err != nil {
		t.Fatalf("atomic delete: %v %v", ok, err)
	}
	if err := s.Delete(x, "/d/a"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
	if err := s.DeleteTree(x, "/d"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Exists(x, "/d"); ok {
		t.Fatal("tree survived DeleteTree")
	}
	if err := s.Put(x, "/a/../b", nil, nil); err == nil {
		t.Fatal("put accepted a key with ..")
	}
}

// TestTTLAndWatch checks that a key with a TTL expires through the leader
// and that Watch and WatchTree see the value, the change and the expiry.
func TestTTLAndWatch(t *testing.T) {
	c := newCluster(t, 1, 1, nil)
	s := c.leader()
	x := ctx(t)
	if err := s.Put(x, "/w/k", []byte("v1"), nil); err != nil {
		t.Fatal(err)
	}
	kv, err := s.Watch(x, "/w/k")
	if err != nil {
		t.Fatal(err)
	}
	tree, err := s.WatchTree(x, "/w")
	if err != nil {
		t.Fatal(err)
	}
	if p := <-kv; string(p.Value) != "v1" {
		t.Fatalf("first watch value %q", p.Value)
	}
	if l := <-tree; len(l) != 1 {
		t.Fatalf("first tree listing %+v", l)
	}
	if err := s.Put(x, "/w/k", []byte("v2"), &WriteOptions{TTL: time.Second}); err != nil {
		t.Fatal(err)
	}
	if p := <-kv; string(p.Value) != "v2" {
		t.Fatalf("watch after put: %q", p.Value)
	}
	<-tree
	start := time.Now()
	select {
	case p := <-kv:
		if p.Value != nil {
			t.Fatalf("watch after expiry: %q", p.Value)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("key did not expire")
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("key expired after %v, before its TTL", d)
	}
	if l := <-tree; len(l) != 0 {
		t.Fatalf("tree after expiry %+v", l)
	}
}

// TestLock checks mutual exclusion, release and handover.
func TestLock(t *testing.T) {
	c := newCluster(t, 1, 1, nil)
	s := c.leader()
	x := ctx(t)
	a, _ := s.NewLock("/locks/l", &LockOptions{TTL: time.Second})
	b, _ := s.NewLock("/locks/l", &LockOptions{TTL: time.Second})
	lost, err := a.Lock(x)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { _, err := b.Lock(x); got <- err }()
	select {
	case err := <-got:
		t.Fatalf("second holder got the lock: %v", err)
	case <-time.After(1500 * time.Millisecond):
	}
	select {
	case <-lost:
		t.Fatal("renewal failed")
	default:
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("second holder after unlock: %v", err)
	}
	if err := b.Unlock(); err != nil {
		t.Fatal(err)
	}
}

// TestForwardingAndFailover writes through followers, reads with quorum
// from every peer, kills the leader and checks that the survivors elect
// another and keep serving, then that a restarted peer catches up.
func TestForwardingAndFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three stores")
	}
	c := newCluster(t, 3, 3, nil)
	old := c.leader()
	x := ctx(t)
	for i, f := range c.followers() {
		if err := f.Put(x, "/k", []byte{'a' + byte(i)}, nil); err != nil {
			t.Fatalf("put through follower %s: %v", f.Name(), err)
		}
	}
	want, err := old.Get(x, "/k")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.stores {
		if p, err := s.Get(x, "/k"); err != nil || string(p.Value) != string(want.Value) {
			t.Fatalf("quorum read on %s: %+v %v", s.Name(), p, err)
		}
	}
	c.kill(old.Name())
	lead := c.leader()
	if lead.Name() == old.Name() {
		t.Fatal("dead leader still leads")
	}
	for _, s := range c.stores {
		if err := s.Put(x, "/after", []byte(s.Name()), nil); err != nil {
			t.Fatalf("put on %s after failover: %v", s.Name(), err)
		}
	}
	back := c.start(old.Name())
	ok := waitFor(10*time.Second, func() bool {
		p, err := back.Get(x, "/after")
		return err == nil && p != nil
	})
	if !ok {
		t.Fatal("restarted peer did not catch up")
	}
	if v, _, err := back.Servers(); err != nil || !slices.Contains(v, old.Name()) {
		t.Errorf("restarted peer lost its vote: voters %v %v", v, err)
	}
}

// TestCloseHandsLeadershipOn closes the leader: it must pass the
// leadership to another voter first, and the others go on writing.
func TestCloseHandsLeadershipOn(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three stores")
	}
	c := newCluster(t, 3, 3, nil)
	old := c.leader()
	c.kill(old.Name())
	if !old.handedOff {
		t.Error("the leader stopped without handing the leadership on")
	}
	lead := c.leader()
	if err := lead.Put(ctx(t), "/after", []byte("1"), nil); err != nil {
		t.Fatalf("write after the leader stopped: %v", err)
	}
}

// TestTreeFailureStopsPeer breaks a follower's tree under it: the next
// entry cannot be applied there, so that peer must stop its store (reads
// and writes fail, saying to restart) while the others go on, and a
// restart must rebuild it from the log.
func TestTreeFailureStopsPeer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three stores")
	}
	c := newCluster(t, 3, 3, nil)
	lead := c.leader()
	victim := c.followers()[0]
	_ = victim.tree.Close()
	x := ctx(t)
	if err := lead.Put(x, "/x", []byte("1"), nil); err != nil {
		t.Fatal(err)
	}
	if !waitFor(5*time.Second, func() bool { return victim.Status().State == "Shutdown" }) {
		t.Fatalf("peer with a broken tree still runs: %+v", victim.Status())
	}
	if f := victim.Status().Failure; !strings.Contains(f, "restart") {
		t.Errorf("status failure %q does not say to restart", f)
	}
	if _, err := victim.Get(x, "/x"); err == nil || !strings.Contains(err.Error(), "restart") {
		t.Errorf("read on the stopped peer: %v", err)
	}
	if err := victim.Put(x, "/z", []byte("1"), nil); err == nil {
		t.Error("write on the stopped peer: no error")
	}
	if err := lead.Put(x, "/y", []byte("2"), nil); err != nil {
		t.Fatalf("the others stopped too: %v", err)
	}
	c.kill(victim.Name())
	back := c.start(victim.Name())
	if !waitFor(10*time.Second, func() bool {
		p, err := back.Get(x, "/y")
		return err == nil && p != nil && back.Status().Failure == ""
	}) {
		t.Fatalf("restarted peer did not rebuild: %+v", back.Status())
	}
}

// TestReadYourWrites checks that a plain read and a watch started on the
// peer that answered a write come after it, as on an etcd member: on a
// leader, although its tree commits the write after the answer; on a
// follower, although the leader applied the write and the follower's tree
// may not have yet.
func TestReadYourWrites(t *testing.T) {
	t.Run("leader", func(t *testing.T) {
		readYourWrites(t, newCluster(t, 1, 1, nil).leader(), 200)
	})
	t.Run("follower", func(t *testing.T) {
		if testing.Short() {
			t.Skip("starts three stores")
		}
		readYourWrites(t, newCluster(t, 3, 3, nil).followers()[0], 100)
	})
}

func readYourWrites(t *testing.T, s *Store, n int) {
	x := ctx(t)
	for i := range n {
		v := fmt.Sprintf("v%d", i)
		if err := s.Put(x, "/ryw/k", []byte(v), nil); err != nil {
			t.Fatal(err)
		}
		res, err := s.Read(x, "/ryw/k", ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Event.Node.Value; got == nil || *got != v {
			t.Fatalf("write %d: a plain read right after it saw %v", i, got)
		}
		// A watch of the next change, started right after a write, must
		// see the write after it, not this one (which an unsettled tree
		// would dispatch to it a moment later).
		if err := s.Put(x, "/ryw/k", []byte(v+"-again"), nil); err != nil {
			t.Fatal(err)
		}
		w, err := s.WatchEvents("/ryw/k", false, false, 0)
		if err != nil {
			t.Fatal(err)
		}
		next := v + "-next"
		if err := s.Put(x, "/ryw/k", []byte(next), nil); err != nil {
			t.Fatal(err)
		}
		select {
		case e := <-w.Events():
			if e.Node == nil || e.Node.Value == nil || *e.Node.Value != next {
				t.Fatalf("write %d: a watch of the next change, started after it, saw %+v",
					i, e.Node)
			}
		case <-x.Done():
			t.Fatalf("write %d: the watch saw no change", i)
		}
		w.Close()
	}
}

// TestFollowerQuorumReadAfterWrite writes through a follower and reads
// the key back at once with a quorum read there, as Docker does through
// its own host: the read must see the write, whether the follower has
// heard of the commit yet (it reads its own tree) or not (the leader
// answers it).
func TestFollowerQuorumReadAfterWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three stores")
	}
	c := newCluster(t, 3, 3, nil)
	f := c.followers()[0]
	x := ctx(t)
	for i := range 50 {
		key, v := fmt.Sprintf("/rw/%d", i), fmt.Sprintf("v%d", i)
		if err := f.Put(x, key, []byte(v), nil); err != nil {
			t.Fatal(err)
		}
		res, err := f.Read(x, key, ReadOptions{Quorum: true})
		if err != nil {
			t.Fatalf("quorum read of %s right after its write: %v", key, err)
		}
		if got := res.Event.Node.Value; got == nil || *got != v {
			t.Fatalf("quorum read of %s right after its write saw %v", key, got)
		}
		if _, err := f.Read(x, key+"/missing", ReadOptions{Quorum: true}); !fsm.HasCode(err,
			fsm.CodeKeyNotFound) && !fsm.HasCode(err, fsm.CodeNotDir) {
			t.Fatalf("quorum read below a file: %v, want etcd's error", err)
		}
	}
}
