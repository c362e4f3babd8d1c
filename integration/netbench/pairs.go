package main

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"weave.works/weave/integration/harness"
	"weave.works/weave/integration/scenario"
)

// Names of the measured paths.
const (
	pathVeth       = "veth pair"
	pathBridge     = "docker bridge"
	pathWeaveLocal = "weave, one host"
	pathWeaveCross = "weave, two hosts"
)

// pair is a server and a client container and the address the client reaches the server at.
type pair struct {
	name           string
	server, client endpoint
	addr           netip.Addr
}

// endpoint is a container, reached through its network namespace.
type endpoint struct {
	host *harness.Host
	name string
	pid  string
}

func setupPairs(ctx context.Context, h1, h2 *harness.Host) ([]pair, error) {
	if _, err := h1.Docker(ctx, "network", "create", "-d", "bridge", "benchbr"); err != nil {
		return nil, err
	}
	specs := []struct {
		path, network string
		serverHost    *harness.Host
		clientHost    *harness.Host
	}{
		{pathVeth, "none", h1, h1},
		{pathBridge, "benchbr", h1, h1},
		{pathWeaveLocal, "weave", h1, h1},
		{pathWeaveCross, "weave", h1, h2},
	}
	var out []pair
	for i, s := range specs {
		srv, err := start(ctx, s.serverHost, fmt.Sprintf("bs%d", i), s.network)
		if err != nil {
			return nil, err
		}
		cli, err := start(ctx, s.clientHost, fmt.Sprintf("bc%d", i), s.network)
		if err != nil {
			return nil, err
		}
		p := pair{name: s.path, server: srv, client: cli}
		if s.network == "none" {
			p.addr, err = vethBetween(ctx, srv, cli)
		} else {
			p.addr, err = scenario.Container{Host: srv.host, Name: srv.name}.Addr(ctx, s.network)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// start runs an idle container and finds its process, whose namespace iperf3 enters.
func start(ctx context.Context, h *harness.Host, name, network string) (endpoint, error) {
	if _, err := h.Docker(ctx, "run", "-d", "--name", name, "--network", network,
		"busybox", "sleep", "3600"); err != nil {
		return endpoint{}, err
	}
	pid, err := h.Docker(ctx, "inspect", "-f", "{{.State.Pid}}", name)
	if err != nil {
		return endpoint{}, err
	}
	return endpoint{host: h, name: name, pid: strings.TrimSpace(pid)}, nil
}

// vethBetween joins two containers on one host with a plain veth pair, the baseline path.
func vethBetween(ctx context.Context, a, b endpoint) (netip.Addr, error) {
	steps := [][]string{
		{"ip", "link", "add", "bvx0", "mtu", "1450", "type", "veth", "peer", "name", "bvx1",
			"mtu", "1450"},
		{"ip", "link", "set", "bvx0", "netns", a.pid},
		{"ip", "link", "set", "bvx1", "netns", b.pid},
		{"nsenter", "-t", a.pid, "-n", "ip", "addr", "add", "10.98.0.1/24", "dev", "bvx0"},
		{"nsenter", "-t", b.pid, "-n", "ip", "addr", "add", "10.98.0.2/24", "dev", "bvx1"},
		{"nsenter", "-t", a.pid, "-n", "ip", "link", "set", "bvx0", "up"},
		{"nsenter", "-t", b.pid, "-n", "ip", "link", "set", "bvx1", "up"},
	}
	for _, s := range steps {
		if _, err := a.host.Run(ctx, s[0], s[1:]...); err != nil {
			return netip.Addr{}, err
		}
	}
	return netip.MustParseAddr("10.98.0.1"), nil
}
