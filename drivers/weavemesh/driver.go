package weavemesh

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/docker/go-plugins-helpers/network"
)

// Name is the driver's name, as users type it in --driver and --ipam-driver.
const Name = "weavemesh"

// Veth is an endpoint's pair of interfaces.
type Veth struct {
	Host string // stays on the host, in the bridge
	Peer string // handed to Docker, which moves it into the container
	MAC  string
}

// DataPath makes and removes endpoints' interfaces. The daemon implements it over netlink.
type DataPath interface {
	// CreateVeth makes the pair for an endpoint whose address is addr, host end in the
	// mesh bridge. It undoes what it made when it fails.
	CreateVeth(endpointID string, addr netip.Addr) (Veth, error)
	// DeleteVeth removes the pair; a pair already gone is no error.
	DeleteVeth(hostName string) error
}

// Config says where the driver keeps its state and how it names interfaces.
type Config struct {
	StatePath string // bbolt file
	DstPrefix string // prefix of the interface name inside containers
}

// DefaultConfig returns the defaults: interfaces inside containers are ethwe0, ethwe1, ...
func DefaultConfig() Config {
	return Config{StatePath: "/var/lib/weave/weavemesh.db", DstPrefix: "ethwe"}
}

// Validate names the first field that is unusable.
func (c Config) Validate() error {
	if c.StatePath == "" {
		return errors.New("weavemesh config: StatePath is empty")
	}
	if c.DstPrefix == "" || len(c.DstPrefix) > 10 {
		return fmt.Errorf("weavemesh config: DstPrefix %q must be 1 to 10 characters", c.DstPrefix)
	}
	return nil
}

// Driver is the weavemesh network driver.
type Driver struct {
	cfg  Config
	dp   DataPath
	log  *slog.Logger
	st   *state
	mu   sync.Mutex
	nets map[string]Network
	eps  map[string]Endpoint
}

var _ network.Driver = (*Driver)(nil)

// New opens the driver's state and loads every network and endpoint it holds.
func New(cfg Config, dp DataPath, log *slog.Logger) (*Driver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	st, err := openState(cfg.StatePath)
	if err != nil {
		return nil, err
	}
	d := &Driver{cfg: cfg, dp: dp, log: log, st: st,
		nets: map[string]Network{}, eps: map[string]Endpoint{}}
	err = errors.Join(
		load(st, networksBucket, func(n Network) { d.nets[n.ID] = n }),
		load(st, endpointsBucket, func(e Endpoint) { d.eps[e.ID] = e }))
	if err != nil {
		st.close()
		return nil, fmt.Errorf("load driver state: %w", err)
	}
	log.Info("driver state loaded", "networks", len(d.nets), "endpoints", len(d.eps))
	return d, nil
}

// Close closes the state file.
func (d *Driver) Close() error { return d.st.close() }

// Endpoints returns a copy of every endpoint the driver holds.
func (d *Driver) Endpoints() []Endpoint {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Endpoint, 0, len(d.eps))
	for _, e := range d.eps {
		out = append(out, e)
	}
	return out
}

// Networks returns a copy of every network the driver holds.
func (d *Driver) Networks() []Network {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Network, 0, len(d.nets))
	for _, n := range d.nets {
		out = append(out, n)
	}
	return out
}

// GetCapabilities answers local scope: each host's Docker keeps its own weavemesh networks.
func (d *Driver) GetCapabilities() (*network.CapabilitiesResponse, error) {
	return &network.CapabilitiesResponse{Scope: network.LocalScope,
		ConnectivityScope: network.GlobalScope}, nil
}

// CreateNetwork records the network and its options.
func (d *Driver) CreateNetwork(r *network.CreateNetworkRequest) error {
	if r.NetworkID == "" {
		return errors.New("create network: NetworkID is missing")
	}
	opts, err := ParseNetworkOptions(r.Options)
	if err != nil {
		return fmt.Errorf("create network: %w", err)
	}
	if len(r.IPv6Data) > 0 {
		return errors.New("create network: weavemesh has no IPv6 yet; create it without --ipv6")
	}
	n := Network{ID: r.NetworkID, Options: opts}

	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.st.put(networksBucket, n.ID, n); err != nil {
		return fmt.Errorf("create network %.12s: persist: %w", n.ID, err)
	}
	d.nets[n.ID] = n
	d.log.Info("network created", "network", short(n.ID), "multicast", opts.Multicast)
	return nil
}

// DeleteNetwork forgets the network. Docker removes its endpoints first.
func (d *Driver) DeleteNetwork(r *network.DeleteNetworkRequest) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.nets[r.NetworkID]; !ok {
		return fmt.Errorf("delete network: no weavemesh network %q", r.NetworkID)
	}
	if err := d.st.delete(networksBucket, r.NetworkID); err != nil {
		return fmt.Errorf("delete network %.12s: %w", r.NetworkID, err)
	}
	delete(d.nets, r.NetworkID)
	d.log.Info("network deleted", "network", short(r.NetworkID))
	return nil
}

// AllocateNetwork is a swarm manager's call for global drivers; weavemesh is local.
func (d *Driver) AllocateNetwork(*network.AllocateNetworkRequest) (
	*network.AllocateNetworkResponse, error) {
	return nil, errors.New("weavemesh is a local-scope driver: swarm cannot allocate its networks")
}

// FreeNetwork is a swarm manager's call for global drivers; weavemesh is local.
func (d *Driver) FreeNetwork(*network.FreeNetworkRequest) error {
	return errors.New("weavemesh is a local-scope driver: swarm cannot free its networks")
}

// DiscoverNew is sent in swarm mode; peers come from gossip instead.
func (d *Driver) DiscoverNew(*network.DiscoveryNotification) error { return nil }

// DiscoverDelete is sent in swarm mode; peers come from gossip instead.
func (d *Driver) DiscoverDelete(*network.DiscoveryNotification) error { return nil }

// ProgramExternalConnectivity has nothing to do: outbound traffic uses docker_gwbridge.
func (d *Driver) ProgramExternalConnectivity(*network.ProgramExternalConnectivityRequest) error {
	return nil
}

// RevokeExternalConnectivity has nothing to undo.
func (d *Driver) RevokeExternalConnectivity(*network.RevokeExternalConnectivityRequest) error {
	return nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
