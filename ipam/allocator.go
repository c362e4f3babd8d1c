package ipam

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"

	"weave.works/weave/ipam/ring"
)

// Gossip is what the allocator needs from the membership layer. Neither call
// may call back into the Allocator before returning.
type Gossip interface {
	// Broadcast spreads the payload to every peer, best effort; it carries
	// the ring, whose state-based merge makes loss and reordering harmless.
	Broadcast(payload []byte)
	// Send delivers the payload to one peer reliably, or says why not.
	Send(peer string, payload []byte) error
}

// slotState is where an address is in its life.
type slotState uint8

const (
	// pending: chosen for an allocation whose commit is running.
	pending slotState = iota
	// allocated: committed.
	allocated
	// releasing: its release is being committed; still unavailable.
	releasing
)

type slot struct {
	label string
	state slotState
}

// Allocator hands out addresses from this peer's part of the ring. It is safe
// for concurrent use.
type Allocator struct {
	cfg    Config
	gossip Gossip
	db     *bolt.DB

	mu     sync.Mutex
	ring   *ring.Ring
	slots  map[netip.Addr]*slot
	held   heldSet
	closed bool
	// changed is closed, and replaced, whenever the ring or the allocations
	// change, to wake requests waiting for a ring, for space or for answers.
	changed chan struct{}
	// quit is closed by Close, to end the consensus loop.
	quit chan struct{}
	// persisted is the ring as last committed; the only form that leaves
	// the process. persistedID is its identity.
	persisted   []byte
	persistedID ring.ID
	// mergeErrs keeps, per peer, the last ring from it that was refused.
	mergeErrs map[string]MergeError
	// heard counts the answers to requests for space from each peer, so
	// that a request can tell when the peer it asked has answered.
	heard  map[string]uint64
	commit committer

	// alive is the set of live peers SetPeers last reported; aliveKnown
	// says whether it ever did. Without it every peer counts as reachable.
	alive      map[string]bool
	aliveKnown bool
	// stopping is set while Handover runs, and after it succeeded: no new
	// allocations, no donations.
	stopping bool
	// pending is a handover offered and not yet acknowledged.
	pending *handover
	// refusal is the last reason the receiver of pending gave for refusing.
	refusal string
	// claims has, per address some Claim waits for, the owner's last answer.
	claims claimBook
	cons   *consensus
	events chan Event
	// dropped counts events lost because no one read the channel.
	dropped uint64
	// async counts goroutines started by spawn that have not ended yet.
	async atomic.Int64
}

// Open loads the ring and the allocations from cfg.Path, or starts a new ring
// as cfg.Init says when the file is new: seeded, or empty until consensus or,
// for an observer, until a peer sends the ring. It fails with
// ErrStateMismatch when the file belongs to another peer, range or seed set.
// A nil g means a single peer with no one to gossip with.
func Open(cfg Config, g Gossip) (*Allocator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	alone := g == nil
	if alone {
		g = noGossip{}
	}
	db, err := openDB(cfg.Path)
	if err != nil {
		return nil, err
	}
	st, err := load(db, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	a := &Allocator{
		cfg: cfg, gossip: g, db: db, ring: st.ring,
		slots:     make(map[netip.Addr]*slot, len(st.allocs)),
		changed:   make(chan struct{}),
		quit:      make(chan struct{}),
		mergeErrs: map[string]MergeError{},
		heard:     map[string]uint64{},
		alive:     map[string]bool{},
		// A peer without gossip knows for sure that no one else is there.
		aliveKnown: alone,
		pending:    st.pending,
		claims:     claimBook{},
		events:     make(chan Event, eventBuffer),
	}
	for addr, label := range st.allocs {
		a.slots[addr] = &slot{label: label, state: allocated}
		a.held.add(addr)
	}
	a.persisted, _ = a.ring.MarshalBinary()
	a.persistedID = a.ring.Identity()
	a.commit.start(a)
	if cfg.init().Mode == InitConsensus && a.ring.Identity().IsZero() {
		a.cons = newConsensus(cfg.init().Quorum, st.acceptor)
		go a.runConsensus(a.cons)
	}
	return a, nil
}

// Close finishes the commits under way and closes the state file. Requests
// still waiting fail with ErrClosed, and the Events channel is closed.
func (a *Allocator) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	close(a.quit)
	a.spaceChanged()
	a.mu.Unlock()
	if a.cons != nil {
		<-a.cons.done
	}
	a.commit.stop()
	err := a.db.Close()
	a.mu.Lock()
	close(a.events)
	a.mu.Unlock()
	if err != nil {
		return fmt.Errorf("close ipam state: %w", err)
	}
	return nil
}

