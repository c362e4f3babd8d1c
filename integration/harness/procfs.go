package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// procInfo is what the harness reads about one process from /proc.
type procInfo struct {
	pid, ppid int
	comm      string
	cmdline   string // arguments joined by spaces
	netns     nsID   // its network namespace; zero when unreadable
}

// listProcs reads every process of the machine. Processes that exit while it
// reads are left out, and so are their unreadable parts (a zombie has no
// command line and no namespaces).
func listProcs() ([]procInfo, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var out []procInfo
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		p, ok := readProc(pid)
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// readProc reads one process; false means it is gone.
func readProc(pid int) (procInfo, bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	comm, ppid, err := parseStat(string(stat))
	if err != nil {
		return procInfo{}, false
	}
	p := procInfo{pid: pid, ppid: ppid, comm: comm}
	if cl, err := os.ReadFile(dir + "/cmdline"); err == nil {
		p.cmdline = string(bytes.TrimRight(bytes.ReplaceAll(cl, []byte{0}, []byte{' '}), " "))
	}
	p.netns, _ = nsInode(dir + "/ns/net")
	return p, true
}

// parseStat returns the command name and parent pid from the text of
// /proc/PID/stat: "PID (COMM) STATE PPID ...". COMM may hold spaces and
// parentheses, so it ends at the last ')'.
func parseStat(s string) (comm string, ppid int, err error) {
	open := strings.IndexByte(s, '(')
	end := strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return "", 0, fmt.Errorf("parse stat %.40q: no command name", s)
	}
	fields := strings.Fields(s[end+1:])
	if len(fields) < 2 {
		return "", 0, fmt.Errorf("parse stat %.40q: no parent pid", s)
	}
	ppid, err = strconv.Atoi(fields[1])
	if err != nil || ppid < 0 {
		return "", 0, fmt.Errorf("parse stat %.40q: parent pid %q", s, fields[1])
	}
	return s[open+1 : end], ppid, nil
}

// nsID identifies a namespace: the device and inode of its nsfs file.
type nsID struct{ dev, ino uint64 }

// nsInode returns the identity of the namespace that path (a /proc/PID/ns
// link or a bind mount of one) refers to.
func nsInode(path string) (nsID, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return nsID{}, fmt.Errorf("stat namespace %s: %w", path, err)
	}
	return nsID{dev: st.Dev, ino: st.Ino}, nil
}

// mountPoints returns the mount points listed in the text of a
// /proc/PID/mountinfo file, unescaped, in the order listed.
func mountPoints(mountinfo string) ([]string, error) {
	var out []string
	for n, line := range strings.Split(mountinfo, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 5 {
			return nil, fmt.Errorf("parse mountinfo line %d %.60q: %d fields", n+1, line, len(f))
		}
		mp, err := unescapeOctal(f[4])
		if err != nil {
			return nil, fmt.Errorf("parse mountinfo line %d: %w", n+1, err)
		}
		out = append(out, mp)
	}
	return out, nil
}

// errBadEscape is returned for a backslash not followed by three octal
// digits in a mountinfo path.
var errBadEscape = errors.New("bad octal escape")

// unescapeOctal undoes the kernel's escaping of space, tab, newline and
// backslash in mountinfo paths ("\040" for a space).
func unescapeOctal(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+4 > len(s) {
			return "", fmt.Errorf("%w at %d in %q", errBadEscape, i, s)
		}
		v, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
		if err != nil {
			return "", fmt.Errorf("%w at %d in %q", errBadEscape, i, s)
		}
		b.WriteByte(byte(v))
		i += 3
	}
	return b.String(), nil
}
