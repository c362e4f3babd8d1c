package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"weave.works/weave/api"
	"weave.works/weave/integration/harness"
)

// Weave launches and queries weave daemons on harness hosts.
type Weave struct {
	Bin   string          // the weave binary
	Hosts []*harness.Host // every host of the cluster
	// Consensus leaves --ipalloc-init out, so that the peers agree on the split by
	// consensus among the hosts, the default; otherwise every host is a seed.
	Consensus bool
}

// Seeds is the --ipalloc-init value naming every host.
func (w Weave) Seeds() string {
	names := make([]string, len(w.Hosts))
	for i, h := range w.Hosts {
		names[i] = h.Name
	}
	return "seed=" + strings.Join(names, ",")
}

// Launch starts `weave launch` on h with the other hosts as peers and extra flags.
func (w Weave) Launch(
	ctx context.Context, h *harness.Host, extra ...string,
) (*harness.Proc, error) {
	args := []string{"launch", "--name", h.Name, "--host", h.Addr.String(),
		"--data-dir", filepath.Join(h.Dir, "weave"), "--plugin-dir", harness.PluginDir,
		"--docker-host", h.DockerSocket(), "--log-level", "debug"}
	if !w.Consensus {
		args = append(args, "--ipalloc-init", w.Seeds())
	}
	args = append(args, extra...)
	for _, o := range w.Hosts {
		if o != h {
			args = append(args, o.Addr.String())
		}
	}
	return h.Start(ctx, "weave", w.Bin, args...)
}

// Status asks the daemon on h for its status, through the CLI inside the host.
func (w Weave) Status(ctx context.Context, h *harness.Host) (api.Status, error) {
	var s api.Status
	out, err := h.Run(ctx, w.Bin, "status", "--json")
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		return s, fmt.Errorf("status of %s: %w: %s", h.Name, err, out)
	}
	return s, nil
}

// WaitUp waits until the daemon on h answers its status API.
func (w Weave) WaitUp(ctx context.Context, h *harness.Host, timeout time.Duration) error {
	return harness.WaitFor(ctx, timeout, "weave on "+h.Name+" to answer", func() (bool, error) {
		_, err := w.Status(ctx, h)
		return err == nil, err
	})
}

// PeerState is the state that h's daemon shows for the peer named name, or "" if none.
func (w Weave) PeerState(ctx context.Context, h *harness.Host, name string) (string, error) {
	s, err := w.Status(ctx, h)
	if err != nil {
		return "", err
	}
	for _, p := range s.Peers {
		if p.Name == name {
			return p.State, nil
		}
	}
	return "", nil
}

// WaitAlive waits until every host's daemon shows every host alive.
func (w Weave) WaitAlive(ctx context.Context, timeout time.Duration) error {
	return harness.WaitFor(ctx, timeout, "every peer alive on every host", func() (bool, error) {
		for _, h := range w.Hosts {
			for _, o := range w.Hosts {
				st, err := w.PeerState(ctx, h, o.Name)
				if err != nil {
					return false, err
				}
				if st != "alive" {
					return false, fmt.Errorf("%s sees %s as %q", h.Name, o.Name, st)
				}
			}
		}
		return true, nil
	})
}

// WaitNetwork waits until Docker on every host has the network "weave" of driver weavemesh.
func (w Weave) WaitNetwork(ctx context.Context, timeout time.Duration) error {
	return harness.WaitFor(ctx, timeout, "network weave on every host", func() (bool, error) {
		for _, h := range w.Hosts {
			out, err := h.Docker(ctx, "network", "inspect", "-f", "{{.Driver}}", "weave")
			if err != nil {
				return false, err
			}
			if strings.TrimSpace(out) != "weavemesh" {
				return false, fmt.Errorf("network weave on %s has driver %q", h.Name, out)
			}
		}
		return true, nil
	})
}

// LaunchAll starts weave on every host, then waits until all see each other and Docker on
// every host has the network weave.
func (w Weave) LaunchAll(ctx context.Context, timeout time.Duration, extra ...string) error {
	for _, h := range w.Hosts {
		if _, err := w.Launch(ctx, h, extra...); err != nil {
			return err
		}
	}
	if err := w.WaitAlive(ctx, timeout); err != nil {
		return err
	}
	return w.WaitNetwork(ctx, timeout)
}
