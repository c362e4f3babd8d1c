package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// fakeDurable is a durableLog whose durable index the test moves.
type fakeDurable struct {
	mu      sync.Mutex
	durable uint64
	changed chan struct{}
}

func newFakeDurable() *fakeDurable { return &fakeDurable{changed: make(chan struct{})} }

func (f *fakeDurable) Durable() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.durable
}

func (f *fakeDurable) set(index uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.durable = index
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeDurable) WaitDurable(ctx context.Context, index, _ uint64) error {
	for {
		f.mu.Lock()
		done, ch := f.durable >= index, f.changed
		f.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func tcpTransport(t *testing.T) *raft.NetworkTransport {
	t.Helper()
	tr, err := raft.NewTCPTransport("127.0.0.1:0", nil, 2, 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// TestSyncedTransportHoldsAcks sends an append to a peer whose log has
// not synced it: the answer must wait until the log says it has, and the
// commit index the sending leader passes on must not exceed its own
// durable index.
func TestSyncedTransportHoldsAcks(t *testing.T) {
	followerLog, leaderLog := newFakeDurable(), newFakeDurable()
	follower := newSyncedTransport(tcpTransport(t), followerLog)
	defer follower.Close()
	leader := newSyncedTransport(tcpTransport(t), leaderLog)
	defer leader.Close()
	leaderLog.set(3)

	// The follower's Raft: answers every append at once, and reports
	// the commit index it was told.
	told := make(chan uint64, 1)
	go func() {
		for rpc := range follower.Consumer() {
			req := rpc.Command.(*raft.AppendEntriesRequest)
			told <- req.LeaderCommitIndex
			rpc.Respond(&raft.AppendEntriesResponse{Success: true, LastLog: 5}, nil)
		}
	}()

	entries := []*raft.Log{{Index: 4, Term: 1, Type: raft.LogCommand},
		{Index: 5, Term: 1, Type: raft.LogCommand}}
	req := &raft.AppendEntriesRequest{RPCHeader: raft.RPCHeader{Addr: []byte("l")}, Term: 1,
		PrevLogEntry: 3, PrevLogTerm: 1, Entries: entries, LeaderCommitIndex: 5}
	answered := make(chan error, 1)
	go func() {
		var resp raft.AppendEntriesResponse
		answered <- leader.AppendEntries("f", follower.LocalAddr(), req, &resp)
	}()
	if got := <-told; got != 3 {
		t.Errorf("the follower was told commit index %d, want 3: the leader's durable index",
			got)
	}
	select {
	case err := <-answered:
		t.Fatalf("the append was answered (%v) before its entries were durable", err)
	case <-time.After(100 * time.Millisecond):
	}
	followerLog.set(5)
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("append: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the append was not answered once its entries were durable")
	}
}
