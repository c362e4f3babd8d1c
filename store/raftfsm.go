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
	// durable, when not nil, is a Raft log that syncs behind its appends:
	// an entry is applied only once it is synced here (see synced.go).
	durable durableLog
	// onFail is called, once, when an entry could not be applied here.
	onFail func(error)

	mu     sync.Mutex
	seen   uint64        // last Raft index applied: commands and configurations
	notify chan struct{} // closed and replaced when seen advances
	failed error         // why this replica's tree no longer follows the log
}

var _ raft.BatchingFSM = (*raftFSM)(nil)

func newRaftFSM(tree *fsm.FSM, h *hub, log *slog.Logger) *raftFSM {
	return &raftFSM{tree: tree, hub: h, log: log, seen: tree.Applied(), notify: make(chan struct{})}
}

// Apply applies one entry; Raft calls ApplyBatch instead.
func (r *raftFSM) Apply(l *raft.Log) any {
	return r.ApplyBatch([]*raft.Log{l})[0]
}

// ApplyBatch applies committed command and configuration entries, in one
// tree transaction while the commands succeed, and returns an *fsm.Result
// for each. A configuration entry is applied as a no-op, so that a read
// waiting for its index is not left waiting.
func (r *raftFSM) ApplyBatch(logs []*raft.Log) []any {
	if len(logs) == 0 {
		return nil
	}
	if r.durable != nil {
		last := logs[len(logs)-1]
		if err := r.durable.WaitDurable(context.Background(), last.Index, last.Term); err != nil {
			return r.missed(logs, fmt.Errorf("wait for entries up to %d to be synced: %w",
				last.Index, err))
		}
	}
	entries := make([]fsm.Entry, len(logs))
	broken := make(map[int]*fsm.Error)
	for i, l := range logs {
		entries[i] = fsm.Entry{Index: l.Index, Cmd: &fsm.Command{Op: fsm.OpNoop}}
		if l.Type != raft.LogCommand {
			continue
		}
		c, err := fsm.DecodeCommand(l.Data)
		if err != nil {
			r.log.Error("skip undecodable log entry", "index", l.Index, "err", err)
			broken[i] = fsm.NewError(fsm.CodeRaftInternal, err.Error(), 0)
			continue
		}
		entries[i].Cmd = c
	}
	r.hub.mu.Lock()
	results := r.tree.ApplyBatch(entries)
	for i := range results {
		r.hub.dispatch(results[i].Events)
	}
	r.hub.mu.Unlock()
	r.advance(logs[len(logs)-1].Index)

	out := make([]any, len(results))
	for i := range results {
		res := &results[i]
		if e, ok := broken[i]; ok {
			res.Err = e
		}
		if res.Err != nil && res.Err.Code == fsm.CodeRaftInternal {
			r.fail(fmt.Errorf("apply entry %d (%s %s): %s", entries[i].Index,
				entries[i].Cmd.Op, entries[i].Cmd.Key, res.Err.Cause))
		}
		out[i] = res
	}
	return out
}

// missed fails the replica for entries it could not apply, and answers
// each with the cause.
func (r *raftFSM) missed(logs []*raft.Log, err error) []any {
	r.fail(err)
	out := make([]any, len(logs))
	for i := range logs {
		out[i] = &fsm.Result{Err: fsm.NewError(fsm.CodeRaftInternal, err.Error(), 0)}
	}
	return out
}

// fail records that the tree missed an entry (its storage failed, or the
// entry did not decode): from then on it differs from the other replicas,
// so this one must stop serving until a restart rebuilds it from the log.
func (r *raftFSM) fail(err error) {
	r.mu.Lock()
	first := r.failed == nil
	if first {
		r.failed = err
	}
	r.mu.Unlock()
	if first {
		r.log.Error("the tree missed a log entry; this peer stops its store until a restart "+
			"rebuilds it from the log", "err", err)
		if r.onFail != nil {
			r.onFail(err)
		}
	}
}

// failure returns what fail recorded, or nil.
func (r *raftFSM) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
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
