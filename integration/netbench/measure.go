package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"

	"weave.works/weave/integration/harness"
)

// result is what one path measured.
type result struct {
	gbps  float64 // TCP throughput, gigabits per second
	rttUS float64 // mean ICMP round trip, microseconds
}

func measure(ctx context.Context, p pair, secs int) (result, error) {
	var r result
	srv, err := p.server.host.Start(ctx, "iperf3-"+p.server.name, "nsenter", "-t",
		p.server.pid, "-n", "iperf3", "-s", "-1")
	if err != nil {
		return r, err
	}
	defer srv.Stop(3 * time.Second)

	// The server needs a moment to listen; the first client attempts may be refused.
	var out string
	err = harness.WaitFor(ctx, 10*time.Second, "iperf3 run", func() (bool, error) {
		out, err = p.client.host.Run(ctx, "nsenter", "-t", p.client.pid, "-n", "iperf3",
			"-c", p.addr.String(), "-t", strconv.Itoa(secs), "-J")
		return err == nil, err
	})
	if err != nil {
		return r, err
	}
	var ip struct {
		End struct {
			SumReceived struct {
				BitsPerSecond float64 `json:"bits_per_second"`
			} `json:"sum_received"`
		} `json:"end"`
	}
	if err := json.Unmarshal([]byte(out), &ip); err != nil {
		return r, fmt.Errorf("iperf3 output: %w", err)
	}
	r.gbps = ip.End.SumReceived.BitsPerSecond / 1e9

	ping, err := p.client.host.Run(ctx, "nsenter", "-t", p.client.pid, "-n", "busybox",
		"ping", "-c", "50", "-i", "0.02", "-q", p.addr.String())
	if err != nil {
		return r, err
	}
	m := rttRE.FindStringSubmatch(ping)
	if m == nil {
		return r, fmt.Errorf("ping output has no rtt line: %s", ping)
	}
	avg, _ := strconv.ParseFloat(m[1], 64)
	r.rttUS = avg * 1000
	return r, nil
}

// rttRE reads the mean of busybox ping's "round-trip min/avg/max = a/b/c ms".
var rttRE = regexp.MustCompile(`= [0-9.]+/([0-9.]+)/`)

// report prints every path beside the baseline it is measured against.
func report(w io.Writer, rs map[string]result) {
	fmt.Fprintf(w, "%-18s %10s %10s %12s %12s  %s\n", "path", "Gbit/s", "rtt us",
		"tput ratio", "rtt ratio", "baseline")
	rows := []struct{ path, base string }{
		{pathVeth, ""},
		{pathBridge, pathVeth},
		{pathWeaveLocal, pathBridge},
		{pathWeaveCross, pathBridge},
		{pathWeaveCross, pathVeth},
	}
	for _, row := range rows {
		r := rs[row.path]
		if row.base == "" {
			fmt.Fprintf(w, "%-18s %10.2f %10.1f %12s %12s  %s\n", row.path, r.gbps, r.rttUS,
				"1.00", "1.00", "(itself)")
			continue
		}
		b := rs[row.base]
		fmt.Fprintf(w, "%-18s %10.2f %10.1f %12.2f %12.2f  %s\n", row.path, r.gbps, r.rttUS,
			r.gbps/b.gbps, r.rttUS/b.rttUS, row.base)
	}
}
