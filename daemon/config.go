package daemon

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"

	"weave.works/weave/ipam"
	"weave.works/weave/store"
)

// Config is everything `weave launch` is told.
type Config struct {
	Name        string       // stable peer name; "" = the one persisted in DataDir, or a new one
	Nickname    string       // "" = the hostname
	Host        netip.Addr   // underlay address to advertise; zero = the route toward the peers
	Port        int          // gossip, TCP and UDP
	Password    string       // gossip encryption when non-empty
	DataDir     string       // state that survives a restart
	PluginDir   string       // where Docker looks for plugin sockets
	IPRange     netip.Prefix // the mesh allocation range
	IPInit      ipam.Init    // how the range is first divided; zero = the default below
	MTU         int          // 0 = underlay MTU minus VXLAN overhead
	DockerHost  string       // Docker API endpoint
	StatusAddr  string       // loopback address of the status API
	MetricsAddr string       // Prometheus metrics; "" = none
	Peers       []string     // peers to join at start, host or host:port
	Version     string
	VXLANPort   int
	RaftPort    int    // Raft transport and the store's RPC, on the underlay address
	RaftVoters  int    // how many peers vote in the store
	RaftLog     string // the Raft log's storage: store.LogWAL or store.LogBoltDB
	StoreAddr   string // the etcd v2 face, for dockerd --cluster-store
	LogLevel    string
	CreateWeave bool // create the Docker network "weave" at start
}

// DefaultConfig returns Weave Net's defaults.
func DefaultConfig() Config {
	return Config{
		Port:        6783,
		DataDir:     "/var/lib/weave",
		PluginDir:   "/run/docker/plugins",
		IPRange:     netip.MustParsePrefix("10.32.0.0/12"),
		DockerHost:  "unix:///var/run/docker.sock",
		StatusAddr:  "127.0.0.1:6784",
		MetricsAddr: "127.0.0.1:6782",
		VXLANPort:   6784,
		RaftPort:    6785,
		RaftVoters:  3,
		RaftLog:     store.LogWAL,
		StoreAddr:   "127.0.0.1:2379",
		LogLevel:    "info",
		CreateWeave: true,
	}
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9:._-]{0,62}$`)

// ValidName reports whether s can be a peer name.
func ValidName(s string) bool { return nameRE.MatchString(s) }

// Validate checks every field and names the first bad one with its value.
func (c Config) Validate() error {
	switch {
	case c.Name != "" && !ValidName(c.Name):
		return fmt.Errorf("--name %q: use 1 to 63 letters, digits and : . _ -", c.Name)
	case c.Host.IsValid() && !c.Host.Is4():
		return fmt.Errorf("--host %s: the underlay address must be IPv4", c.Host)
	case c.Port < 1 || c.Port > 65535:
		return fmt.Errorf("--port %d: must be 1 to 65535", c.Port)
	case c.VXLANPort < 1 || c.VXLANPort > 65535 || c.VXLANPort == c.Port:
		return fmt.Errorf("VXLAN port %d: must be 1 to 65535 and differ from --port", c.VXLANPort)
	case !c.IPRange.IsValid() || !c.IPRange.Addr().Is4():
		return fmt.Errorf("--ipalloc-range %s: must be an IPv4 CIDR such as 10.32.0.0/12",
			c.IPRange)
	case c.IPRange.Bits() > 30:
		return fmt.Errorf("--ipalloc-range %s: too small; give at least a /30", c.IPRange)
	case c.MTU != 0 && (c.MTU < 576 || c.MTU > 65000):
		return fmt.Errorf("--mtu %d: must be 576 to 65000, or 0 to derive it", c.MTU)
	case c.RaftPort < 1 || c.RaftPort > 65535 || c.RaftPort == c.Port:
		return fmt.Errorf("--raft-port %d: must be 1 to 65535 and differ from --port", c.RaftPort)
	case c.RaftVoters < 1 || c.RaftVoters > 9:
		return fmt.Errorf("--raft-voters %d: must be 1 to 9 (3 or 5 suit most clusters)",
			c.RaftVoters)
	case c.RaftLog != store.LogWAL && c.RaftLog != store.LogBoltDB:
		return fmt.Errorf("--raft-log %q: must be %s or %s", c.RaftLog, store.LogWAL,
			store.LogBoltDB)
	case c.DockerHost == "":
		return errors.New("--docker-host is empty")
	}
	for _, s := range c.IPInit.Seeds {
		if !ValidName(s) {
			return fmt.Errorf("--ipalloc-init: seed %q is not a peer name", s)
		}
	}
	return checkWritable(c.DataDir)
}

// ipInit is the initial division in force: the one given, or else, as in Weave Net,
// consensus among this peer and the peers it was launched with (one alone owns it all).
func (c Config) ipInit() ipam.Init {
	if c.IPInit.Mode != "" {
		return c.IPInit
	}
	return ipam.Init{Mode: ipam.InitConsensus, Quorum: len(c.Peers) + 1}
}

// ParseIPInit reads --ipalloc-init: "seed=NAME,NAME", "consensus=N" or "observer".
func ParseIPInit(s string) (ipam.Init, error) {
	if s == "" {
		return ipam.Init{}, nil
	}
	in, err := ipam.ParseInit(s)
	if err != nil {
		// ipam names the input as ipalloc-init "..."; the dashes make it the flag.
		return ipam.Init{}, fmt.Errorf("--%w", err)
	}
	return in, nil
}

// checkWritable makes dir if needed and proves that a file can be written in it.
func checkWritable(dir string) error {
	if dir == "" {
		return errors.New("--data-dir is empty")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--data-dir %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return fmt.Errorf("--data-dir %s is not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(filepath.Clean(f.Name()))
}
