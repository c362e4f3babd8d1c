package cluster

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/hashicorp/memberlist"
)

func TestMetaRoundTrip(t *testing.T) {
	tests := []meta{
		{},
		{Nickname: "host-1", Addr: "10.0.0.1", RaftPort: 6785, Version: "2.0.0"},
		{Nickname: "h", Leaving: true},
	}
	for _, m := range tests {
		b, err := encodeMeta(m)
		if err != nil {
			t.Fatalf("encode %+v: %v", m, err)
		}
		got, err := decodeMeta(b)
		if err != nil || got != m {
			t.Errorf("round trip of %+v gave %+v, %v", m, got, err)
		}
	}
	if _, err := decodeMeta([]byte("{not json")); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad metadata: %v, want ErrMalformed", err)
	}
}

func TestPeerFromNode(t *testing.T) {
	b, _ := encodeMeta(meta{Nickname: "h2", Addr: "10.0.0.2", RaftPort: 7000, Version: "v"})
	tests := []struct {
		name string
		node memberlist.Node
		want Peer
	}{
		{"full", memberlist.Node{Name: "p", Addr: net.ParseIP("10.0.0.9"), Port: 6783, Meta: b},
			Peer{Name: "p", Nickname: "h2", Addr: netip.MustParseAddr("10.0.0.9"), Port: 6783,
				RaftPort: 7000, Version: "v"}},
		{"address from metadata", memberlist.Node{Name: "p", Port: 1, Meta: b},
			Peer{Name: "p", Nickname: "h2", Addr: netip.MustParseAddr("10.0.0.2"), Port: 1,
				RaftPort: 7000, Version: "v"}},
		{"foreign metadata", memberlist.Node{Name: "p", Addr: net.ParseIP("fd01::1"), Port: 2,
			Meta: []byte{0xff}},
			Peer{Name: "p", Addr: netip.MustParseAddr("fd01::1"), Port: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := peerFromNode(&tt.node)
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
