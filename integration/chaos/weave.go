package chaos

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"weave.works/weave/integration/harness"
	"weave.works/weave/integration/scenario"
)

// procWait bounds the wait for a killed or stopped member to be gone.
const procWait = 15 * time.Second

// Weave is the weave daemon's store as a System: one daemon per host,
// launched by W with Extra flags.
type Weave struct {
	W     scenario.Weave
	Extra []string
}

// Name returns "weave".
func (Weave) Name() string { return "weave" }

// Leader asks every daemon for its store's leader and returns the host a
// majority names.
func (s Weave) Leader(ctx context.Context) (*harness.Host, error) {
	votes := map[string]int{}
	for _, h := range s.W.Hosts {
		if l, err := s.leaderOf(ctx, h); err == nil && l != "" {
			votes[l]++
		}
	}
	return majority(s.W.Hosts, votes)
}

// leaderOf asks h's daemon for its store's leader, bounded in time so that
// a daemon that does not answer does not hold the schedule.
func (s Weave) leaderOf(ctx context.Context, h *harness.Host) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := s.W.Status(ctx, h)
	return st.Store.Leader, err
}

// Kill kills h's daemon with SIGKILL.
func (s Weave) Kill(h *harness.Host) error { return killProc(h, "weave") }

// Stop stops h's daemon with SIGTERM.
func (s Weave) Stop(h *harness.Host) error { return stopProc(h, "weave") }

// Start launches h's daemon again and waits until it answers.
func (s Weave) Start(ctx context.Context, h *harness.Host) error {
	if _, err := s.W.Launch(ctx, h, s.Extra...); err != nil {
		return fmt.Errorf("chaos: launch weave on %s: %w", h.Name, err)
	}
	return s.W.WaitUp(ctx, h, 30*time.Second)
}

// Converged waits until every daemon reports the same leader, Raft index
// applied and store index.
func (s Weave) Converged(ctx context.Context, timeout time.Duration) error {
	return harness.WaitFor(ctx, timeout, "every store at one index", func() (bool, error) {
		var first string
		for i, h := range s.W.Hosts {
			st, err := s.W.Status(ctx, h)
			if err != nil {
				return false, err
			}
			at := fmt.Sprintf("leader %q raft index %d index %d", st.Store.Leader,
				st.Store.RaftIndex, st.Store.Index)
			if i == 0 {
				first = at
			} else if at != first {
				return false, fmt.Errorf("%s at %s, %s at %s", s.W.Hosts[0].Name, first,
					h.Name, at)
			}
		}
		return true, nil
	})
}

// majority returns the host named by more than half of hosts in votes.
func majority(hosts []*harness.Host, votes map[string]int) (*harness.Host, error) {
	for name, n := range votes {
		if 2*n <= len(hosts) {
			continue
		}
		for _, h := range hosts {
			if h.Name == name {
				return h, nil
			}
		}
		return nil, fmt.Errorf("chaos: the leader %q is no host", name)
	}
	return nil, fmt.Errorf("chaos: no leader named by a majority (%v)", votes)
}

// killProc kills the process name of h with SIGKILL and waits until it is
// gone.
func killProc(h *harness.Host, name string) error {
	p := h.Proc(name)
	if p == nil {
		return fmt.Errorf("chaos: kill %s on %s: not started", name, h.Name)
	}
	if err := p.Kill(syscall.SIGKILL); err != nil {
		return fmt.Errorf("chaos: kill %s on %s: %w", name, h.Name, err)
	}
	_ = p.Wait(procWait) // the exit status of a killed process is an error
	if p.Alive() {
		return fmt.Errorf("chaos: kill %s on %s: alive after %s", name, h.Name, procWait)
	}
	return nil
}

// stopProc stops the process name of h with SIGTERM, and SIGKILL after
// procWait.
func stopProc(h *harness.Host, name string) error {
	p := h.Proc(name)
	if p == nil {
		return fmt.Errorf("chaos: stop %s on %s: not started", name, h.Name)
	}
	if err := p.Stop(procWait); err != nil {
		return fmt.Errorf("chaos: stop %s on %s: %w", name, h.Name, err)
	}
	return nil
}
