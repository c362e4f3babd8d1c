package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Bounds of a teardown's steps.
const (
	killBound   = 10 * time.Second
	cgroupBound = 5 * time.Second
	cgroupRetry = 100 * time.Millisecond
)

// Sweep removes what earlier runs of the harness left behind when their
// process died before Close: their processes, mounts, cgroups, network
// namespaces and state directories. A run counts as dead when no live
// process holds its lock file; live runs, also those of other test binaries
// running now, are left alone. New calls Sweep unless told not to. logf may
// be nil.
func Sweep(ctx context.Context, logf func(format string, args ...any)) error {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ids, err := leftoverRuns()
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
		if err := sweepRun(id, logf); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// leftoverRuns returns the ids of every run that has a namespace, a cgroup,
// a state directory in the temp directory or a lock file. It looks at the
// lock files last: a run makes its lock file before anything else, so a run
// seen here by one of its objects already has its lock file.
func leftoverRuns() ([]string, error) {
	seen := make(map[string]bool)
	names, err := listNetns()
	if err != nil {
		return nil, err
	}
	for _, p := range runCgroups("??????") {
		names = append(names, filepath.Base(p))
	}
	if ents, err := os.ReadDir(os.TempDir()); err == nil {
		for _, e := range ents {
			names = append(names, e.Name())
		}
	}
	locked, err := registeredRuns()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if id := runIDOf(n); id != "" {
			seen[id] = true
		}
	}
	for _, id := range locked {
		seen[id] = true
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

// sweepRun tears down run id unless it is alive.
func sweepRun(id string, logf func(string, ...any)) error {
	lock, rec, live, err := claimRun(id)
	if err != nil || live {
		return err
	}
	dir := rec.Dir
	if dir == "" {
		if guess := filepath.Join(os.TempDir(), runMarker(id)); exists(guess) {
			dir = guess
		}
	}
	logf("harness: sweep: removing leftovers of run %s (state %q)", id, dir)
	err = teardown(id, dir, nil)
	if lock != nil {
		err = errors.Join(err, lock.release())
	}
	if err != nil {
		return fmt.Errorf("sweep run %s: %w", id, err)
	}
	return nil
}

// teardown removes everything of run id, in the order that lets each step
// succeed: processes first (they hold namespaces and mounts), then mounts,
// cgroups and namespaces, and last the state directory dir, which may be "".
// The namespaces are those named netns and every other one whose name holds
// the run id.
func teardown(id, dir string, netns []string) error {
	found, err := runNetns(id)
	if err != nil {
		return err
	}
	netns = append(netns, found...)
	v := victims{netns: netnsInodes(netns), marker: runMarker(id), cgroups: runCgroups(id)}
	var errs []error
	if err := killAll(v, killBound); err != nil {
		errs = append(errs, err)
	}
	if dir != "" {
		if err := unmountUnder(dir); err != nil {
			errs = append(errs, err)
		}
	}
	if err := removeCgroupsBounded(runCgroups(id)); err != nil {
		errs = append(errs, err)
	}
	for _, n := range netns {
		if err := delNetns(n); err != nil {
			errs = append(errs, err)
		}
	}
	if dir != "" && filepath.Base(dir) == runMarker(id) {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove state dir: %w", err))
		}
	}
	return errors.Join(errs...)
}

// removeCgroupsBounded retries removeCgroups for a moment: a cgroup is busy
// until the kernel has finished the exit of its last task.
func removeCgroupsBounded(dirs []string) error {
	deadline := time.Now().Add(cgroupBound)
	for {
		err := removeCgroups(dirs)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(cgroupRetry)
	}
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
