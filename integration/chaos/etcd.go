package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"weave.works/weave/integration/harness"
	"weave.works/weave/store/etcdv2"
)

// Etcd is a real etcd (v3.4, serving the v2 API) with one member per host,
// the control of the chaos test. Members are named after their hosts, talk
// to each other on the underlay (port 2380) and serve clients on
// 127.0.0.1:2379 and the underlay.
type Etcd struct {
	Bin   string // the etcd binary, /usr/bin/etcd
	Hosts []*harness.Host
}

// etcdProc is the name of the etcd process on every host.
const etcdProc = "etcd"

// Name returns "etcd".
func (Etcd) Name() string { return "etcd" }

// args returns the flags of h's member. They are the same on a restart: a
// member with a data directory ignores the initial-cluster flags.
func (e Etcd) args(h *harness.Host) []string {
	var peers []string
	for _, o := range e.Hosts {
		peers = append(peers, fmt.Sprintf("%s=http://%s:2380", o.Name, o.Addr))
	}
	a := h.Addr.String()
	return []string{"--name", h.Name, "--data-dir", filepath.Join(h.Dir, "etcd"),
		"--listen-peer-urls", "http://" + a + ":2380",
		"--initial-advertise-peer-urls", "http://" + a + ":2380",
		"--listen-client-urls", "http://127.0.0.1:2379,http://" + a + ":2379",
		"--advertise-client-urls", "http://" + a + ":2379",
		"--initial-cluster", strings.Join(peers, ","),
		"--initial-cluster-state", "new", "--initial-cluster-token", "weave-chaos",
		"--enable-v2=true"}
}

// StartAll starts a member on every host.
func (e Etcd) StartAll(ctx context.Context) error {
	for _, h := range e.Hosts {
		if _, err := h.Start(ctx, etcdProc, e.Bin, e.args(h)...); err != nil {
			return fmt.Errorf("chaos: start etcd on %s: %w", h.Name, err)
		}
	}
	return nil
}

// self reads h's member's own statistics, from inside h.
func (e Etcd) self(ctx context.Context, h *harness.Host) (etcdv2.StatsSelf, error) {
	var s etcdv2.StatsSelf
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := h.Run(ctx, "busybox", "wget", "-q", "-O", "-",
		"http://127.0.0.1:2379/v2/stats/self")
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		return s, fmt.Errorf("chaos: stats of etcd on %s: %w: %q", h.Name, err, out)
	}
	return s, nil
}

// Leader returns the host of the member that a majority names as leader.
func (e Etcd) Leader(ctx context.Context) (*harness.Host, error) {
	names := map[string]string{} // member id to name
	votes := map[string]int{}    // member id to votes
	for _, h := range e.Hosts {
		s, err := e.self(ctx, h)
		if err != nil {
			continue
		}
		names[s.ID] = s.Name
		if s.LeaderInfo.Leader != "" {
			votes[s.LeaderInfo.Leader]++
		}
	}
	byName := map[string]int{}
	for id, n := range votes {
		name, ok := names[id]
		if !ok {
			return nil, fmt.Errorf("chaos: etcd leader %s does not answer", id)
		}
		byName[name] += n
	}
	return majority(e.Hosts, byName)
}

// Kill kills h's member with SIGKILL.
func (e Etcd) Kill(h *harness.Host) error { return killProc(h, etcdProc) }

// Stop stops h's member with SIGTERM.
func (e Etcd) Stop(h *harness.Host) error { return stopProc(h, etcdProc) }

// Start starts h's member again on its data directory.
func (e Etcd) Start(ctx context.Context, h *harness.Host) error {
	if _, err := h.Start(ctx, etcdProc, e.Bin, e.args(h)...); err != nil {
		return fmt.Errorf("chaos: start etcd on %s: %w", h.Name, err)
	}
	return nil
}

// Converged returns nil: etcd tells no applied index through the v2 API;
// the dumps carry the index of each member, and the test compares those.
func (Etcd) Converged(context.Context, time.Duration) error { return nil }
