package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"weave.works/weave/integration/chaos"
	"weave.works/weave/integration/harness"
)

// etcdBin is Debian's etcd 3.4, the control of the chaos test.
const etcdBin = "/usr/bin/etcd"

// Chaos pacing: the clients run for at least chaosMin while the schedule's
// faults come and go, then for chaosCalm with every fault healed.
const (
	chaosClients = 6
	chaosMin     = 65 * time.Second
	chaosCalm    = 3 * time.Second
	chaosCheck   = 60 * time.Second
)

// TestStoreChaos checks that the weave store is linearizable under faults:
// six clients, two inside each of three hosts, do quorum gets, puts and
// compare-and-swaps through their own host's etcd v2 face for over a
// minute, while the leader is killed, a minority is cut off, the leader
// is cut off with a follower and alone, the leader is cut off and healed
// with writes in flight, and a follower is restarted. Porcupine then finds
// a linearization of the whole history (final quorum reads included, so an
// acknowledged write that was lost shows), and every replica's tree, read
// locally, is the same.
//
// The test binary also serves as the client: run again inside a host with
// chaos.EnvConfig set, this function hands over to chaos.Run.
func TestStoreChaos(t *testing.T) {
	if cfg, ok, err := chaos.FromEnv(); ok {
		chaosClient(t, cfg, err)
		return
	}
	c := newCluster(t, 3, false)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	w := launchAll(t, ctx, c, "--no-create-network")
	if err := waitStoreLeader(ctx, w, c.Hosts()); err != nil {
		t.Fatal(err)
	}
	runChaos(t, ctx, c, chaos.Weave{W: w, Extra: []string{"--no-create-network"}})
}

// TestStoreChaosEtcd runs the clients, faults and checks of TestStoreChaos
// against a real etcd cluster, one member per host: the control that shows
// the test passes a store known to be linearizable.
func TestStoreChaosEtcd(t *testing.T) {
	needLong(t)
	if _, err := os.Stat(etcdBin); err != nil {
		t.Fatalf("no %s (Debian's etcd-server; `make test` installs it): %v", etcdBin, err)
	}
	c := newCluster(t, 3, false)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := chaos.Etcd{Bin: etcdBin, Hosts: c.Hosts()}
	t.Cleanup(func() {
		if t.Failed() {
			dumpProcLogs(t, c, "etcd")
		}
	})
	if err := e.StartAll(ctx); err != nil {
		t.Fatal(err)
	}
	runChaos(t, ctx, c, e)
}

// chaosClient is the body of TestStoreChaos in a client process.
func chaosClient(t *testing.T, cfg chaos.Config, err error) {
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.MaxDuration+time.Minute)
	defer cancel()
	if err := chaos.Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
}

