package harness

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"
)

// reapPoll is how often killAll looks again for processes that survived
// SIGKILL, for example because they were in the middle of a fork.
const reapPoll = 50 * time.Millisecond

// victims says how to recognise the processes of one run. A process is one
// when it is in one of the network namespaces, its command line holds the
// marker, or it is in one of the cgroups; and so is every descendant of
// one. The harness's own process and its ancestors never are.
type victims struct {
	netns   map[nsID]bool
	marker  string
	cgroups []string
}

// pick returns the processes of procs that v recognises.
func (v victims) pick(procs []procInfo) []procInfo {
	inCgroup := make(map[int]bool)
	for _, pid := range cgroupPids(v.cgroups) {
		inCgroup[pid] = true
	}
	spared := ancestry(procs, os.Getpid())
	chosen := make(map[int]bool)
	for _, p := range procs {
		if spared[p.pid] {
			continue
		}
		if v.netns[p.netns] || inCgroup[p.pid] ||
			(v.marker != "" && strings.Contains(p.cmdline, v.marker)) {
			chosen[p.pid] = true
		}
	}

	// Descendants follow their parents: a container's processes live in
	// their own namespaces below a shim that lives in the host's. The
	// bound on rounds is the depth of the process tree.
	for round := 0; round < len(procs); round++ {
		grew := false
		for _, p := range procs {
			if !chosen[p.pid] && chosen[p.ppid] && !spared[p.pid] {
				chosen[p.pid] = true
				grew = true
			}
		}
		if !grew {
			break
		}
	}

	var out []procInfo
	for _, p := range procs {
		if chosen[p.pid] {
			out = append(out, p)
		}
	}
	return out
}

// ancestry returns pid and all its ancestors in procs.
func ancestry(procs []procInfo, pid int) map[int]bool {
	parent := make(map[int]int, len(procs))
	for _, p := range procs {
		parent[p.pid] = p.ppid
	}
	out := map[int]bool{pid: true}
	for i := 0; i < len(procs) && pid > 1; i++ {
		pid = parent[pid]
		out[pid] = true
	}
	return out
}

// killAll sends SIGKILL to every process v recognises until none is left or
// bound passes. The processes are found again in every round, so that one
// forked while the last round ran is not missed.
func killAll(v victims, bound time.Duration) error {
	deadline := time.Now().Add(bound)
	for {
		procs, err := listProcs()
		if err != nil {
			return err
		}
		left := v.pick(procs)
		if len(left) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kill processes of %s: %w after %s: %s",
				v.marker, ErrTimeout, bound, describeProcs(left))
		}
		for _, p := range left {
			err := syscall.Kill(p.pid, syscall.SIGKILL)
			if err != nil && !errors.Is(err, syscall.ESRCH) {
				return fmt.Errorf("kill pid %d (%s): %w", p.pid, p.comm, err)
			}
		}
		time.Sleep(reapPoll)
	}
}

// describeProcs lists procs as "pid comm" pairs, for an error.
func describeProcs(procs []procInfo) string {
	s := make([]string, 0, len(procs))
	for _, p := range procs {
		s = append(s, fmt.Sprintf("%d %s", p.pid, p.comm))
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}
