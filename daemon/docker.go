package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"weave.works/weave/drivers/weavemesh"
)

// DefaultNetwork is the network the daemon creates in Docker at start.
const DefaultNetwork = "weave"

// dockerRetry is how often the daemon looks at Docker: until it answers, and then to put the
// weave network back if Docker lost it.
const dockerRetry = 3 * time.Second

// dockerWatch creates the weave network once Docker answers, and keeps it there.
type dockerWatch struct {
	cli    *client.Client
	subnet netip.Prefix // of the weave network: Docker allows --ip only with a subnet
	log    *slog.Logger

	mu    sync.Mutex
	state string            // for status: "connected" or why not
	names map[string]string // Docker network ID to name, of weavemesh networks
}

func newDockerWatch(host string, subnet netip.Prefix, log *slog.Logger) (*dockerWatch, error) {
	cli, err := client.NewClientWithOpts(client.WithHost(host),
		client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("--docker-host %s: %w", host, err)
	}
	return &dockerWatch{cli: cli, subnet: subnet, log: log, state: "not yet contacted"}, nil
}

// State says whether Docker answers.
func (w *dockerWatch) State() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state
}

func (w *dockerWatch) setState(s string) {
	w.mu.Lock()
	changed := s != w.state
	w.state = s
	w.mu.Unlock()
	if changed {
		w.log.Info("docker state", "state", s)
	}
}

// run ensures the network every dockerRetry until ctx ends.
func (w *dockerWatch) run(ctx context.Context) {
	defer w.cli.Close()
	tick := time.NewTicker(dockerRetry)
	defer tick.Stop()
	for {
		if err := w.ensure(ctx); err != nil {
			w.setState(err.Error())
		} else {
			w.setState("connected")
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Name is the Docker name of the network with this ID, or "" while unknown.
func (w *dockerWatch) Name(id string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.names[id]
}

// ensure creates the weave network unless it exists, and learns the networks' names.
func (w *dockerWatch) ensure(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	defer w.learnNames(ctx)
	got, err := w.cli.NetworkInspect(ctx, DefaultNetwork, network.InspectOptions{})
	if err == nil {
		if got.Driver != weavemesh.Name {
			return fmt.Errorf("docker network %q exists with driver %q, not %s; remove it "+
				"so that weave can create its own", DefaultNetwork, got.Driver, weavemesh.Name)
		}
		return nil
	}
	if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("docker does not answer: %w", err)
	}
	_, err = w.cli.NetworkCreate(ctx, DefaultNetwork, network.CreateOptions{
		Driver: weavemesh.Name,
		IPAM: &network.IPAM{Driver: weavemesh.Name,
			Config: []network.IPAMConfig{{Subnet: w.subnet.String()}}},
		Options: map[string]string{weavemesh.OptionMulticast: "true"},
	})
	if err != nil {
		return fmt.Errorf("create docker network %q: %w", DefaultNetwork, err)
	}
	w.log.Info("docker network created", "network", DefaultNetwork)
	return nil
}

// learnNames records the names of the weavemesh networks, for weave status.
func (w *dockerWatch) learnNames(ctx context.Context) {
	nets, err := w.cli.NetworkList(ctx, network.ListOptions{
		Filters: filters.NewArgs(filters.Arg("driver", weavemesh.Name))})
	if err != nil {
		return
	}
	names := make(map[string]string, len(nets))
	for _, n := range nets {
		names[n.ID] = n.Name
	}
	w.mu.Lock()
	w.names = names
	w.mu.Unlock()
}
