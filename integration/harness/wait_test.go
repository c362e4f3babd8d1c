package harness

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestWaitFor(t *testing.T) {
	errBusy := errors.New("still busy")
	tests := []struct {
		name     string
		timeout  time.Duration
		cond     func(n int) (bool, error)
		cancel   bool
		wantErr  error  // nil means success
		wantText string // in the error
	}{
		{"at once", time.Second, func(int) (bool, error) { return true, nil }, false, nil, ""},
		{"third poll", time.Second, func(n int) (bool, error) { return n == 3, errBusy }, false,
			nil, ""},
		{"timeout", 100 * time.Millisecond, func(int) (bool, error) { return false, errBusy },
			false, ErrTimeout,
			"wait for the thing: timed out after 100ms (last error: still busy)"},
		{"timeout without error", 50 * time.Millisecond,
			func(int) (bool, error) { return false, nil }, false, ErrTimeout, "the thing"},
		{"cancel", time.Minute, func(int) (bool, error) { return false, errBusy }, true,
			context.Canceled, "still busy"},
		{"abort", time.Minute, func(n int) (bool, error) {
			if n == 2 {
				return false, Abort(errBusy)
			}
			return false, nil
		}, false, errBusy, "wait for the thing: still busy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				time.AfterFunc(50*time.Millisecond, cancel)
			}
			n := 0
			start := time.Now()
			err := WaitFor(ctx, tt.timeout, "the thing", func() (bool, error) {
				n++
				return tt.cond(n)
			})
			if time.Since(start) > tt.timeout+time.Second {
				t.Errorf("WaitFor took %s, timeout %s", time.Since(start), tt.timeout)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Errorf("WaitFor() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("WaitFor() = %v, want %v containing %q", err, tt.wantErr, tt.wantText)
			}
		})
	}
}

func TestAbortNil(t *testing.T) {
	if Abort(nil) != nil {
		t.Error("Abort(nil) is not nil")
	}
}
