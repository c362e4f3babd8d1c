package harness

import (
	"net/netip"
	"strings"
	"testing"
)

func TestFaultRules(t *testing.T) {
	a2, a3 := netip.MustParseAddr("10.99.0.2"), netip.MustParseAddr("10.99.0.3")
	reset := "table inet wtharness\ndelete table inet wtharness\n"
	tests := []struct {
		name    string
		f       faults
		want    []string
		wantNot []string
	}{
		{"none", faults{}, []string{reset}, []string{"chain"}},
		{"cut", faults{cut: map[netip.Addr]bool{a3: true, a2: true}}, []string{
			reset,
			`iifname "eth0" ip saddr { 10.99.0.2, 10.99.0.3 } drop`,
			`oifname "eth0" ip daddr { 10.99.0.2, 10.99.0.3 } drop`,
			"hook input priority -150; policy accept;",
			"hook output priority -150; policy accept;",
		}, []string{"numgen"}},
		{"loss", faults{loss: 25}, []string{
			`iifname "eth0" numgen random mod 100 < 25 drop`,
			`oifname "eth0" numgen random mod 100 < 25 drop`,
		}, []string{"saddr"}},
		{"all lost", faults{loss: 100}, []string{`iifname "eth0" drop`, `oifname "eth0" drop`},
			[]string{"numgen"}},
		{"both", faults{cut: map[netip.Addr]bool{a2: true}, loss: 5}, []string{
			`ip saddr { 10.99.0.2 } drop`, "mod 100 < 5 drop",
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := faultRules(tt.f)
			if !strings.HasPrefix(got, reset) {
				t.Errorf("rules do not start by resetting the table:\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("rules lack %q:\n%s", w, got)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("rules hold %q:\n%s", w, got)
				}
			}
		})
	}
}
