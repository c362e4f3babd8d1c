package ipam

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"weave.works/weave/ipam/ring"
)

// errAlreadyYours tells Claim that the address is already allocated to the
// same label; it never leaves the package.
var errAlreadyYours = errors.New("already allocated to this label")

// checkPool refuses pools outside the range and pools with no usable address.
func (a *Allocator) checkPool(pool netip.Prefix) error {
	rng := a.cfg.Range
	if !pool.IsValid() || !pool.Addr().Is4() {
		return fmt.Errorf("allocate in %s: not an IPv4 pool: %w", pool, ErrPoolNotInRange)
	}
	p := pool.Masked()
	if p.Bits() < rng.Bits() || !rng.Contains(p.Addr()) {
		return fmt.Errorf("allocate in %s: range is %s: %w", pool, rng, ErrPoolNotInRange)
	}
	if p.Bits() > 30 {
		return fmt.Errorf("allocate in %s: want at least a /30: %w", pool, ErrPoolTooSmall)
	}
	return nil
}

// reservedIn returns the addresses Allocate never hands out in pool: the
// first and last of the range and of the pool, and the pool's gateway.
func (a *Allocator) reservedIn(pool netip.Prefix) []uint64 {
	rb, pb := blockOfPrefix(a.cfg.Range), blockOfPrefix(pool)
	return []uint64{rb.lo, rb.hi, pb.lo, pb.hi, uint64(u32(Gateway(pool)))}
}

// lowestFree returns the lowest address Allocate may hand out in pool. The
// caller holds a.mu.
func (a *Allocator) lowestFree(pool netip.Prefix) (netip.Addr, bool) {
	pb := blockOfPrefix(pool)
	reserved := a.reservedIn(pool)
	for _, r := range a.usableRanges() {
		b, ok := blockOf(r).intersect(pb)
		if !ok {
			continue
		}
		if x, ok := a.held.lowestFree(b, reserved); ok {
			return addrOf(x), true
		}
	}
	return netip.Addr{}, false
}

// freeIn counts the addresses of r that are neither held nor the range's
// first or last. It is what this peer reports in the ring as free.
func (a *Allocator) freeIn(r ring.Range) uint64 {
	b := blockOf(r)
	n := b.size() - a.held.countIn(b)
	rb := blockOfPrefix(a.cfg.Range)
	for _, x := range []uint64{rb.lo, rb.hi} {
		if x >= b.lo && x <= b.hi {
			n--
		}
	}
	return n
}

// freeOwned returns the free addresses in all the space this peer owns and
// may allocate from.
func (a *Allocator) freeOwned() uint64 {
	var n uint64
	for _, r := range a.usableRanges() {
		n += a.freeIn(r)
	}
	return n
}

// reserve marks addr as being allocated to label and queues its commit. The
// caller holds a.mu.
func (a *Allocator) reserve(addr netip.Addr, label string) chan error {
	a.slots[addr] = &slot{label: label, state: pending}
	a.held.add(addr)
	return a.commit.enqueue(op{addr: addr, label: label})
}

// checkClaim says whether addr may be claimed for label. The caller holds
// a.mu.
func (a *Allocator) checkClaim(addr netip.Addr, label string) error {
	rng := a.cfg.Range
	switch {
	case a.closed:
		return ErrClosed
	case a.stopping:
		return a.refuseNew()
	case !addr.Is4() || !rng.Contains(addr):
		return fmt.Errorf("range is %s: %w", rng, ErrOutOfRange)
	}
	if rb := blockOfPrefix(rng); uint64(u32(addr)) == rb.lo || uint64(u32(addr)) == rb.hi {
		return fmt.Errorf("first or last address of %s: %w", rng, ErrReserved)
	}
	if s, ok := a.slots[addr]; ok {
		if s.state == allocated && label != "" && s.label == label {
			return errAlreadyYours
		}
		return fmt.Errorf("held by %q: %w", s.label, ErrInUse)
	}
	if owner := a.ring.Owner(addr); owner != a.cfg.Self {
		if owner == "" {
			return fmt.Errorf("no peer owns it yet: %w", ErrOwnedElsewhere)
		}
		return fmt.Errorf("owned by peer %q: %w", owner, ErrOwnedElsewhere)
	}
	if a.frozen(addr) {
		return fmt.Errorf("offered to peer %q in a handover: %w", a.pending.to,
			ErrHandoverPending)
	}
	return a.refuseNew()
}

// settle applies the outcome of a committed (or failed) change to the slot of
// its address. The caller holds a.mu.
func (a *Allocator) settle(o op, err error) {
	s := a.slots[o.addr]
	switch {
	case !o.release && err == nil:
		s.state = allocated
	case o.release && err != nil:
		s.state = allocated
	default:
		// A failed allocation or a committed release frees the address.
		delete(a.slots, o.addr)
		a.held.remove(o.addr)
		a.spaceChanged()
	}
}

// spaceChanged wakes the requests waiting for space. The caller holds a.mu.
func (a *Allocator) spaceChanged() {
	close(a.changed)
	a.changed = make(chan struct{})
}

// awaitChange releases a.mu, which the caller holds, and waits until the
// ring or the allocations change or d passes. It returns false, without
// a.mu, when ctx ends first.
func (a *Allocator) awaitChange(ctx context.Context, d time.Duration) bool {
	wake := a.changed
	a.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-ctx.Done():
		return false
	}
	return true
}
