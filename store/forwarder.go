package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"weave.works/weave/store/fsm"
	"weave.works/weave/store/rpc"
)

// A follower forwards its writes to the leader in batches: the commands
// that come while earlier batches are on their way travel together in the
// next one, so that under load one RPC carries many writes, and a lone
// write still goes at once.
const (
	// forwardSlots is how many batches may be on their way to the leader.
	forwardSlots = 2
	// maxForwardBatch bounds the commands of one batch.
	maxForwardBatch = 256
)

// forwarded is one write waiting to go, or gone, to the leader.
type forwarded struct {
	ctx  context.Context
	addr string
	cmd  *fsm.Command
	done chan forwardOutcome // buffered: the batch never waits for the writer
}

type forwardOutcome struct {
	res   *fsm.Result
	index uint64 // the Raft index of the command's entry
	err   error
}

// forwardQueue holds a follower's writes that wait for a free slot, and
// counts the batches on their way.
type forwardQueue struct {
	mu       sync.Mutex
	pending  []*forwarded
	inflight int
}

// forward sends c to the leader at addr and waits for its answer, or for
// ctx to end. A write that finds a slot free goes at once from this
// goroutine, with whatever waits; otherwise it waits for the batch that
// the next free slot sends.
func (s *Store) forward(ctx context.Context, addr string, c *fsm.Command) (*fsm.Result, error) {
	select {
	case <-s.stop:
		return nil, errStopped
	default:
	}
	f := &forwarded{ctx: ctx, addr: addr, cmd: c, done: make(chan forwardOutcome, 1)}
	q := &s.fwd
	q.mu.Lock()
	q.pending = append(q.pending, f)
	var batch []*forwarded
	if q.inflight < forwardSlots {
		q.inflight++
		batch = s.takeBatch()
	}
	q.mu.Unlock()
	if batch != nil {
		s.sendBatch(batch)
		s.nextBatch()
	}
	select {
	case out := <-f.done:
		if out.res != nil {
			s.noteAnswered(out.index)
		}
		return out.res, out.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// noteAnswered raises answered to index.
func (s *Store) noteAnswered(index uint64) {
	for {
		cur := s.answered.Load()
		if index <= cur || s.answered.CompareAndSwap(cur, index) {
			return
		}
	}
}

// takeBatch removes the next batch from the queue: up to maxForwardBatch
// commands, ending once maxForwardBytes are reached. The caller holds
// fwd.mu.
func (s *Store) takeBatch() []*forwarded {
	q := &s.fwd
	n, size := 0, 0
	for n < len(q.pending) && n < maxForwardBatch && size < maxForwardBytes {
		size += commandSize(q.pending[n].cmd)
		n++
	}
	batch := slices.Clone(q.pending[:n])
	q.pending = slices.Delete(q.pending, 0, n)
	s.batches.Add(1)
	s.batched.Add(uint64(n))
	return batch
}

// nextBatch, called when a batch came back, sends the writes that queued
// meanwhile from a new goroutine, keeping the slot, or frees the slot. A
// closing store answers them errStopped instead; a batch on its way when
// the store closes gives up at once (sendTo).
func (s *Store) nextBatch() {
	q := &s.fwd
	q.mu.Lock()
	defer q.mu.Unlock()
	select {
	case <-s.stop:
		for _, f := range q.pending {
			f.done <- forwardOutcome{err: errStopped}
		}
		q.pending = nil
	default:
	}
	if len(q.pending) == 0 {
		q.inflight--
		return
	}
	batch := s.takeBatch()
	go func() {
		s.sendBatch(batch)
		s.nextBatch()
	}()
}

// errStopped answers writes made while the store closes.
var errStopped = errors.New("store is closing")

// sendBatch sends a batch, one RPC per leader address in it, and hands
// every writer its answer.
func (s *Store) sendBatch(batch []*forwarded) {
	byAddr := map[string][]*forwarded{}
	for _, f := range batch {
		if f.ctx.Err() != nil {
			f.done <- forwardOutcome{err: f.ctx.Err()}
			continue
		}
		byAddr[f.addr] = append(byAddr[f.addr], f)
	}
	for addr, fs := range byAddr {
		s.sendTo(addr, fs)
	}
}

func (s *Store) sendTo(addr string, fs []*forwarded) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	// A closing store gives up at once; its writers learn that the
	// outcome is unknown, as from a timeout.
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	rep, err := s.callBatch(ctx, addr, fs)
	if err == nil && len(rep.Answers) != len(fs) {
		err = fmt.Errorf("leader %s answered %d of %d forwarded writes",
			addr, len(rep.Answers), len(fs))
	}
	for i, f := range fs {
		if err != nil {
			f.done <- forwardOutcome{err: err}
			continue
		}
		f.done <- outcomeOf(addr, f.cmd, rep.Answers[i])
	}
}

// callBatch sends the commands of fs to the leader at addr.
func (s *Store) callBatch(ctx context.Context, addr string, fs []*forwarded) (applyBatchReply,
	error) {
	req := applyBatchRequest{Commands: make([]*fsm.Command, len(fs))}
	for i, f := range fs {
		req.Commands[i] = f.cmd
	}
	p, err := req.encode()
	if err != nil {
		return applyBatchReply{}, err
	}
	b, err := s.client.Call(ctx, addr, kindApplyBatch, p)
	var re *rpc.RemoteError
	if errors.As(err, &re) {
		return applyBatchReply{}, fmt.Errorf("leader %s refused forwarded writes: %s", addr,
			re.Message)
	}
	if err != nil {
		return applyBatchReply{}, err
	}
	return decodeApplyBatchReply(b)
}

// outcomeOf turns one answer of the leader into a writer's outcome.
func outcomeOf(addr string, c *fsm.Command, a rpcReply) forwardOutcome {
	switch {
	case a.NotLeader:
		return forwardOutcome{err: errNotLeader}
	case a.Error != "":
		return forwardOutcome{err: fmt.Errorf("%s %s: leader %s: %s", c.Op, c.Key, addr, a.Error)}
	case a.Result == nil:
		return forwardOutcome{err: fmt.Errorf("%s %s: leader %s sent no result", c.Op, c.Key, addr)}
	}
	return forwardOutcome{res: a.Result, index: a.Index}
}

// commandSize is the part of a command's encoding that can be large.
func commandSize(c *fsm.Command) int { return len(c.Key) + len(c.Value) + len(c.PrevValue) }
