package weavemesh

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/docker/go-plugins-helpers/ipam"
)

var testRange = netip.MustParsePrefix("10.32.0.0/12")

func newTestIPAM(t testing.TB) *IPAM {
	t.Helper()
	d, _ := newTestDriver(t, t.TempDir())
	pools, err := d.Pools(testRange)
	if err != nil {
		t.Fatal(err)
	}
	return NewIPAM(&fakeAlloc{used: map[netip.Addr]bool{}}, testRange, pools, quiet())
}

func TestRequestPool(t *testing.T) {
	m := newTestIPAM(t)
	cases := []struct {
		pool, sub, wantID, wantErr string
	}{
		{"", "", "10.32.0.0/12", ""},
		{"10.33.0.0/16", "", "10.33.0.0/16", ""},
		{"10.33.0.0/16", "10.33.1.0/24", "10.33.0.0/16;10.33.1.0/24", ""},
		{"10.99.0.0/16", "", "", "outside the weave range"},
		{"10.0.0.0/8", "", "", "outside the weave range"},
		{"bogus", "", "", "not an IPv4 CIDR"},
		{"10.33.0.0/16", "10.34.0.0/24", "", "not inside subnet"},
	}
	for _, tc := range cases {
		r, err := m.RequestPool(&ipam.RequestPoolRequest{Pool: tc.pool, SubPool: tc.sub})
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("pool %q sub %q: err %v, want %q", tc.pool, tc.sub, err, tc.wantErr)
			}
			continue
		}
		if err != nil || r.PoolID != tc.wantID {
			t.Errorf("pool %q sub %q: %+v, %v; want id %s", tc.pool, tc.sub, r, err, tc.wantID)
			continue
		}
		if r.Data[gatewayRequest] == "" {
			t.Errorf("pool %q: no gateway in Data", tc.pool)
		}
	}
	if _, err := m.RequestPool(&ipam.RequestPoolRequest{V6: true}); err == nil {
		t.Error("an IPv6 pool was accepted")
	}
}

func TestRequestAddress(t *testing.T) {
	m := newTestIPAM(t)
	pool := "10.32.0.0/12"
	gw, err := m.RequestAddress(&ipam.RequestAddressRequest{PoolID: pool,
		Options: map[string]string{requestAddressType: gatewayRequest}})
	if err != nil || gw.Address != "10.32.0.1/12" {
		t.Fatalf("gateway: %+v, %v", gw, err)
	}
	a, err := m.RequestAddress(&ipam.RequestAddressRequest{PoolID: pool})
	if err != nil || a.Address != "10.32.0.2/12" {
		t.Fatalf("first address: %+v, %v", a, err)
	}
	if _, err := m.RequestAddress(&ipam.RequestAddressRequest{PoolID: pool,
		Address: "10.32.0.2"}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("claim of a taken address: %v", err)
	}
	if _, err := m.RequestAddress(&ipam.RequestAddressRequest{PoolID: pool,
		Address: "10.32.0.1"}); err == nil || !strings.Contains(err.Error(), "gateway") {
		t.Errorf("claim of the gateway: %v", err)
	}
	sub, err := m.RequestAddress(&ipam.RequestAddressRequest{PoolID: "10.32.0.0/12;10.32.5.0/24"})
	if err != nil || !strings.HasPrefix(sub.Address, "10.32.5.") {
		t.Errorf("address in a sub-pool: %+v, %v", sub, err)
	}
	for _, rel := range []string{"10.32.0.2", "10.32.0.2", "10.32.0.1"} {
		if err := m.ReleaseAddress(&ipam.ReleaseAddressRequest{PoolID: pool,
			Address: rel}); err != nil {
			t.Errorf("release %s: %v", rel, err)
		}
	}
}

func TestParsePoolID(t *testing.T) {
	for _, id := range []string{"", "x", "10.32.0.0/12;", "10.32.0.0/12;y", ";10.32.0.0/12"} {
		if _, _, err := parsePoolID(id); err == nil {
			t.Errorf("PoolID %q was accepted", id)
		}
	}
}

func TestOverlappingPoolsRefused(t *testing.T) {
	m := newTestIPAM(t)
	req := func(pool string) error {
		_, err := m.RequestPool(&ipam.RequestPoolRequest{Pool: pool})
		return err
	}
	for _, p := range []string{"", "10.33.0.0/16", "10.33.0.0/16", "10.34.0.0/16", ""} {
		if err := req(p); err != nil {
			t.Errorf("pool %q: %v", p, err)
		}
	}
	for _, p := range []string{"10.33.1.0/24", "10.32.0.0/14"} {
		if err := req(p); err == nil || !strings.Contains(err.Error(), "overlaps") {
			t.Errorf("pool %s overlapping another: %v", p, err)
		}
	}
	for range 2 {
		if err := m.ReleasePool(&ipam.ReleasePoolRequest{PoolID: "10.33.0.0/16"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := req("10.33.1.0/24"); err != nil {
		t.Errorf("after its overlapping pool was released: %v", err)
	}
}
