package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"weave.works/weave/store"
)

// quickConfig runs each case briefly on the fast local store timings, so
// that the tests check the harness, not the numbers.
func quickConfig() Config {
	cfg := DefaultConfig()
	cfg.Duration, cfg.Warmup, cfg.Clients, cfg.ReadKeys = 300*time.Millisecond, 0, []int{1, 4}, 8
	cfg.Rounds = 2
	cfg.Store = store.LocalConfig()
	return cfg
}

func TestRunAgainstWeave(t *testing.T) {
	cfg := quickConfig()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := StartWeave(ctx, cfg.Store)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	if err := Preload(ctx, c.Endpoints(), cfg); err != nil {
		t.Fatal(err)
	}
	for _, cs := range Cases(cfg) {
		r, err := Run(ctx, c.Endpoints(), cs, cfg, "test")
		if err != nil {
			t.Fatal(err)
		}
		if r.Ops == 0 || r.Throughput() <= 0 || r.P99 < r.P50 || r.P50 <= 0 {
			t.Errorf("%s: implausible result %+v", cs, r)
		}
	}
}

func TestCompare(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real etcd; skipped with -short")
	}
	cfg := quickConfig()
	cfg.Clients = []int{2}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := Compare(ctx, cfg, nil)
	if errors.Is(err, ErrNoEtcd) {
		t.Fatalf("%v (make test installs it)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	WriteTable(&out, "etcd", rows)
	t.Logf("\n%s", out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(rows) != 3 || len(lines) != 4 || !strings.HasPrefix(lines[1], "write/conc=2") ||
		!strings.HasPrefix(lines[3], "write-read/conc=2") {
		t.Errorf("table:\n%s", out.String())
	}
	for _, r := range rows {
		if r.ThroughputRatio() <= 0 || r.P99Ratio() <= 0 {
			t.Errorf("%s: ratios %v %v", r.Case, r.ThroughputRatio(), r.P99Ratio())
		}
	}
}

func TestMissingEtcd(t *testing.T) {
	_, err := StartEtcd(context.Background(), "/nonexistent/etcd")
	if !errors.Is(err, ErrNoEtcd) || !strings.Contains(err.Error(), "etcd-server") {
		t.Errorf("err = %v, want ErrNoEtcd naming etcd-server", err)
	}
}

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name string
		lat  []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.99, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"p50 of four", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p99 of hundred", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p100", ms(1, 2, 3), 1, 3 * time.Millisecond},
	} {
		if got := percentile(tc.lat, tc.q); got != tc.want {
			t.Errorf("%s: percentile = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLeaderLast(t *testing.T) {
	for _, tc := range []struct {
		leader int
		want   []string
	}{
		{0, []string{"b", "c", "a"}},
		{1, []string{"a", "c", "b"}},
		{2, []string{"a", "b", "c"}},
	} {
		if got := leaderLast([]string{"a", "b", "c"}, tc.leader); !slices.Equal(got, tc.want) {
			t.Errorf("leader %d: got %v, want %v", tc.leader, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		field string
		mut   func(*Config)
	}{
		{"Duration", func(c *Config) { c.Duration = 0 }},
		{"Warmup", func(c *Config) { c.Warmup = -time.Second }},
		{"Ops", func(c *Config) { c.Ops = nil }},
		{"Ops", func(c *Config) { c.Ops = []Op{"scan"} }},
		{"Clients", func(c *Config) { c.Clients = nil }},
		{"Clients", func(c *Config) { c.Clients = []int{1, 0} }},
		{"ValueSize", func(c *Config) { c.ValueSize = 0 }},
		{"ReadKeys", func(c *Config) { c.ReadKeys = 0 }},
		{"MaxOps", func(c *Config) { c.MaxOps = 0 }},
		{"Timeout", func(c *Config) { c.Timeout = 0 }},
		{"EtcdBin", func(c *Config) { c.EtcdBin = "" }},
	} {
		cfg := DefaultConfig()
		tc.mut(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: Validate = %v, want an error naming it", tc.field, err)
		}
	}
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Errorf("DefaultConfig: %v", err)
	}
}

// TestMedian picks the round of median throughput and the median
// percentiles, which may come from other rounds.
func TestMedian(t *testing.T) {
	ms := time.Millisecond
	rounds := []Result{
		{Ops: 300, Elapsed: time.Second, P50: 3 * ms, P99: 9 * ms},
		{Ops: 100, Elapsed: time.Second, P50: 1 * ms, P99: 30 * ms},
		{Ops: 200, Elapsed: time.Second, P50: 2 * ms, P99: 20 * ms},
	}
	got := median(rounds)
	if got.Ops != 200 || got.P50 != 2*ms || got.P99 != 20*ms {
		t.Errorf("median %+v, want 200 ops, p50 2ms, p99 20ms", got)
	}
	if one := median(rounds[:1]); one != rounds[0] {
		t.Errorf("median of one round %+v, want it unchanged", one)
	}
}

// TestMain lets the test binary serve a peer for TestProcCluster.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-"+PeerFlag {
		if err := ServePeer(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "peer:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestProcCluster runs the peers as processes of this test binary, runs a
// write and a read case on them and stops them.
func TestProcCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	cfg := quickConfig()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := StartProcs(ctx, cfg.Store, os.Args[0], PeerOutput{})
	if err != nil {
		t.Fatal(err)
	}
	procs := slices.Clone(c.procs)
	defer func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		for _, p := range procs {
			if p.ProcessState == nil {
				t.Errorf("peer %d still runs after Close", p.Process.Pid)
			}
		}
	}()
	if err := Preload(ctx, c.Endpoints(), cfg); err != nil {
		t.Fatal(err)
	}
	for _, op := range []Op{OpWrite, OpRead} {
		r, err := RunOn(ctx, c, Case{Op: op, Clients: 3}, cfg, "procs")
		if err != nil {
			t.Fatal(err)
		}
		if r.Ops == 0 {
			t.Errorf("%s: no operations", op)
		}
		if op == OpWrite && r.CPU <= 0 {
			t.Errorf("%s: no CPU time measured for the peers", op)
		}
	}
}

// TestCompareWithBaselineBin compares our peers with our peers from
// another binary (this one again) instead of etcd: both sides measure,
// and the ratios are of two builds of the same store.
func TestCompareWithBaselineBin(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six processes")
	}
	cfg := quickConfig()
	cfg.Ops, cfg.Clients, cfg.Rounds = []Op{OpWrite}, []int{2}, 1
	cfg.PeerBin, cfg.BaselineBin, cfg.EtcdBin = os.Args[0], os.Args[0], "/nonexistent/etcd"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := Compare(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Ours.Ops == 0 || rows[0].Base.Ops == 0 ||
		rows[0].Base.CPUPerOp() <= 0 {
		t.Fatalf("rows %+v: want one write case measured on both sides, with CPU", rows)
	}
}
