package harness

import (
	"strings"
	"testing"
	"time"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Options)
		field string // "" means valid
	}{
		{"default", func(*Options) {}, ""},
		{"one host", func(o *Options) { o.Hosts = 1 }, ""},
		{"max hosts", func(o *Options) { o.Hosts = MaxHosts }, ""},
		{"no hosts", func(o *Options) { o.Hosts = 0 }, "Options.Hosts = 0"},
		{"too many hosts", func(o *Options) { o.Hosts = MaxHosts + 1 }, "Options.Hosts = 201"},
		{"state dir", func(o *Options) { o.StateDir = "/var/tmp" }, ""},
		{"relative state dir", func(o *Options) { o.StateDir = "tmp" }, `Options.StateDir = "tmp"`},
		{"state dir in run", func(o *Options) { o.StateDir = "/run/x" }, "/run"},
		{"state dir is sys", func(o *Options) { o.StateDir = "/sys" }, "/sys"},
		{"long state dir", func(o *Options) { o.StateDir = "/" + strings.Repeat("d", 60) },
			"longer than 40"},
		{"negative docker timeout", func(o *Options) { o.DockerTimeout = -time.Second },
			"Options.DockerTimeout = -1s"},
		{"negative stop timeout", func(o *Options) { o.ProcStopTimeout = -time.Second },
			"Options.ProcStopTimeout = -1s"},
		{"docker args", func(o *Options) {
			o.DockerArgs = []string{"--cluster-store=etcd://127.0.0.1:2379", "--debug"}
		}, ""},
		{"data root", func(o *Options) { o.DockerArgs = []string{"--debug", "--data-root=/x"} },
			`Options.DockerArgs[1] = "--data-root=/x"`},
		{"host", func(o *Options) { o.DockerArgs = []string{"-H", "tcp://0.0.0.0:2375"} },
			`Options.DockerArgs[0] = "-H"`},
		{"host joined", func(o *Options) { o.DockerArgs = []string{"-Hunix:///x"} }, "-H"},
		{"pidfile", func(o *Options) { o.DockerArgs = []string{"--pidfile", "/x"} }, "--pidfile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			tt.edit(&o)
			err := o.Validate()
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.field != "" && (err == nil || !strings.Contains(err.Error(), tt.field)):
				t.Errorf("Validate() = %v, want an error naming %q", err, tt.field)
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{Hosts: 3}.withDefaults()
	d := DefaultOptions()
	if o.DockerTimeout != d.DockerTimeout || o.ProcStopTimeout != d.ProcStopTimeout {
		t.Errorf("withDefaults() = %+v", o)
	}
	o = Options{Hosts: 3, DockerTimeout: time.Second}.withDefaults()
	if o.DockerTimeout != time.Second {
		t.Errorf("withDefaults() replaced DockerTimeout: %s", o.DockerTimeout)
	}
}
