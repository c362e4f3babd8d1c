package bench

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// which is 100 on every Linux the project runs on.
const clockTick = 10 * time.Millisecond

// procCPU returns the CPU time, user and system, that the process pid has
// used so far, from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(string(b))
}

// parseStat reads utime and stime (fields 14 and 15) from a stat line. The
// command name, field 2, is in parentheses and may hold spaces, so the
// fields are counted after its closing parenthesis.
func parseStat(line string) (time.Duration, error) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 {
		return 0, errors.New("stat line without a command name")
	}
	fields := strings.Fields(line[end+1:])
	// fields[0] is field 3 (state): utime is field 14, stime 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("stat line has %d fields after the name", len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("stat field %q: %w", f, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// cpuOf adds up the CPU time of the started processes.
func cpuOf(procs []*exec.Cmd) (time.Duration, error) {
	var sum time.Duration
	for _, p := range procs {
		if p.Process == nil {
			continue
		}
		d, err := procCPU(p.Process.Pid)
		if err != nil {
			return 0, err
		}
		sum += d
	}
	return sum, nil
}

// CPU returns the CPU time the etcd members have used so far.
func (c *EtcdCluster) CPU() (time.Duration, error) { return cpuOf(c.procs) }

// CPU returns the CPU time our peer processes have used so far.
func (c *ProcCluster) CPU() (time.Duration, error) { return cpuOf(c.procs) }

// cpuMeter is a cluster whose servers' CPU time can be read: one whose
// members are processes of their own.
type cpuMeter interface {
	CPU() (time.Duration, error)
}
