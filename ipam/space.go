package ipam

import (
	"encoding/binary"
	"net/netip"
	"slices"

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

// heldSet is the sorted set of addresses that are not free: allocated, being
// allocated, or being released.
type heldSet []uint32

func (h *heldSet) add(a netip.Addr) {
	v := u32(a)
	if i, found := slices.BinarySearch(*h, v); !found {
		*h = slices.Insert(*h, i, v)
	}
}

func (h *heldSet) remove(a netip.Addr) {
	if i, found := slices.BinarySearch(*h, u32(a)); found {
		*h = slices.Delete(*h, i, i+1)
	}
}

// countIn returns how many held addresses lie in b.
func (h heldSet) countIn(b block) uint64 {
	lo, _ := slices.BinarySearch(h, uint32(b.lo))
	hi, found := slices.BinarySearch(h, uint32(b.hi))
	if found {
		hi++
	}
	return uint64(hi - lo)
}

// lowestFree returns the lowest address in b that is neither held nor in
// reserved.
//
// TODO: the scan walks runs of held addresses one by one, which is linear in
// the run; fine for the thousands of containers a host runs, and to be
// replaced by a free-run index if a peer ever holds millions.
func (h heldSet) lowestFree(b block, reserved []uint64) (uint64, bool) {
	i, _ := slices.BinarySearch(h, uint32(b.lo))
	for x := b.lo; x <= b.hi; x++ {
		for i < len(h) && uint64(h[i]) < x {
			i++
		}
		if i < len(h) && uint64(h[i]) == x {
			continue
		}
		if !slices.Contains(reserved, x) {
			return x, true
		}
	}
	return 0, false
}

// freeRuns calls f for every maximal run of addresses in b that holds no held
// address.
func (h heldSet) freeRuns(b block, f func(block)) {
	i, _ := slices.BinarySearch(h, uint32(b.lo))
	x := b.lo
	for ; i < len(h) && uint64(h[i]) <= b.hi; i++ {
		if v := uint64(h[i]); v > x {
			f(block{lo: x, hi: v - 1})
		}
		x = uint64(h[i]) + 1
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
