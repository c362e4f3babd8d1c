package harness

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pipeWait bounds the wait for a command's output pipes after it exited.
const pipeWait = 5 * time.Second

// PluginDir is where a host's dockerd looks for plugin sockets, inside the
// host's mount namespace. From the test, the same directory is
// h.HostPath(PluginDir).
const PluginDir = "/run/docker/plugins"

// Host is one machine of the cluster: a network namespace with one link,
// eth0, into the fabric, and a mount and UTS namespace of its own. Inside,
// /sys, /run and /etc/machine-id are the host's own and the hostname is
// Name; the rest of the file system is the machine's, shared by all hosts,
// so every daemon must be given a state directory below Dir.
type Host struct {
	// Name is the host's name and hostname: "h1", "h2", ...
	Name string
	// Index is the host's number, from 1.
	Index int
	// Addr is the host's address on the fabric, 10.99.0.Index.
	Addr netip.Addr
	// Dir is the host's directory, made fresh by New and removed by Close.
	Dir string
	// NetNS is the name of the host's network namespace.
	NetNS string

	c *Cluster

	mu     sync.Mutex
	holder *Proc
	procs  map[string]*Proc
}

// newHost returns host i of c, not yet made.
func newHost(c *Cluster, i int) *Host {
	return &Host{
		Name:  hostName(i),
		Index: i,
		Addr:  hostAddr(i),
		Dir:   filepath.Join(c.dir, hostName(i)),
		NetNS: hostNS(c.id, i),
		c:     c,
		procs: make(map[string]*Proc),
	}
}

// holderPid returns the pid of the holder of h's namespaces, or 0.
func (h *Host) holderPid() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.holder == nil || !h.holder.Alive() {
		return 0
	}
	return h.holder.Pid()
}

// Command returns a command that runs name inside h: in its network, mount
// and UTS namespaces, in the directory Dir. Its environment is the test's
// with DOCKER_HOST naming h's dockerd, DOCKER_CONFIG a directory of h's, and
// PATH starting with a directory where `docker` is Debian's client. Setting
// the command's Dir has no effect; cd in a shell instead. The command ends
// when ctx is done.
func (h *Host) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	argv := []string{"-t", strconv.Itoa(h.holderPid()), "--net", "--mount", "--uts",
		"--wd=" + h.Dir, "--", name}
	cmd := exec.CommandContext(ctx, nsenterBin, append(argv, args...)...)
	cmd.Env = append(os.Environ(),
		"DOCKER_HOST="+h.DockerSocket(),
		"DOCKER_CONFIG="+filepath.Join(h.Dir, "docker-config"),
		"PATH="+h.c.binDir()+":"+os.Getenv("PATH"))
	// A daemon started in the background would otherwise keep the output
	// pipes of Run open, and Run waiting, for its whole life.
	cmd.WaitDelay = pipeWait
	return cmd
}

// Run runs name inside h and returns its combined output. The error names
// the host and the command and holds the output.
func (h *Host) Run(ctx context.Context, name string, args ...string) (string, error) {
	out, err := h.Command(ctx, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %s %s: %w: %s", h.Name, name,
			strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// HostPath returns the path, as the test sees it, of path inside h's mount
// namespace: "/run/docker/plugins" becomes "/proc/PID/root/run/docker/plugins"
// with the pid of h's holder.
func (h *Host) HostPath(path string) string {
	return filepath.Join("/proc", strconv.Itoa(h.holderPid()), "root", path)
}

// PluginDir returns where h's dockerd looks for plugin sockets, as the test
// sees it.
func (h *Host) PluginDir() string { return h.HostPath(PluginDir) }

// Start starts bin with args inside h as a long-running process called
// name, its output appended to name+".log" in Dir. The name must be free:
// a live process of the same name gives ErrProcRunning, while one that has
// exited is replaced. ctx bounds only the start; the process runs until it
// exits, is stopped, or Close.
func (h *Host) Start(ctx context.Context, name, bin string, args ...string) (*Proc, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start %s on %s: %w", name, h.Name, err)
	}
	if name == "" || strings.ContainsAny(name, "/ ") || name == "holder" {
		return nil, fmt.Errorf("start %q on %s: the name must be a file name, not holder",
			name, h.Name)
	}
	if h.c.isClosed() {
		return nil, fmt.Errorf("start %s on %s: %w", name, h.Name, ErrClosed)
	}

	if h.holderPid() == 0 {
		return nil, fmt.Errorf("start %s on %s: the host's namespace holder is not running",
			name, h.Name)
	}

	// The process outlives ctx, so its command gets a context of its own.
	cmd := h.Command(context.Background(), bin, args...)
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := h.procs[name]; old != nil && old.Alive() {
		return nil, fmt.Errorf("start %s on %s: %w (pid %d)", name, h.Name, ErrProcRunning,
			old.Pid())
	}
	p, err := startProc(name, cmd, filepath.Join(h.Dir, name+".log"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name, err)
	}
	h.procs[name] = p
	h.c.logf("harness: %s: started %s (pid %d)", h.Name, name, p.Pid())
	return p, nil
}

// Proc returns the process started on h under name, alive or not, or nil.
// The dockerd of h is Proc("dockerd").
func (h *Host) Proc(name string) *Proc {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.procs[name]
}

// Procs returns the names of the processes started on h, sorted.
func (h *Host) Procs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	names := make([]string, 0, len(h.procs))
	for n := range h.procs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// stopProcs stops every process started on h except dockerd, in parallel,
// each bounded by the cluster's ProcStopTimeout.
func (h *Host) stopProcs() error {
	h.mu.Lock()
	var ps []*Proc
	for n, p := range h.procs {
		if n != dockerdName {
			ps = append(ps, p)
		}
	}
	h.mu.Unlock()
	return parallel(len(ps), func(i int) error {
		return ps[i].Stop(h.c.opts.ProcStopTimeout)
	})
}

// holderProc returns the holder of h's namespaces, or nil before it started.
func (h *Host) holderProc() *Proc {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.holder
}
