package ipam

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if c.Range.String() != "10.32.0.0/12" || c.RequestTimeout != 30*time.Second {
		t.Errorf("DefaultConfig() = %+v", c)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "Self") {
		t.Errorf("default config without Self: Validate() = %v, want it to name Self", err)
	}
	c.Self = "peer-1"
	if err := c.Validate(); err != nil {
		t.Errorf("default config with Self: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		field  string
	}{
		{"ipv6 range", func(c *Config) { c.Range = pfx("fd01::/64") }, "Range fd01::/64"},
		{"unset range", func(c *Config) { c.Range = netip.Prefix{} }, "Range"},
		{"host bits", func(c *Config) { c.Range = pfx("10.32.0.1/12") }, "Range 10.32.0.1/12"},
		{"tiny range", func(c *Config) { c.Range = pfx("10.32.0.0/31") }, "Range 10.32.0.0/31"},
		{"no path", func(c *Config) { c.Path = "" }, "Path"},
		{"timeout", func(c *Config) { c.RequestTimeout = -time.Second }, "RequestTimeout -1s"},
		{"empty self", func(c *Config) { c.Self = "" }, `Self ""`},
		{"empty seed", func(c *Config) { c.Seeds = []string{"a", ""} }, `Seeds[1] ""`},
		{"long seed", func(c *Config) { c.Seeds = []string{strings.Repeat("x", 256)} }, "Seeds[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Self = "peer-1"
			tt.mutate(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Validate() = %v, want it to name %s", err, tt.field)
			}
		})
	}
}

func TestGateway(t *testing.T) {
	tests := []struct{ pool, want string }{
		{"10.32.0.0/12", "10.32.0.1"},
		{"10.32.5.0/24", "10.32.5.1"},
		{"10.32.5.77/24", "10.32.5.1"},
	}
	for _, tt := range tests {
		if got := Gateway(netip.MustParsePrefix(tt.pool)); got.String() != tt.want {
			t.Errorf("Gateway(%s) = %s, want %s", tt.pool, got, tt.want)
		}
	}
}
