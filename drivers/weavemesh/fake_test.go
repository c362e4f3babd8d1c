package weavemesh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"

	meshipam "weave.works/weave/ipam"
)

// fakePath records veths instead of making them.
type fakePath struct {
	mu    sync.Mutex
	veths map[string]bool
	fail  error
}

func (f *fakePath) CreateVeth(id string, addr netip.Addr) (Veth, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return Veth{}, f.fail
	}
	v := Veth{Host: "vethwl" + id[:4], Peer: "vethwg" + id[:4], MAC: "7a:77:0a:20:00:02"}
	f.veths[v.Host] = true
	return v, nil
}

func (f *fakePath) DeleteVeth(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.veths, name)
	return nil
}

// fakeAlloc hands out addresses in order and remembers them.
type fakeAlloc struct {
	mu   sync.Mutex
	used map[netip.Addr]bool
}

func (f *fakeAlloc) Allocate(_ context.Context, pool netip.Prefix, _ string) (netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for a := meshipam.Gateway(pool).Next(); pool.Contains(a); a = a.Next() {
		if !f.used[a] {
			f.used[a] = true
			return a, nil
		}
	}
	return netip.Addr{}, errors.New("exhausted")
}

func (f *fakeAlloc) Claim(_ context.Context, a netip.Addr, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.used[a] {
		return fmt.Errorf("%s: %w", a, meshipam.ErrInUse)
	}
	f.used[a] = true
	return nil
}

func (f *fakeAlloc) Release(_ context.Context, a netip.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.used[a] {
		return meshipam.ErrNotAllocated
	}
	delete(f.used, a)
	return nil
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestDriver(t testing.TB, dir string) (*Driver, *fakePath) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.StatePath = filepath.Join(dir, "weavemesh.db")
	fp := &fakePath{veths: map[string]bool{}}
	d, err := New(cfg, fp, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, fp
}
