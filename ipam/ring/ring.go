package ring

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"sort"
)

// MaxPeerName is the longest peer name, in bytes, that a ring accepts.
const MaxPeerName = 255

// ID identifies the seed a ring came from. The zero ID belongs to an empty
// ring that has not yet heard of any seed.
type ID [8]byte

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == ID{} }

// String returns id in hexadecimal.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// Entry is one token of a ring as its users see it. The entry owns the
// addresses from Token up to the next entry's token.
type Entry struct {
	Token   netip.Addr
	Peer    string
	Version uint64
	Free    uint64
}

// entry is the internal form of Entry, with the token as an integer.
type entry struct {
	token   uint32
	peer    string
	version uint64
	free    uint64
}

// Ring is one replica of the ring of a range. The zero Ring has no range and
// owns nothing; UnmarshalBinary fills it in.
type Ring struct {
	prefix  netip.Prefix
	all     span
	self    string
	id      ID
	entries []entry
}

// New returns an empty ring over the IPv4 prefix rng for the peer self. It
// owns nothing and has no identity until a seeded ring is merged into it.
func New(rng netip.Prefix, self string) (*Ring, error) {
	if !rng.IsValid() || !rng.Addr().Is4() {
		return nil, fmt.Errorf("new ring: range %s: %w", rng, ErrNotIPv4)
	}
	rng = rng.Masked()
	return &Ring{prefix: rng, all: spanOf(rng), self: self}, nil
}

// Seed returns the ring that gives the range rng, in equal contiguous parts,
// to the peers named, in the order of their sorted names. Repeated names count
// once. Every peer that computes Seed from the same range and names gets the
// same ring, so seed peers need no network to agree on the first split.
func Seed(rng netip.Prefix, peers []string) (*Ring, error) {
	r, err := New(rng, "")
	if err != nil {
		return nil, err
	}
	names := slices.Clone(peers)
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("seed ring over %s: %w", rng, ErrNoPeers)
	}
	for _, n := range names {
		if err := checkPeerName(n); err != nil {
			return nil, fmt.Errorf("seed ring over %s: %w", rng, err)
		}
	}
	total := r.all.size()
	if uint64(len(names)) > total {
		return nil, fmt.Errorf("seed ring over %s: %d peers for %d addresses: %w",
			rng, len(names), total, ErrNoPeers)
	}
	r.id = seedID(r.prefix, names)
	n := uint64(len(names))
	for i, name := range names {
		lo := total * uint64(i) / n
		hi := total * uint64(i+1) / n
		r.entries = append(r.entries, entry{
			token:   uint32(uint64(r.all.lo) + lo),
			peer:    name,
			version: 1,
			free:    hi - lo,
		})
	}
	return r, nil
}

// seedID hashes the range and the sorted, distinct seed names.
func seedID(rng netip.Prefix, names []string) ID {
	h := sha256.New()
	h.Write([]byte(rng.String()))
	for _, n := range names {
		h.Write([]byte{0})
		h.Write([]byte(n))
	}
	var id ID
	copy(id[:], h.Sum(nil))
	return id
}

// Range returns the prefix the ring divides.
func (r *Ring) Range() netip.Prefix { return r.prefix }

// Identity returns the ID of the seed the ring came from.
func (r *Ring) Identity() ID { return r.id }

// Self returns the name of the peer this replica belongs to.
func (r *Ring) Self() string { return r.self }

// SetSelf names the peer this replica belongs to. Merge refuses rings that
// change what that peer owns.
func (r *Ring) SetSelf(peer string) { r.self = peer }

// Len returns the number of entries.
func (r *Ring) Len() int { return len(r.entries) }

// Entries returns a copy of the entries in token order.
func (r *Ring) Entries() []Entry {
	out := make([]Entry, len(r.entries))
	for i, e := range r.entries {
		out[i] = Entry{Token: toAddr(e.token), Peer: e.peer, Version: e.version, Free: e.free}
	}
	return out
}

