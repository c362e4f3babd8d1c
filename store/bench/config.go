package bench

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"time"

	"weave.works/weave/store"
)

// DefaultEtcdBin is where Debian's etcd-server package puts etcd.
const DefaultEtcdBin = "/usr/bin/etcd"

// Members is the size of both clusters: three voters each.
const Members = 3

// Config says what Compare runs.
type Config struct {
	// Duration is how long one round of a case runs on one side.
	Duration time.Duration
	// Warmup is how long each round runs, unmeasured, before Duration.
	Warmup time.Duration
	// Rounds is how many times each case runs on each side; Compare
	// reports the median round.
	Rounds int
	// RoundLog, when not nil, gets a line for every round of every side,
	// to show how much the rounds spread.
	RoundLog io.Writer
	// Ops lists the operations measured, in order; each runs at every
	// level of Clients.
	Ops []Op
	// Clients lists the concurrency levels.
	Clients []int
	// ValueSize is the length in bytes of every value written.
	ValueSize int
	// ReadKeys is how many keys are written before the read cases, which
	// then read them in turn.
	ReadKeys int
	// MaxOps bounds the operations of one case, so memory stays bounded
	// on a machine faster than expected.
	MaxOps int
	// Timeout bounds one operation.
	Timeout time.Duration
	// Store is the template for our peers; the harness sets Name,
	// BindAddr, DataDir, Voters and Membership.
	Store store.Config
	// EtcdBin is the etcd binary; a bare name is looked up in PATH.
	EtcdBin string
	// PeerBin, when set, is a binary that serves one of our peers when
	// given PeerFlag (see ServePeer): each peer then runs in its own
	// process, as etcd's members do. Empty runs the peers in this process.
	PeerBin string
	// PeerOutput, with PeerBin, asks the peers for reports on their run.
	PeerOutput PeerOutput
	// BaselineBin, when set, replaces etcd as the baseline with three of
	// our peers run from this binary (another build of the benchmark's
	// command), to compare two versions of the store in one run.
	BaselineBin string
}

// DefaultConfig runs writes, quorum reads and writes read back, with 1 and
// 64 clients, five rounds of 2 seconds per case and side (each after half
// a second of warm-up), which keeps a whole comparison near three and a
// half minutes; on this project's VM a median of three still moved by
// 15 % from run to run,
// with 100-byte values (the size of a Docker endpoint or IPAM record) and
// our store on its production timings.
func DefaultConfig() Config {
	return Config{
		Duration:  2 * time.Second,
		Warmup:    500 * time.Millisecond,
		Rounds:    5,
		Ops:       []Op{OpWrite, OpRead, OpWriteRead},
		Clients:   []int{1, 64},
		ValueSize: 100,
		ReadKeys:  256,
		MaxOps:    2_000_000,
		Timeout:   10 * time.Second,
		Store:     store.DefaultConfig(),
		EtcdBin:   DefaultEtcdBin,
	}
}

// Validate names the first field that cannot work, and its value.
func (c *Config) Validate() error {
	switch {
	case c.Duration <= 0:
		return fmt.Errorf("bench config: Duration %v is not positive", c.Duration)
	case c.Warmup < 0:
		return fmt.Errorf("bench config: Warmup %v is negative", c.Warmup)
	case c.Rounds < 1:
		return fmt.Errorf("bench config: Rounds %d is below 1", c.Rounds)
	case len(c.Ops) == 0:
		return fmt.Errorf("bench config: Ops is empty")
	case len(c.Clients) == 0:
		return fmt.Errorf("bench config: Clients is empty")
	case c.ValueSize < 1:
		return fmt.Errorf("bench config: ValueSize %d is below 1", c.ValueSize)
	case c.ReadKeys < 1:
		return fmt.Errorf("bench config: ReadKeys %d is below 1", c.ReadKeys)
	case c.MaxOps < 1:
		return fmt.Errorf("bench config: MaxOps %d is below 1", c.MaxOps)
	case c.Timeout <= 0:
		return fmt.Errorf("bench config: Timeout %v is not positive", c.Timeout)
	case c.EtcdBin == "":
		return fmt.Errorf("bench config: EtcdBin is empty")
	}
	for _, op := range c.Ops {
		if !slices.Contains([]Op{OpWrite, OpRead, OpWriteRead}, op) {
			return fmt.Errorf("bench config: Ops holds %q, not %s, %s or %s", op, OpWrite,
				OpRead, OpWriteRead)
		}
	}
	for _, n := range c.Clients {
		if n < 1 {
			return fmt.Errorf("bench config: Clients holds %d, below 1", n)
		}
	}
	return nil
}

// ErrNoEtcd means the etcd binary is not installed. The error that wraps
// it names the path and the Debian package that provides it.
var ErrNoEtcd = errors.New("etcd is not installed")

// lookEtcd resolves bin, failing with ErrNoEtcd and the package to install.
func lookEtcd(bin string) (string, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return "", fmt.Errorf("%w at %s: install the Debian package etcd-server "+
			"(apt-get install etcd-server): %v", ErrNoEtcd, bin, err)
	}
	return path, nil
}
