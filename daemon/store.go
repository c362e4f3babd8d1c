package daemon

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"

	"weave.works/weave/cluster"
	"weave.works/weave/store"
	"weave.works/weave/store/etcdv2"
)

// startStore opens the Raft store, its voters chosen among the gossip peers, and serves
// its etcd v2 face. The listener is made here, so that a taken port fails the launch.
func (d *Daemon) startStore() error {
	sc := store.DefaultConfig()
	sc.Name = d.cfg.Name
	sc.BindAddr = net.JoinHostPort(d.cfg.Host.String(), strconv.Itoa(d.cfg.RaftPort))
	sc.DataDir = filepath.Join(d.cfg.DataDir, "raft")
	sc.Voters = d.cfg.RaftVoters
	sc.RaftLog = d.cfg.RaftLog
	sc.Membership = gossipMembership{c: d.cluster}
	sc.Logger = d.log.With("component", "store")
	s, err := store.Open(sc)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	d.store = s
	d.closers = append(d.closers, s.Close)

	ec := etcdv2.DefaultConfig()
	ec.Addr = d.cfg.StoreAddr
	ec.Logger = d.log.With("component", "etcdv2")
	face, err := etcdv2.New(s, ec)
	if err != nil {
		return fmt.Errorf("store face: %w", err)
	}
	ln, err := net.Listen("tcp", d.cfg.StoreAddr)
	if err != nil {
		return fmt.Errorf("--store-addr %s: %w", d.cfg.StoreAddr, err)
	}
	go func() {
		if err := face.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("store face stopped", "err", err)
		}
	}()
	// The face closes before the store it reads from.
	d.closers = append([]func() error{face.Close}, d.closers...)
	d.log.Info("cluster store listening", "addr", ln.Addr().String(), "voters", sc.Voters)
	return nil
}

// gossipMembership is the store's view of the gossip peers: every peer not left, alive
// when gossip says alive or suspect, at the Raft port its metadata gives.
type gossipMembership struct {
	c *cluster.Cluster
}

var _ store.Membership = gossipMembership{}

// Peers lists this peer and every other peer that has not left.
func (g gossipMembership) Peers() []store.Member {
	var out []store.Member
	for _, p := range g.c.Peers() {
		if p.State == cluster.StateLeft || !p.Addr.IsValid() || p.RaftPort == 0 {
			continue
		}
		out = append(out, store.Member{Name: p.Name,
			RaftAddr: net.JoinHostPort(p.Addr.String(), strconv.Itoa(int(p.RaftPort))),
			Alive:    p.Local || p.State.Live()})
	}
	return out
}

// Subscribe turns gossip events into the store's coalesced change signal.
func (g gossipMembership) Subscribe() (<-chan struct{}, func()) {
	events, cancel := g.c.Subscribe()
	out := make(chan struct{}, 1)
	go func() {
		for range events {
			select {
			case out <- struct{}{}:
			default: // one pending signal is enough
			}
		}
	}()
	return out, cancel
}
