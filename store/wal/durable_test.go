package wal

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// heldSync makes l's syncer wait for a value on the returned channel
// before each sync; the value is the sync's result. When the test ends
// the syncer goes on, so that closing the log does not wait for it.
func heldSync(t *testing.T, l *Log) chan error {
	release, done := make(chan error), make(chan struct{})
	t.Cleanup(func() { close(done) }) // runs before openBehind's Close
	l.datasync = func(s *segment) error {
		select {
		case err := <-release:
			if err != nil {
				return err
			}
		case <-done:
		}
		return s.datasync()
	}
	return release
}

func openBehind(t *testing.T) *Log {
	t.Helper()
	l, err := Open(t.TempDir(), Options{SyncBehind: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// waitBriefly reports whether entry index became durable within 50ms.
func waitBriefly(l *Log, index, term uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	return l.WaitDurable(ctx, index, term)
}

// TestSyncBehindCountsOnlySyncedEntries holds the syncer back and checks
// that written commands are readable but not durable until their sync
// ends, while a configuration entry is synced before its append returns.
func TestSyncBehindCountsOnlySyncedEntries(t *testing.T) {
	l := openBehind(t)
	release := heldSync(t, l)
	if err := l.StoreLogs([]*raft.Log{entry(1, 1, 10), entry(2, 1, 10)}); err != nil {
		t.Fatal(err)
	}
	var got raft.Log
	if err := l.GetLog(2, &got); err != nil || got.Index != 2 {
		t.Fatalf("read an entry written but not synced: %v", err)
	}
	if d := l.Durable(); d != 0 {
		t.Fatalf("durable %d before any sync", d)
	}
	if err := waitBriefly(l, 2, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait before the sync: %v, want a timeout", err)
	}
	release <- nil
	if err := l.WaitDurable(context.Background(), 2, 1); err != nil {
		t.Fatalf("wait after the sync: %v", err)
	}

	conf := entry(3, 1, 10)
	conf.Type = raft.LogConfiguration
	if err := l.StoreLogs([]*raft.Log{conf}); err != nil {
		t.Fatal(err)
	}
	if d := l.Durable(); d != 3 {
		t.Fatalf("durable %d after a configuration entry, want 3: it is synced in place", d)
	}
}

// TestSyncBehindTruncation checks that an entry cut off before its sync
// is never reported durable, even when another entry takes its index, and
// that one of the same term (the same entry sent again) is.
func TestSyncBehindTruncation(t *testing.T) {
	l := openBehind(t)
	release := heldSync(t, l)
	three := []*raft.Log{entry(1, 1, 10), entry(2, 1, 10), entry(3, 1, 10)}
	if err := l.StoreLogs(three); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteRange(2, 3); err != nil {
		t.Fatal(err)
	}
	if err := waitBriefly(l, 3, 1); !errors.Is(err, ErrReplaced) {
		t.Fatalf("wait for a removed entry: %v, want ErrReplaced", err)
	}
	if err := l.StoreLogs([]*raft.Log{entry(2, 2, 10)}); err != nil {
		t.Fatal(err)
	}
	// The syncer, held since the first append, goes on now.
	go func() {
		for range 3 {
			release <- nil
		}
	}()
	if err := l.WaitDurable(context.Background(), 2, 1); !errors.Is(err, ErrReplaced) {
		t.Fatalf("wait for entry 2 of term 1, replaced by term 2: %v, want ErrReplaced", err)
	}
	if err := l.WaitDurable(context.Background(), 2, 2); err != nil {
		t.Fatalf("wait for entry 2 of term 2: %v", err)
	}
}

// TestSyncBehindFailure checks that a failed sync breaks the log: waiters
// learn it, and nothing more is appended until a restart.
func TestSyncBehindFailure(t *testing.T) {
	l := openBehind(t)
	release := heldSync(t, l)
	if err := l.StoreLogs([]*raft.Log{entry(1, 1, 10)}); err != nil {
		t.Fatal(err)
	}
	release <- errors.New("disk gone")
	err := l.WaitDurable(context.Background(), 1, 1)
	if err == nil || !strings.Contains(err.Error(), "disk gone") ||
		!strings.Contains(err.Error(), "restart") {
		t.Fatalf("wait after a failed sync: %v, want the failure and a restart hint", err)
	}
	if err := l.StoreLogs([]*raft.Log{entry(2, 1, 10)}); err == nil {
		t.Fatal("a broken log took an append")
	}
}

// TestCloseSyncs checks that a clean close keeps what was written.
func TestCloseSyncs(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{SyncBehind: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.StoreLogs([]*raft.Log{entry(1, 1, 10), entry(2, 1, 10)}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l, err = Open(dir, Options{SyncBehind: true}); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if last, _ := l.LastIndex(); last != 2 || l.Durable() != 2 {
		t.Fatalf("after reopening: last %d, durable %d, want 2 and 2", last, l.Durable())
	}
}
