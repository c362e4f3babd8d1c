package cluster

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"time"
	"unicode"

	"github.com/hashicorp/memberlist"
)

// Defaults of Config, following Weave Net's port numbers.
const (
	// DefaultPort is the gossip port, TCP and UDP.
	DefaultPort = 6783
	// DefaultRaftPort is the Raft transport port carried in node metadata.
	DefaultRaftPort = 6785
	// DefaultRejoinInterval is how often known peers that are not alive are
	// joined again.
	DefaultRejoinInterval = 2 * time.Second
)

// maxNameLen bounds a peer name; the message envelope stores it with a
// one-byte length.
const maxNameLen = 255

// Config is what New needs to start a peer. Start from DefaultConfig.
type Config struct {
	// Name is the stable peer name (memberlist node name). Required.
	Name string
	// Nickname is the host name, carried in metadata.
	Nickname string
	// BindAddr is the IP to bind gossip on; "" binds all addresses.
	BindAddr string
	// AdvertiseAddr is the underlay IP others reach us at; "" lets
	// memberlist choose (the bind address, or a private address of the host).
	AdvertiseAddr string
	// Port is the TCP and UDP gossip port. 0 picks a free port, for tests.
	Port int
	// Password turns on gossip encryption when not empty.
	Password string
	// Version is our weave version, carried in metadata.
	Version string
	// RaftPort is the Raft transport port, carried in metadata.
	RaftPort int
	// RejoinInterval is how often known peers that are not alive are joined
	// again.
	RejoinInterval time.Duration
	// Timing holds memberlist's failure detection and gossip periods.
	Timing Timing
	// Logger receives the cluster's log records and memberlist's lines. nil
	// discards them.
	Logger *slog.Logger
	// Transport replaces memberlist's UDP and TCP transport when not nil; a
	// memnet.Transport in tests. BindAddr and Port are then not used.
	Transport memberlist.Transport
}

// DefaultConfig returns a Config with the default ports, timing and rejoin
// interval, and the host name as Nickname. Name is left for the caller.
func DefaultConfig() Config {
	host, _ := os.Hostname()
	return Config{
		Nickname:       host,
		Port:           DefaultPort,
		RaftPort:       DefaultRaftPort,
		RejoinInterval: DefaultRejoinInterval,
		Timing:         DefaultTiming(),
	}
}

// Validate checks every field and names the first bad one and its value.
func (c Config) Validate() error {
	if err := checkName("Name", c.Name); err != nil {
		return err
	}
	if err := checkIP("BindAddr", c.BindAddr); err != nil {
		return err
	}
	if err := checkIP("AdvertiseAddr", c.AdvertiseAddr); err != nil {
		return err
	}
	if c.Port < 0 || c.Port > 65535 {
		return invalid("Port", strconv.Itoa(c.Port), "must be 0 (any free port) to 65535")
	}
	if c.RaftPort < 1 || c.RaftPort > 65535 {
		return invalid("RaftPort", strconv.Itoa(c.RaftPort), "must be 1 to 65535")
	}
	if c.RejoinInterval < 10*time.Millisecond {
		return invalid("RejoinInterval", c.RejoinInterval.String(), "must be at least 10ms")
	}
	if err := c.Timing.validate(); err != nil {
		return err
	}
	// The metadata is checked in its largest form, the one sent on Leave.
	m := c.meta()
	m.Leaving = true
	if _, err := encodeMeta(m); err != nil {
		return invalid("Nickname", c.Nickname, fmt.Sprintf("with Version %q: %v", c.Version, err))
	}
	return nil
}

// invalid builds the error Validate returns for one field.
func invalid(field, value, why string) error {
	return fmt.Errorf("%w: %s %q: %s", ErrInvalidConfig, field, value, why)
}

func checkName(field, name string) error {
	if name == "" {
		return invalid(field, name, "is required")
	}
	if len(name) > maxNameLen {
		return invalid(field, name, fmt.Sprintf("is longer than %d bytes", maxNameLen))
	}
	for _, r := range name {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return invalid(field, name, "must not hold spaces or control characters")
		}
	}
	return nil
}

func checkIP(field, s string) error {
	if s == "" {
		return nil
	}
	if _, err := netip.ParseAddr(s); err != nil {
		return invalid(field, s, "is not an IP address")
	}
	return nil
}

// meta returns the node metadata this config announces, before the
// advertise address is known.
func (c Config) meta() meta {
	return meta{Nickname: c.Nickname, Addr: c.AdvertiseAddr, RaftPort: uint16(c.RaftPort),
		Version: c.Version}
}