// runChaos runs the clients and the fault schedule against sys on c, then
// checks the history and compares the replicas.
func runChaos(t *testing.T, ctx context.Context, c *harness.Cluster, sys chaos.System) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := chaos.Runner{Bin: exe, Args: []string{"-test.run=^TestStoreChaos$"},
		Env: []string{"WEAVE_BIN=" + weaveBin}}
	hs := c.Hosts()
	sched := chaos.DefaultSchedule(c, sys, t.Logf)
	if err := harness.WaitFor(ctx, sched.LeaderWait, sys.Name()+" leader", func() (bool, error) {
		_, err := sys.Leader(ctx)
		return err == nil, err
	}); err != nil {
		t.Fatal(err)
	}

	seed := uint64(time.Now().UnixNano())
	t.Logf("chaos: %s: %d clients, seed %d", sys.Name(), chaosClients, seed)
	stop := filepath.Join(hs[0].Dir, "chaos-stop")
	var procs []*chaos.Proc
	var files []string
	for i := range chaosClients {
		h := hs[i%len(hs)]
		cfg := chaos.DefaultConfig(chaos.ModeOps, i,
			filepath.Join(h.Dir, fmt.Sprintf("chaos-ops-%d.json", i)))
		cfg.Seed, cfg.StopFile = seed, stop
		p, err := r.Start(ctx, h, cfg)
		if err != nil {
			t.Fatal(err)
		}
		procs, files = append(procs, p), append(files, cfg.Out)
	}
	start := time.Now()

	tl, schedErr := sched.Run(ctx)
	if schedErr != nil {
		t.Errorf("fault schedule: %v", schedErr)
	}
	_ = chaos.Sleep(ctx, time.Until(start.Add(chaosMin)))
	_ = chaos.Sleep(ctx, chaosCalm)
	if err := os.WriteFile(stop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if err := p.Wait(30 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("chaos: %s: clients stopped after %s", sys.Name(),
		time.Since(start).Round(time.Millisecond))

	final := finalReads(t, ctx, r, sys, hs)
	ops, err := chaos.Load(files...)
	if err != nil {
		t.Fatal(err)
	}
	checkHistory(t, sys, append(ops, final...), tl, start)
	compareReplicas(t, ctx, r, sys, hs, final)
}

// finalReads reads every key by quorum once the faults are healed, as one
// more client whose reads join the history.
func finalReads(t *testing.T, ctx context.Context, r chaos.Runner, sys chaos.System,
	hs []*harness.Host) []chaos.Op {
	t.Helper()
	if err := sys.Converged(ctx, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	var ops []chaos.Op
	err := harness.WaitFor(ctx, 30*time.Second, "final quorum reads", func() (bool, error) {
		cfg := chaos.DefaultConfig(chaos.ModeRead, chaosClients,
			filepath.Join(hs[0].Dir, "chaos-final.json"))
		if err := r.Do(ctx, hs[0], cfg, 20*time.Second); err != nil {
			return false, err
		}
		got, err := chaos.Load(cfg.Out)
		if err != nil {
			return false, err
		}
		for _, o := range got {
			if o.Outcome != chaos.OK {
				return false, fmt.Errorf("final %s: %s", o, o.Err)
			}
		}
		ops = got
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

// dumpProcLogs prints the tail of the log of the process name on every host.
func dumpProcLogs(t *testing.T, c *harness.Cluster, name string) {
	for _, h := range c.Hosts() {
		p := h.Proc(name)
		if p == nil {
			continue
		}
		s, err := p.Log()
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Logf("%s log of %s: %v", name, h.Name, err)
		}
		t.Logf("%s log of %s:\n%s", name, h.Name, tail(s, 4000))
	}
}

// checkHistory checks ops with porcupine. On a violation it keeps the
// history and porcupine's visualization in a directory that outlives the
// test, and logs the fault timeline to match them against.
func checkHistory(t *testing.T, sys chaos.System, ops []chaos.Op, tl chaos.Timeline,
	start time.Time) {
	t.Helper()
	st := chaos.Count(ops)
	t.Logf("chaos: %s: %s", sys.Name(), st)
	if span := st.Last.Sub(st.First); span < 60*time.Second {
		t.Errorf("the history spans %s, less than a minute", span)
	}
	if st.OK < 200 {
		t.Errorf("only %d operations succeeded: the check would prove little", st.OK)
	}

	dir, err := os.MkdirTemp("", "weave-chaos-"+sys.Name()+"-")
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	err = chaos.Check(ops, tl, chaosCheck, filepath.Join(dir, "history.html"))
	t.Logf("chaos: %s: porcupine took %s", sys.Name(), time.Since(began).Round(time.Millisecond))
	if err == nil {
		os.RemoveAll(dir)
		return
	}
	if werr := chaos.Save(filepath.Join(dir, "history.json"), ops); werr != nil {
		t.Log(werr)
	}
	for _, f := range tl {
		t.Logf("fault from +%s to +%s: %s", f.Start.Sub(start).Round(time.Millisecond),
			f.End.Sub(start).Round(time.Millisecond), f.What)
	}
	t.Errorf("%s (history and visualization kept in %s; times are Unix nanoseconds, "+
		"the run started at %d)", err, dir, start.UnixNano())
}

// compareReplicas waits until every replica holds the same tree, read
// locally on each host, and checks the chaos keys in it against the final
// quorum reads.
func compareReplicas(t *testing.T, ctx context.Context, r chaos.Runner, sys chaos.System,
	hs []*harness.Host, final []chaos.Op) {
	t.Helper()
	var first chaos.Dump
	err := harness.WaitFor(ctx, 30*time.Second, "identical replicas", func() (bool, error) {
		if err := sys.Converged(ctx, 10*time.Second); err != nil {
			return false, err
		}
		dumps := make([]chaos.Dump, len(hs))
		for i, h := range hs {
			cfg := chaos.DefaultConfig(chaos.ModeDump, chaosClients,
				filepath.Join(h.Dir, "chaos-dump.json"))
			if err := r.Do(ctx, h, cfg, 20*time.Second); err != nil {
				return false, err
			}
			d, err := chaos.LoadDump(cfg.Out)
			if err != nil {
				return false, err
			}
			dumps[i] = d
		}
		for i, d := range dumps[1:] {
			diff := chaos.Diff(dumps[0], d, 5)
			if d.Index != dumps[0].Index {
				diff = append(diff, fmt.Sprintf("index %d against %d", dumps[0].Index, d.Index))
			}
			if len(diff) > 0 {
				return false, fmt.Errorf("%s against %s: %v", hs[0].Name, hs[i+1].Name, diff)
			}
		}
		first = dumps[0]
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("chaos: %s: %d replicas identical: %d nodes at index %d", sys.Name(), len(hs),
		len(first.Entries), first.Index)

	values := map[string]string{}
	for _, e := range first.Under(chaos.Prefix) {
		values[e.Key] = e.Value
	}
	for _, o := range final {
		if values[o.Key] != o.Read {
			t.Errorf("%s holds %q in the replicas but %q by quorum read", o.Key, values[o.Key],
				o.Read)
		}
	}
}
