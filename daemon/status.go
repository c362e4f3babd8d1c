package daemon

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"weave.works/weave/api"
	"weave.works/weave/cluster"
)

// Status answers the status API.
func (d *Daemon) Status() api.Status {
	s := api.Status{
		Version: d.cfg.Version,
		Self:    apiPeer(d.cluster.Self()),
		Known:   d.cluster.Known(),
		IPAM:    d.ipamStatus(),
		Store:   d.storeStatus(),
		Docker:  "not watched (--no-create-network)",
	}
	for _, p := range d.cluster.Peers() {
		s.Peers = append(s.Peers, apiPeer(p))
	}
	counts := map[string]int{}
	for _, e := range d.driver.Endpoints() {
		counts[e.NetworkID]++
	}
	for _, n := range d.driver.Networks() {
		an := api.Network{ID: n.ID, Driver: "weavemesh", Multicast: n.Options.Multicast,
			Endpoints: counts[n.ID]}
		if d.docker != nil {
			an.Name = d.docker.Name(n.ID)
		}
		s.Networks = append(s.Networks, an)
	}
	sort.Slice(s.Networks, func(i, j int) bool { return s.Networks[i].Name < s.Networks[j].Name })
	if d.docker != nil {
		s.Docker = d.docker.State()
	}
	return s
}

func apiPeer(p cluster.Peer) api.Peer {
	addr := ""
	if p.Addr.IsValid() {
		addr = fmt.Sprintf("%s:%d", p.Addr, p.Port)
	}
	return api.Peer{Name: p.Name, Nickname: p.Nickname, Addr: addr, State: p.State.String(),
		LastSeen: p.LastSeen, Version: p.Version, Local: p.Local}
}

// Connect joins peers and keeps re-joining them.
func (d *Daemon) Connect(peers []string) (int, error) {
	if len(peers) == 0 {
		return 0, errors.New("no peers given")
	}
	return d.cluster.Join(peers)
}

// Forget stops re-joining peers.
func (d *Daemon) Forget(peers []string) { d.cluster.Forget(peers) }

// ipamStatus is the allocator's state, with nicknames from gossip.
func (d *Daemon) ipamStatus() api.IPAM {
	st := d.alloc.Status()
	nick := map[string]string{}
	for _, p := range d.cluster.Peers() {
		nick[p.Name] = p.Nickname
	}
	out := api.IPAM{Range: st.Range.String(), Init: st.Init, Owned: st.Owned,
		Used: st.Used, Waiting: st.Waiting, Handover: st.Handover, Hint: st.Hint}
	for _, sh := range st.Peers {
		out.Shares = append(out.Shares, api.Share{Peer: sh.Peer, Nickname: nick[sh.Peer],
			Addresses: sh.Addresses, Percent: sh.Percent, Reachable: sh.Reachable})
	}
	var errs []string
	for _, e := range st.MergeErrors {
		errs = append(errs, fmt.Sprintf("ring from %s refused (%d times): %s", e.Peer,
			e.Count, e.Err))
	}
	out.Error = strings.Join(errs, "; ")
	return out
}

// RemovePeer takes over a dead peer's address space (weave rmpeer).
func (d *Daemon) RemovePeer(peer string) (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), handoverTimeout)
	defer cancel()
	return d.alloc.RemovePeer(ctx, peer)
}

// storeStatus is the Raft store's state as this peer sees it.
func (d *Daemon) storeStatus() api.Store {
	st := d.store.Status()
	out := api.Store{State: st.State, Leader: st.Leader, Term: st.Term,
		RaftIndex: st.RaftIndex, Index: st.Index, Addr: d.cfg.StoreAddr, RaftLog: d.cfg.RaftLog}
	voters, nonVoters, err := d.store.Servers()
	if err != nil {
		out.Error = err.Error()
	}
	if st.Failure != "" {
		out.Error = st.Failure
	}
	out.Voters, out.NonVoters = voters, nonVoters
	return out
}
