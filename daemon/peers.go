package daemon

import (
	"context"
	"time"

	"weave.works/weave/cluster"
)

// peerResync bounds how long a missed membership event can leave the flood entries or the
// allocator's view of live peers stale.
const peerResync = 10 * time.Second

// watchPeers tells the data path and the allocator who is alive: at start, on every
// membership change, and every peerResync.
func (d *Daemon) watchPeers(ctx context.Context) {
	events, cancel := d.cluster.Subscribe()
	defer cancel()
	tick := time.NewTicker(peerResync)
	defer tick.Stop()
	for {
		peers := d.cluster.Peers()
		if err := d.mesh.setFlood(peers); err != nil {
			d.log.Warn("flood entries not updated", "err", err)
		}
		d.alloc.SetPeers(aliveNames(peers))
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				return // the cluster shut down
			}
		case <-tick.C:
		}
	}
}

// aliveNames are the peers, this one included, that gossip reports alive or suspect.
func aliveNames(peers []cluster.Peer) []string {
	var out []string
	for _, p := range peers {
		if p.Local || p.State.Live() {
			out = append(out, p.Name)
		}
	}
	return out
}

// logIPAMEvents writes one line per allocator event, until the allocator closes.
func (d *Daemon) logIPAMEvents() {
	log := d.log.With("component", "ipam")
	for e := range d.alloc.Events() {
		args := []any{}
		if e.Peer != "" {
			args = append(args, "peer", e.Peer)
		}
		if e.Addresses != 0 {
			args = append(args, "addresses", e.Addresses)
		}
		if len(e.Peers) > 0 {
			args = append(args, "peers", e.Peers)
		}
		if e.Err != "" {
			log.Warn(e.Kind.String(), append(args, "err", e.Err)...)
			continue
		}
		log.Info(e.Kind.String(), args...)
	}
}
