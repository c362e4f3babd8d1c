package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/raft"
)

// runMembership keeps Raft in step with the membership: before the
// cluster exists it bootstraps it, and on the leader it adds, promotes
// and removes servers. It acts on every membership change and on a
// ticker, for the grace periods.
func (s *Store) runMembership() {
	defer s.wg.Done()
	changes, cancel := s.cfg.Membership.Subscribe()
	defer cancel()
	t := time.NewTicker(s.cfg.ReconcileInterval)
	defer t.Stop()
	boot := &bootState{}
	dead := map[raft.ServerID]time.Time{}
	for {
		if !s.hasState() {
			s.tryBootstrap(boot)
		} else if s.raft.State() == raft.Leader {
			s.reconcile(dead)
		}
		select {
		case <-s.stop:
			return
		case <-changes:
		case <-t.C:
		}
	}
}

// hasState reports whether this peer belongs to a cluster: it has a Raft
// configuration, from a bootstrap, a leader or its own log.
func (s *Store) hasState() bool {
	f := s.raft.GetConfiguration()
	return f.Error() == nil && len(f.Configuration().Servers) > 0
}

// peers returns the live members with a Raft address, this peer included,
// sorted by name.
func (s *Store) peers() []Member {
	var out []Member
	self := false
	for _, m := range s.cfg.Membership.Peers() {
		if m.Name == s.cfg.Name {
			self = true
			m.Alive, m.RaftAddr = true, s.addr
		}
		if m.Alive && m.RaftAddr != "" {
			out = append(out, m)
		}
	}
	if !self {
		out = append(out, Member{Name: s.cfg.Name, RaftAddr: s.addr, Alive: true})
	}
	slices.SortFunc(out, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// bootState remembers the live peer set and since when it held still.
type bootState struct {
	sig   string
	since time.Time
}

// tryBootstrap bootstraps the cluster when the live peer set has held
// still for SettleTime, has at least Voters peers, this peer is among the
// first Voters by name, and no live peer already holds Raft state. Each
// of the first peers computes the same set, so they bootstrap the same
// configuration; the others wait for the leader to add them.
func (s *Store) tryBootstrap(b *bootState) {
	peers := s.peers()
	var sig strings.Builder
	for _, p := range peers {
		sig.WriteString(p.Name + "=" + p.RaftAddr + ",")
	}
	if sig.String() != b.sig {
		b.sig, b.since = sig.String(), time.Now()
		return
	}
	if time.Since(b.since) < s.cfg.SettleTime || len(peers) < s.cfg.Voters {
		return
	}
	first := peers[:s.cfg.Voters]
	if !slices.ContainsFunc(first, func(m Member) bool { return m.Name == s.cfg.Name }) {
		return
	}
	for _, p := range peers {
		if p.Name == s.cfg.Name {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		rep, err := s.call(ctx, p.RaftAddr, kindState, nil)
		cancel()
		if err != nil || rep.HasState {
			return
		}
	}
	var conf raft.Configuration
	for _, p := range first {
		conf.Servers = append(conf.Servers, raft.Server{
			Suffrage: raft.Voter,
			ID:       raft.ServerID(p.Name),
			Address:  raft.ServerAddress(p.RaftAddr),
		})
	}
	if err := s.raft.BootstrapCluster(conf).Error(); err != nil {
		s.log.Warn("bootstrap cluster", "err", err)
		return
	}
	s.log.Info("bootstrapped cluster", "peer", s.cfg.Name, "voters", len(first))
}
