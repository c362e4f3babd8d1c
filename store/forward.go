package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hashicorp/raft"
	"weave.works/weave/store/fsm"
	"weave.works/weave/store/rpc"
)

// maxForwardBytes ends a batch once its keys and values reach it; a
// batch holds at least one command, whatever its size.
const maxForwardBytes = 4 << 20

// maxLeaderRead bounds a read the leader answers for a follower; a
// larger result (a big recursive listing) is left to the follower, which
// reads it from its own tree once it has applied the index.
const maxLeaderRead = 1 << 20

// rpcGrace is how long a closing peer lets the RPCs it is handling
// finish and answer.
const rpcGrace = time.Second

// startRPC serves the RPC on the mux's second listener and makes the
// client that calls the other peers.
func (s *Store) startRPC() {
	s.rpc = rpc.NewServer(s.serveRPC)
	go func() { _ = s.rpc.Serve(s.layer.rpc) }()
	s.client = rpc.NewClient(func(ctx context.Context, addr string) (net.Conn, error) {
		return dialRPC(ctx, addr)
	})
}

func (s *Store) serveRPC(ctx context.Context, kind byte, p []byte) ([]byte, error) {
	switch kind {
	case kindApplyBatch:
		return s.serveApplyBatch(ctx, p)
	case kindReadIndex:
		return s.serveReadIndex(ctx, p)
	case kindState:
		return appendReply(nil, rpcReply{HasState: s.hasState()}), nil
	}
	return nil, fmt.Errorf("unknown request kind %d: is the peer a newer weave?", kind)
}

// serveApplyBatch applies a follower's batch: every command is handed to
// Raft before the first answer is awaited, so the batch travels the log
// together.
func (s *Store) serveApplyBatch(ctx context.Context, p []byte) ([]byte, error) {
	req, decodeErrs, err := decodeApplyBatch(p)
	if err != nil {
		return nil, err
	}
	if n := len(req.Commands); n == 0 || n > maxForwardBatch {
		return nil, fmt.Errorf("batch of %d commands: want 1 to %d", n, maxForwardBatch)
	}
	pending := make([]raft.ApplyFuture, len(req.Commands))
	rep := applyBatchReply{Answers: make([]rpcReply, len(req.Commands))}
	for i, c := range req.Commands {
		if decodeErrs[i] != nil {
			rep.Answers[i] = rpcReply{Error: decodeErrs[i].Error()}
			continue
		}
		f, err := s.startApply(ctx, c)
		if err != nil {
			rep.Answers[i] = replyOf(rpcReply{}, err)
			continue
		}
		pending[i] = f
	}
	for i, f := range pending {
		if f != nil {
			res, err := finishApply(req.Commands[i], f)
			rep.Answers[i] = replyOf(rpcReply{Result: res, Index: f.Index()}, err)
		}
	}
	return rep.encode(), nil
}

func (s *Store) serveReadIndex(ctx context.Context, p []byte) ([]byte, error) {
	req, err := decodeReadIndex(p)
	if err != nil {
		return nil, err
	}
	if req.Key != "" {
		// The tree reads canonical keys only; a peer sends nothing else.
		if k, err := fsm.ParseKey(req.Key); err != nil || k != req.Key {
			return nil, fmt.Errorf("read-index request for %q: not a canonical key", req.Key)
		}
	}
	index, err := s.leaderReadIndex(ctx)
	if err != nil || req.Key == "" || req.Applied >= index {
		return appendReply(nil, replyOf(rpcReply{Index: index}, err)), nil
	}
	res, err := s.readAt(ctx, req.Key, index, ReadOptions{Recursive: req.Recursive,
		Sorted: req.Sorted})
	rep := rpcReply{Index: index}
	if e := fsm.AsError(err); e != nil {
		rep.ReadErr = e
	} else if err != nil {
		rep.Error = err.Error()
	} else {
		rep.Read = &res
	}
	b := appendReply(nil, rep)
	if len(b) > maxLeaderRead {
		b = appendReply(nil, rpcReply{Index: index})
	}
	return b, nil
}

// replyOf fills in the failure of an answer.
func replyOf(rep rpcReply, err error) rpcReply {
	if errors.Is(err, errNotLeader) {
		return rpcReply{NotLeader: true}
	}
	if err != nil && fsm.AsError(err) == nil {
		return rpcReply{Error: err.Error()}
	}
	return rep
}

// call sends one request to the peer at addr and decodes its lone
// answer.
func (s *Store) call(ctx context.Context, addr string, kind byte, p []byte) (*rpcReply, error) {
	b, err := s.client.Call(ctx, addr, kind, p)
	if err != nil {
		return nil, err
	}
	rep, err := decodeOneReply(b)
	if err != nil {
		return nil, fmt.Errorf("rpc to %s: %w", addr, err)
	}
	if rep.NotLeader {
		return nil, errNotLeader
	}
	if rep.Error != "" {
		return nil, fmt.Errorf("rpc to %s: %s", addr, rep.Error)
	}
	return &rep, nil
}
