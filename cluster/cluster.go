package cluster

import (
	"fmt"
	"log/slog"
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// Cluster is this peer's membership in the mesh. Its methods are safe for
// concurrent use. Create it with New and end it with Shutdown, after Leave
// if the others should see it as left rather than dead.
type Cluster struct {
	cfg      Config
	log      *slog.Logger
	ml       *memberlist.Memberlist
	selfAddr string
	advPort  uint16

	// metaLive and metaLeaving are our metadata before and during Leave.
	metaLive, metaLeaving []byte
	leaving               atomic.Bool

	queue *broadcastQueue
	bulk  *bulkSender
	hub   *hub

	hmu      sync.RWMutex
	handlers map[string]Handler

	// mu guards the peer table and the known addresses. It is never held
	// while calling into memberlist, which calls us back under its own lock.
	mu     sync.Mutex
	self   Peer
	peers  map[string]*record
	known  map[string]struct{}
	cursor int
	live   atomic.Int32

	// life is held shared by Leave and exclusively by Shutdown: memberlist
	// panics on a Leave after its Shutdown.
	life   sync.RWMutex
	closed atomic.Bool
	stop   chan struct{}
	wg     sync.WaitGroup
}

// New starts memberlist on cfg's address, with no other peer yet, and the
// rejoin loop. Join brings in the others.
func New(cfg Config) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	mlLog := newMemberlistLogger(logger)
	tr, owned, err := openTransport(cfg, mlLog)
	if err != nil {
		return nil, err
	}
	c, err := newCluster(cfg, logger, tr)
	if err == nil {
		c.ml, err = memberlist.Create(c.memberlistConfig(tr, mlLog))
		if err != nil {
			err = fmt.Errorf("start memberlist as %s: %w", cfg.Name, err)
		}
	}
	if err != nil {
		if owned {
			_ = tr.Shutdown()
		}
		return nil, err
	}

	c.wg.Add(3)
	go c.rejoinLoop()
	go c.sweepLoop()
	go c.bulk.run()
	c.log.Info("cluster started", "peer", cfg.Name, "addr", c.selfAddr,
		"encrypted", cfg.Password != "")
	return c, nil
}

// newCluster builds everything but memberlist itself.
func newCluster(cfg Config, logger *slog.Logger, tr memberlist.Transport) (*Cluster, error) {
	adv, err := advertise(cfg, tr)
	if err != nil {
		return nil, err
	}
	m := cfg.meta()
	m.Addr = adv.Addr().String()
	live, err := encodeMeta(m)
	if err != nil {
		return nil, err
	}
	m.Leaving = true
	leaving, err := encodeMeta(m)
	if err != nil {
		return nil, err
	}

	c := &Cluster{
		cfg:         cfg,
		log:         logger,
		selfAddr:    adv.String(),
		advPort:     adv.Port(),
		metaLive:    live,
		metaLeaving: leaving,
		hub:         newHub(),
		handlers:    make(map[string]Handler),
		peers:       make(map[string]*record),
		known:       make(map[string]struct{}),
		stop:        make(chan struct{}),
		self: Peer{Name: cfg.Name, Nickname: cfg.Nickname, Addr: adv.Addr(),
			Port: adv.Port(), RaftPort: uint16(cfg.RaftPort), Version: cfg.Version,
			State: StateAlive, Local: true},
	}
	retransmit := memberlist.DefaultLANConfig().RetransmitMult
	c.queue = newBroadcastQueue(retransmit, func() int { return int(c.live.Load()) + 1 })
	c.bulk = newBulkSender(c)
	return c, nil
}

// advertise returns the address and port memberlist will announce for us.
func advertise(cfg Config, tr memberlist.Transport) (netip.AddrPort, error) {
	port := cfg.Port
	if nt, ok := tr.(*memberlist.NetTransport); ok && port == 0 {
		port = nt.GetAutoBindPort()
	}
	ip, p, err := tr.FinalAdvertiseAddr(cfg.AdvertiseAddr, port)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("choose the address to advertise: %w", err)
	}
	a := addrFromIP(ip)
	if !a.IsValid() || p < 1 || p > 65535 {
		return netip.AddrPort{}, fmt.Errorf("transport advertises %v port %d", ip, p)
	}
	return netip.AddrPortFrom(a, uint16(p)), nil
}

// Self returns this peer.
func (c *Cluster) Self() Peer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.selfLocked()
}

func (c *Cluster) selfLocked() Peer {
	p := c.self
	p.LastSeen = time.Now()
	return p
}

// Peers returns this peer and every peer ever seen, dead and left ones too,
// sorted by name.
func (c *Cluster) Peers() []Peer {
	c.mu.Lock()
	out := make([]Peer, 0, len(c.peers)+1)
	out = append(out, c.selfLocked())
	for _, r := range c.peers {
		out = append(out, r.peer)
	}
	c.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Subscribe returns a channel of peer events and a function that ends the
// subscription and closes the channel. The channel is buffered, and events a
// slow subscriber has not taken yet are merged per peer, so that gossip never
// waits on it: the last event of a peer always has its latest state. Events
// are about the other peers only. Shutdown closes every subscription's
// channel, so a receiver must stop when it is closed.
func (c *Cluster) Subscribe() (<-chan Event, func()) {
	return c.hub.subscribe()
}

// Leave tells the others that this peer is leaving and waits up to timeout
// (Timing.TCPTimeout if not positive) for the news to go out. The peer stays
// in the cluster's gossip until Shutdown, but stops re-joining others.
func (c *Cluster) Leave(timeout time.Duration) error {
	c.life.RLock()
	defer c.life.RUnlock()
	if c.closed.Load() {
		return ErrShutdown
	}
	if c.leaving.Swap(true) {
		return nil
	}
	if timeout <= 0 {
		timeout = c.cfg.Timing.TCPTimeout
	}
	deadline := time.Now().Add(timeout)

	// The metadata goes first, saying we are leaving, so that the others
	// record us as left when the leave message (a death notice memberlist
	// cannot tell apart) follows.
	if err := c.ml.UpdateNode(timeout / 2); err != nil {
		c.log.Debug("leave notice not confirmed", "err", err)
	}
	err := c.ml.Leave(max(time.Until(deadline), time.Millisecond))

	c.mu.Lock()
	c.self.State = StateLeft
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("leave cluster as %s: %w", c.cfg.Name, err)
	}
	c.log.Info("left cluster", "peer", c.cfg.Name)
	return nil
}

// Shutdown stops gossip, the rejoin loop and every subscription. Without a
// Leave first, the others will see this peer die. It is safe to call twice.
func (c *Cluster) Shutdown() error {
	c.life.Lock()
	defer c.life.Unlock()
	if c.closed.Swap(true) {
		return nil
	}
	close(c.stop)
	err := c.ml.Shutdown()
	c.wg.Wait()
	c.hub.close()
	if err != nil {
		return fmt.Errorf("shut down memberlist: %w", err)
	}
	c.log.Info("cluster stopped", "peer", c.cfg.Name)
	return nil
}

// errIfClosed returns ErrShutdown after Shutdown.
func (c *Cluster) errIfClosed() error {
	if c.closed.Load() {
		return ErrShutdown
	}
	return nil
}
