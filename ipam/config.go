package ipam

import (
	"fmt"
	"net/netip"
	"time"

	"weave.works/weave/ipam/ring"
)

// Config says what an Allocator divides and where it keeps its state.
type Config struct {
	// Range is the IPv4 range the ring divides between peers.
	Range netip.Prefix
	// Self is this peer's name.
	Self string
	// Init says how the range is first divided between peers
	// (--ipalloc-init). A peer not among the seeds of seed mode starts
	// owning nothing, as an observer does.
	Init Init
	// Seeds is the form of Init.Seeds from before Init existed: with
	// Init.Mode empty, Seeds here mean seed mode with these peers.
	Seeds []string
	// Path is the bbolt file holding the ring and the allocations.
	Path string
	// RequestTimeout bounds any allocation that must wait for space from
	// other peers.
	RequestTimeout time.Duration
}

// DefaultConfig returns the defaults: Weave Net's range 10.32.0.0/12, the
// state file under /var/lib/weave, and a 30 s bound on waiting for space, long
// enough for a donation over a slow link and short enough for Docker's own
// request timeout. Self must still be set.
func DefaultConfig() Config {
	return Config{
		Range:          netip.MustParsePrefix("10.32.0.0/12"),
		Path:           "/var/lib/weave/ipam.db",
		RequestTimeout: 30 * time.Second,
	}
}

// Validate reports the first field that cannot work, naming it and its value.
func (c Config) Validate() error {
	switch {
	case !c.Range.IsValid() || !c.Range.Addr().Is4():
		return fmt.Errorf("ipam config: Range %s: not an IPv4 prefix", c.Range)
	case c.Range != c.Range.Masked():
		return fmt.Errorf("ipam config: Range %s: host bits set, want %s", c.Range,
			c.Range.Masked())
	case c.Range.Bits() > 30:
		return fmt.Errorf("ipam config: Range %s: smaller than a /30", c.Range)
	case c.Path == "":
		return fmt.Errorf("ipam config: Path %q: empty", c.Path)
	case c.RequestTimeout <= 0:
		return fmt.Errorf("ipam config: RequestTimeout %s: not positive", c.RequestTimeout)
	}
	if err := checkName(c.Self); err != nil {
		return fmt.Errorf("ipam config: Self %q: %w", c.Self, err)
	}
	for i, s := range c.Seeds {
		if err := checkName(s); err != nil {
			return fmt.Errorf("ipam config: Seeds[%d] %q: %w", i, s, err)
		}
	}
	if len(c.Seeds) > 0 && (c.Init.Mode != "" || len(c.Init.Seeds) > 0) {
		return fmt.Errorf("ipam config: Seeds %v: give seeds in Init.Seeds only", c.Seeds)
	}
	if err := c.Init.validate(); err != nil {
		return fmt.Errorf("ipam config: %w", err)
	}
	return nil
}

// init returns the Init in force, with the older Seeds folded in and the
// mode spelt out.
func (c Config) init() Init {
	in := c.Init
	if in.Mode == "" {
		in.Mode = InitSeed
		if len(in.Seeds) == 0 {
			in.Seeds = c.Seeds
		}
	}
	return in
}

// seeds returns the seed set of seed mode, Self alone when none is
// configured.
func (c Config) seeds() []string {
	if s := c.init().Seeds; len(s) > 0 {
		return s
	}
	return []string{c.Self}
}

func checkName(name string) error {
	if name == "" || len(name) > ring.MaxPeerName {
		return fmt.Errorf("%w: want 1 to %d bytes", ring.ErrBadPeerName, ring.MaxPeerName)
	}
	return nil
}
