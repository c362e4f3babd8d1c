package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
	"weave.works/weave/store/fsm"
)

// ReadOptions shape a read. Recursive returns a directory's whole subtree,
// Sorted orders listings by key (they always are), and Quorum makes the
// read linearizable: it sees every write that completed before it began,
// wherever it was made.
type ReadOptions struct {
	Recursive bool
	Sorted    bool
	Quorum    bool
}

// Read returns the node at key as a "get" event, with the store index it
// saw. A plain read is served from this peer's tree: it sees every write
// this peer answered before the read began, and may lag the leader. A
// quorum read first learns the leader's commit index (asking the leader
// when this peer follows) and waits until this peer applied it.
//
// A plain read on a follower that has not yet applied a write it
// forwarded is made a quorum read, which the leader answers at once
// (see readIndexRequest), rather than wait for the leader's next append
// to bring the commit.
func (s *Store) Read(ctx context.Context, key string, o ReadOptions) (fsm.ReadResult, error) {
	if err := s.failed(); err != nil {
		return fsm.ReadResult{}, err
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if !o.Quorum && s.answered.Load() > s.fsm.applied() {
		o.Quorum = true
	}
	if !o.Quorum {
		if err := s.settle(ctx); err != nil {
			return fsm.ReadResult{}, fmt.Errorf("read %s: %w", key, err)
		}
		return s.tree.Get(key, o.Recursive, o.Sorted, time.Now().UnixNano())
	}
	index, answered, err := s.readIndex(ctx, key, o)
	if err != nil {
		return fsm.ReadResult{}, fmt.Errorf("quorum read %s: %w", key, err)
	}
	if answered != nil {
		return answered.res, answered.err
	}
	return s.readAt(ctx, key, index, o)
}

// readAt reads key from this peer's tree once it has applied index.
func (s *Store) readAt(ctx context.Context, key string, index uint64,
	o ReadOptions) (fsm.ReadResult, error) {
	if err := s.fsm.waitApplied(ctx, index); err != nil {
		return fsm.ReadResult{}, fmt.Errorf("quorum read %s: %w", key, err)
	}
	return s.tree.Get(key, o.Recursive, o.Sorted, time.Now().UnixNano())
}

// leaderRead is a quorum read the leader answered itself.
type leaderRead struct {
	res fsm.ReadResult
	err error // an etcd error, as the leader's tree gave it
}

// readIndex returns the index a linearizable read of key waits for, from
// this peer if it leads or else from the leader, retrying across
// elections. When this peer has not applied that index yet, the leader
// answers the read itself, returned as the leaderRead.
func (s *Store) readIndex(ctx context.Context, key string, o ReadOptions) (uint64, *leaderRead,
	error) {
	for {
		index, answered, err := s.tryReadIndex(ctx, key, o)
		if !errors.Is(err, errNotLeader) {
			return index, answered, err
		}
		if err := pause(ctx); err != nil {
			return 0, nil, fmt.Errorf("no leader: %w", err)
		}
	}
}

func (s *Store) tryReadIndex(ctx context.Context, key string, o ReadOptions) (uint64,
	*leaderRead, error) {
	if s.raft.State() == raft.Leader {
		index, err := s.leaderReadIndex(ctx)
		return index, nil, err
	}
	addr, _ := s.raft.LeaderWithID()
	if addr == "" {
		return 0, nil, errNotLeader
	}
	req := readIndexRequest{Key: key, Recursive: o.Recursive, Sorted: o.Sorted,
		Applied: s.fsm.applied()}
	rep, err := s.call(ctx, string(addr), kindReadIndex, req.encode())
	switch {
	case err != nil:
		return 0, nil, err
	case rep.ReadErr != nil:
		return rep.Index, &leaderRead{err: rep.ReadErr}, nil
	case rep.Read != nil:
		return rep.Index, &leaderRead{res: *rep.Read}, nil
	}
	return rep.Index, nil, nil
}

// WatchEvents starts a watch on key from index since (0: the next
// change), as etcd's wait=true does. A stream watch goes on after the
// first event; a one-shot watch ends with it. When since lies in the
// past, the watch starts with the first matching event from the history
// (etcd's behaviour, which a stream watch shares: later past events are
// not replayed). A since older than the kept history fails with
// fsm.CodeEventIndexCleared. Watches are served by this peer alone.
func (s *Store) WatchEvents(key string, recursive, stream bool, since uint64) (*Watcher, error) {
	if err := s.failed(); err != nil {
		return nil, err
	}
	if err := s.settle(context.Background()); err != nil {
		return nil, err
	}
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	start, err := s.tree.History(key, recursive, since)
	if err != nil {
		return nil, err
	}
	return s.hub.watch(key, recursive, stream, since, start), nil
}

// settle waits until every write this peer has answered is in its tree,
// so that a local read or a watch that starts now comes after them, as on
// an etcd member: its own writes once committed to the tree (see
// raftFSM), and those the leader applied for it once it applied them too.
func (s *Store) settle(ctx context.Context) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if err := s.fsm.waitPrepared(ctx); err != nil {
		return err
	}
	return s.fsm.waitApplied(ctx, s.answered.Load())
}

// readAndWatch reads key from the local tree and starts a stream watch
// on it from the next index, both under the hub's lock, so that no change
// falls between the two.
func (s *Store) readAndWatch(key string, recursive bool) (fsm.ReadResult, *Watcher, error) {
	if err := s.settle(context.Background()); err != nil {
		return fsm.ReadResult{}, nil, err
	}
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	res, err := s.tree.Get(key, recursive, true, time.Now().UnixNano())
	if err != nil && !fsm.HasCode(err, fsm.CodeKeyNotFound) {
		return res, nil, err
	}
	index := s.tree.Index()
	w := s.hub.watch(key, recursive, true, index+1, fsm.WatchStart{Index: index})
	return res, w, nil
}

// Status is a peer's view of the cluster, for status pages and headers.
type Status struct {
	Name      string
	Addr      string
	State     string // Leader, Follower, Candidate or Shutdown
	Leader    string // the leader's name; empty when none is known
	Term      uint64
	RaftIndex uint64 // the last Raft index applied
	Index     uint64 // the store index
	Failure   string // why this peer's store stopped, when it did
}

// Status returns the peer's current view. It is cheap: it does not wait
// for Raft's main loop, so every HTTP answer may call it.
func (s *Store) Status() Status {
	_, leader := s.raft.LeaderWithID()
	return Status{
		Name:      s.cfg.Name,
		Addr:      s.addr,
		State:     s.raft.State().String(),
		Leader:    string(leader),
		Term:      s.raft.CurrentTerm(),
		RaftIndex: s.raft.AppliedIndex(),
		Index:     s.tree.Index(),
		Failure:   errorText(s.failed()),
	}
}

// errorText is err's message, or empty for nil.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Servers returns the names of the voters and non-voters in this peer's
// latest Raft configuration.
func (s *Store) Servers() (voters, nonVoters []string, err error) {
	f := s.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, nil, fmt.Errorf("read raft configuration: %w", err)
	}
	for _, srv := range f.Configuration().Servers {
		if srv.Suffrage == raft.Voter {
			voters = append(voters, string(srv.ID))
		} else {
			nonVoters = append(nonVoters, string(srv.ID))
		}
	}
	return voters, nonVoters, nil
}
