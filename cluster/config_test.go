package cluster

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfigIsValidWithAName(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Name = "aa:bb:cc:dd:ee:ff"
	if err := cfg.Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	if cfg.Port != 6783 || cfg.RaftPort != 6785 || cfg.RejoinInterval != 2*time.Second {
		t.Errorf("defaults are %d, %d, %v", cfg.Port, cfg.RaftPort, cfg.RejoinInterval)
	}
	fast := cfg
	fast.Timing = FastTiming()
	if err := fast.Validate(); err != nil {
		t.Fatalf("fast timing: %v", err)
	}
}

func TestValidateNamesFieldAndValue(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*Config)
		field  string
		value  string
		reason string
	}{
		{"no name", func(c *Config) { c.Name = "" }, "Name", `""`, "required"},
		{"name with space", func(c *Config) { c.Name = "a b" }, "Name", `"a b"`, "spaces"},
		{"long name", func(c *Config) { c.Name = strings.Repeat("n", 256) }, "Name", "nnn",
			"longer than 255"},
		{"bind not an IP", func(c *Config) { c.BindAddr = "eth0" }, "BindAddr", `"eth0"`,
			"not an IP"},
		{"advertise not an IP", func(c *Config) { c.AdvertiseAddr = "host" }, "AdvertiseAddr",
			`"host"`, "not an IP"},
		{"port too big", func(c *Config) { c.Port = 70000 }, "Port", `"70000"`, "65535"},
		{"negative port", func(c *Config) { c.Port = -1 }, "Port", `"-1"`, "65535"},
		{"raft port zero", func(c *Config) { c.RaftPort = 0 }, "RaftPort", `"0"`, "1 to"},
		{"rejoin too often", func(c *Config) { c.RejoinInterval = time.Millisecond },
			"RejoinInterval", `"1ms"`, "10ms"},
		{"zero probe interval", func(c *Config) { c.Timing.ProbeInterval = 0 },
			"Timing.ProbeInterval", `"0s"`, "positive"},
		{"probe timeout too long", func(c *Config) { c.Timing.ProbeTimeout = 2 * time.Second },
			"Timing.ProbeTimeout", `"2s"`, "shorter than"},
		{"suspicion mult zero", func(c *Config) { c.Timing.SuspicionMult = 0 },
			"Timing.SuspicionMult", `"0"`, "at least 1"},
		{"negative reclaim", func(c *Config) { c.Timing.DeadNodeReclaim = -time.Second },
			"Timing.DeadNodeReclaim", `"-1s"`, "negative"},
		{"zero tcp timeout", func(c *Config) { c.Timing.TCPTimeout = 0 },
			"Timing.TCPTimeout", `"0s"`, "positive"},
		{"metadata too big", func(c *Config) { c.Nickname = strings.Repeat("h", 500) },
			"Nickname", "hhh", "512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Name = "peer"
			tt.mod(&cfg)
			err := cfg.Validate()
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("Validate: %v, want ErrInvalidConfig", err)
			}
			for _, part := range []string{tt.field + " ", tt.value, tt.reason} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not hold %q", err, part)
				}
			}
		})
	}
}

func TestSuspectAfter(t *testing.T) {
	tm := DefaultTiming()
	tests := []struct {
		others, health int
		want           time.Duration
	}{
		{0, 0, 3500 * time.Millisecond},
		{1, 0, 3500 * time.Millisecond},
		{2, 0, 5500 * time.Millisecond},
		{2, 1, 10500 * time.Millisecond},
		{9, 0, 19500 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := tm.suspectAfter(tt.others, tt.health); got != tt.want {
			t.Errorf("suspectAfter(%d, %d) = %v, want %v", tt.others, tt.health, got, tt.want)
		}
	}
}

func TestStateText(t *testing.T) {
	for _, s := range []State{StateAlive, StateSuspect, StateDead, StateLeft} {
		b, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back State
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%s: round trip gave %v, %v", s, back, err)
		}
	}
	var s State
	if err := s.UnmarshalText([]byte("sleeping")); err == nil {
		t.Error("unknown state name parsed")
	}
	if got := State(0).String(); got != "unknown(0)" {
		t.Errorf("zero state is %q", got)
	}
}
