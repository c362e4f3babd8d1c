package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// unmountRounds bounds unmountUnder: a lazy unmount of a parent also takes
// its children, so two rounds normally suffice.
const unmountRounds = 5

// mountsUnder returns the mount points of the harness's mount namespace at
// dir or below it, deepest first.
func mountsUnder(dir string) ([]string, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("read mountinfo: %w", err)
	}
	all, err := mountPoints(string(data))
	if err != nil {
		return nil, err
	}
	dir = filepath.Clean(dir)
	var out []string
	for _, mp := range all {
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out, nil
}

// unmountUnder lazily unmounts everything mounted at dir or below it in the
// harness's mount namespace. The hosts' own mounts live in their holders'
// namespaces and go with them; this removes what leaked into ours.
func unmountUnder(dir string) error {
	for round := 0; round < unmountRounds; round++ {
		mps, err := mountsUnder(dir)
		if err != nil {
			return err
		}
		if len(mps) == 0 {
			return nil
		}
		for _, mp := range mps {
			err := syscall.Unmount(mp, syscall.MNT_DETACH)
			if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOENT) {
				return fmt.Errorf("unmount %s: %w", mp, err)
			}
		}
	}
	mps, err := mountsUnder(dir)
	if err == nil && len(mps) > 0 {
		err = fmt.Errorf("unmount below %s: %d mounts left: %s", dir, len(mps),
			strings.Join(mps, " "))
	}
	return err
}

// cgroupRoot is where the machine mounts its cgroup hierarchies.
const cgroupRoot = "/sys/fs/cgroup"

// runCgroups returns the cgroups of run id in every hierarchy: the cgroup
// parents of its dockerds.
func runCgroups(id string) []string {
	pattern := runMarker(id) + "-*"
	v2, _ := filepath.Glob(filepath.Join(cgroupRoot, pattern))
	v1, _ := filepath.Glob(filepath.Join(cgroupRoot, "*", pattern))
	return append(v2, v1...)
}

// cgroupPids returns the pids in the cgroups dirs and their descendants.
func cgroupPids(dirs []string) []int {
	var out []int
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() || e.Name() != "cgroup.procs" {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, f := range strings.Fields(string(data)) {
				if pid, err := strconv.Atoi(f); err == nil {
					out = append(out, pid)
				}
			}
			return nil
		})
	}
	return out
}

// removeCgroups removes the cgroups dirs, children first. A cgroup directory
// is removed with rmdir alone; its files are the kernel's.
func removeCgroups(dirs []string) error {
	var errs []error
	for _, d := range dirs {
		var sub []string
		_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				sub = append(sub, p)
			}
			return nil
		})
		sort.Slice(sub, func(i, j int) bool { return len(sub[i]) > len(sub[j]) })
		for _, s := range sub {
			if err := syscall.Rmdir(s); err != nil && !errors.Is(err, syscall.ENOENT) {
				errs = append(errs, fmt.Errorf("remove cgroup %s: %w", s, err))
			}
		}
	}
	return errors.Join(errs...)
}
