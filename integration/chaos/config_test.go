package chaos

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	good := DefaultConfig(ModeOps, 1, "/tmp/x.json")
	good.StopFile = "/tmp/stop"
	for _, tc := range []struct {
		name   string
		change func(*Config)
		field  string // what the error must name; "" for none
	}{
		{"default", func(*Config) {}, ""},
		{"mode", func(c *Config) { c.Mode = "walk" }, `Config.Mode = "walk"`},
		{"endpoint", func(c *Config) { c.Endpoint = "" }, "Config.Endpoint"},
		{"out", func(c *Config) { c.Out = "" }, "Config.Out"},
		{"client", func(c *Config) { c.Client = -1 }, "Config.Client = -1"},
		{"keys", func(c *Config) { c.Keys = nil }, "Config.Keys"},
		{"dump needs no keys", func(c *Config) { c.Mode, c.Keys = ModeDump, nil }, ""},
		{"stop file", func(c *Config) { c.StopFile = "" }, "Config.StopFile"},
		{"read needs no stop file", func(c *Config) { c.Mode, c.StopFile = ModeRead, "" }, ""},
		{"max duration", func(c *Config) { c.MaxDuration = 0 }, "Config.MaxDuration = 0s"},
		{"timeout", func(c *Config) { c.Timeout = -time.Second }, "Config.Timeout = -1s"},
		{"think", func(c *Config) { c.Think = -time.Second }, "Config.Think = -1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("want valid: %v", err)
			case tc.field != "" && (err == nil || !strings.Contains(err.Error(), tc.field)):
				t.Fatalf("want an error naming %s, got %v", tc.field, err)
			}
		})
	}
}

func TestConfigEnvRoundTrip(t *testing.T) {
	c := DefaultConfig(ModeOps, 3, "/tmp/ops.json")
	c.StopFile = "/tmp/stop"
	name, value, _ := strings.Cut(c.Env(), "=")
	if name != EnvConfig {
		t.Fatalf("Env names %q, want %q", name, EnvConfig)
	}
	t.Setenv(EnvConfig, value)
	got, ok, err := FromEnv()
	if !ok || err != nil {
		t.Fatalf("FromEnv: %v %v", ok, err)
	}
	if got.Client != 3 || got.Seed != c.Seed || got.Timeout != c.Timeout ||
		strings.Join(got.Keys, ",") != strings.Join(c.Keys, ",") {
		t.Fatalf("FromEnv gave %+v, want %+v", got, c)
	}

	t.Setenv(EnvConfig, "{not json")
	if _, ok, err := FromEnv(); !ok || err == nil {
		t.Fatalf("FromEnv of bad JSON: %v %v, want an error", ok, err)
	}
}

func TestOpValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   Op
		ok   bool
	}{
		{"get", op(Get, "a", "", "", "x", OK, 1, 2), true},
		{"unknown get", op(Get, "a", "", "", "", Unknown, 1, 2), true},
		{"failed get", op(Get, "a", "", "", "", Failed, 1, 2), false},
		{"kind", op("del", "a", "v", "", "", OK, 1, 2), false},
		{"outcome", op(Put, "a", "v", "", "", "maybe", 1, 2), false},
		{"no key", op(Put, "", "v", "", "", OK, 1, 2), false},
		{"put without value", op(Put, "a", "", "", "", OK, 1, 2), false},
		{"cas without expected", op(CAS, "a", "v", "", "", OK, 1, 2), false},
		{"failed cas", op(CAS, "a", "v", "w", "", Failed, 1, 2), true},
		{"returns before call", op(Get, "a", "", "", "", OK, 2, 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate(%s) = %v, want ok %v", tc.op, err, tc.ok)
			}
		})
	}
}
