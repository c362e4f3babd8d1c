package api

import (
	"strings"
	"testing"
)

func TestWriteMetrics(t *testing.T) {
	s := Status{
		Peers:    []Peer{{State: "alive"}, {State: "alive"}, {State: "dead"}},
		IPAM:     IPAM{Owned: 1024, Used: 3},
		Networks: []Network{{Endpoints: 2}, {Endpoints: 1}},
		Store:    Store{State: "Leader", Voters: []string{"a", "b", "c"}, Term: 4, Index: 17},
	}
	var b strings.Builder
	if err := WriteMetrics(&b, s); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`weave_peers{state="alive"} 2`, `weave_peers{state="dead"} 1`,
		`weave_peers{state="left"} 0`, "weave_ipam_owned_addresses 1024",
		"weave_ipam_used_addresses 3", "weave_endpoints 3", "weave_networks 2",
		"weave_store_leader 1", "weave_store_voters 3", "weave_store_term 4",
		"weave_store_index 17",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("no line %q in:\n%s", want, out)
		}
	}
	// Every metric has exactly one HELP and one TYPE line.
	help := map[string]int{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "#" {
			help[f[1]+" "+f[2]]++
		}
	}
	for k, n := range help {
		if n != 1 {
			t.Errorf("%q appears %d times", k, n)
		}
	}
}
