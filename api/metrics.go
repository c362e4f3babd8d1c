package api

import (
	"fmt"
	"io"
	"strings"
)

// sample is one value of a metric, with its labels already formatted ("" for none).
type sample struct {
	labels string
	value  float64
}

// peerStates are the gossip states weave_peers counts, in the order it prints them.
var peerStates = []string{"alive", "suspect", "dead", "left"}

// WriteMetrics writes s in Prometheus' text exposition format (version 0.0.4): gauges,
// each with its HELP and TYPE lines.
func WriteMetrics(w io.Writer, s Status) error {
	count := map[string]int{}
	for _, p := range s.Peers {
		count[p.State]++
	}
	var peers []sample
	for _, st := range peerStates {
		peers = append(peers, sample{fmt.Sprintf("{state=%q}", st), float64(count[st])})
	}
	endpoints := 0
	for _, n := range s.Networks {
		endpoints += n.Endpoints
	}
	leader := 0.0
	if s.Store.State == "Leader" {
		leader = 1
	}
	one := func(v float64) []sample { return []sample{{"", v}} }

	var b strings.Builder
	gauge := func(name, help string, samples []sample) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
		for _, sm := range samples {
			fmt.Fprintf(&b, "%s%s %g\n", name, sm.labels, sm.value)
		}
	}
	gauge("weave_peers", "Peers known to gossip, this one included, by state.", peers)
	gauge("weave_ipam_owned_addresses", "Addresses of the range this peer owns.",
		one(float64(s.IPAM.Owned)))
	gauge("weave_ipam_used_addresses", "Addresses this peer has handed out.",
		one(float64(s.IPAM.Used)))
	gauge("weave_networks", "Docker networks this peer's drivers serve.",
		one(float64(len(s.Networks))))
	gauge("weave_endpoints", "Container endpoints on this host.", one(float64(endpoints)))
	gauge("weave_store_leader", "1 when this peer leads the Raft store.", one(leader))
	gauge("weave_store_voters", "Voters in the Raft configuration.",
		one(float64(len(s.Store.Voters))))
	gauge("weave_store_term", "Current Raft term.", one(float64(s.Store.Term)))
	gauge("weave_store_applied_index", "Last Raft index applied here.",
		one(float64(s.Store.RaftIndex)))
	gauge("weave_store_index", "The store's etcd index.", one(float64(s.Store.Index)))
	_, err := io.WriteString(w, b.String())
	return err
}
