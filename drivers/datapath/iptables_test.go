package datapath

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/vishvananda/netns"
)

// forwardChildEnv marks the test binary run inside a test namespace by TestForwardAccept.
const forwardChildEnv = "WVDP_FORWARD_CHILD"

// TestForwardAccept runs itself again in a fresh namespace through `ip netns exec`, so
// iptables only ever changes that namespace's tables; the run inside does the checks.
func TestForwardAccept(t *testing.T) {
	if os.Getenv(forwardChildEnv) != "" {
		forwardAcceptChild(t)
		return
	}
	needRoot(t)
	if _, err := exec.LookPath("iptables"); err != nil {
		t.Skip("no iptables binary")
	}
	n := newNS(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatalf("test binary: %v", err)
	}
	cmd := exec.Command("ip", "netns", "exec", n.name, self,
		"-test.run=^TestForwardAccept$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), forwardChildEnv+"="+n.name)
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil {
		t.Fatalf("child in %s: %v", n.name, err)
	}
	if !strings.Contains(string(out), "forward accept checked in "+n.name) {
		t.Fatalf("the run inside the namespace did not do the checks")
	}
}

// forwardAcceptChild does the real work of TestForwardAccept inside its test namespace.
func forwardAcceptChild(t *testing.T) {
	name := os.Getenv(forwardChildEnv)
	defer func() {
		if !t.Failed() {
			t.Logf("forward accept checked in %s", name)
		}
	}()
	if err := inNamedNS(name); err != nil {
		t.Fatalf("refusing to run iptables: %v", err)
	}

	const bridge = "weave"
	if err := EnsureForwardAccept("bad/name"); !errors.Is(err, ErrInvalid) {
		t.Errorf("EnsureForwardAccept(bad/name) = %v, want ErrInvalid", err)
	}

	// Another rule first: the check must find ours anywhere, and ours goes in at the top.
	mustIptables(t, "-A", "FORWARD", "-i", "other", "-j", "DROP")
	for i := range 2 {
		if err := EnsureForwardAccept(bridge); err != nil {
			t.Fatalf("EnsureForwardAccept #%d: %v", i+1, err)
		}
	}
	rules := forwardRules(t)
	if got := countRule(rules, bridge); got != 1 {
		t.Errorf("rule present %d times after two ensures, want 1:\n%s", got, rules)
	}
	if len(rules) < 2 || !strings.Contains(rules[1], "-i weave -o weave -j ACCEPT") {
		t.Errorf("rule is not first in FORWARD:\n%s", strings.Join(rules, "\n"))
	}

	// A copy someone else added goes too.
	mustIptables(t, "-A", "FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT")
	for i := range 2 {
		if err := RemoveForwardAccept(bridge); err != nil {
			t.Fatalf("RemoveForwardAccept #%d: %v", i+1, err)
		}
	}
	if got := countRule(forwardRules(t), bridge); got != 0 {
		t.Errorf("rule present %d times after remove, want 0", got)
	}

	// Without iptables on PATH there is nothing to open or close.
	t.Setenv("PATH", t.TempDir())
	if err := EnsureForwardAccept(bridge); err != nil {
		t.Errorf("EnsureForwardAccept without iptables = %v, want nil", err)
	}
	if err := RemoveForwardAccept(bridge); err != nil {
		t.Errorf("RemoveForwardAccept without iptables = %v, want nil", err)
	}
}

// inNamedNS returns an error unless the calling thread is in the named namespace.
func inNamedNS(name string) error {
	want, err := netns.GetFromName(name)
	if err != nil {
		return fmt.Errorf("namespace %s: %w", name, err)
	}
	defer want.Close()
	cur, err := netns.Get()
	if err != nil {
		return fmt.Errorf("current namespace: %w", err)
	}
	defer cur.Close()
	if !cur.Equal(want) {
		return fmt.Errorf("not in namespace %s", name)
	}
	return nil
}

func mustIptables(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("iptables", args...).CombinedOutput(); err != nil {
		t.Fatalf("iptables %v: %v: %s", args, err, out)
	}
}

// forwardRules returns `iptables -S FORWARD`, one rule a line, the policy first.
func forwardRules(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("iptables", "-S", "FORWARD").CombinedOutput()
	if err != nil {
		t.Fatalf("iptables -S FORWARD: %v: %s", err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

func countRule(rules []string, bridge string) int {
	want := "-A FORWARD -i " + bridge + " -o " + bridge + " -j ACCEPT"
	n := 0
	for _, r := range rules {
		if r == want {
			n++
		}
	}
	return n
}
