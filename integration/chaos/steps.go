package chaos

import (
	"context"
	"errors"
	"time"

	"weave.works/weave/integration/harness"
)

// steps returns the faults of the schedule, in order. Each name is a format
// with the leader, the first and the second follower as arguments.
func (s Schedule) steps() []fault {
	c := s.Cluster
	return []fault{
		{"kill -9 the leader %[1]s and launch it again", func(ctx context.Context,
			l, _, _ *harness.Host) error {
			if err := s.System.Kill(l); err != nil {
				return err
			}
			if err := Sleep(ctx, s.Hold/2); err != nil {
				return err
			}
			return s.System.Start(ctx, l)
		}},
		{"cut off the follower %[2]s (a minority)", func(ctx context.Context,
			_, f1, _ *harness.Host) error {
			return hold(ctx, s.Hold, func() error { return c.CutOff(f1) },
				func() error { return c.Reconnect(f1) })
		}},
		{"cut the leader %[1]s and %[2]s off from %[3]s (the leader keeps a majority)",
			func(ctx context.Context, l, f1, f2 *harness.Host) error {
				return hold(ctx, s.Hold, func() error {
					return errors.Join(c.CutPair(l, f2), c.CutPair(f1, f2))
				}, func() error {
					return errors.Join(c.HealPair(l, f2), c.HealPair(f1, f2))
				})
			}},
		{"isolate the leader %[1]s from %[2]s and %[3]s (the leader alone)",
			func(ctx context.Context, l, f1, f2 *harness.Host) error {
				return hold(ctx, s.Hold, func() error {
					return errors.Join(c.CutPair(l, f1), c.CutPair(l, f2))
				}, func() error {
					return errors.Join(c.HealPair(l, f1), c.HealPair(l, f2))
				})
			}},
		{"cut off the leader %[1]s with writes in flight and heal it shortly after",
			func(ctx context.Context, l, _, _ *harness.Host) error {
				return s.cutOff(ctx, l, s.Blip)
			}},
		{"cut off the leader %[1]s again, a little longer, and heal it",
			func(ctx context.Context, l, _, _ *harness.Host) error {
				return s.cutOff(ctx, l, 2*s.Blip)
			}},
		{"restart the follower %[3]s (SIGTERM, then launch again)", func(ctx context.Context,
			_, _, f2 *harness.Host) error {
			if err := s.System.Stop(f2); err != nil {
				return err
			}
			if err := Sleep(ctx, s.Hold/3); err != nil {
				return err
			}
			return s.System.Start(ctx, f2)
		}},
	}
}

// hold injects a fault, keeps it for d and heals it. The heal runs also
// when the wait is cut short, so that no fault outlives the schedule.
func hold(ctx context.Context, d time.Duration, inject, heal func() error) error {
	if err := inject(); err != nil {
		return errors.Join(err, heal())
	}
	err := Sleep(ctx, d)
	return errors.Join(err, heal())
}

// cutOff takes h off the fabric for d, then puts it back.
func (s Schedule) cutOff(ctx context.Context, h *harness.Host, d time.Duration) error {
	return hold(ctx, d, func() error { return s.Cluster.CutOff(h) },
		func() error { return s.Cluster.Reconnect(h) })
}
