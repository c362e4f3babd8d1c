// Command cmd compares the store's etcd v2 face with real etcd: three
// weave store peers in this process against three etcd members, the same
// write and quorum-read workload through the etcd v2 client, and prints
// throughput and p99 of both with their ratios. Run it with
//
//	go run ./store/bench/cmd
//
// It needs Debian's etcd-server package (/usr/bin/etcd).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"

	"weave.works/weave/store/bench"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-"+bench.PeerFlag {
		if err := bench.ServePeer(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "storebench peer:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "storebench:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg := bench.DefaultConfig()
	clients := flag.String("clients", "1,64", "comma-separated concurrency levels")
	timings := flag.String("timings", "",
		"each peer wN writes Raft's internal timings to `file`.wN (not with -in-process)")
	ops := flag.String("ops", "write,read,write-read",
		"comma-separated operations: write, read, write-read")
	profile := flag.String("cpuprofile", "",
		"write a CPU profile of the whole run to `file`, and each peer's to file.wN")
	flag.DurationVar(&cfg.Duration, "duration", cfg.Duration,
		"measured time per round, case and side")
	flag.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "unmeasured time before each round")
	flag.IntVar(&cfg.Rounds, "rounds", cfg.Rounds, "rounds per case and side; the median is shown")
	flag.IntVar(&cfg.ValueSize, "value-size", cfg.ValueSize, "bytes per value written")
	flag.StringVar(&cfg.EtcdBin, "etcd", cfg.EtcdBin, "the etcd binary")
	flag.StringVar(&cfg.Store.RaftLog, "raft-log", cfg.Store.RaftLog,
		"our Raft log's storage: wal or boltdb")
	flag.StringVar(&cfg.BaselineBin, "baseline-bin", "",
		"compare with our peers run from this `binary` (another build of this command) "+
			"instead of etcd")
	each := flag.Bool("each-round", false, "print every round of every side to standard error")
	inProcess := flag.Bool("in-process", false,
		"run our three peers in this process rather than one process each")
	flag.Parse()
	levels, err := parseLevels(*clients)
	if err != nil {
		return err
	}
	cfg.Clients = levels
	if *each {
		cfg.RoundLog = os.Stderr
	}
	cfg.Ops = nil
	for _, op := range strings.Split(*ops, ",") {
		cfg.Ops = append(cfg.Ops, bench.Op(strings.TrimSpace(op)))
	}
	if !*inProcess {
		if cfg.PeerBin, err = os.Executable(); err != nil {
			return fmt.Errorf("find this binary to run the peers: %w", err)
		}
		cfg.PeerOutput = bench.PeerOutput{CPUProfile: *profile, Timings: *timings}
	}

	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	// An interrupt cancels the run, so that the clusters are still
	// stopped and their directories removed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	where := "a process each"
	if *inProcess {
		where = "one process"
	}
	fmt.Printf("store benchmark: 3 weave peers (%s, store.DefaultConfig, %s log) vs 3 etcd "+
		"members, %d rounds of %v per case and side, each after %v warm-up, %d-byte values\n",
		where, cfg.Store.RaftLog, cfg.Rounds, cfg.Duration, cfg.Warmup, cfg.ValueSize)
	fmt.Println("client i talks to member i mod 3, the leader last; median round of each side; " +
		"ratio = ours / etcd")
	if cfg.BaselineBin != "" {
		fmt.Printf("baseline: our peers run from %s\n", cfg.BaselineBin)
	}
	bench.WriteHeader(os.Stdout, bench.BaselineName(cfg))
	_, err = bench.Compare(ctx, cfg, func(r bench.Row) { bench.WriteRow(os.Stdout, r) })
	return err
}

// parseLevels reads "1,64" into its numbers.
func parseLevels(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-clients %q: %q is not a positive number", s, f)
		}
		out = append(out, n)
	}
	return out, nil
}
