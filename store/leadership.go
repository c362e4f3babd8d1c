package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/raft"
	"weave.works/weave/store/fsm"
)

// errNotLeader says this peer cannot serve a request that needs the
// leader; the caller forwards it or tries again.
var errNotLeader = errors.New("not the raft leader")

// leadership tracks whether this peer leads and, if so, whether the
// no-op it committed on taking office is applied. Until then entries of
// earlier terms may be committed but not yet applied here, and a read
// could miss them.
type leadership struct {
	notify chan bool // Raft's NotifyCh

	mu    sync.Mutex
	gen   uint64        // counts leadership changes
	ready bool          // the current generation's no-op is applied
	term  uint64        // the term in which that no-op was proposed
	wake  chan struct{} // closed and replaced on every change of gen or ready
}

func newLeadership() *leadership {
	return &leadership{notify: make(chan bool, 8), wake: make(chan struct{})}
}

// change starts a new generation, not ready, and returns it.
func (l *leadership) change() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gen++
	l.ready = false
	l.broadcast()
	return l.gen
}

// markReady marks gen ready, for term, if it is still current.
func (l *leadership) markReady(gen, term uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if gen == l.gen {
		l.ready, l.term = true, term
		l.broadcast()
	}
}

// broadcast wakes the waiters; the caller holds mu.
func (l *leadership) broadcast() {
	close(l.wake)
	l.wake = make(chan struct{})
}

// waitReady returns once a no-op proposed in the current term (term()) is
// applied, or with ctx's error. A reader that arrives before Raft's
// notification was handled waits through the change of generation; one
// that finds an older term's readiness waits for this term's.
func (l *leadership) waitReady(ctx context.Context, term func() uint64) error {
	for {
		l.mu.Lock()
		ready, readyTerm, wake := l.ready, l.term, l.wake
		l.mu.Unlock()
		if ready && readyTerm == term() {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// runLeadership follows Raft's leadership notifications and commits a
// no-op at the start of each term this peer leads.
func (s *Store) runLeadership() {
	defer s.wg.Done()
	for {
		select {
		case <-s.stop:
			return
		case leader := <-s.lead.notify:
			gen := s.lead.change()
			if !leader {
				s.log.Info("lost leadership", "peer", s.cfg.Name)
				continue
			}
			s.log.Info("became leader", "peer", s.cfg.Name, "term", s.raft.CurrentTerm())
			s.wg.Add(1)
			go s.commitNoop(gen)
		}
	}
}

// commitNoop applies the term's no-op and marks the leadership ready.
func (s *Store) commitNoop(gen uint64) {
	defer s.wg.Done()
	b, _ := (&fsm.Command{Op: fsm.OpNoop}).Encode()
	term := s.raft.CurrentTerm()
	if err := s.raft.Apply(b, s.cfg.RequestTimeout).Error(); err != nil {
		s.log.Warn("commit leader no-op", "err", err)
		return
	}
	s.lead.markReady(gen, term)
}

// leaderReadIndex returns an index that a linearizable read must wait
// for: the commit index, read before leadership is confirmed by a round
// of heartbeats (VerifyLeader), once the term's no-op is applied.
func (s *Store) leaderReadIndex(ctx context.Context) (uint64, error) {
	if s.raft.State() != raft.Leader {
		return 0, errNotLeader
	}
	if err := s.lead.waitReady(ctx, s.raft.CurrentTerm); err != nil {
		return 0, fmt.Errorf("wait for the leader's first commit: %w", err)
	}
	index := s.raft.CommitIndex()
	if err := s.raft.VerifyLeader().Error(); err != nil {
		return 0, fmt.Errorf("%w: %w", errNotLeader, err)
	}
	return index, nil
}
