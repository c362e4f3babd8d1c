package ipam

import (
	"context"
	"flag"
	"net/netip"
	"path/filepath"
	"testing"
	"time"
)

var bg = context.Background()

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

// testConfig returns a configuration for peer self with its state file in a
// fresh temporary directory.
func testConfig(t testing.TB, self string, seeds ...string) Config {
	t.Helper()
	c := DefaultConfig()
	c.Self = self
	c.Seeds = seeds
	c.Path = filepath.Join(t.TempDir(), "ipam.db")
	c.RequestTimeout = 5 * time.Second
	return c
}

// open opens an allocator that the test closes when it ends.
func open(t testing.TB, cfg Config, g Gossip) *Allocator {
	t.Helper()
	a, err := Open(cfg, g)
	if err != nil {
		t.Fatalf("Open(%s): %v", cfg.Self, err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func mustAllocate(t testing.TB, a *Allocator, pool, label string) netip.Addr {
	t.Helper()
	addr, err := a.Allocate(bg, pfx(pool), label)
	if err != nil {
		t.Fatalf("Allocate(%s, %s): %v", pool, label, err)
	}
	return addr
}

// eventually polls cond every 10 ms until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// seedFlag replays a seeded test: go test ./ipam -run NAME -ipam.seed=N.
var seedFlag = flag.Uint64("ipam.seed", 0, "seed for the seeded ipam tests; 0 picks one")

// testSeed returns the seed for a seeded test and prints it with the command
// that replays it.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay: go test ./ipam -run '^%s$' -ipam.seed=%d)", seed, t.Name(), seed)
	return seed
}
