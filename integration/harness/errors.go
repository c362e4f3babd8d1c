package harness

import "errors"

// ErrMissingBinary is returned, wrapped with the binary's name and the Debian
// package that holds it, when a program the harness runs is not installed.
var ErrMissingBinary = errors.New("missing binary")

// ErrTimeout is returned, wrapped with what was awaited, when WaitFor or a
// bounded stop runs out of time.
var ErrTimeout = errors.New("timed out")

// ErrClosed is returned by methods of a Cluster after Close.
var ErrClosed = errors.New("cluster closed")

// ErrProcRunning is returned by Host.Start when a process of that name is
// still alive on the host.
var ErrProcRunning = errors.New("process already running")

// ErrProcDone is returned by Proc.Kill when the process has already exited.
var ErrProcDone = errors.New("process already exited")
