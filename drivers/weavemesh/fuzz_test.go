package weavemesh

import (
	"testing"

	"github.com/docker/go-plugins-helpers/ipam"
)

// FuzzRequestPool feeds Docker's pool strings to the parser: it never panics, and a pool
// it accepts lies inside the range.
func FuzzRequestPool(f *testing.F) {
	for _, s := range []string{"", "10.32.0.0/12", "10.33.0.0/16", "10.99.0.0/8", "::/0",
		"10.32.0.1/33", "10.32.0.0/12;10.32.1.0/24"} {
		f.Add(s, "")
		f.Add("10.32.0.0/12", s)
	}
	m := newTestIPAM(f)
	f.Fuzz(func(t *testing.T, pool, sub string) {
		r, err := m.RequestPool(&ipam.RequestPoolRequest{Pool: pool, SubPool: sub})
		if err != nil {
			return
		}
		p, s, err := parsePoolID(r.PoolID)
		if err != nil {
			t.Fatalf("PoolID %q of an accepted pool does not parse: %v", r.PoolID, err)
		}
		if !testRange.Contains(p.Addr()) || p.Bits() < testRange.Bits() || !p.Contains(s.Addr()) {
			t.Fatalf("accepted pool %s sub %s outside %s", p, s, testRange)
		}
	})
}

// FuzzParsePoolID: no PoolID string makes the parser panic, and what it accepts is a
// prefix pair.
func FuzzParsePoolID(f *testing.F) {
	f.Add("10.32.0.0/12")
	f.Add("10.32.0.0/12;10.32.5.0/24")
	f.Fuzz(func(t *testing.T, id string) {
		p, s, err := parsePoolID(id)
		if err == nil && (!p.IsValid() || !s.IsValid()) {
			t.Fatalf("%q accepted as %v %v", id, p, s)
		}
	})
}
