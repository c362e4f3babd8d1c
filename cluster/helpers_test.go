package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"weave.works/weave/cluster/memnet"
)

// logEntry is one captured log record, its attributes flattened to strings.
type logEntry struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

// logStore keeps the records of one test's peers, and echoes them to t.Log
// (from Info up, or everything with WEAVE_TEST_DEBUG set) until the test ends.
type logStore struct {
	mu      sync.Mutex
	t       testing.TB
	done    bool
	debug   bool
	entries []logEntry
}

func newLogStore(t testing.TB) *logStore {
	s := &logStore{t: t, debug: os.Getenv("WEAVE_TEST_DEBUG") != ""}
	t.Cleanup(func() {
		s.mu.Lock()
		s.done = true
		s.mu.Unlock()
	})
	return s
}

// find reports whether a record matching f was logged.
func (s *logStore) find(f func(logEntry) bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if f(e) {
			return true
		}
	}
	return false
}

// logHandler is the slog.Handler writing into a logStore.
type logHandler struct {
	store *logStore
	attrs []slog.Attr
}

func (h *logHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	e := logEntry{level: r.Level, msg: r.Message, attrs: make(map[string]string)}
	var b strings.Builder
	add := func(a slog.Attr) bool {
		e.attrs[a.Key] = a.Value.String()
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)

	s := h.store
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, e)
	if !s.done && (s.debug || r.Level >= slog.LevelInfo) {
		s.t.Logf("%s %s %q%s", r.Time.Format("15:04:05.000"), r.Level, r.Message, b.String())
	}
	return nil
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{store: h.store, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h *logHandler) WithGroup(string) slog.Handler { return h }

// testConfig returns a fast config for peer name, logging into store with
// the peer's name on every record.
func testConfig(name string, store *logStore) Config {
	cfg := DefaultConfig()
	cfg.Name = name
	cfg.Nickname = "host-" + name
	cfg.Version = "test-1"
	cfg.Timing = FastTiming()
	cfg.RejoinInterval = 200 * time.Millisecond
	cfg.Logger = slog.New(&logHandler{store: store}).With("self", name)
	return cfg
}

// testNet builds peers on one in-memory network.
type testNet struct {
	t    *testing.T
	net  *memnet.Network
	logs *logStore
	next byte
}

func newTestNet(t *testing.T) *testNet {
	return &testNet{t: t, net: memnet.New(), logs: newLogStore(t)}
}

// addr returns the address of the i-th peer (from 1) of a testNet. Nothing
// is bound there: the addresses exist in memnet only.
func memAddr(i byte) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 99, 0, i}), DefaultPort)
}

// start creates a peer, applying mods to its config, and shuts it down when
// the test ends.
func (n *testNet) start(name string, mods ...func(*Config)) *Cluster {
	n.t.Helper()
	n.next++
	tr, err := n.net.NewTransport(memAddr(n.next))
	if err != nil {
		n.t.Fatal(err)
	}
	cfg := testConfig(name, n.logs)
	cfg.Transport = tr
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		n.t.Fatalf("start %s: %v", name, err)
	}
	n.t.Cleanup(func() { _ = c.Shutdown() })
	return c
}

// startLoopback creates a peer on a free port of 127.0.0.1.
func startLoopback(t *testing.T, store *logStore, name, password string) *Cluster {
	t.Helper()
	cfg := testConfig(name, store)
	cfg.BindAddr = "127.0.0.1"
	cfg.Port = 0
	cfg.Password = password
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() { _ = c.Shutdown() })
	return c
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// holds polls cond for d and fails the test as soon as it does not hold.
func holds(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !cond() {
			t.Fatalf("no longer true: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stateOf returns the state c sees peer name in, or 0 if c never saw it.
func stateOf(c *Cluster, name string) State {
	for _, p := range c.Peers() {
		if p.Name == name {
			return p.State
		}
	}
	return 0
}

// joinAll joins every peer to the first one.
func joinAll(t *testing.T, cs ...*Cluster) {
	t.Helper()
	for _, c := range cs[1:] {
		if _, err := c.Join([]string{cs[0].Self().GossipAddr()}); err != nil {
			t.Fatalf("%s joins %s: %v", c.Self().Name, cs[0].Self().Name, err)
		}
	}
}

// converged reports whether every peer sees every other one alive.
func converged(cs ...*Cluster) bool {
	for _, c := range cs {
		for _, o := range cs {
			if c != o && stateOf(c, o.Self().Name) != StateAlive {
				return false
			}
		}
	}
	return true
}

// waitEvent returns the first event from ch that match accepts.
func waitEvent(t *testing.T, ch <-chan Event, timeout time.Duration, what string,
	match func(Event) bool) Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("event channel closed waiting for %s", what)
			}
			if match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("after %v: no event %s", timeout, what)
		}
	}
}

// recorder is a Handler keeping what it receives.
type recorder struct {
	mu   sync.Mutex
	msgs []received
}

type received struct {
	from    string
	payload string
}

func (r *recorder) HandleMessage(from string, payload []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, received{from, string(payload)})
}

func (r *recorder) has(from, payload string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.msgs {
		if m.from == from && m.payload == payload {
			return true
		}
	}
	return false
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}
