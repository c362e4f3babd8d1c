package chaos

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// EnvConfig is the environment variable that marks a process as a chaos
// client and holds its Config as JSON.
const EnvConfig = "WEAVE_CHAOS_CLIENT"

// Mode is what a client process does.
type Mode string

// The modes of a client process.
const (
	// ModeOps runs random operations until StopFile appears or MaxDuration
	// passes, and writes them to Out as a JSON list of Op.
	ModeOps Mode = "ops"
	// ModeRead reads every key once by quorum and writes the reads to Out
	// as a JSON list of Op.
	ModeRead Mode = "read"
	// ModeDump reads the whole tree with a plain (local) read and writes it
	// to Out as a Dump.
	ModeDump Mode = "dump"
)

// Config says what one client process does.
type Config struct {
	Mode     Mode   `json:"mode"`
	Endpoint string `json:"endpoint"` // the etcd v2 URL, http://127.0.0.1:2379
	Client   int    `json:"client"`   // the client's number, from 0
	Seed     uint64 `json:"seed"`     // the seed of the operation mix
	Out      string `json:"out"`      // the file the client writes
	// Keys are the keys the client works on, below Prefix.
	Keys []string `json:"keys"`
	// StopFile ends ModeOps once it exists.
	StopFile string `json:"stopFile"`
	// MaxDuration bounds ModeOps whether or not StopFile appears.
	MaxDuration time.Duration `json:"maxDuration"`
	// Timeout bounds each request.
	Timeout time.Duration `json:"timeout"`
	// Think is the longest pause between two operations; each pause is
	// random up to it, so clients do not march in step.
	Think time.Duration `json:"think"`
}

// Prefix is the directory holding the chaos keys.
const Prefix = "/chaos"

// DefaultKeys returns the keys the clients share: few enough that they
// contend, enough that the checker's per-key partitions stay small.
func DefaultKeys() []string {
	return []string{Prefix + "/k0", Prefix + "/k1", Prefix + "/k2", Prefix + "/k3"}
}

// DefaultConfig returns the Config of client number client writing to out.
func DefaultConfig(mode Mode, client int, out string) Config {
	return Config{
		Mode:     mode,
		Endpoint: "http://127.0.0.1:2379",
		Client:   client,
		Seed:     uint64(time.Now().UnixNano()),
		Out:      out,
		Keys:     DefaultKeys(),
		// MaxDuration is a safety net; the test ends the clients with StopFile.
		MaxDuration: 3 * time.Minute,
		// Timeout is longer than an election (about a second) so that most
		// writes across a leader change still get an answer.
		Timeout: 3 * time.Second,
		// Think keeps the history (six clients for over a minute) to some
		// thousands of operations, which porcupine checks in seconds. It
		// was 40ms until the store got faster: the history grew to 13 000
		// operations and the check ran out of its minute.
		Think: 120 * time.Millisecond,
	}
}

// Validate reports the first field of c that a client cannot use.
func (c Config) Validate() error {
	switch c.Mode {
	case ModeOps, ModeRead, ModeDump:
	default:
		return fmt.Errorf("chaos: Config.Mode = %q: not ops, read or dump", c.Mode)
	}
	if c.Endpoint == "" {
		return fmt.Errorf("chaos: Config.Endpoint is empty")
	}
	if c.Out == "" {
		return fmt.Errorf("chaos: Config.Out is empty")
	}
	if c.Client < 0 {
		return fmt.Errorf("chaos: Config.Client = %d: must not be negative", c.Client)
	}
	if len(c.Keys) == 0 && c.Mode != ModeDump {
		return fmt.Errorf("chaos: Config.Keys is empty")
	}
	if c.Mode == ModeOps && c.StopFile == "" {
		return fmt.Errorf("chaos: Config.StopFile is empty")
	}
	if c.Mode == ModeOps && c.MaxDuration <= 0 {
		return fmt.Errorf("chaos: Config.MaxDuration = %s: must be positive", c.MaxDuration)
	}
	if c.Timeout <= 0 {
		return fmt.Errorf("chaos: Config.Timeout = %s: must be positive", c.Timeout)
	}
	if c.Think < 0 {
		return fmt.Errorf("chaos: Config.Think = %s: must not be negative", c.Think)
	}
	return nil
}

// Env returns the environment entry that hands c to a client process.
func (c Config) Env() string {
	b, err := json.Marshal(c)
	if err != nil {
		// A Config holds only strings, numbers and durations.
		panic(fmt.Sprintf("chaos: encode config: %v", err))
	}
	return EnvConfig + "=" + string(b)
}

// FromEnv returns the Config in the environment, and whether there is one:
// whether this process is a chaos client.
func FromEnv() (Config, bool, error) {
	v, ok := os.LookupEnv(EnvConfig)
	if !ok {
		return Config{}, false, nil
	}
	var c Config
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return c, true, fmt.Errorf("chaos: decode %s: %w", EnvConfig, err)
	}
	if err := c.Validate(); err != nil {
		return c, true, err
	}
	return c, true, nil
}
