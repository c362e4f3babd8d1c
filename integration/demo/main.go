// Command demo shows weave working: three Docker hosts in network namespaces on this
// machine, `weave launch` on each, a container on each on the network "weave", every
// container pinging every other, and weave's own view of the cluster. It removes everything
// it made when it ends, also when it fails or is interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"weave.works/weave/integration/harness"
	"weave.works/weave/integration/scenario"
)

func main() {
	bin := flag.String("weave", "bin/weave", "the weave binary")
	hosts := flag.Int("hosts", 3, "number of hosts")
	flag.Parse()
	if err := run(*bin, *hosts); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
	fmt.Println("\ndemo passed: every container reached every other across hosts; all removed")
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}

func run(bin string, n int) (err error) {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelAll := context.WithTimeout(ctx, 10*time.Minute)
	defer cancelAll()

	step("building %d hosts: network namespaces on a fabric bridge, a dockerd in each", n)
	o := harness.DefaultOptions()
	o.Hosts, o.Docker = n, true
	c, err := harness.New(ctx, o)
	if err != nil {
		return err
	}
	defer func() {
		step("removing hosts, dockerds, containers and namespaces")
		if cerr := c.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	for _, h := range c.Hosts() {
		fmt.Printf("    %s  underlay %s\n", h.Name, h.Addr)
	}

	w := scenario.Weave{Bin: bin, Hosts: c.Hosts(), Consensus: true}
	step("weave launch on every host, each naming the others as peers; they agree by " +
		"consensus how to split the range 10.32.0.0/12")
	if err := w.LaunchAll(ctx, 60*time.Second); err != nil {
		return err
	}
	fmt.Println("    every peer sees every other alive; Docker on each host has network weave")

	step("docker run --network weave on every host")
	var cs []scenario.Container
	for i, h := range c.Hosts() {
		ct, err := scenario.Run(ctx, h, fmt.Sprintf("c%d", i+1), "weave")
		if err != nil {
			return err
		}
		fmt.Printf("    %s on %s has %s\n", ct.Name, h.Name, ct.IP)
		cs = append(cs, ct)
	}

	step("every container pings (ICMP) and connects (TCP) to every other")
	if err := scenario.WaitMesh(ctx, cs, 30*time.Second); err != nil {
		return err
	}
	for _, from := range cs {
		for _, to := range cs {
			if from.Name != to.Name {
				fmt.Printf("    %s (%s) -> %s (%s): ping ok, tcp ok\n", from.Name,
					from.Host.Name, to.Name, to.Host.Name)
			}
		}
	}

	h1 := c.Hosts()[0]
	step("waiting for the embedded Raft store to elect a leader among the three")
	err = harness.WaitFor(ctx, 60*time.Second, "a store leader", func() (bool, error) {
		s, err := w.Status(ctx, h1)
		return err == nil && s.Store.Leader != "" && len(s.Store.Voters) == n, err
	})
	if err != nil {
		return err
	}
	for _, args := range [][]string{{"status"}, {"status", "peers"}, {"status", "ipam"},
		{"status", "store"}} {
		step("weave %v on %s", args, h1.Name)
		out, err := h1.Run(ctx, bin, args...)
		if err != nil {
			return err
		}
		fmt.Print(out)
	}
	return nil
}
