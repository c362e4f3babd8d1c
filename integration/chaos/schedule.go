package chaos

import (
	"context"
	"fmt"
	"time"

	"weave.works/weave/integration/harness"
)

// System is a replicated store with one member on each host of a harness
// cluster, as the fault schedule drives it.
type System interface {
	// Name names the system in logs: "weave", "etcd".
	Name() string
	// Leader returns the host whose member a majority of the members name
	// as their leader, or an error when no majority agrees.
	Leader(ctx context.Context) (*harness.Host, error)
	// Kill kills h's member with SIGKILL and waits until it is gone.
	Kill(h *harness.Host) error
	// Stop stops h's member with SIGTERM (SIGKILL after a grace period).
	Stop(h *harness.Host) error
	// Start starts h's member again on the state it left.
	Start(ctx context.Context, h *harness.Host) error
	// Converged waits until every member has applied the same entries, as
	// far as the system tells; a system that cannot tell returns nil.
	Converged(ctx context.Context, timeout time.Duration) error
}

// Fault is one fault of a schedule, from when it began to when it was
// healed and a leader was known again.
type Fault struct {
	What       string
	Start, End time.Time
}

// Timeline is the faults of one run, in order.
type Timeline []Fault

// Schedule is the fault schedule of the chaos test and its pacing.
type Schedule struct {
	Cluster *harness.Cluster
	System  System
	// Logf receives a line per fault, for example t.Logf.
	Logf func(format string, args ...any)
	// Pause is the calm between two faults, while the clients go on.
	Pause time.Duration
	// Hold is how long a partition lasts: several election timeouts.
	Hold time.Duration
	// Blip is how long the leader is cut off while writes are in flight:
	// about one election timeout, so it is healed around the election.
	Blip time.Duration
	// LeaderWait bounds the wait for a leader after each fault.
	LeaderWait time.Duration
}

// DefaultSchedule returns the schedule for sys on c, which takes a little
// over a minute.
func DefaultSchedule(c *harness.Cluster, sys System, logf func(string, ...any)) Schedule {
	return Schedule{Cluster: c, System: sys, Logf: logf, Pause: 4 * time.Second,
		Hold: 6 * time.Second, Blip: 1200 * time.Millisecond, LeaderWait: 60 * time.Second}
}

// Validate reports the first field of s that Run cannot use.
func (s Schedule) Validate() error {
	switch {
	case s.Cluster == nil:
		return fmt.Errorf("chaos: Schedule.Cluster is nil")
	case len(s.Cluster.Hosts()) != 3:
		return fmt.Errorf("chaos: Schedule.Cluster has %d hosts: the schedule needs 3",
			len(s.Cluster.Hosts()))
	case s.System == nil:
		return fmt.Errorf("chaos: Schedule.System is nil")
	case s.Pause < 0 || s.Hold <= 0 || s.Blip <= 0 || s.LeaderWait <= 0:
		return fmt.Errorf("chaos: Schedule durations (pause %s, hold %s, blip %s, "+
			"leader wait %s): must be positive", s.Pause, s.Hold, s.Blip, s.LeaderWait)
	}
	return nil
}

// fault is one step of the schedule: inject a fault given the leader and
// the two followers, wait, and heal it.
type fault struct {
	what string
	run  func(ctx context.Context, l, f1, f2 *harness.Host) error
}

// Run injects the faults one after the other, each healed and followed by
// a leader and a pause, and returns what it did. It stops at the first
// fault it cannot inject or heal, or when no leader comes after one.
func (s Schedule) Run(ctx context.Context) (Timeline, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var tl Timeline
	for _, st := range s.steps() {
		if err := Sleep(ctx, s.Pause); err != nil {
			return tl, err
		}
		l, err := s.leader(ctx)
		if err != nil {
			return tl, fmt.Errorf("chaos: before %q: %w", st.what, err)
		}
		f1, f2 := s.followers(l)
		what := fmt.Sprintf(st.what, l.Name, f1.Name, f2.Name)
		s.logf("chaos: %s: %s", s.System.Name(), what)
		f := Fault{What: what, Start: time.Now()}
		err = st.run(ctx, l, f1, f2)
		if err == nil {
			var nl *harness.Host
			nl, err = s.leader(ctx)
			if nl != nil {
				s.logf("chaos: %s: healed; leader %s after %s", s.System.Name(), nl.Name,
					time.Since(f.Start).Round(time.Millisecond))
			}
		}
		f.End = time.Now()
		tl = append(tl, f)
		if err != nil {
			return tl, fmt.Errorf("chaos: %s: %w", what, err)
		}
	}
	return tl, nil
}

// leader waits for a leader that a majority agrees on.
func (s Schedule) leader(ctx context.Context) (*harness.Host, error) {
	var l *harness.Host
	err := harness.WaitFor(ctx, s.LeaderWait, s.System.Name()+" leader", func() (bool, error) {
		h, err := s.System.Leader(ctx)
		l = h
		return err == nil, err
	})
	return l, err
}

// followers returns the two hosts that are not l, in host order.
func (s Schedule) followers(l *harness.Host) (*harness.Host, *harness.Host) {
	var fs []*harness.Host
	for _, h := range s.Cluster.Hosts() {
		if h != l {
			fs = append(fs, h)
		}
	}
	return fs[0], fs[1]
}

// logf passes a line to s.Logf, if set.
func (s Schedule) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// Sleep waits d or until ctx is done; then it returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
