package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"
)

// Row is one case measured on both clusters.
type Row struct {
	Case
	Ours, Base Result // Base: etcd, or the peers of Config.BaselineBin
}

// ThroughputRatio is ours over the baseline's: at least 1 means as fast or faster.
func (r Row) ThroughputRatio() float64 { return ratio(r.Ours.Throughput(), r.Base.Throughput()) }

// P99Ratio is ours over the baseline's: at most 1 means no worse.
func (r Row) P99Ratio() float64 { return ratio(float64(r.Ours.P99), float64(r.Base.P99)) }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// startAttempts is how many times Compare starts the clusters before it
// gives up.
const startAttempts = 3

// Cases returns the cases cfg asks for: each operation in order, at every
// concurrency level in order.
func Cases(cfg Config) []Case {
	var out []Case
	for _, op := range cfg.Ops {
		for _, n := range cfg.Clients {
			out = append(out, Case{Op: op, Clients: n})
		}
	}
	return out
}

// Compare starts both clusters, runs every case cfg.Rounds times on each,
// alternating which goes first, and stops both. A row holds each side's
// median round: the machine's disk and CPU drift during a run, and the
// alternation and the medians keep a drift from favouring either side.
// done, when not nil, sees each row as it is measured.
func Compare(ctx context.Context, cfg Config, done func(Row)) ([]Row, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.BaselineBin == "" {
		if _, err := lookEtcd(cfg.EtcdBin); err != nil {
			return nil, err
		}
	}
	ours, theirs, err := startBoth(ctx, cfg)
	// The free ports both clusters pick may be taken by another process
	// (an outgoing connection, say) before a member binds them; a new
	// start picks new ones.
	for attempt := 1; err != nil && attempt < startAttempts && ctx.Err() == nil; attempt++ {
		fmt.Fprintf(os.Stderr, "store benchmark: start again after: %v\n", err)
		ours, theirs, err = startBoth(ctx, cfg)
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = ours.Close(); _ = theirs.Close() }()
	if slices.Contains(cfg.Ops, OpRead) {
		if err := Preload(ctx, ours.Endpoints(), cfg); err != nil {
			return nil, fmt.Errorf("weave: %w", err)
		}
		if err := Preload(ctx, theirs.Endpoints(), cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", BaselineName(cfg), err)
		}
	}
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	var rows []Row
	for _, c := range Cases(cfg) {
		var oursRounds, baseRounds []Result
		for round := range cfg.Rounds {
			rtag := fmt.Sprintf("%s-%d", tag, round)
			runOurs := func() error {
				r, err := RunOn(ctx, ours, c, cfg, rtag)
				oursRounds = append(oursRounds, r)
				logRound(cfg, c, round, "weave", r)
				return wrap("weave", err)
			}
			runBase := func() error {
				r, err := RunOn(ctx, theirs, c, cfg, rtag)
				baseRounds = append(baseRounds, r)
				logRound(cfg, c, round, BaselineName(cfg), r)
				return wrap(BaselineName(cfg), err)
			}
			first, second := runOurs, runBase
			if round%2 == 1 {
				first, second = runBase, runOurs
			}
			if err := first(); err != nil {
				return rows, err
			}
			if err := second(); err != nil {
				return rows, err
			}
		}
		row := Row{Case: c, Ours: median(oursRounds), Base: median(baseRounds)}
		rows = append(rows, row)
		if done != nil {
			done(row)
		}
	}
	return rows, nil
}

// logRound writes one round's figures to cfg.RoundLog, if set.
func logRound(cfg Config, c Case, round int, side string, r Result) {
	if cfg.RoundLog == nil {
		return
	}
	fmt.Fprintf(cfg.RoundLog, "round %d %s %s: %.0f ops/s, p50 %v, p99 %v, max %v\n", round, c,
		side, r.Throughput(), r.P50, r.P99, r.Max)
}

// wrap names the side of a failed run.
func wrap(side string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", side, err)
	}
	return nil
}

