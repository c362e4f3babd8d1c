package memnet

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// ErrAddrInUse is returned by NewTransport for an address a live Transport
// already has.
var ErrAddrInUse = errors.New("memnet: address in use")

// packetBacklog is how many packets wait for a Transport's reader before
// more are dropped, like a full socket buffer.
const packetBacklog = 1024

// streamBacklog is how many accepted streams wait for the reader before
// dials are refused, like a full listen backlog.
const streamBacklog = 64

// Network is a set of connected Transports and the faults between them. The
// zero Network is not usable; call New. Its methods are safe for concurrent
// use.
type Network struct {
	mu       sync.Mutex
	hosts    map[netip.AddrPort]*Transport
	cuts     map[pair]bool
	isolated map[netip.AddrPort]bool
	loss     float64
	rng      *rand.Rand
	delay    time.Duration
}

// pair is one direction between two addresses.
type pair struct {
	from, to netip.AddrPort
}

// New returns a Network without Transports or faults.
func New() *Network {
	return &Network{
		hosts:    make(map[netip.AddrPort]*Transport),
		cuts:     make(map[pair]bool),
		isolated: make(map[netip.AddrPort]bool),
		rng:      rand.New(rand.NewPCG(1, 1)),
	}
}

// NewTransport attaches a Transport at addr.
func (n *Network) NewTransport(addr netip.AddrPort) (*Transport, error) {
	if !addr.IsValid() || addr.Port() == 0 {
		return nil, fmt.Errorf("memnet: new transport at %v: need an address and a port", addr)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.hosts[addr]; ok {
		return nil, fmt.Errorf("new transport at %v: %w", addr, ErrAddrInUse)
	}
	t := &Transport{
		net:     n,
		addr:    addr,
		packets: make(chan *memberlist.Packet, packetBacklog),
		streams: make(chan net.Conn, streamBacklog),
		shut:    make(chan struct{}),
	}
	n.hosts[addr] = t
	return t, nil
}

// Cut drops all traffic between a and b, both ways.
func (n *Network) Cut(a, b netip.AddrPort) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cuts[pair{a, b}] = true
	n.cuts[pair{b, a}] = true
}

// CutOneWay drops the traffic from one address to another only.
func (n *Network) CutOneWay(from, to netip.AddrPort) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cuts[pair{from, to}] = true
}

// Isolate drops all traffic to and from a.
func (n *Network) Isolate(a netip.AddrPort) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.isolated[a] = true
}

// Partition cuts every address of each group off from those of the others;
// traffic inside a group still flows.
func (n *Network) Partition(groups ...[]netip.AddrPort) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i, g := range groups {
		for _, h := range groups[i+1:] {
			for _, a := range g {
				for _, b := range h {
					n.cuts[pair{a, b}] = true
					n.cuts[pair{b, a}] = true
				}
			}
		}
	}
}

// Heal removes every Cut, Isolate and Partition. Loss and delay stay.
func (n *Network) Heal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cuts = make(map[pair]bool)
	n.isolated = make(map[netip.AddrPort]bool)
}

// SetLoss drops packets with probability rate (0 to 1), drawn from a source
// seeded with seed.
func (n *Network) SetLoss(rate float64, seed uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.loss = min(max(rate, 0), 1)
	n.rng = rand.New(rand.NewPCG(seed, seed))
}

// SetDelay holds every packet, and the start of every stream, for d.
func (n *Network) SetDelay(d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.delay = max(d, 0)
}

// blocked reports whether a fault separates from and to.
func (n *Network) blocked(from, to netip.AddrPort) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.blockedLocked(from, to)
}

func (n *Network) blockedLocked(from, to netip.AddrPort) bool {
	return n.isolated[from] || n.isolated[to] || n.cuts[pair{from, to}]
}

// route returns the destination of a packet or stream from one address to
// another, whether a fault or loss drops it, and the delay to apply.
func (n *Network) route(from, to netip.AddrPort, packet bool) (*Transport, bool, time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	dst := n.hosts[to]
	if dst == nil || n.blockedLocked(from, to) {
		return dst, false, 0
	}
	if packet && n.loss > 0 && n.rng.Float64() < n.loss {
		return dst, false, 0
	}
	return dst, true, n.delay
}

// detach removes t from the network if it is still attached.
func (n *Network) detach(t *Transport) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.hosts[t.addr] == t {
		delete(n.hosts, t.addr)
	}
}
