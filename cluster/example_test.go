package cluster_test

import (
	"fmt"
	"net/netip"

	"weave.works/weave/cluster"
	"weave.works/weave/cluster/memnet"
)

// Two peers on an in-memory network: b joins a, and sees it at once, since
// a join is a full-state exchange.
func Example() {
	network := memnet.New()
	start := func(name string, ip string) *cluster.Cluster {
		tr, err := network.NewTransport(netip.AddrPortFrom(netip.MustParseAddr(ip), 6783))
		if err != nil {
			panic(err)
		}
		cfg := cluster.DefaultConfig()
		cfg.Name = name
		cfg.Nickname = "host-" + name
		cfg.Timing = cluster.FastTiming()
		cfg.Transport = tr
		c, err := cluster.New(cfg)
		if err != nil {
			panic(err)
		}
		return c
	}
	a := start("a", "10.98.1.1")
	defer a.Shutdown()
	b := start("b", "10.98.1.2")
	defer b.Shutdown()

	if _, err := b.Join([]string{"10.98.1.1"}); err != nil {
		panic(err)
	}
	for _, p := range b.Peers() {
		fmt.Println(p.Name, p.Nickname, p.GossipAddr(), p.State, p.Local)
	}
	// Output:
	// a host-a 10.98.1.1:6783 alive false
	// b host-b 10.98.1.2:6783 alive true
}
