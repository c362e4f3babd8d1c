package store

import (
	"context"
	"fmt"

	"github.com/hashicorp/raft"
)

// hashicorp/raft's leader appends new entries to its own log before it
// sends them to the followers, and counts itself in the commit as soon as
// that append returns; a follower acknowledges an append once it returns.
// With a log that syncs behind its appends (store/wal's SyncBehind), the
// leader's append returns at once, so its disk write overlaps the
// round trip to the followers and theirs; a commit then waits for one
// sync, not two in a row. That is safe only if nothing counts an entry
// before it is durable where it is counted:
//
//   - a follower's acknowledgement of an append is held until the
//     entries are synced (syncedTransport.hold);
//   - a leader tells the followers a commit index no higher than its own
//     durable index (syncedTransport.clamp), so an entry applied anywhere
//     is on disk on a majority: the leader and the followers that
//     acknowledged it;
//   - the state machine applies an entry only once it is synced on this
//     peer (raftFSM.durable), so no client hears of a commit earlier;
//   - configuration and no-op entries are synced before their append
//     returns, so Raft's own bookkeeping of committed configurations never
//     runs ahead of the disks.
//
// A leader that loses power may then lose entries it had counted itself
// for; no one else had applied or answered them, and the new leader's log
// decides, as Raft expects.

// transport is the Raft transport as the store holds it: the network's,
// or a syncedTransport around it.
type transport interface {
	raft.Transport
	raft.WithClose
}

var (
	_ transport        = (*syncedTransport)(nil)
	_ raft.WithPreVote = (*syncedTransport)(nil)
)

// syncedTransport is the Raft transport of a peer whose log syncs behind
// its appends.
type syncedTransport struct {
	*raft.NetworkTransport
	log      durableLog
	consumer chan raft.RPC
	ctx      context.Context // ends with Close
	stop     context.CancelFunc
}

func newSyncedTransport(t *raft.NetworkTransport, log durableLog) *syncedTransport {
	s := &syncedTransport{NetworkTransport: t, log: log, consumer: make(chan raft.RPC)}
	s.ctx, s.stop = context.WithCancel(context.Background())
	go s.relay()
	return s
}

// Consumer is what Raft reads requests from.
func (s *syncedTransport) Consumer() <-chan raft.RPC { return s.consumer }

// relay passes the network's requests to Raft, redirecting the answers to
// appends with entries through hold.
func (s *syncedTransport) relay() {
	in := s.NetworkTransport.Consumer()
	for {
		var rpc raft.RPC
		select {
		case rpc = <-in:
		case <-s.ctx.Done():
			return
		}
		if req, ok := rpc.Command.(*raft.AppendEntriesRequest); ok && len(req.Entries) > 0 {
			held := make(chan raft.RPCResponse, 1)
			go s.hold(req.Entries[len(req.Entries)-1], held, rpc.RespChan)
			rpc.RespChan = held
		}
		select {
		case s.consumer <- rpc:
		case <-s.ctx.Done():
			return
		}
	}
}

// hold passes Raft's answer to an append on once its last entry is
// synced. An append that succeeded but whose entries were replaced, or
// could not be synced, fails instead: the leader then tries again.
func (s *syncedTransport) hold(last *raft.Log, held <-chan raft.RPCResponse,
	out chan<- raft.RPCResponse) {
	var r raft.RPCResponse
	select {
	case r = <-held:
	case <-s.ctx.Done():
		return
	}
	if resp, ok := r.Response.(*raft.AppendEntriesResponse); ok && resp.Success && r.Error == nil {
		if err := s.log.WaitDurable(s.ctx, last.Index, last.Term); err != nil {
			r.Error = fmt.Errorf("append entries up to %d: %w", last.Index, err)
		}
	}
	out <- r
}

// clamp lowers the commit index a leader sends to its durable index.
func (s *syncedTransport) clamp(args *raft.AppendEntriesRequest) {
	args.LeaderCommitIndex = min(args.LeaderCommitIndex, s.log.Durable())
}

// AppendEntries sends one append, its commit index clamped.
func (s *syncedTransport) AppendEntries(id raft.ServerID, target raft.ServerAddress,
	args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) error {
	s.clamp(args)
	return s.NetworkTransport.AppendEntries(id, target, args, resp)
}

// AppendEntriesPipeline opens a pipeline whose appends' commit indexes
// are clamped.
func (s *syncedTransport) AppendEntriesPipeline(id raft.ServerID,
	target raft.ServerAddress) (raft.AppendPipeline, error) {
	p, err := s.NetworkTransport.AppendEntriesPipeline(id, target)
	if err != nil {
		return nil, err
	}
	return clampedPipeline{AppendPipeline: p, t: s}, nil
}

// Close stops the relay and the held answers, then the network.
func (s *syncedTransport) Close() error {
	s.stop()
	return s.NetworkTransport.Close()
}

type clampedPipeline struct {
	raft.AppendPipeline
	t *syncedTransport
}

func (p clampedPipeline) AppendEntries(args *raft.AppendEntriesRequest,
	resp *raft.AppendEntriesResponse) (raft.AppendFuture, error) {
	p.t.clamp(args)
	return p.AppendPipeline.AppendEntries(args, resp)
}
