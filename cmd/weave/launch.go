package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"weave.works/weave/daemon"
	"weave.works/weave/internal/gctune"
)

// launchFlags binds the launch flags to a config.
func launchFlags(cfg *daemon.Config) (*flag.FlagSet, func() error) {
	fs := flag.NewFlagSet("launch", flag.ContinueOnError)
	var host, ipRange, ipInit string
	fs.StringVar(&cfg.Name, "name", "",
		"peer name (default: persisted in --data-dir, else derived)")
	fs.StringVar(&cfg.Nickname, "nickname", "", "peer nickname (default: the hostname)")
	fs.StringVar(&host, "host", "",
		"underlay IPv4 address to advertise (default: route toward the peers)")
	fs.IntVar(&cfg.Port, "port", cfg.Port, "gossip port, TCP and UDP")
	fs.StringVar(&cfg.Password, "password", os.Getenv("WEAVE_PASSWORD"),
		"gossip encryption password (default: $WEAVE_PASSWORD)")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "state directory")
	fs.StringVar(&cfg.PluginDir, "plugin-dir", cfg.PluginDir, "Docker plugin socket directory")
	fs.StringVar(&ipRange, "ipalloc-range", cfg.IPRange.String(), "address range of the mesh IPAM")
	fs.StringVar(&ipInit, "ipalloc-init", "", "initial division of the range: seed=NAME,...")
	fs.IntVar(&cfg.MTU, "mtu", 0, "MTU of the data path (default: underlay MTU minus 50)")
	fs.StringVar(&cfg.DockerHost, "docker-host", cfg.DockerHost, "Docker API endpoint")
	fs.IntVar(&cfg.RaftPort, "raft-port", cfg.RaftPort, "Raft transport port, TCP")
	fs.IntVar(&cfg.RaftVoters, "raft-voters", cfg.RaftVoters, "how many peers vote in the store")
	fs.StringVar(&cfg.RaftLog, "raft-log", cfg.RaftLog,
		"the Raft log's storage: wal (append-only segments) or boltdb (raft-boltdb)")
	fs.StringVar(&cfg.StoreAddr, "store-addr", cfg.StoreAddr,
		"the cluster store's etcd v2 API, for dockerd --cluster-store")
	fs.StringVar(&cfg.StatusAddr, "status-addr", cfg.StatusAddr,
		"loopback address of the status API")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr,
		"Prometheus metrics address, /metrics; empty for none")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error")
	noNet := fs.Bool("no-create-network", false, "do not create the Docker network \"weave\"")

	finish := func() error {
		var err error
		if host != "" {
			if cfg.Host, err = netip.ParseAddr(host); err != nil {
				return fmt.Errorf("--host %q is not an IP address", host)
			}
		}
		if cfg.IPRange, err = netip.ParsePrefix(ipRange); err != nil {
			return fmt.Errorf("--ipalloc-range %q is not a CIDR such as 10.32.0.0/12", ipRange)
		}
		if cfg.IPRange.Masked() != cfg.IPRange {
			return fmt.Errorf("--ipalloc-range %s has host bits set; did you mean %s?",
				cfg.IPRange, cfg.IPRange.Masked())
		}
		if cfg.IPInit, err = daemon.ParseIPInit(ipInit); err != nil {
			return err
		}
		cfg.CreateWeave = !*noNet
		return nil
	}
	return fs, finish
}

// parseInterleaved parses flags that may come before, between or after positional args.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

func launch(args []string) error {
	cfg := daemon.DefaultConfig()
	cfg.Version = version
	fs, finish := launchFlags(&cfg)
	peers, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := finish(); err != nil {
		return err
	}
	for _, p := range peers {
		if strings.TrimSpace(p) == "" || strings.HasPrefix(p, "-") {
			return fmt.Errorf("peer %q is not a host or host:port", p)
		}
	}
	cfg.Peers = peers

	log, err := newLogger(cfg.LogLevel)
	if err != nil {
		return err
	}
	if percent, limit := gctune.Apply(); percent > 0 {
		log.Debug("garbage collector set", "gogc", percent, "memlimit", limit)
	}
	d, err := daemon.Start(cfg, log)
	if err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case s := <-sig:
		log.Info("signal received", "signal", s.String())
	case <-d.Done():
		log.Info("stop requested")
	}
	return d.Close()
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	h := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})
	return slog.New(h), nil
}
