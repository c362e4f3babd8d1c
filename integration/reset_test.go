package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReset: weave reset stops the daemon and removes every device, rule, socket and state
// file it made, and nothing else.
func TestReset(t *testing.T) {
	ctx, c, _ := gossipCluster(t, 1, 2*time.Minute)
	h := c.Hosts()[0]

	// An endpoint made the way Docker makes one, so that there is a veth to remove.
	cl := pluginClient(h)
	for _, call := range [][2]string{
		{"/NetworkDriver.CreateNetwork", `{"NetworkID":"n1"}`},
		{"/NetworkDriver.CreateEndpoint",
			`{"NetworkID":"n1","EndpointID":"ab12cd34ef","Interface":{"Address":"10.32.0.9/12"}}`},
	} {
		if status, body := post(t, cl, call[0], call[1]); status != 200 {
			t.Fatalf("%s: %d %s", call[0], status, body)
		}
	}
	before, _ := h.Run(ctx, "ip", "-o", "link", "show")
	for _, want := range []string{"weave", "vxlan-6784", "vethwlab12cd34"} {
		if !strings.Contains(before, want+":") && !strings.Contains(before, want+"@") {
			t.Fatalf("no link %s before reset:\n%s", want, before)
		}
	}

	out, err := h.Run(ctx, weaveBin, "reset", "--data-dir", filepath.Join(h.Dir, "weave"))
	if err != nil {
		t.Fatalf("weave reset: %v", err)
	}
	t.Logf("weave reset:\n%s", out)
	if err := h.Proc("weave").Wait(20 * time.Second); err != nil {
		t.Errorf("daemon after reset: %v", err)
	}
	after, _ := h.Run(ctx, "ip", "-o", "link", "show")
	for _, gone := range []string{"weave:", "vxlan-6784", "vethwl", "vethwg"} {
		if strings.Contains(after, gone) {
			t.Errorf("%s still there after reset:\n%s", gone, after)
		}
	}
	if !strings.Contains(after, "eth0") {
		t.Errorf("reset removed the host's own link:\n%s", after)
	}
	rules, _ := h.Run(ctx, "iptables", "-S", "FORWARD")
	if strings.Contains(rules, "-i weave -o weave") {
		t.Errorf("FORWARD rule still there:\n%s", rules)
	}
	for _, f := range []string{"peer-name", "ipam.db", "weavemesh.db"} {
		if _, err := os.Stat(filepath.Join(h.Dir, "weave", f)); err == nil {
			t.Errorf("%s still there after reset", f)
		}
	}
}
