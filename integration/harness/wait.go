package harness

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Polling intervals of WaitFor: the first poll comes quickly, and the
// interval doubles up to a ceiling so that a long wait costs little.
const (
	firstPoll = 20 * time.Millisecond
	maxPoll   = 500 * time.Millisecond
)

// WaitFor calls cond until it reports true, timeout passes or ctx is done.
// An error from cond does not stop the wait: it is kept, and the error that
// WaitFor returns on timeout names what was awaited and that last error. The
// timeout error wraps ErrTimeout; a done ctx gives an error wrapping ctx.Err().
// An error made by Abort ends the wait at once, for a condition that can no
// longer come true (the awaited daemon has exited).
func WaitFor(ctx context.Context, timeout time.Duration, what string,
	cond func() (bool, error)) error {
	start := time.Now()
	deadline := start.Add(timeout)
	interval := firstPoll
	var last error
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		var ab abortError
		if errors.As(err, &ab) {
			return fmt.Errorf("wait for %s: %w", what, ab.err)
		}
		if err != nil {
			last = err
		}

		left := time.Until(deadline)
		if left <= 0 {
			return waitError(what, fmt.Errorf("%w after %s", ErrTimeout, timeout), last)
		}
		t := time.NewTimer(min(interval, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return waitError(what, ctx.Err(), last)
		case <-t.C:
		}
		interval = min(2*interval, maxPoll)
	}
}

// waitError joins the reason a wait ended with the last error of its
// condition.
func waitError(what string, reason, last error) error {
	if last == nil {
		return fmt.Errorf("wait for %s: %w", what, reason)
	}
	return fmt.Errorf("wait for %s: %w (last error: %v)", what, reason, last)
}

// abortError marks an error of a WaitFor condition that ends the wait.
type abortError struct{ err error }

func (a abortError) Error() string { return a.err.Error() }

func (a abortError) Unwrap() error { return a.err }

// Abort wraps err so that WaitFor, given it by its condition, stops waiting
// and returns it. Abort(nil) is nil.
func Abort(err error) error {
	if err == nil {
		return nil
	}
	return abortError{err}
}
