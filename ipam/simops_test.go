package ipam

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"weave.works/weave/ipam/ring"
)

// The operations of the simulation. Each one runs on the test's goroutine
// and never blocks on the network: where an allocator would wait for another
// peer, the operation sends the request and a later delivery brings the
// answer.

// pool returns the range, or now and then a random /26 of it.
func (n *simNet) pool() netip.Prefix {
	if n.rnd.IntN(3) > 0 {
		return n.rng
	}
	bits := 26
	off := uint64(n.rnd.IntN(1 << (bits - n.rng.Bits())))
	base := uint64(u32(n.rng.Addr())) + off<<(32-bits)
	return netip.PrefixFrom(addrOf(base), bits)
}

func (n *simNet) nextLabel() string {
	n.label++
	return fmt.Sprintf("c%d", n.label)
}

// pick returns a random running peer, nil when none runs.
func (n *simNet) pick() *simNode {
	up := n.up()
	if len(up) == 0 {
		return nil
	}
	return up[n.rnd.IntN(len(up))]
}

// allocate allocates on nd when it has a free address in the pool, and
// otherwise asks a peer for space (or, without a ring, for the ring).
func (n *simNet) allocate(nd *simNode) {
	pool := n.pool()
	a := nd.a
	a.mu.Lock()
	_, ok := a.lowestFree(pool)
	ok = ok && a.refuseNew() == nil
	if !ok && a.refuseNew() == nil {
		n.stats["ask"]++
		if a.ring.Identity().IsZero() {
			a.askForRing(&ringAsk{asked: map[string]bool{}})
		} else {
			a.askForSpace(newSpaceRequest(pool, a.cfg.RequestTimeout))
		}
	}
	a.mu.Unlock()
	if ok {
		if _, err := a.Allocate(bg, pool, n.nextLabel()); err != nil {
			n.t.Fatalf("%s: Allocate in %s with free space: %v", nd.name, pool, err)
		}
		n.stats["allocate"]++
	}
	n.settle()
}

// release releases a random allocation of nd.
func (n *simNet) release(nd *simNode) {
	held := nd.a.Allocated()
	if len(held) == 0 {
		return
	}
	addrs := slices.SortedFunc(func(yield func(netip.Addr) bool) {
		for a := range held {
			if !yield(a) {
				return
			}
		}
	}, netip.Addr.Compare)
	addr := addrs[n.rnd.IntN(len(addrs))]
	if err := nd.a.Release(bg, addr); err != nil {
		n.t.Fatalf("%s: Release(%s): %v", nd.name, addr, err)
	}
	n.stats["release"]++
	n.settle()
}

// claim claims a random address: at once when nd owns it, else by asking
// the owner for the block that holds it.
func (n *simNet) claim(nd *simNode) {
	rb := blockOfPrefix(n.rng)
	addr := addrOf(rb.lo + 1 + uint64(n.rnd.IntN(int(rb.size()-2))))
	a := nd.a
	a.mu.Lock()
	owner := a.ring.Owner(addr)
	mine := owner == nd.name && !a.frozen(addr) && a.refuseNew() == nil
	held := a.held.has(addr)
	if owner != nd.name && owner != "" && a.reachable(owner) && a.refuseNew() == nil {
		a.sendClaimRequest(owner, addr)
		n.stats["claim-ask"]++
	}
	a.mu.Unlock()
	if mine {
		err := a.Claim(bg, addr, n.nextLabel())
		if (err == nil) == held {
			n.t.Fatalf("%s: Claim(%s) = %v, held %v", nd.name, addr, err, held)
		}
		n.stats["claim"]++
	}
	n.settle()
}

// check fails the test if any invariant is broken: no address held by two
// containers, every running peer's allocations inside its own space, and no
// two peers owning one address in their own rings.
func (n *simNet) check(seed uint64, step int) {
	fail := func(format string, args ...any) {
		n.t.Helper()
		n.t.Fatalf("seed %d step %d: %s", seed, step, fmt.Sprintf(format, args...))
	}
	holder := map[netip.Addr]string{}
	type claim struct {
		b    block
		peer string
	}
	var claims []claim
	for _, name := range n.names {
		nd := n.nodes[name]
		if nd.removed {
			continue
		}
		held, owned := nd.held, nd.owned
		if a := nd.a; a != nil {
			held = a.Allocated()
			a.mu.Lock()
			owned = a.usableRanges()
			for addr := range held {
				if o := a.ring.Owner(addr); o != name {
					a.mu.Unlock()
					fail("%s holds %s, which its ring gives to %q", name, addr, o)
				}
			}
			// Correct peers never make two entries of one version.
			for p, e := range a.mergeErrs {
				if strings.Contains(e.Err, ring.ErrConflict.Error()) {
					a.mu.Unlock()
					fail("%s refused a conflicting ring from %s: %s", name, p, e.Err)
				}
			}
			a.mu.Unlock()
		}
		for addr := range held {
			if prev, dup := holder[addr]; dup {
				fail("%s is held on %s and on %s", addr, prev, name)
			}
			holder[addr] = name
		}
		for _, r := range owned {
			claims = append(claims, claim{blockOf(r), name})
		}
	}
	slices.SortFunc(claims, func(x, y claim) int { return cmp.Compare(x.b.lo, y.b.lo) })
	for i := 1; i < len(claims); i++ {
		if claims[i].b.lo <= claims[i-1].b.hi {
			fail("%s owns %s and %s owns %s", claims[i-1].peer, claims[i-1].b.toRange(),
				claims[i].peer, claims[i].b.toRange())
		}
	}
}

// converged fails unless every running peer has the same committed ring and
// no refused rings.
func (n *simNet) converged(seed uint64, bound int) {
	var first *ring.Ring
	for _, nd := range n.up() {
		var r ring.Ring
		if err := r.UnmarshalBinary(nd.a.LocalState()); err != nil {
			n.t.Fatal(err)
		}
		if errs := nd.a.Status().MergeErrors; len(errs) > 0 {
			n.t.Fatalf("seed %d: %s refused rings: %+v", seed, nd.name, errs)
		}
		if first == nil {
			first = &r
			continue
		}
		if !r.Equal(first) {
			n.t.Fatalf("seed %d: after %d rounds %s's ring differs:\n%v\n%v", seed, bound,
				nd.name, r.Entries(), first.Entries())
		}
	}
}
