package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"weave.works/weave/daemon"
)

// parseLaunch runs the launch flag parsing and config validation, without starting.
func parseLaunch(args []string) (daemon.Config, error) {
	cfg := daemon.DefaultConfig()
	fs, finish := launchFlags(&cfg)
	fs.SetOutput(new(strings.Builder))
	peers, err := parseInterleaved(fs, args)
	if err != nil {
		return cfg, err
	}
	if err := finish(); err != nil {
		return cfg, err
	}
	cfg.Peers = peers
	return cfg, cfg.Validate()
}

func TestLaunchFlagErrors(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	ok := []string{"--data-dir", dir}
	cases := []struct {
		args []string
		want string // the flag and the value the message must name
	}{
		{[]string{"--host", "nope"}, `--host "nope"`},
		{[]string{"--host", "fe80::1"}, "--host fe80::1"},
		{[]string{"--port", "70000"}, "--port 70000"},
		{[]string{"--ipalloc-range", "10.32.0.0"}, `--ipalloc-range "10.32.0.0"`},
		{[]string{"--ipalloc-range", "10.32.0.1/12"}, "--ipalloc-range 10.32.0.1/12"},
		{[]string{"--ipalloc-range", "10.32.0.0/31"}, "--ipalloc-range 10.32.0.0/31"},
		{[]string{"--ipalloc-init", "seed="}, `--ipalloc-init "seed="`},
		{[]string{"--ipalloc-init", "paxos=3"}, `unknown mode "paxos"`},
		{[]string{"--ipalloc-init", "consensus=x"}, `--ipalloc-init "consensus=x"`},
		{[]string{"--name", "bad name"}, `--name "bad name"`},
		{[]string{"--mtu", "100"}, "--mtu 100"},
		{[]string{"--log-level", "loud"}, ""}, // checked when the logger is made
		{[]string{"--no-such-flag"}, "no-such-flag"},
	}
	for _, tc := range cases {
		_, err := parseLaunch(append(append([]string{}, ok...), tc.args...))
		if tc.want == "" {
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to name %s", tc.args, err, tc.want)
		}
	}
	if os.Geteuid() != 0 { // root writes anywhere
		if _, err := parseLaunch([]string{"--data-dir", ro}); err == nil ||
			!strings.Contains(err.Error(), "--data-dir "+ro) {
			t.Errorf("unwritable data dir: %v", err)
		}
	}
	if _, err := parseLaunch([]string{"--data-dir", "/proc/none"}); err == nil ||
		!strings.Contains(err.Error(), "--data-dir /proc/none") {
		t.Errorf("data dir that cannot be made: %v", err)
	}
	if _, err := newLogger("loud"); err == nil || !strings.Contains(err.Error(), "--log-level") {
		t.Errorf("bad log level: %v", err)
	}
}

func TestLaunchFlagsInterleaved(t *testing.T) {
	cfg, err := parseLaunch([]string{"10.0.0.2", "--data-dir", t.TempDir(), "--name", "h1",
		"--ipalloc-init", "seed=h1,h2", "10.0.0.3:7000"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "h1" || len(cfg.Peers) != 2 || cfg.Peers[1] != "10.0.0.3:7000" ||
		len(cfg.IPInit.Seeds) != 2 {
		t.Errorf("parsed %+v", cfg)
	}
}
