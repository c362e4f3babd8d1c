package ring

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Range is a run of consecutive IPv4 addresses; both First and Last belong to
// it. Including the last address, rather than pointing one past it, lets a
// Range reach 255.255.255.255 without overflow.
type Range struct {
	First netip.Addr
	Last  netip.Addr
}

// RangeOf returns the addresses of the IPv4 prefix p, network and broadcast
// address included. It returns the zero Range when p is not a valid IPv4
// prefix.
func RangeOf(p netip.Prefix) Range {
	if !p.IsValid() || !p.Addr().Is4() {
		return Range{}
	}
	s := spanOf(p.Masked())
	return s.toRange()
}

// IsValid reports whether r holds two IPv4 addresses in order.
func (r Range) IsValid() bool {
	return r.First.Is4() && r.Last.Is4() && !r.Last.Less(r.First)
}

// Size returns the number of addresses in r, or 0 when r is not valid.
func (r Range) Size() uint64 {
	if !r.IsValid() {
		return 0
	}
	return spanFrom(r).size()
}

// Contains reports whether a lies in r.
func (r Range) Contains(a netip.Addr) bool {
	return r.IsValid() && a.Is4() && !a.Less(r.First) && !r.Last.Less(a)
}

// String returns the range as "FIRST-LAST".
func (r Range) String() string {
	return fmt.Sprintf("%s-%s", r.First, r.Last)
}

// span is the internal form of a Range: addresses as integers, both ends
// included.
type span struct {
	lo, hi uint32
}

func spanOf(p netip.Prefix) span {
	lo := toU32(p.Addr())
	size := uint64(1) << (32 - p.Bits())
	return span{lo: lo, hi: uint32(uint64(lo) + size - 1)}
}

func spanFrom(r Range) span {
	return span{lo: toU32(r.First), hi: toU32(r.Last)}
}

func (s span) size() uint64 {
	return uint64(s.hi) - uint64(s.lo) + 1
}

func (s span) toRange() Range {
	return Range{First: toAddr(s.lo), Last: toAddr(s.hi)}
}

// toU32 returns an IPv4 address as a big-endian integer.
func toU32(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

// toAddr is the inverse of toU32.
func toAddr(v uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}
