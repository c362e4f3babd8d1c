package harness

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// MaxHosts is the largest cluster New builds; the underlay is a /24.
const MaxHosts = 200

// maxStateDirLen bounds Options.StateDir so that the longest unix socket
// path the hosts make (containerd's ttrpc socket, below the exec root, 60
// bytes below the state directory's parent) stays within the kernel's 107.
const maxStateDirLen = 40

// Options says what cluster New builds.
type Options struct {
	// Hosts is the number of hosts, from 1 to MaxHosts.
	Hosts int

	// Docker starts a dockerd on every host and imports the busybox image.
	Docker bool

	// StateDir is the directory in which the run makes its own directory,
	// "wt-<run id>", which Close removes. Empty means os.TempDir(), or /tmp
	// when that is too long. It must
	// be absolute, at most 40 bytes long, and not below /run, /sys, /proc
	// or /dev, which the hosts mount over.
	StateDir string

	// Logf receives one line per step the harness takes, for example
	// t.Logf. Nil discards them.
	Logf func(format string, args ...any)

	// DockerArgs are extra flags for every dockerd, for example
	// "--cluster-store=etcd://127.0.0.1:2379".
	DockerArgs []string

	// DockerTimeout bounds the start of a dockerd (until it answers /_ping)
	// and the wait for its exit after SIGTERM, before SIGKILL.
	DockerTimeout time.Duration

	// ProcStopTimeout bounds the wait for a process started with Host.Start
	// to exit after SIGTERM when Close stops it, before SIGKILL.
	ProcStopTimeout time.Duration

	// NoSweep skips the Sweep that New runs first.
	NoSweep bool
}

// DefaultOptions returns the options of a two-host cluster without Docker.
func DefaultOptions() Options {
	return Options{
		Hosts: 2,
		// DockerTimeout is generous because two cores start several
		// dockerds (each with a containerd) at once.
		DockerTimeout: 60 * time.Second,
		// ProcStopTimeout is short: Close tears everything down anyway and
		// only gives daemons a moment to flush their logs.
		ProcStopTimeout: 3 * time.Second,
	}
}

// withDefaults returns o with zero durations replaced by the defaults.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.DockerTimeout == 0 {
		o.DockerTimeout = d.DockerTimeout
	}
	if o.ProcStopTimeout == 0 {
		o.ProcStopTimeout = d.ProcStopTimeout
	}
	return o
}

// Validate reports the first field of o that New cannot use.
func (o Options) Validate() error {
	if o.Hosts < 1 || o.Hosts > MaxHosts {
		return fmt.Errorf("harness: Options.Hosts = %d: must be from 1 to %d",
			o.Hosts, MaxHosts)
	}
	if o.StateDir != "" {
		if !filepath.IsAbs(o.StateDir) {
			return fmt.Errorf("harness: Options.StateDir = %q: must be absolute", o.StateDir)
		}
		for _, top := range []string{"/run", "/var/run", "/sys", "/proc", "/dev"} {
			if o.StateDir == top || strings.HasPrefix(o.StateDir, top+"/") {
				return fmt.Errorf("harness: Options.StateDir = %q: hosts mount over %s",
					o.StateDir, top)
			}
		}
		if len(o.StateDir) > maxStateDirLen {
			return fmt.Errorf("harness: Options.StateDir = %q: longer than %d bytes",
				o.StateDir, maxStateDirLen)
		}
	}
	if o.DockerTimeout < 0 {
		return fmt.Errorf("harness: Options.DockerTimeout = %s: must not be negative",
			o.DockerTimeout)
	}
	if o.ProcStopTimeout < 0 {
		return fmt.Errorf("harness: Options.ProcStopTimeout = %s: must not be negative",
			o.ProcStopTimeout)
	}
	for i, a := range o.DockerArgs {
		if f := ownedDockerFlag(a); f != "" {
			return fmt.Errorf("harness: Options.DockerArgs[%d] = %q: the harness sets %s itself",
				i, a, f)
		}
	}
	return nil
}

// ownedDockerFlags are the dockerd flags that place a host's daemon in its own
// directories; a test must not move them.
var ownedDockerFlags = []string{"--data-root", "--exec-root", "--host", "-H", "--pidfile", "-p"}

// ownedDockerFlag returns the flag of ownedDockerFlags that arg sets, or "".
func ownedDockerFlag(arg string) string {
	for _, f := range ownedDockerFlags {
		if arg == f || strings.HasPrefix(arg, f+"=") {
			return f
		}
		if len(f) == 2 && strings.HasPrefix(arg, f) {
			return f
		}
	}
	return ""
}
