package daemon

import (
	"testing"
)

func TestDefaultIPInit(t *testing.T) {
	cases := []struct {
		peers []string
		given string
		want  string
	}{
		{nil, "", "consensus=1"},
		{[]string{"10.0.0.2", "10.0.0.3"}, "", "consensus=3"},
		{[]string{"10.0.0.2"}, "seed=a,b", "seed=a,b"},
		{[]string{"10.0.0.2"}, "observer", "observer"},
	}
	for _, tc := range cases {
		in, err := ParseIPInit(tc.given)
		if err != nil {
			t.Fatal(err)
		}
		c := Config{Peers: tc.peers, IPInit: in}
		if got := c.ipInit().String(); got != tc.want {
			t.Errorf("peers %v, --ipalloc-init %q: %s, want %s", tc.peers, tc.given, got, tc.want)
		}
	}
	if _, err := ParseIPInit("consensus=0"); err == nil {
		t.Error("consensus=0 accepted")
	}
}
