package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/hashicorp/raft"
	"weave.works/weave/store/fsm"
)

// raftFSM adapts the tree to hashicorp/raft: it decodes log entries,
// applies them under the hub's lock, dispatches their events to watchers
// and tracks the last Raft index applied, for reads that wait for one.
type raftFSM struct {
	tree *fsm.FSM
	hub  *hub
	log  *slog.Logger

	mu     sync.Mutex
	seen   uint64        // last Raft index applied: commands and configurations
	notify chan struct{} // closed and replaced when seen advances
}

var (
	_ raft.FSM                = (*raftFSM)(nil)
	_ raft.ConfigurationStore = (*raftFSM)(nil)
)

func newRaftFSM(tree *fsm.FSM, h *hub, log *slog.Logger) *raftFSM {
	return &raftFSM{tree: tree, hub: h, log: log, seen: tree.Applied(), notify: make(chan struct{})}
}

// Apply applies one command entry and returns its *fsm.Result.
func (r *raftFSM) Apply(l *raft.Log) any {
	defer r.advance(l.Index)
	c, err := fsm.DecodeCommand(l.Data)
	if err != nil {
		r.log.Error("skip undecodable log entry", "index", l.Index, "err", err)
		return &fsm.Result{Err: fsm.NewError(fsm.CodeRaftInternal, err.Error(), 0)}
	}
	r.hub.mu.Lock()
	res := r.tree.Apply(l.Index, c)
	r.hub.dispatch(res.Events)
	r.hub.mu.Unlock()
	if res.Err != nil && res.Err.Code == fsm.CodeRaftInternal {
		// TODO: a storage failure leaves this replica behind the others;
		// it needs a restart, which rebuilds the tree from the log.
		r.log.Error("apply log entry", "index", l.Index, "op", c.Op, "err", res.Err.Cause)
	}
	return &res
}

// StoreConfiguration records a configuration entry's index, so that a
// read waiting for that index is not left waiting.
func (r *raftFSM) StoreConfiguration(index uint64, _ raft.Configuration) {
	r.hub.mu.Lock()
	res := r.tree.Apply(index, &fsm.Command{Op: fsm.OpNoop})
	r.hub.mu.Unlock()
	if res.Err != nil {
		r.log.Error("record configuration entry", "index", index, "err", res.Err.Cause)
	}
	r.advance(index)
}

// advance moves seen forward and wakes the waiters.
func (r *raftFSM) advance(index uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if index > r.seen {
		r.seen = index
		close(r.notify)
		r.notify = make(chan struct{})
	}
}

// waitApplied returns once index is applied, or with ctx's error.
func (r *raftFSM) waitApplied(ctx context.Context, index uint64) error {
	for {
		r.mu.Lock()
		seen, ch := r.seen, r.notify
		r.mu.Unlock()
		if seen >= index {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for index %d (applied %d): %w", index, seen, ctx.Err())
		}
	}
}

// Snapshot starts a copy of the tree; Persist writes it while Apply goes on.
func (r *raftFSM) Snapshot() (raft.FSMSnapshot, error) {
	s, err := r.tree.Snapshot()
	if err != nil {
		return nil, err
	}
	return &fsmSnapshot{s: s}, nil
}

// Restore replaces the tree with a snapshot and ends every watch.
func (r *raftFSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	r.hub.mu.Lock()
	defer r.hub.mu.Unlock()
	r.hub.reset()
	if err := r.tree.Restore(rc); err != nil {
		return err
	}
	r.mu.Lock()
	r.seen = r.tree.Applied()
	close(r.notify)
	r.notify = make(chan struct{})
	r.mu.Unlock()
	return nil
}

// fsmSnapshot writes a tree snapshot into Raft's snapshot sink.
type fsmSnapshot struct {
	s *fsm.Snapshot
}

// Persist writes the copy and ends its read transaction at once: Raft's
// RecoverCluster never calls Release, and an open transaction would stall
// the tree's next Restore.
func (f *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	defer f.s.Release()
	if _, err := f.s.WriteTo(sink); err != nil {
		_ = sink.Cancel()
		return err
	}
	return sink.Close()
}

func (f *fsmSnapshot) Release() { f.s.Release() }