// median returns the round of median throughput, with the median p50 and
// p99 of all rounds.
func median(rounds []Result) Result {
	byRate := slices.Clone(rounds)
	slices.SortFunc(byRate, func(a, b Result) int {
		return cmp.Compare(a.Throughput(), b.Throughput())
	})
	out := byRate[len(byRate)/2]
	p50s, p99s := make([]time.Duration, len(rounds)), make([]time.Duration, len(rounds))
	for i, r := range rounds {
		p50s[i], p99s[i] = r.P50, r.P99
	}
	slices.Sort(p50s)
	slices.Sort(p99s)
	out.P50, out.P99 = p50s[len(p50s)/2], p99s[len(p99s)/2]
	var cpu time.Duration
	ops := 0
	for _, r := range rounds {
		cpu, ops = cpu+r.CPU, ops+r.Ops
	}
	if ops > 0 {
		// The CPU of the median round, at the rounds' mean cost per operation.
		out.CPU = cpu * time.Duration(out.Ops) / time.Duration(ops)
	}
	return out
}

// startBoth starts the two clusters at once, since ours spends its
// SettleTime waiting; when either fails, the other is stopped too.
func startBoth(ctx context.Context, cfg Config) (Cluster, Cluster, error) {
	type started struct {
		c   Cluster
		err error
	}
	ch := make(chan started, 1)
	go func() {
		c, err := startBaseline(ctx, cfg)
		ch <- started{c, err}
	}()
	ours, oursErr := startOurs(ctx, cfg)
	e := <-ch
	if oursErr == nil && e.err == nil {
		return ours, e.c, nil
	}
	if oursErr == nil {
		_ = ours.Close()
	}
	if e.c != nil {
		_ = e.c.Close()
	}
	return nil, nil, errors.Join(oursErr, e.err)
}

// BaselineName names the baseline side in errors and tables: "etcd", or
// "base" for our peers run from cfg.BaselineBin.
func BaselineName(cfg Config) string {
	if cfg.BaselineBin != "" {
		return "base"
	}
	return "etcd"
}

// startBaseline starts the cluster ours is compared with: real etcd, or
// our peers run from cfg.BaselineBin.
func startBaseline(ctx context.Context, cfg Config) (Cluster, error) {
	if cfg.BaselineBin != "" {
		return StartProcs(ctx, cfg.Store, cfg.BaselineBin, PeerOutput{})
	}
	c, err := StartEtcd(ctx, cfg.EtcdBin)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// startOurs starts our peers in their own processes when cfg.PeerBin is
// set, else in this one.
func startOurs(ctx context.Context, cfg Config) (Cluster, error) {
	if cfg.PeerBin != "" {
		return StartProcs(ctx, cfg.Store, cfg.PeerBin, cfg.PeerOutput)
	}
	return StartWeave(ctx, cfg.Store)
}

// WriteHeader prints the table's header line, naming the baseline
// ("etcd", or "base" for another build of ours). The last two columns are
// the servers' CPU time per operation, when they run as processes of their
// own (- otherwise).
func WriteHeader(w io.Writer, baseline string) {
	fmt.Fprintf(w, "%-16s %12s %12s %8s %12s %12s %8s %9s %9s\n",
		"case", "ours ops/s", baseline+" ops/s", "ratio", "ours p99 us", baseline+" p99 us",
		"ratio", "ours cpu", baseline+" cpu")
}

// WriteRow prints one row under WriteHeader's columns.
func WriteRow(w io.Writer, r Row) {
	fmt.Fprintf(w, "%-16s %12.0f %12.0f %8.2f %12.0f %12.0f %8.2f %9s %9s\n", r.Case,
		r.Ours.Throughput(), r.Base.Throughput(), r.ThroughputRatio(),
		micros(r.Ours.P99), micros(r.Base.P99), r.P99Ratio(),
		cpuText(r.Ours.CPUPerOp()), cpuText(r.Base.CPUPerOp()))
}

// cpuText shows CPU time per operation in microseconds, - when unknown.
func cpuText(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0fus", micros(d))
}

// WriteTable prints a header and every row.
func WriteTable(w io.Writer, baseline string, rows []Row) {
	WriteHeader(w, baseline)
	for _, r := range rows {
		WriteRow(w, r)
	}
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
