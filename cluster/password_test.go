package cluster

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestPasswordMismatchNeverMerges runs on 127.0.0.1, with memberlist's real
// UDP and TCP transport and its encryption.
func TestPasswordMismatchNeverMerges(t *testing.T) {
	t.Parallel()
	store := newLogStore(t)
	a := startLoopback(t, store, "a", "alpha")
	d := startLoopback(t, store, "d", "alpha")
	aAddr := a.Self().GossipAddr()

	tests := []struct {
		name     string
		password string
	}{
		{"other-password", "beta"},
		{"no-password", ""},
	}
	var outsiders []*Cluster
	for _, tt := range tests {
		o := startLoopback(t, store, tt.name, tt.password)
		outsiders = append(outsiders, o)
		if n, err := o.Join([]string{aAddr}); err == nil {
			t.Errorf("join with %s succeeded, %d answered", tt.name, n)
		}
	}
	if _, err := d.Join([]string{aAddr}); err != nil {
		t.Fatalf("join with the same password: %v", err)
	}
	waitFor(t, 5*time.Second, "a and d converge", func() bool { return converged(a, d) })

	// The outsiders keep knocking (their rejoin loops retry a), and must
	// stay outside.
	alone := func() bool {
		if len(a.Peers()) != 2 || len(d.Peers()) != 2 {
			return false
		}
		for _, o := range outsiders {
			if len(o.Peers()) != 1 {
				return false
			}
		}
		return true
	}
	holds(t, 10*FastTiming().ProbeInterval+2*time.Second, "the clusters stay apart", alone)

	warned := store.find(func(e logEntry) bool {
		return e.level == slog.LevelWarn && e.attrs["self"] == "a" &&
			e.attrs["component"] == "memberlist" &&
			strings.Contains(strings.ToLower(e.attrs["detail"]), "encrypt")
	})
	if !warned {
		t.Error("a logged no warning about the undecryptable traffic")
	}
	if !store.find(func(e logEntry) bool { return e.msg == "join failed" }) {
		t.Error("the failed joins were not logged")
	}
}
