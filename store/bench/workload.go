package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	client "go.etcd.io/etcd/client/v2"
)

// Op is what a case does.
type Op string

// The operations a case can run.
const (
	// OpWrite PUTs a small value to a key no other operation uses.
	OpWrite Op = "write"
	// OpRead GETs, with quorum=true, one of the keys Preload wrote.
	OpRead Op = "read"
	// OpWriteRead PUTs a key and GETs it back with quorum=true from the
	// same member, as Docker reads back what it wrote through its own
	// host; the read must see the write. One operation is both.
	OpWriteRead Op = "write-read"
)

// Case is one measurement: an operation and how many clients run it at once.
type Case struct {
	Op      Op
	Clients int
}

// String names the case the way Go names sub-benchmarks: write/conc=64.
func (c Case) String() string { return fmt.Sprintf("%s/conc=%d", c.Op, c.Clients) }

// Result is what one case measured on one cluster.
type Result struct {
	Case
	Ops      int
	Elapsed  time.Duration
	P50, P99 time.Duration
	Max      time.Duration // the slowest operation
	// CPU is the CPU time the servers used during the measured part, when
	// they run as processes of their own; 0 when unknown.
	CPU time.Duration
}

// CPUPerOp returns the servers' CPU time per completed operation, 0 when
// unknown.
func (r Result) CPUPerOp() time.Duration {
	if r.Ops == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Ops)
}

// Throughput returns the completed operations per second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// readKey is the i-th key Preload writes and OpRead reads.
func readKey(i int) string { return fmt.Sprintf("/storebench/read/%05d", i) }

// Preload writes cfg.ReadKeys keys for the read cases through one client.
func Preload(ctx context.Context, endpoints []string, cfg Config) error {
	kapi, closeIdle, err := newKeysAPI(endpoints[0], cfg.Timeout)
	if err != nil {
		return err
	}
	defer closeIdle()
	value := strings.Repeat("r", cfg.ValueSize)
	for i := 0; i < cfg.ReadKeys; i++ {
		if _, err := kapi.Set(ctx, readKey(i), value, nil); err != nil {
			return fmt.Errorf("preload %s: %w", readKey(i), err)
		}
	}
	return nil
}

// Run runs c against endpoints: cfg.Warmup unmeasured, then cfg.Duration
// (or cfg.MaxOps operations, whichever ends first) measured. Client i
// talks to endpoints[i%len(endpoints)]. The first error stops the case.
// tag makes the write keys of this run distinct from every other run's.
func Run(ctx context.Context, endpoints []string, c Case, cfg Config, tag string) (Result, error) {
	return run(ctx, endpoints, nil, c, cfg, tag)
}

// RunOn is Run against cluster, with the servers' CPU time when the
// cluster can tell it.
func RunOn(ctx context.Context, cluster Cluster, c Case, cfg Config, tag string) (Result, error) {
	meter, _ := cluster.(cpuMeter)
	return run(ctx, cluster.Endpoints(), meter, c, cfg, tag)
}

func run(ctx context.Context, endpoints []string, meter cpuMeter, c Case, cfg Config,
	tag string) (Result, error) {
	apis := make([]client.KeysAPI, c.Clients)
	for i := range apis {
		kapi, closeIdle, err := newKeysAPI(endpoints[i%len(endpoints)], cfg.Timeout)
		if err != nil {
			return Result{}, err
		}
		defer closeIdle()
		apis[i] = kapi
	}
	if cfg.Warmup > 0 {
		if _, err := runFor(ctx, apis, c.Op, cfg, cfg.Warmup, tag+"-warm"); err != nil {
			return Result{}, fmt.Errorf("%s warm-up: %w", c, err)
		}
	}
	cpu0 := cpuNow(meter)
	start := time.Now()
	lat, err := runFor(ctx, apis, c.Op, cfg, cfg.Duration, tag)
	elapsed := time.Since(start)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", c, err)
	}
	var cpu time.Duration
	if cpu0 >= 0 {
		if cpu1 := cpuNow(meter); cpu1 >= cpu0 {
			cpu = cpu1 - cpu0
		}
	}
	slices.Sort(lat)
	return Result{Case: c, Ops: len(lat), Elapsed: elapsed,
		P50: percentile(lat, 0.50), P99: percentile(lat, 0.99), Max: percentile(lat, 1),
		CPU: cpu}, nil
}

// cpuNow reads the meter, -1 without one or when it fails.
func cpuNow(meter cpuMeter) time.Duration {
	if meter == nil {
		return -1
	}
	d, err := meter.CPU()
	if err != nil {
		return -1
	}
	return d
}

// runFor runs op on every client until d passes or the operations
// together reach cfg.MaxOps, and returns every operation's latency.
func runFor(ctx context.Context, apis []client.KeysAPI, op Op, cfg Config,
	d time.Duration, tag string) ([]time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	deadline := time.Now().Add(d)
	perClient := max(cfg.MaxOps/len(apis), 1)
	lats := make([][]time.Duration, len(apis))
	// first keeps the error that stopped the case; the errors of the
	// operations its cancel interrupted come later and say nothing.
	var mu sync.Mutex
	var first error
	value := strings.Repeat("w", cfg.ValueSize)
	var wg sync.WaitGroup
	for i, kapi := range apis {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < perClient && time.Now().Before(deadline); n++ {
				t0 := time.Now()
				err := once(ctx, kapi, op, cfg, value, fmt.Sprintf("%s/%d/%d", tag, i, n), i+n)
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					cancel()
					return
				}
				lats[i] = append(lats[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return slices.Concat(lats...), nil
}

// once runs one operation with its own timeout.
func once(ctx context.Context, kapi client.KeysAPI, op Op, cfg Config,
	value, suffix string, seq int) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	switch op {
	case OpWrite:
		key := "/storebench/write/" + suffix
		if _, err := kapi.Set(ctx, key, value, nil); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
	case OpRead:
		key := readKey(seq % cfg.ReadKeys)
		if _, err := kapi.Get(ctx, key, &client.GetOptions{Quorum: true}); err != nil {
			return fmt.Errorf("quorum get %s: %w", key, err)
		}
	case OpWriteRead:
		key := "/storebench/write-read/" + suffix
		if _, err := kapi.Set(ctx, key, value, nil); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
		resp, err := kapi.Get(ctx, key, &client.GetOptions{Quorum: true})
		if err != nil {
			return fmt.Errorf("quorum get %s after its put: %w", key, err)
		}
		if resp.Node == nil || resp.Node.Value != value {
			return fmt.Errorf("quorum get %s after its put: the put is missing", key)
		}
	default:
		return fmt.Errorf("unknown op %q", op)
	}
	return nil
}

// newKeysAPI returns a keys client of its own, with its own connection,
// for one endpoint, and a function that closes its idle connections.
func newKeysAPI(endpoint string, timeout time.Duration) (client.KeysAPI, func(), error) {
	tr := &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute}
	c, err := client.New(client.Config{Endpoints: []string{endpoint}, Transport: tr,
		HeaderTimeoutPerRequest: timeout})
	if err != nil {
		return nil, nil, fmt.Errorf("etcd client for %s: %w", endpoint, err)
	}
	return client.NewKeysAPI(c), tr.CloseIdleConnections, nil
}

// percentile returns the q-quantile of sorted latencies, nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
