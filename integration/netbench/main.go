// Command netbench measures weave's data path against its baselines in one run: TCP
// throughput (iperf3) and round-trip time (ping) between two containers joined by a plain
// veth pair, by Docker's bridge driver, by weave on one host, and by weave across two hosts
// over VXLAN. It prints each result and its ratio to the baseline it is compared with.
//
// Everything runs on harness hosts in network namespaces that it creates and removes.
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
	secs := flag.Int("seconds", 5, "length of each iperf3 run")
	flag.Parse()
	if err := run(*bin, *secs); err != nil {
		fmt.Fprintln(os.Stderr, "netbench failed:", err)
		os.Exit(1)
	}
}

func run(bin string, secs int) (err error) {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelAll := context.WithTimeout(ctx, 10*time.Minute)
	defer cancelAll()

	o := harness.DefaultOptions()
	o.Hosts, o.Docker = 2, true
	c, err := harness.New(ctx, o)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := c.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	h1, h2 := c.Hosts()[0], c.Hosts()[1]
	w := scenario.Weave{Bin: bin, Hosts: c.Hosts()}
	if err := w.LaunchAll(ctx, 60*time.Second); err != nil {
		return err
	}

	pairs, err := setupPairs(ctx, h1, h2)
	if err != nil {
		return err
	}
	results := make(map[string]result, len(pairs))
	for _, p := range pairs {
		r, err := measure(ctx, p, secs)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		results[p.name] = r
	}
	report(os.Stdout, results)
	return nil
}
