package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vishvananda/netlink"

	"weave.works/weave/api"
	"weave.works/weave/cluster"
	"weave.works/weave/drivers/plugin"
	"weave.works/weave/drivers/weavemesh"
	"weave.works/weave/ipam"
	"weave.works/weave/store"
)

// leaveTimeout bounds how long a stopping daemon tells its peers that it leaves.
const leaveTimeout = 3 * time.Second

// handoverTimeout bounds how long weave stop waits for a peer to take its address space.
const handoverTimeout = 10 * time.Second

// Daemon is a running weave daemon.
type Daemon struct {
	cfg     Config
	log     *slog.Logger
	cluster *cluster.Cluster
	alloc   *ipam.Allocator
	mesh    *meshPath
	driver  *weavemesh.Driver
	docker  *dockerWatch
	store   *store.Store

	closers []func() error // in the order they run at stop
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	stop    chan struct{}
	once    sync.Once
	leaving bool // set by Stop, read after Done is closed
}

// Start brings the daemon up; on error it undoes what it started.
func Start(cfg Config, log *slog.Logger) (d *Daemon, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d = &Daemon{cfg: cfg, log: log, stop: make(chan struct{})}
	defer func() {
		if err != nil {
			d.shutdown()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel

	hostname, _ := os.Hostname()
	if d.cfg.Nickname == "" {
		d.cfg.Nickname = hostname
	}
	if d.cfg.Name, err = peerName(cfg.Name, cfg.DataDir, hostname); err != nil {
		return nil, err
	}
	nl, err := netlink.NewHandle()
	if err != nil {
		return nil, fmt.Errorf("netlink: %w", err)
	}
	d.closers = append(d.closers, func() error { nl.Close(); return nil })
	if !d.cfg.Host.IsValid() {
		if d.cfg.Host, err = underlayAddr(nl, cfg.Peers); err != nil {
			return nil, err
		}
	}
	log.Info("starting", "peer", d.cfg.Name, "nickname", d.cfg.Nickname,
		"addr", d.cfg.Host, "version", cfg.Version)

	if err := d.startCluster(); err != nil {
		return nil, err
	}
	if err := d.startIPAM(); err != nil {
		return nil, err
	}
	if err := d.startStore(); err != nil {
		return nil, err
	}
	if d.mesh, err = newMeshPath(nl, d.cfg.Host, cfg.MTU, cfg.VXLANPort, log); err != nil {
		return nil, err
	}
	if err := d.startDrivers(); err != nil {
		return nil, err
	}
	if err := d.startAPI(); err != nil {
		return nil, err
	}

	d.goRun(func() { d.watchPeers(ctx) })
	// Not in the wait group: it ends when the allocator closes, after the wait.
	go d.logIPAMEvents()
	if cfg.CreateWeave {
		if d.docker, err = newDockerWatch(cfg.DockerHost, cfg.IPRange, log); err != nil {
			return nil, err
		}
		d.goRun(func() { d.docker.run(ctx) })
	}
	if len(cfg.Peers) > 0 {
		// Peers that are not up yet are re-joined by the cluster's own loop.
		if n, err := d.cluster.Join(cfg.Peers); err != nil {
			log.Warn("initial join incomplete", "joined", n, "err", err)
		}
	}
	log.Info("ready", "peer", d.cfg.Name)
	return d, nil
}

func (d *Daemon) startCluster() error {
	cc := cluster.DefaultConfig()
	cc.Name, cc.Nickname = d.cfg.Name, d.cfg.Nickname
	cc.AdvertiseAddr = d.cfg.Host.String()
	cc.Port = d.cfg.Port
	cc.Password = d.cfg.Password
	cc.Version = d.cfg.Version
	cc.RaftPort = d.cfg.RaftPort
	cc.Logger = d.log
	c, err := cluster.New(cc)
	if err != nil {
		return fmt.Errorf("gossip: %w", err)
	}
	d.cluster = c
	d.closers = append(d.closers, func() error {
		// Only weave stop leaves: after a signal the peer is expected back, and the others
		// keep its place (its Raft seat, its address space) while it restarts.
		if d.leaving {
			return errors.Join(c.Leave(leaveTimeout), c.Shutdown())
		}
		return c.Shutdown()
	})
	return nil
}

func (d *Daemon) startIPAM() error {
	ic := ipam.DefaultConfig()
	ic.Range = d.cfg.IPRange
	ic.Self = d.cfg.Name
	ic.Init = d.cfg.ipInit()
	ic.Path = filepath.Join(d.cfg.DataDir, "ipam.db")
	a, err := ipam.Open(ic, gossipChannel{c: d.cluster, name: "ipam"})
	if err != nil {
		return fmt.Errorf("ipam: %w", err)
	}
	d.alloc = a
	d.cluster.Register("ipam", a)
	d.closers = append(d.closers, a.Close)
	log := d.log.With("component", "ipam")
	log.Info("ipam ready", "range", ic.Range, "init", ic.Init.String())
	return nil
}

func (d *Daemon) startDrivers() error {
	mc := weavemesh.DefaultConfig()
	mc.StatePath = filepath.Join(d.cfg.DataDir, "weavemesh.db")
	drv, err := weavemesh.New(mc, d.mesh, d.log.With("driver", weavemesh.Name))
	if err != nil {
		return err
	}
	d.driver = drv
	d.closers = append(d.closers, drv.Close)
	for _, name := range d.mesh.leftovers(drv.Endpoints()) {
		d.log.Info("removing leftover veth", "veth", name)
		if err := d.mesh.DeleteVeth(name); err != nil {
			d.log.Warn("leftover veth not removed", "veth", name, "err", err)
		}
	}

	pools, err := drv.Pools(d.cfg.IPRange)
	if err != nil {
		return err
	}
	m := weavemesh.NewIPAM(d.alloc, d.cfg.IPRange, pools, d.log.With("ipam", weavemesh.Name))
	srv, err := plugin.Listen(d.cfg.PluginDir, weavemesh.Name, drv, m, d.log)
	if err != nil {
		return err
	}
	// Sockets close first at stop, so that Docker gets no answer from half a daemon.
	d.closers = append([]func() error{srv.Close}, d.closers...)
	return nil
}

func (d *Daemon) startAPI() error {
	s, err := api.Listen(d.cfg.StatusAddr, d, d.log)
	if err != nil {
		return err
	}
	d.closers = append([]func() error{s.Close}, d.closers...)
	if d.cfg.MetricsAddr == "" {
		return nil
	}
	m, err := api.ListenMetrics(d.cfg.MetricsAddr, d, d.log)
	if err != nil {
		return fmt.Errorf("--metrics-addr: %w", err)
	}
	d.closers = append([]func() error{m.Close}, d.closers...)
	return nil
}

func (d *Daemon) goRun(fn func()) {
	d.wg.Add(1)
	go func() { defer d.wg.Done(); fn() }()
}

// Done is closed when the daemon has been asked to stop through the API.
func (d *Daemon) Done() <-chan struct{} { return d.stop }

// Stop asks the daemon to shut down (weave stop): it first hands its free address space
// to a live peer, so that the others can go on allocating from it, then Close does the
// rest. A signal (systemd stop, a reboot) closes without a handover: the peer is expected
// back.
func (d *Daemon) Stop() {
	d.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), handoverTimeout)
		defer cancel()
		res, err := d.alloc.Handover(ctx)
		if err != nil {
			d.log.Warn("address space not handed over; another peer can take it with "+
				"weave rmpeer "+d.cfg.Name, "err", err)
		} else {
			d.log.Info("address space handed over", "peer", res.Peer, "addresses", res.Given,
				"kept", res.Kept)
		}
		d.leaving = true
		close(d.stop)
	})
}

// Close stops every part, API and sockets first, and waits for the loops to end.
func (d *Daemon) Close() error { return d.shutdown() }

func (d *Daemon) shutdown() error {
	if d.cancel != nil {
		d.cancel()
	}
	d.wg.Wait()
	var errs []error
	for _, c := range d.closers {
		errs = append(errs, c())
	}
	d.closers = nil
	d.log.Info("stopped")
	return errors.Join(errs...)
}

// gossipChannel is one subsystem's view of the cluster: broadcast and unicast on a channel.
type gossipChannel struct {
	c    *cluster.Cluster
	name string
}

func (g gossipChannel) Broadcast(payload []byte) { g.c.Broadcast(g.name, payload) }

func (g gossipChannel) Send(peer string, payload []byte) error {
	return g.c.Send(peer, g.name, payload)
}
