package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"weave.works/weave/internal/gctune"
	"weave.works/weave/store"
	"weave.works/weave/store/etcdv2"
)

// PeerFlag is the flag that makes a benchmark binary serve one store peer
// (ServePeer) instead of running the comparison.
const PeerFlag = "peer"

// ProcCluster is three store peers, each in its own process with its etcd
// v2 face, as on three hosts and as etcd's members run: every peer has its
// own Go runtime, and no peer shares its scheduler with the clients.
type ProcCluster struct {
	dir       string
	procs     []*exec.Cmd
	exited    []chan error
	endpoints []string
}

// PeerOutput names the files where each peer of a ProcCluster reports
// on its run: peer wN writes to the name with ".wN" appended. Empty
// names write nothing.
type PeerOutput struct {
	// CPUProfile is a CPU profile of the peer's whole run.
	CPUProfile string
	// Timings lists Raft's internal timings (see writeTimings).
	Timings string
}

// StartProcs starts Members peers by running bin with ServePeer's flags,
// and waits until they agree on a leader.
func StartProcs(ctx context.Context, tmpl store.Config, bin string, out PeerOutput) (
	_ *ProcCluster, err error) {
	dir, err := os.MkdirTemp("", "weave-storebench-")
	if err != nil {
		return nil, fmt.Errorf("start weave peers: %w", err)
	}
	c := &ProcCluster{dir: dir}
	defer func() {
		if err != nil {
			_ = c.Close()
		}
	}()
	raftURLs, err := freeURLs(Members)
	if err != nil {
		return nil, err
	}
	faceURLs, err := freeURLs(Members)
	if err != nil {
		return nil, err
	}
	var peers []string
	for i := range Members {
		addr := strings.TrimPrefix(raftURLs[i], "http://")
		peers = append(peers, fmt.Sprintf("w%d=%s", i+1, addr))
	}
	for i := range Members {
		name := fmt.Sprintf("w%d", i+1)
		args := []string{"-" + PeerFlag, name, "-peers", strings.Join(peers, ","),
			"-face", strings.TrimPrefix(faceURLs[i], "http://"),
			"-data", filepath.Join(dir, name), "-raft-log", tmpl.RaftLog}
		if out.CPUProfile != "" {
			args = append(args, "-cpuprofile", out.CPUProfile+"."+name)
		}
		if out.Timings != "" {
			args = append(args, "-timings", out.Timings+"."+name)
		}
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		// A peer must not outlive the benchmark, even one that is killed.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start weave peer %s: %w", name, err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		c.procs, c.exited = append(c.procs, cmd), append(c.exited, done)
		c.endpoints = append(c.endpoints, faceURLs[i])
	}
	for _, e := range c.endpoints {
		if err := waitHealthy(ctx, e); err != nil {
			return nil, fmt.Errorf("start weave peers: %w", err)
		}
	}
	leader, err := procLeader(ctx, c.endpoints)
	if err != nil {
		return nil, err
	}
	c.endpoints = leaderLast(c.endpoints, leader)
	return c, nil
}

// procLeader polls every face's /v2/stats/self until one leads and all
// name it, and returns its position.
func procLeader(ctx context.Context, endpoints []string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if i, ok := agreedProcLeader(ctx, endpoints); ok {
			return i, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("start weave peers: no leader: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func agreedProcLeader(ctx context.Context, endpoints []string) (int, bool) {
	leader, agreed := -1, ""
	for i, e := range endpoints {
		var st etcdv2.StatsSelf
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e+"/v2/stats/self", nil)
		if err != nil {
			return 0, false
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, false
		}
		err = json.NewDecoder(resp.Body).Decode(&st)
		_ = resp.Body.Close()
		named := st.LeaderInfo.Leader
		if err != nil || named == "" || agreed != "" && named != agreed {
			return 0, false
		}
		agreed = st.LeaderInfo.Leader
		if st.State == "StateLeader" {
			leader = i
		}
	}
	return leader, leader >= 0
}

// Endpoints returns the faces' URLs, the leader's last.
func (c *ProcCluster) Endpoints() []string { return c.endpoints }

// Close stops every peer (SIGTERM, then SIGKILL after 10 seconds) and
// removes their data.
func (c *ProcCluster) Close() error {
	var errs []error
	for i, p := range c.procs {
		_ = p.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.exited[i]:
		case <-time.After(10 * time.Second):
			_ = p.Process.Kill()
			<-c.exited[i]
			errs = append(errs, fmt.Errorf("weave peer %d did not stop on SIGTERM", i+1))
		}
	}
	errs = append(errs, os.RemoveAll(c.dir))
	c.procs, c.exited = nil, nil
	return errors.Join(errs...)
}

// ServePeer runs one peer of a ProcCluster from the arguments StartProcs
// gives it, until SIGTERM or SIGINT.
func ServePeer(args []string) error {
	fs := flag.NewFlagSet(PeerFlag, flag.ContinueOnError)
	name := fs.String(PeerFlag, "", "this peer's name")
	peers := fs.String("peers", "", "name=raft-address for every peer, comma-separated")
	face := fs.String("face", "", "the etcd v2 face's address")
	data := fs.String("data", "", "data directory")
	raftLog := fs.String("raft-log", store.LogWAL, "the Raft log's storage")
	profile := fs.String("cpuprofile", "", "write a CPU profile to `file`")
	timings := fs.String("timings", "", "write Raft's timings to `file` on exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *timings != "" {
		sink, err := collectTimings()
		if err != nil {
			return err
		}
		defer func() { _ = writeTimings(*timings, sink) }()
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// The peer runs as the daemon does, with its collector settings.
	gctune.Apply()
	members := store.NewStaticMembership()
	cfg := store.DefaultConfig()
	cfg.Name, cfg.DataDir, cfg.Voters, cfg.Membership, cfg.RaftLog =
		*name, *data, Members, members, *raftLog
	for _, p := range strings.Split(*peers, ",") {
		n, addr, ok := strings.Cut(p, "=")
		if !ok {
			return fmt.Errorf("-peers: %q is not name=address", p)
		}
		members.Set(store.Member{Name: n, RaftAddr: addr, Alive: true})
		if n == *name {
			cfg.BindAddr = addr
		}
	}
	s, err := store.Open(cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	f, err := etcdv2.New(s, etcdv2.DefaultConfig())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *face)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- f.Serve(ln) }()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	_ = f.Close()
	return <-served
}
