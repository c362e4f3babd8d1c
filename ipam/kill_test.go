package ipam

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// killChildEnv names the state file a child process of TestKillNeverDuplicates
// allocates from.
const killChildEnv = "WEAVE_IPAM_KILL_CHILD"

// TestKillNeverDuplicates runs an allocator in a child process, kills it with
// SIGKILL at a random moment, reopens its state file and checks that every
// allocation the child reported is there, every release it reported is gone,
// and that no address is ever reported twice while held.
func TestKillNeverDuplicates(t *testing.T) {
	if path := os.Getenv(killChildEnv); path != "" {
		killChild(path)
		return
	}
	rounds := 4
	if testing.Short() {
		rounds = 2
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	cfg := testConfig(t, "a")
	cfg.Range = pfx("10.32.0.0/24")
	held := map[netip.Addr]bool{}
	for round := range rounds {
		lines := 20 + int(uint64(seed)>>(round*8)%150)
		releasing := map[netip.Addr]bool{}
		for _, line := range runKillChild(t, cfg.Path, lines) {
			addr := netip.MustParseAddr(strings.TrimLeft(line, "~-"))
			switch {
			case line[0] == '~':
				releasing[addr] = true
			case line[0] == '-':
				delete(held, addr)
				delete(releasing, addr)
			case held[addr]:
				t.Fatalf("seed %d round %d: %s handed out twice", seed, round, addr)
			default:
				held[addr] = true
			}
		}
		a, err := Open(cfg, nil)
		if err != nil {
			t.Fatalf("reopen after kill: %v", err)
		}
		got := a.Allocated()
		a.Close()
		for addr := range held {
			if _, ok := got[addr]; !ok && !releasing[addr] {
				t.Fatalf("seed %d round %d: reported %s lost after the kill", seed, round, addr)
			}
		}
		// Changes under way at the kill may have been committed
		// unreported; from here on the state file is the truth.
		held = map[netip.Addr]bool{}
		for addr := range got {
			held[addr] = true
		}
	}
}

// runKillChild starts the child, reads lines of its output, then kills it.
func runKillChild(t *testing.T, path string, lines int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKillNeverDuplicates$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var got []string
	sc := bufio.NewScanner(out)
	for len(got) < lines && sc.Scan() {
		if line := sc.Text(); isReport(line) {
			got = append(got, line)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	// Lines written before the kill landed are reports like any other.
	for sc.Scan() {
		if line := sc.Text(); isReport(line) {
			got = append(got, line)
		}
	}
	cmd.Wait()
	if len(got) < lines {
		t.Fatalf("child reported %d lines before it stopped, want %d", len(got), lines)
	}
	return got
}

// isReport tells the child's reports from other output of the test binary.
func isReport(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, "~-"), "10.")
}

// killChild allocates and releases until it is killed, printing each address
// once its allocation has returned. A release is announced with "~" before it
// starts and reported with "-" once it returned.
func killChild(path string) {
	cfg := DefaultConfig()
	cfg.Self, cfg.Path = "a", path
	cfg.Range = netip.MustParsePrefix("10.32.0.0/24")
	a, err := Open(cfg, nil)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	var mine []netip.Addr
	for addr := range a.Allocated() {
		mine = append(mine, addr)
	}
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < 100000 && time.Now().Before(deadline); i++ {
		if len(mine) > 200 || (i%3 == 2 && len(mine) > 0) {
			addr := mine[0]
			mine = mine[1:]
			fmt.Printf("~%s\n", addr)
			if a.Release(context.Background(), addr) == nil {
				fmt.Printf("-%s\n", addr)
			}
			continue
		}
		addr, err := a.Allocate(context.Background(), cfg.Range, fmt.Sprint("c", i))
		if err != nil {
			continue
		}
		mine = append(mine, addr)
		fmt.Println(addr)
	}
	os.Exit(0)
}
