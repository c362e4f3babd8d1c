// Package gctune sets the garbage collector for the weave daemon: a
// long-running server with a small live heap, where Go's default (collect
// when the heap doubles) spends a quarter of the store's write path in the
// collector.
package gctune

import (
	"os"
	"runtime/debug"
)

const (
	// Percent lets the heap grow to five times what is live before a
	// collection: with the daemon's live heap of tens of MiB, some
	// hundred MiB at most.
	Percent = 400
	// MemoryLimit makes the collector work harder as the process nears
	// it, so the higher Percent cannot take the heap past it while the
	// live heap stays below.
	MemoryLimit = 1 << 30
)

// Apply sets Percent and MemoryLimit, each unless the operator set GOGC or
// GOMEMLIMIT, which win. It returns what it set, for the log.
func Apply() (percent int, limit int64) {
	percent, limit = -1, -1
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
		percent = Percent
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
		limit = MemoryLimit
	}
	return percent, limit
}
