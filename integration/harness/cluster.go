package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Cluster is a set of hosts on one fabric, made by New and removed by Close.
// Its methods are safe for concurrent use.
type Cluster struct {
	id    string
	dir   string
	opts  Options
	hosts []*Host
	lock  *runLock

	imageOnce sync.Once
	image     []byte
	imageErr  error

	closeOnce sync.Once
	closeErr  error

	mu     sync.Mutex
	closed bool
	faults map[int]faults // by host index
}

// New builds a cluster: a fabric namespace with a bridge, o.Hosts hosts
// linked to it, and, with o.Docker, a dockerd with Image on every host. It
// runs Sweep first, unless o.NoSweep. On error it removes all it made. ctx
// bounds the building only.
func New(ctx context.Context, o Options) (_ *Cluster, err error) {
	o = o.withDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := need(baseBinaries...); err != nil {
		return nil, err
	}
	if o.Docker {
		if err := need(dockerBinaries...); err != nil {
			return nil, err
		}
		if err := needStaticBusybox(); err != nil {
			return nil, err
		}
	}
	if !o.NoSweep {
		// Leftovers that will not go are no reason to fail this run: its
		// names are fresh. They are reported, and Sweep tries again next time.
		if err := Sweep(ctx, o.Logf); err != nil && o.Logf != nil {
			o.Logf("harness: sweep: %v", err)
		}
	}

	id, err := newRunID()
	if err != nil {
		return nil, err
	}
	parent := o.StateDir
	if parent == "" {
		parent = os.TempDir()
		if len(parent) > maxStateDirLen {
			parent = "/tmp"
		}
	}
	c := &Cluster{id: id, dir: filepath.Join(parent, runMarker(id)), opts: o,
		faults: make(map[int]faults)}
	c.lock, err = acquireRun(runRecord{ID: id, Dir: c.dir, PID: os.Getpid(),
		Started: time.Now()})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Close())
		}
	}()

	start := time.Now()
	if err := c.build(ctx); err != nil {
		return nil, fmt.Errorf("build cluster %s: %w", id, err)
	}
	c.logf("harness: cluster %s: %d hosts ready in %s (state %s)", id, o.Hosts,
		time.Since(start).Round(time.Millisecond), c.dir)
	return c, nil
}

// build makes the directories, the fabric, the hosts and their dockerds.
func (c *Cluster) build(ctx context.Context) error {
	if err := os.MkdirAll(c.binDir(), 0o755); err != nil {
		return err
	}
	// The hosts' PATH finds Debian's docker client first, under its name.
	if err := os.Symlink(dockerBin, filepath.Join(c.binDir(), "docker")); err != nil {
		return err
	}
	if err := c.buildFabric(ctx); err != nil {
		return err
	}
	for i := 1; i <= c.opts.Hosts; i++ {
		h := newHost(c, i)
		c.hosts = append(c.hosts, h)
		if err := c.buildHost(ctx, h); err != nil {
			return err
		}
	}
	for _, h := range c.hosts {
		if err := h.startHolder(ctx); err != nil {
			return err
		}
	}
	if !c.opts.Docker {
		return nil
	}
	return parallel(len(c.hosts), func(i int) error {
		return c.hosts[i].StartDocker(ctx)
	})
}

// buildFabric makes the fabric namespace and its bridge.
func (c *Cluster) buildFabric(ctx context.Context) error {
	fab := fabricNS(c.id)
	if err := addNetns(ctx, fab); err != nil {
		return err
	}
	if err := ipIn(ctx, fab, "link", "add", bridgeName(c.id), "type", "bridge"); err != nil {
		return err
	}
	return ipIn(ctx, fab, "link", "set", bridgeName(c.id), "up")
}

// buildHost makes h's directory, namespace and link. The veth pair is made
// inside the fabric namespace with its other end straight in h's, so that
// it never appears in the machine's namespace.
func (c *Cluster) buildHost(ctx context.Context, h *Host) error {
	if err := os.MkdirAll(h.Dir, 0o755); err != nil {
		return err
	}
	if err := addNetns(ctx, h.NetNS); err != nil {
		return err
	}
	fab, veth := fabricNS(c.id), fabricVeth(c.id, h.Index)
	steps := [][]string{
		{fab, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", h.NetNS},
		{fab, "link", "set", veth, "master", bridgeName(c.id), "up"},
		{h.NetNS, "addr", "add", fmt.Sprintf("%s/%d", h.Addr, Underlay.Bits()), "dev", "eth0"},
		{h.NetNS, "link", "set", "eth0", "up"},
		{h.NetNS, "link", "set", "lo", "up"},
	}
	for _, s := range steps {
		if err := ipIn(ctx, s[0], s[1:]...); err != nil {
			return fmt.Errorf("make %s: %w", h.Name, err)
		}
	}
	return nil
}

// ID returns the run id, which every name of the cluster holds.
func (c *Cluster) ID() string { return c.id }

// Dir returns the run's state directory.
func (c *Cluster) Dir() string { return c.dir }

// FabricNS returns the name of the fabric's network namespace.
func (c *Cluster) FabricNS() string { return fabricNS(c.id) }

// Hosts returns the hosts, in order of Index.
func (c *Cluster) Hosts() []*Host { return append([]*Host(nil), c.hosts...) }

// Host returns the host called name, or nil.
func (c *Cluster) Host(name string) *Host {
	for _, h := range c.hosts {
		if h.Name == name {
			return h
		}
	}
	return nil
}

// binDir returns the directory put first in the hosts' PATH.
func (c *Cluster) binDir() string { return filepath.Join(c.dir, "bin") }

// logf logs through Options.Logf.
func (c *Cluster) logf(format string, args ...any) {
	if c.opts.Logf != nil {
		c.opts.Logf(format, args...)
	}
}

// isClosed reports whether Close has begun.
func (c *Cluster) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// parallel runs f(0..n-1) at once and joins their errors.
func parallel(n int, f func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