// Allocate returns the lowest free address inside pool in the space this peer
// owns, never the first or last address of the range or pool, nor the pool's
// gateway. Pool is the range or a subnet of it. Before the ring exists it
// waits for it (consensus, or a ring from a peer for an observer). When this
// peer has no free address in the pool it asks other peers to donate space.
// It waits at most RequestTimeout in all (or until ctx ends). The allocation
// is committed before Allocate returns.
func (a *Allocator) Allocate(
	ctx context.Context, pool netip.Prefix, label string,
) (netip.Addr, error) {
	if err := a.checkPool(pool); err != nil {
		return netip.Addr{}, err
	}
	if err := ctx.Err(); err != nil {
		return netip.Addr{}, fmt.Errorf("allocate in %s: %w", pool, err)
	}
	pool = pool.Masked()
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	if err := a.awaitRing(ctx); err != nil {
		return netip.Addr{}, fmt.Errorf("allocate in %s: %w", pool, err)
	}
	req := newSpaceRequest(pool, a.cfg.RequestTimeout)
	for {
		a.mu.Lock()
		if err := a.refuseNew(); err != nil {
			a.mu.Unlock()
			return netip.Addr{}, fmt.Errorf("allocate in %s: %w", pool, err)
		}
		if addr, ok := a.lowestFree(pool); ok {
			done := a.reserve(addr, label)
			a.mu.Unlock()
			if err := <-done; err != nil {
				return netip.Addr{}, fmt.Errorf("allocate %s in %s: %w", addr, pool, err)
			}
			return addr, nil
		}
		wake := a.changed
		asked := a.askForSpace(req)
		a.mu.Unlock()
		if !asked {
			return netip.Addr{}, fmt.Errorf("allocate in %s: no reachable peer has free "+
				"space there: %w", pool, ErrExhausted)
		}
		if err := req.wait(ctx, wake); err != nil {
			return netip.Addr{}, fmt.Errorf("allocate in %s: waiting for space: %w (%w)",
				pool, ErrExhausted, err)
		}
	}
}

// refuseNew says why no new allocation may start, if one may not. The caller
// holds a.mu.
func (a *Allocator) refuseNew() error {
	switch {
	case a.closed:
		return ErrClosed
	case a.stopping:
		return fmt.Errorf("this peer is handing its space over: %w", ErrStopping)
	}
	return nil
}

// Release frees addr, committing the release before it returns. The address
// stays unavailable until then. It fails with ErrNotAllocated when addr is
// not allocated.
func (a *Allocator) Release(ctx context.Context, addr netip.Addr) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("release %s: %w", addr, err)
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return fmt.Errorf("release %s: %w", addr, ErrClosed)
	}
	s, ok := a.slots[addr]
	if !ok || s.state != allocated {
		a.mu.Unlock()
		return fmt.Errorf("release %s: %w", addr, ErrNotAllocated)
	}
	s.state = releasing
	done := a.commit.enqueue(op{addr: addr, release: true})
	a.mu.Unlock()
	if err := <-done; err != nil {
		return fmt.Errorf("release %s: %w", addr, err)
	}
	return nil
}

// Allocated returns the committed allocations, address to label.
func (a *Allocator) Allocated() map[netip.Addr]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[netip.Addr]string, len(a.slots))
	for addr, s := range a.slots {
		if s.state != pending {
			out[addr] = s.label
		}
	}
	return out
}

// spawn runs f on a goroutine of its own, counted in a.async so that tests can
// tell when nothing is under way.
func (a *Allocator) spawn(f func()) {
	a.async.Add(1)
	go func() {
		defer a.async.Add(-1)
		f()
	}()
}

// noGossip is the Gossip of a peer alone.
type noGossip struct{}

func (noGossip) Broadcast([]byte)          {}
func (noGossip) Send(string, []byte) error { return nil }
