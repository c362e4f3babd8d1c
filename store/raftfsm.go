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
// applies them, dispatches their events to watchers and tracks the last
// Raft index applied, for reads that wait for one.
//
// ApplyBatch returns its results before the batch's transaction commits,
// so that Raft answers the writers while the tree writes its pages; the
// committer then commits, dispatches the events and moves the applied
// index, under the hub's lock, batch after batch. Until then reads (which
// see only committed transactions) and reads waiting for the index do not
// see the batch. A linearizable read waits for the index, so it still
// sees every write that was answered before it began.
type raftFSM struct {
	tree *fsm.FSM
	hub  *hub
	log  *slog.Logger
	// durable, when not nil, is a Raft log that syncs behind its appends:
	// an entry is applied only once it is synced here (see synced.go).
	durable durableLog
	// onFail is called, once, when an entry could not be applied here.
	onFail func(error)

	commits   chan pendingBatch // to the committer
	committed chan struct{}     // closed when the committer has stopped
	closeOnce sync.Once

	mu       sync.Mutex
	seen     uint64        // last Raft index applied: commands and configurations
	prepared uint64        // last Raft index handed to the committer
	notify   chan struct{} // closed and replaced when seen advances or failed is set
	failed   error         // why this replica's tree no longer follows the log
}

var _ raft.BatchingFSM = (*raftFSM)(nil)

// pendingBatch is a batch applied but not yet committed, or, with flushed
// set, a request to say when every batch before it is.
type pendingBatch struct {
	commit  func() error
	results []fsm.Result
	index   uint64
	flushed chan struct{}
}

// commitDepth is how many prepared batches may wait for the committer;
// the next Prepare waits for bbolt's writer lock anyway.
const commitDepth = 4

func newRaftFSM(tree *fsm.FSM, h *hub, log *slog.Logger) *raftFSM {
	r := &raftFSM{tree: tree, hub: h, log: log, seen: tree.Applied(),
		notify: make(chan struct{}), commits: make(chan pendingBatch, commitDepth),
		committed: make(chan struct{})}
	go r.runCommits()
	return r
}

// runCommits is the committer.
func (r *raftFSM) runCommits() {
	defer close(r.committed)
	for b := range r.commits {
		if b.flushed != nil {
			close(b.flushed)
			continue
		}
		r.hub.mu.Lock()
		err := b.commit()
		if err == nil {
			for i := range b.results {
				r.hub.dispatch(b.results[i].Events)
			}
		}
		r.hub.mu.Unlock()
		if err != nil {
			r.fail(err)
			continue
		}
		r.advance(b.index)
	}
}

// flush returns once every batch handed to the committer is committed.
func (r *raftFSM) flush() {
	done := make(chan struct{})
	r.commits <- pendingBatch{flushed: done}
	<-done
}

// close stops the committer once it has committed every batch. Raft must
// have stopped calling the FSM.
func (r *raftFSM) close() {
	r.closeOnce.Do(func() { close(r.commits) })
	<-r.committed
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
	results, commit := r.tree.Prepare(entries)
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
	// From here on the results are only read: by the committer, which
	// dispatches their events, and by the writers Raft answers.
	last := logs[len(logs)-1].Index
	r.mu.Lock()
	r.prepared = last
	r.mu.Unlock()
	r.commits <- pendingBatch{commit: commit, results: results, index: last}
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
		r.wake()
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
		r.wake()
	}
}

// wake wakes the waiters. The caller holds mu.
func (r *raftFSM) wake() {
	close(r.notify)
	r.notify = make(chan struct{})
}

// applied returns the last Raft index whose batch is committed to the
// tree.
func (r *raftFSM) applied() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen
}

// waitPrepared returns once every entry applied so far is committed, so
// that a read sees every write this peer answered.
func (r *raftFSM) waitPrepared(ctx context.Context) error {
	r.mu.Lock()
	index := r.prepared
	r.mu.Unlock()
	return r.waitApplied(ctx, index)
}

// waitApplied returns once index is applied, or with ctx's error.
func (r *raftFSM) waitApplied(ctx context.Context, index uint64) error {
	for {
		r.mu.Lock()
		seen, ch, failed := r.seen, r.notify, r.failed
		r.mu.Unlock()
		if seen >= index {
			return nil
		}
		if failed != nil {
			return failed
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
	r.flush()
	s, err := r.tree.Snapshot()
	if err != nil {
		return nil, err
	}
	return &fsmSnapshot{s: s}, nil
}

// Restore replaces the tree with a snapshot and ends every watch.
func (r *raftFSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	r.flush()
	r.hub.mu.Lock()
	defer r.hub.mu.Unlock()
	r.hub.reset()
	if err := r.tree.Restore(rc); err != nil {
		return err
	}
	r.mu.Lock()
	r.seen = r.tree.Applied()
	r.prepared = r.seen
	r.wake()
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
