package ipam

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"sort"

	"weave.works/weave/ipam/ring"
)

// Gateway returns the first host address of pool, the one the Docker adapter
// reports as the pool's gateway. Allocate never hands it out.
func Gateway(pool netip.Prefix) netip.Addr {
	return pool.Masked().Addr().Next()
}

// block is a run of addresses as integers, both ends included. Integers in
// uint64 let a run end at 255.255.255.255 and still be stepped past.
type block struct {
	lo, hi uint64
}

func blockOf(r ring.Range) block {
	return block{lo: uint64(u32(r.First)), hi: uint64(u32(r.Last))}
}

func blockOfPrefix(p netip.Prefix) block {
	return blockOf(ring.RangeOf(p))
}

func (b block) size() uint64 { return b.hi - b.lo + 1 }

func (b block) intersect(o block) (block, bool) {
	out := block{lo: max(b.lo, o.lo), hi: min(b.hi, o.hi)}
	return out, out.lo <= out.hi
}

func (b block) toRange() ring.Range {
	return ring.Range{First: addrOf(b.lo), Last: addrOf(b.hi)}
}

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func addrOf(v uint64) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(v))
	return netip.AddrFrom4(b)
}

// heldSet is the set of addresses that are not free (allocated, being
// allocated, or being released) as sorted runs that neither overlap nor
// touch. Allocations go to the lowest free address, so held addresses form
// few long runs and every operation is logarithmic in the number of runs,
// or linear in the runs inside the block asked about.
type heldSet []run

// run is a run of held addresses, both ends included.
type run struct {
	lo, hi uint32
}

// search returns the index of the first run that ends at or above v.
func (h heldSet) search(v uint32) int {
	return sort.Search(len(h), func(i int) bool { return h[i].hi >= v })
}

// add marks a held, joining it to the runs beside it.
func (h *heldSet) add(a netip.Addr) {
	v := u32(a)
	s := *h
	i := s.search(v)
	if i < len(s) && s[i].lo <= v {
		return
	}
	left := i > 0 && s[i-1].hi+1 == v
	right := i < len(s) && s[i].lo-1 == v
	switch {
	case left && right:
		s[i-1].hi = s[i].hi
		*h = slices.Delete(s, i, i+1)
	case left:
		s[i-1].hi = v
	case right:
		s[i].lo = v
	default:
		*h = slices.Insert(s, i, run{lo: v, hi: v})
	}
}

// remove marks a free, splitting the run that held it.
func (h *heldSet) remove(a netip.Addr) {
	v := u32(a)
	s := *h
	i := s.search(v)
	if i == len(s) || s[i].lo > v {
		return
	}
	switch r := s[i]; {
	case r.lo == r.hi:
		*h = slices.Delete(s, i, i+1)
	case v == r.lo:
		s[i].lo++
	case v == r.hi:
		s[i].hi--
	default:
		s[i].hi = v - 1
		*h = slices.Insert(s, i+1, run{lo: v + 1, hi: r.hi})
	}
}

// has reports whether a is held.
func (h heldSet) has(a netip.Addr) bool {
	v := u32(a)
	i := h.search(v)
	return i < len(h) && h[i].lo <= v
}

// countIn returns how many held addresses lie in b.
func (h heldSet) countIn(b block) uint64 {
	var n uint64
	for i := h.search(uint32(b.lo)); i < len(h) && uint64(h[i].lo) <= b.hi; i++ {
		if o, ok := (block{lo: uint64(h[i].lo), hi: uint64(h[i].hi)}).intersect(b); ok {
			n += o.size()
		}
	}
	return n
}

// lowestFree returns the lowest address in b that is neither held nor in
// reserved.
func (h heldSet) lowestFree(b block, reserved []uint64) (uint64, bool) {
	i := h.search(uint32(b.lo))
	for x := b.lo; x <= b.hi; {
		switch {
		case i < len(h) && uint64(h[i].lo) <= x:
			x = uint64(h[i].hi) + 1
			i++
		case slices.Contains(reserved, x):
			x++
		default:
			return x, true
		}
	}
	return 0, false
}

// freeRuns calls f for every maximal run of addresses in b that holds no held
// address.
func (h heldSet) freeRuns(b block, f func(block)) {
	x := b.lo
	for i := h.search(uint32(b.lo)); i < len(h) && uint64(h[i].lo) <= b.hi; i++ {
		if lo := uint64(h[i].lo); lo > x {
			f(block{lo: x, hi: lo - 1})
		}
		x = max(x, uint64(h[i].hi)+1)
	}
	if x <= b.hi {
		f(block{lo: x, hi: b.hi})
	}
}

// largestAligned returns the largest block inside b whose size is a power of
// two no larger than limit and whose start is a multiple of its size, the
// lowest one when there are several.
func largestAligned(b block, limit uint64) (block, bool) {
	var best block
	found := false
	for x := b.lo; x <= b.hi; {
		size := uint64(1)
		for size < 1<<32 && x%(size*2) == 0 && x+size*2-1 <= b.hi && size*2 <= limit {
			size *= 2
		}
		if size > limit {
			break
		}
		if !found || size > best.size() {
			best, found = block{lo: x, hi: x + size - 1}, true
		}
		x += size
	}
	return best, found
}

// alignedAround returns the largest block inside b that holds x, whose size
// is a power of two no larger than limit (but at least 1) and whose start is
// a multiple of its size.
func alignedAround(b block, x, limit uint64) block {
	best := block{lo: x, hi: x}
	for size := uint64(2); size <= limit && size <= 1<<32; size *= 2 {
		lo := x &^ (size - 1)
		c := block{lo: lo, hi: lo + size - 1}
		if c.lo < b.lo || c.hi > b.hi {
			break
		}
		best = c
	}
	return best
}

// subtractRanges returns the parts of the sorted ranges rs that lie in none
// of the ranges cut.
func subtractRanges(rs, cut []ring.Range) []ring.Range {
	var out []ring.Range
	for _, r := range rs {
		parts := []block{blockOf(r)}
		for _, c := range cut {
			cb := blockOf(c)
			var next []block
			for _, p := range parts {
				if _, ok := p.intersect(cb); !ok {
					next = append(next, p)
					continue
				}
				if p.lo < cb.lo {
					next = append(next, block{lo: p.lo, hi: cb.lo - 1})
				}
				if p.hi > cb.hi {
					next = append(next, block{lo: cb.hi + 1, hi: p.hi})
				}
			}
			parts = next
		}
		for _, p := range parts {
			out = append(out, p.toRange())
		}
	}
	return out
}
