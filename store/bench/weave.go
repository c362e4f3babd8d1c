package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"weave.works/weave/store"
	"weave.works/weave/store/etcdv2"
)

// Cluster is a running three-member cluster that serves the etcd v2 API.
type Cluster interface {
	// Endpoints returns the members' client URLs, the leader's last.
	Endpoints() []string
	// Close stops every member and removes their data.
	Close() error
}

// WeaveCluster is three store peers in this process, each with an etcdv2
// face on its own loopback port.
type WeaveCluster struct {
	dir       string
	stores    []*store.Store
	faces     []*etcdv2.Server
	served    []chan error
	endpoints []string
}

// StartWeave starts Members peers from the template tmpl on 127.0.0.1
// and waits until they agree on a leader and every face is healthy.
func StartWeave(ctx context.Context, tmpl store.Config) (_ *WeaveCluster, err error) {
	dir, err := os.MkdirTemp("", "weave-storebench-")
	if err != nil {
		return nil, fmt.Errorf("start weave cluster: %w", err)
	}
	c := &WeaveCluster{dir: dir}
	defer func() {
		if err != nil {
			_ = c.Close()
		}
	}()
	members := store.NewStaticMembership()
	for i := 1; i <= Members; i++ {
		if err := c.startPeer(tmpl, members, fmt.Sprintf("w%d", i)); err != nil {
			return nil, err
		}
	}
	leader, err := c.waitLeader(ctx)
	if err != nil {
		return nil, err
	}
	for i := range c.faces {
		if err := waitHealthy(ctx, c.endpoints[i]); err != nil {
			return nil, fmt.Errorf("start weave cluster: %w", err)
		}
	}
	c.endpoints = leaderLast(c.endpoints, leader)
	return c, nil
}

// startPeer opens one store, announces it alive and serves its face.
func (c *WeaveCluster) startPeer(tmpl store.Config, m *store.StaticMembership, name string) error {
	cfg := tmpl
	cfg.Name, cfg.BindAddr, cfg.AdvertiseAddr = name, "127.0.0.1:0", ""
	cfg.DataDir, cfg.Voters, cfg.Membership = filepath.Join(c.dir, name), Members, m
	s, err := store.Open(cfg)
	if err != nil {
		return fmt.Errorf("start weave peer %s: %w", name, err)
	}
	c.stores = append(c.stores, s)
	m.Set(store.Member{Name: name, RaftAddr: s.Addr(), Alive: true})

	face, err := etcdv2.New(s, etcdv2.DefaultConfig())
	if err != nil {
		return fmt.Errorf("start weave peer %s: %w", name, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start weave peer %s: face: %w", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- face.Serve(ln) }()
	c.faces, c.served = append(c.faces, face), append(c.served, done)
	c.endpoints = append(c.endpoints, "http://"+ln.Addr().String())
	return nil
}

// waitLeader polls until every peer names the same leader, and returns
// the index of that peer.
func (c *WeaveCluster) waitLeader(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if leader := c.agreedLeader(); leader >= 0 {
			return leader, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("start weave cluster: no leader: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// agreedLeader returns the index of the peer that leads when every peer
// names it, or -1.
func (c *WeaveCluster) agreedLeader() int {
	leader := -1
	for i, s := range c.stores {
		if s.Status().State == "Leader" {
			leader = i
		}
	}
	if leader < 0 {
		return -1
	}
	for _, s := range c.stores {
		if s.Status().Leader != c.stores[leader].Name() {
			return -1
		}
	}
	return leader
}

// Endpoints returns the faces' URLs, the leader's last.
func (c *WeaveCluster) Endpoints() []string { return c.endpoints }

// Close stops the faces and the peers and removes their data.
func (c *WeaveCluster) Close() error {
	var errs []error
	for i, f := range c.faces {
		errs = append(errs, f.Close(), <-c.served[i])
	}
	for _, s := range c.stores {
		errs = append(errs, s.Close())
	}
	errs = append(errs, os.RemoveAll(c.dir))
	c.faces, c.served, c.stores = nil, nil, nil
	return errors.Join(errs...)
}

// leaderLast returns eps with the leader's entry moved to the end, the
// followers keeping their order.
func leaderLast(eps []string, leader int) []string {
	out := make([]string, 0, len(eps))
	for i, e := range eps {
		if i != leader {
			out = append(out, e)
		}
	}
	return append(out, eps[leader])
}