// Peers returns the sorted names of the peers that own at least one entry.
func (r *Ring) Peers() []string {
	var out []string
	for _, e := range r.entries {
		out = append(out, e.peer)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Clone returns a deep copy of r.
func (r *Ring) Clone() *Ring {
	c := *r
	c.entries = slices.Clone(r.entries)
	return &c
}

// Equal reports whether r and o hold the same range, identity and entries.
// The owning peer (Self) is not compared.
func (r *Ring) Equal(o *Ring) bool {
	return r.prefix == o.prefix && r.id == o.id && slices.Equal(r.entries, o.entries)
}

// Owner returns the peer that owns a, or "" when a is outside the range or
// the ring is empty.
func (r *Ring) Owner(a netip.Addr) string {
	if !a.Is4() || !r.prefix.IsValid() || !r.prefix.Contains(a) || len(r.entries) == 0 {
		return ""
	}
	return r.entries[r.cover(toU32(a))].peer
}

// cover returns the index of the entry that owns address v. The ring must
// have entries and v must lie in the range.
func (r *Ring) cover(v uint32) int {
	i := sort.Search(len(r.entries), func(i int) bool { return r.entries[i].token > v })
	if i == 0 {
		// Below the first token: the last entry wraps around to own it.
		return len(r.entries) - 1
	}
	return i - 1
}

// find returns the index of the entry with token v and whether there is one.
func (r *Ring) find(v uint32) (int, bool) {
	i := sort.Search(len(r.entries), func(i int) bool { return r.entries[i].token >= v })
	return i, i < len(r.entries) && r.entries[i].token == v
}

// spans returns the addresses entry i owns: one span, or two for a last entry
// that wraps around to the start of the range.
func (r *Ring) spans(i int) []span {
	e := r.entries[i]
	if i+1 < len(r.entries) {
		return []span{{lo: e.token, hi: r.entries[i+1].token - 1}}
	}
	out := []span{{lo: e.token, hi: r.all.hi}}
	if first := r.entries[0].token; first > r.all.lo {
		out = append(out, span{lo: r.all.lo, hi: first - 1})
	}
	return out
}

// size returns the number of addresses entry i owns.
func (r *Ring) size(i int) uint64 {
	var n uint64
	for _, s := range r.spans(i) {
		n += s.size()
	}
	return n
}

// OwnedRanges returns the addresses peer owns, as sorted ranges with
// neighbouring ranges joined.
func (r *Ring) OwnedRanges(peer string) []Range {
	var spans []span
	for i, e := range r.entries {
		if e.peer == peer {
			spans = append(spans, r.spans(i)...)
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	var out []Range
	for _, s := range spans {
		if n := len(out); n > 0 && uint64(toU32(out[n-1].Last))+1 == uint64(s.lo) {
			out[n-1].Last = toAddr(s.hi)
			continue
		}
		out = append(out, s.toRange())
	}
	return out
}

// ShareOf returns the number of addresses peer owns.
func (r *Ring) ShareOf(peer string) uint64 {
	var n uint64
	for i, e := range r.entries {
		if e.peer == peer {
			n += r.size(i)
		}
	}
	return n
}

// FreeOf returns the sum of the free counts peer last reported.
func (r *Ring) FreeOf(peer string) uint64 {
	var n uint64
	for _, e := range r.entries {
		if e.peer == peer {
			n += e.free
		}
	}
	return n
}

// FreeIn estimates how many free addresses peer has inside rg, from the free
// counts it last reported: each entry counts its free addresses, but no more
// than the part of its share that lies in rg.
func (r *Ring) FreeIn(peer string, rg Range) uint64 {
	if !rg.IsValid() {
		return 0
	}
	want := spanFrom(rg)
	var n uint64
	for i, e := range r.entries {
		if e.peer != peer {
			continue
		}
		var overlap uint64
		for _, s := range r.spans(i) {
			lo, hi := max(s.lo, want.lo), min(s.hi, want.hi)
			if lo <= hi {
				overlap += span{lo: lo, hi: hi}.size()
			}
		}
		n += min(e.free, overlap)
	}
	return n
}
