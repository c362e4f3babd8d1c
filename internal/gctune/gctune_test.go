package gctune

import (
	"runtime/debug"
	"testing"
)

func TestApply(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})
	if p, l := Apply(); p != Percent || l != MemoryLimit {
		t.Errorf("Apply() = %d, %d; want %d, %d", p, l, Percent, MemoryLimit)
	}
	if got := debug.SetGCPercent(100); got != Percent {
		t.Errorf("GC percent %d after Apply, want %d", got, Percent)
	}
	// The operator's settings win.
	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "2GiB")
	if p, l := Apply(); p != -1 || l != -1 {
		t.Errorf("with GOGC and GOMEMLIMIT set, Apply() = %d, %d; want -1, -1", p, l)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d, want the 100 set before: Apply must leave it", got)
	}
}
