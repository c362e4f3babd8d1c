package cluster

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"

	"github.com/hashicorp/memberlist"
)

// meta is the node metadata every peer gossips about itself. Field names are
// one letter to stay well inside memberlist.MetaMaxSize (512 bytes).
type meta struct {
	// Nickname is the peer's host name.
	Nickname string `json:"n,omitempty"`
	// Addr is the underlay address the peer advertises.
	Addr string `json:"a,omitempty"`
	// RaftPort is the port of the peer's Raft transport.
	RaftPort uint16 `json:"r,omitempty"`
	// Version is the weave version the peer runs.
	Version string `json:"v,omitempty"`
	// Leaving is set just before the peer leaves, so that the others record
	// it as left rather than dead.
	Leaving bool `json:"l,omitempty"`
}

// encodeMeta returns m as JSON, or an error if it does not fit memberlist's
// metadata limit.
func encodeMeta(m meta) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode node metadata: %w", err)
	}
	if len(b) > memberlist.MetaMaxSize {
		return nil, fmt.Errorf("node metadata is %d bytes, more than the %d allowed",
			len(b), memberlist.MetaMaxSize)
	}
	return b, nil
}

// decodeMeta parses metadata of another peer. Empty metadata is valid and
// means the peer said nothing about itself.
func decodeMeta(b []byte) (meta, error) {
	var m meta
	if len(b) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return meta{}, fmt.Errorf("%w: node metadata: %v", ErrMalformed, err)
	}
	return m, nil
}

// peerFromNode builds the Peer that memberlist's node and its metadata
// describe. Metadata that cannot be decoded leaves the metadata fields empty;
// the peer is still a member. State and LastSeen are left to the caller.
func peerFromNode(n *memberlist.Node) (Peer, meta) {
	m, _ := decodeMeta(n.Meta)
	p := Peer{
		Name:     n.Name,
		Nickname: m.Nickname,
		Addr:     addrFromIP(n.Addr),
		Port:     n.Port,
		RaftPort: m.RaftPort,
		Version:  m.Version,
	}
	// memberlist's address is the one gossip really reaches; the advertised
	// one in the metadata only stands in when memberlist has none.
	if !p.Addr.IsValid() {
		if a, err := netip.ParseAddr(m.Addr); err == nil {
			p.Addr = a
		}
	}
	return p, m
}

// addrFromIP converts a net.IP, unmapping IPv4 in IPv6. A nil or bad IP gives
// the zero Addr.
func addrFromIP(ip net.IP) netip.Addr {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}
	}
	return a.Unmap()
}
