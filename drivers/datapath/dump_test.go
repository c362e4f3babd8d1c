package datapath

import (
	"errors"
	"syscall"
	"testing"

	"github.com/vishvananda/netlink"
)

func TestRetryDump(t *testing.T) {
	tests := []struct {
		name      string
		results   []error // what each attempt returns; the last repeats
		wantCalls int
		wantErr   error
	}{
		{"at once", []error{nil}, 1, nil},
		{"after two interruptions", []error{netlink.ErrDumpInterrupted,
			netlink.ErrDumpInterrupted, nil}, 3, nil},
		{"always interrupted", []error{netlink.ErrDumpInterrupted}, dumpAttempts,
			netlink.ErrDumpInterrupted},
		{"other error", []error{syscall.EPERM}, 1, syscall.EPERM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			got, err := retryDump("things", func() ([]int, error) {
				err := tt.results[min(calls, len(tt.results)-1)]
				calls++
				return []int{calls}, err
			})
			if calls != tt.wantCalls {
				t.Errorf("dump called %d times, want %d", calls, tt.wantCalls)
			}
			if tt.wantErr == nil {
				if err != nil || len(got) != 1 || got[0] != calls {
					t.Errorf("retryDump() = %v, %v; want the last result", got, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || got != nil {
				t.Errorf("retryDump() = %v, %v; want no result and %v", got, err, tt.wantErr)
			}
		})
	}
}
