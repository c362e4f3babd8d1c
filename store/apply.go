package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
	"weave.works/weave/store/fsm"
)

// retryPause is the wait between attempts while no leader is known.
const retryPause = 50 * time.Millisecond

// withTimeout gives ctx the store's request timeout unless it has a
// deadline already.
func (s *Store) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.cfg.RequestTimeout)
}

// Do commits a command through Raft, on this peer if it leads or else on
// the leader, and returns what it did. A command the tree refused (a
// failed compare, a missing key) returns the Result and its *fsm.Error.
// Attempts repeat while there is no leader or the leader changes before
// taking the command, until ctx or the request timeout ends.
func (s *Store) Do(ctx context.Context, c *fsm.Command) (*fsm.Result, error) {
	if err := s.failed(); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", c.Op, c.Key, err)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	for {
		res, err := s.tryDo(ctx, c)
		if !errors.Is(err, errNotLeader) {
			if err == nil && res.Err != nil {
				return res, res.Err
			}
			return res, err
		}
		if err := pause(ctx); err != nil {
			return nil, fmt.Errorf("%s %s: no leader: %w", c.Op, c.Key, err)
		}
	}
}

// tryDo makes one attempt: apply here if leading, else forward.
func (s *Store) tryDo(ctx context.Context, c *fsm.Command) (*fsm.Result, error) {
	if s.raft.State() == raft.Leader {
		return s.applyLocal(ctx, c)
	}
	addr, _ := s.raft.LeaderWithID()
	if addr == "" {
		return nil, errNotLeader
	}
	return s.forward(ctx, string(addr), c)
}

// applyLocal stamps the command with this leader's clock and applies it.
// It answers errNotLeader only when Raft refused the entry before
// appending it, so that a retry cannot apply a command twice.
func (s *Store) applyLocal(ctx context.Context, c *fsm.Command) (*fsm.Result, error) {
	f, err := s.startApply(ctx, c)
	if err != nil {
		return nil, err
	}
	return finishApply(c, f)
}

// startApply stamps the command and hands it to Raft, without waiting for
// it to commit.
func (s *Store) startApply(ctx context.Context, c *fsm.Command) (raft.ApplyFuture, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", c.Op, c.Key, err)
	}
	stamped := *c
	stamped.Time = time.Now().UnixNano()
	b, err := stamped.Encode()
	if err != nil {
		return nil, err
	}
	timeout := s.cfg.RequestTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	return s.raft.Apply(b, timeout), nil
}

// finishApply waits for the command's entry to be applied.
func finishApply(c *fsm.Command, f raft.ApplyFuture) (*fsm.Result, error) {
	if err := f.Error(); err != nil {
		if errors.Is(err, raft.ErrNotLeader) {
			return nil, errNotLeader
		}
		return nil, fmt.Errorf("%s %s: %w", c.Op, c.Key, err)
	}
	res, ok := f.Response().(*fsm.Result)
	if !ok {
		return nil, fmt.Errorf("%s %s: unexpected apply response %T", c.Op, c.Key, f.Response())
	}
	return res, nil
}

// pause waits retryPause or until ctx ends.
func pause(ctx context.Context) error {
	t := time.NewTimer(retryPause)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
