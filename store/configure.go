package store

import (
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/raft"
)

// reconcile runs on the leader: it removes servers whose members left,
// adds live members as non-voters, replaces voters dead past DeadGrace
// with live non-voters, and promotes non-voters while there are fewer
// than Voters voters. One failed change ends the round; the next round
// starts over from the configuration as it then is.
func (s *Store) reconcile(dead map[raft.ServerID]time.Time) {
	f := s.raft.GetConfiguration()
	if f.Error() != nil {
		return
	}
	servers := f.Configuration().Servers
	members := map[raft.ServerID]Member{}
	for _, m := range s.cfg.Membership.Peers() {
		members[raft.ServerID(m.Name)] = m
	}
	live := map[raft.ServerID]bool{}
	var spare []raft.Server // live non-voters
	voters := 0
	for _, srv := range servers {
		m, ok := members[srv.ID]
		alive := srv.ID == raft.ServerID(s.cfg.Name) || ok && m.Alive
		if alive {
			delete(dead, srv.ID)
			live[srv.ID] = true
		} else if _, seen := dead[srv.ID]; !seen {
			dead[srv.ID] = time.Now()
		}
		if srv.Suffrage == raft.Voter {
			voters++
		} else if alive {
			spare = append(spare, srv)
		}
	}
	slices.SortFunc(spare, func(a, b raft.Server) int {
		return strings.Compare(string(a.ID), string(b.ID))
	})
	seats := len(spare) // spares not yet promised to a dead voter's seat

	for _, srv := range servers {
		if srv.ID == raft.ServerID(s.cfg.Name) {
			continue
		}
		m, ok := members[srv.ID]
		switch {
		case !ok:
			if !s.change("remove departed peer", srv, s.remove(srv.ID)) {
				return
			}
			voters -= boolInt(srv.Suffrage == raft.Voter)
		case !live[srv.ID] && time.Since(dead[srv.ID]) > s.cfg.DeadGrace:
			// A dead voter gives up its seat only to a live spare: without
			// one, removing it would not improve the quorum arithmetic.
			if srv.Suffrage == raft.Voter && seats == 0 {
				continue
			}
			if !s.change("remove dead peer", srv, s.remove(srv.ID)) {
				return
			}
			if srv.Suffrage == raft.Voter {
				voters--
				seats--
			}
		case live[srv.ID] && m.RaftAddr != "" && raft.ServerAddress(m.RaftAddr) != srv.Address:
			srv.Address = raft.ServerAddress(m.RaftAddr)
			if !s.change("update peer address", srv, s.add(srv)) {
				return
			}
		}
	}
	for _, m := range s.peers() {
		known := slices.ContainsFunc(servers, func(srv raft.Server) bool {
			return string(srv.ID) == m.Name
		})
		if !known {
			srv := raft.Server{Suffrage: raft.Nonvoter, ID: raft.ServerID(m.Name),
				Address: raft.ServerAddress(m.RaftAddr)}
			if !s.change("add non-voter", srv, s.add(srv)) {
				return
			}
		}
	}
	for _, srv := range spare {
		if voters >= s.cfg.Voters {
			break
		}
		srv.Suffrage = raft.Voter
		if !s.change("promote to voter", srv, s.add(srv)) {
			return
		}
		voters++
	}
}

// add adds srv, or changes its address or suffrage.
func (s *Store) add(srv raft.Server) raft.IndexFuture {
	if srv.Suffrage == raft.Voter {
		return s.raft.AddVoter(srv.ID, srv.Address, 0, s.cfg.RequestTimeout)
	}
	return s.raft.AddNonvoter(srv.ID, srv.Address, 0, s.cfg.RequestTimeout)
}

func (s *Store) remove(id raft.ServerID) raft.IndexFuture {
	return s.raft.RemoveServer(id, 0, s.cfg.RequestTimeout)
}

// change waits for a configuration change and logs its outcome.
func (s *Store) change(what string, srv raft.Server, f raft.IndexFuture) bool {
	if err := f.Error(); err != nil {
		s.log.Warn(what, "peer", string(srv.ID), "addr", string(srv.Address), "err", err)
		return false
	}
	s.log.Info(what, "peer", string(srv.ID), "addr", string(srv.Address))
	return true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
