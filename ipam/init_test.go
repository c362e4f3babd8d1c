package ipam

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseInit(t *testing.T) {
	tests := []struct {
		in   string
		want Init
		err  string // a part of the error, "" for none
	}{
		{"", Init{}, ""},
		{"seed=a", Init{Mode: InitSeed, Seeds: []string{"a"}}, ""},
		{"seed=a, b,,c", Init{Mode: InitSeed, Seeds: []string{"a", "b", "c"}}, ""},
		{"consensus=3", Init{Mode: InitConsensus, Quorum: 3}, ""},
		{"observer", Init{Mode: InitObserver}, ""},
		{"seed=", Init{}, "needs at least one peer name"},
		{"seed=" + strings.Repeat("x", 256), Init{}, "seed"},
		{"consensus", Init{}, "consensus=3"},
		{"consensus=0", Init{}, "1 to 1000"},
		{"consensus=x", Init{}, "1 to 1000"},
		{"consensus=1001", Init{}, "1 to 1000"},
		{"observer=1", Init{}, "takes no value"},
		{"quorum=3", Init{}, `unknown mode "quorum"`},
	}
	for _, tt := range tests {
		got, err := ParseInit(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ParseInit(%q): %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err) ||
			!strings.Contains(err.Error(), tt.in) || !errors.Is(err, ErrBadInit)):
			t.Errorf("ParseInit(%q) error = %v, want ErrBadInit naming the input and %q",
				tt.in, err, tt.err)
		case !reflect.DeepEqual(got, tt.want):
			t.Errorf("ParseInit(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestConfigValidateInit(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		field  string
	}{
		{"unknown mode", func(c *Config) { c.Init.Mode = "quorum" }, `Init.Mode "quorum"`},
		{"no quorum", func(c *Config) { c.Init = Init{Mode: InitConsensus} }, "Init.Quorum 0"},
		{"consensus seeds", func(c *Config) {
			c.Init = Init{Mode: InitConsensus, Quorum: 3, Seeds: []string{"a"}}
		}, "Init.Seeds"},
		{"observer quorum", func(c *Config) { c.Init = Init{Mode: InitObserver, Quorum: 2} },
			"Init.Quorum 2"},
		{"bad init seed", func(c *Config) { c.Init.Seeds = []string{""} }, `Init.Seeds[0] ""`},
		{"both seeds", func(c *Config) {
			c.Seeds = []string{"a"}
			c.Init.Mode = InitObserver
		}, "Seeds [a]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Self = "peer-1"
			tt.mutate(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Validate() = %v, want it to name %s", err, tt.field)
			}
		})
	}
}

// FuzzParseInit checks that parsing never panics, that what it accepts
// validates, and that String gives back text that parses to the same Init.
func FuzzParseInit(f *testing.F) {
	for _, s := range []string{"", "seed=a,b", "consensus=3", "observer", "seed= a ,,",
		"consensus=-1", "observer=", "seed"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in, err := ParseInit(s)
		if err != nil {
			return
		}
		if err := in.validate(); err != nil {
			t.Fatalf("ParseInit(%q) = %+v, which does not validate: %v", s, in, err)
		}
		again, err := ParseInit(in.String())
		if err != nil || !reflect.DeepEqual(again, in) {
			t.Fatalf("ParseInit(%q) = %+v; its String %q parses to %+v, %v", s, in, in.String(),
				again, err)
		}
	})
}
