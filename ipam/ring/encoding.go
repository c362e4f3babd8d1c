package ring

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// The encoding, all integers unsigned varints unless said otherwise:
//
//	magic "WVR" and format version 1            4 bytes
//	range address (4 bytes) and prefix length   5 bytes
//	identity                                    8 bytes
//	peer count, then each name as length+bytes  names in order of first use
//	entry count, then per entry: token delta, peer index, version, free
//
// The first token delta is from the start of the range, the others from the
// previous token. The encoding of a ring is canonical: UnmarshalBinary takes
// only minimal varints, names in order of first use and no trailing bytes, so
// a ring it accepts encodes back to the same bytes.
var magic = [4]byte{'W', 'V', 'R', 1}

// MarshalBinary encodes the ring compactly for gossip and for the state file.
// The ring's own peer (Self) is not part of the encoding.
func (r *Ring) MarshalBinary() ([]byte, error) {
	if !r.prefix.IsValid() {
		return nil, fmt.Errorf("encode ring: %w: no range", ErrInvalid)
	}
	b := make([]byte, 0, 32+len(r.entries)*12)
	b = append(b, magic[:]...)
	a := r.prefix.Addr().As4()
	b = append(b, a[:]...)
	b = append(b, byte(r.prefix.Bits()))
	b = append(b, r.id[:]...)

	index := map[string]uint64{}
	var names []string
	for _, e := range r.entries {
		if _, ok := index[e.peer]; !ok {
			index[e.peer] = uint64(len(names))
			names = append(names, e.peer)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, n := range names {
		b = binary.AppendUvarint(b, uint64(len(n)))
		b = append(b, n...)
	}

	b = binary.AppendUvarint(b, uint64(len(r.entries)))
	prev := r.all.lo
	for _, e := range r.entries {
		b = binary.AppendUvarint(b, uint64(e.token-prev))
		b = binary.AppendUvarint(b, index[e.peer])
		b = binary.AppendUvarint(b, e.version)
		b = binary.AppendUvarint(b, e.free)
		prev = e.token
	}
	return b, nil
}

// UnmarshalBinary decodes a ring written by MarshalBinary and validates it.
// It keeps r's own peer (Self). On error r is unchanged.
func (r *Ring) UnmarshalBinary(data []byte) error {
	d := decoder{buf: data}
	next, err := d.ring()
	if err != nil {
		return fmt.Errorf("decode ring at byte %d: %w", d.off, err)
	}
	if err := next.Validate(); err != nil {
		return fmt.Errorf("decode ring: %w", err)
	}
	next.self = r.self
	*r = *next
	return nil
}

// decoder reads the encoding and remembers how far it got, for error
// messages.
type decoder struct {
	buf []byte
	off int
}

func (d *decoder) ring() (*Ring, error) {
	head, err := d.bytes(len(magic) + 5 + len(ID{}))
	if err != nil {
		return nil, err
	}
	if [4]byte(head[:4]) != magic {
		return nil, fmt.Errorf("%w: bad magic or format version % x", ErrInvalid, head[:4])
	}
	bits := int(head[8])
	if bits > 32 {
		return nil, fmt.Errorf("%w: prefix length %d", ErrInvalid, bits)
	}
	prefix := netip.PrefixFrom(netip.AddrFrom4([4]byte(head[4:8])), bits)
	if prefix != prefix.Masked() {
		return nil, fmt.Errorf("%w: range %s has host bits set", ErrInvalid, prefix)
	}
	r := &Ring{prefix: prefix, all: spanOf(prefix), id: ID(head[9:])}

	names, err := d.names()
	if err != nil {
		return nil, err
	}
	if err := d.entries(r, names); err != nil {
		return nil, err
	}
	if d.off != len(d.buf) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrInvalid, len(d.buf)-d.off)
	}
	return r, nil
}

func (d *decoder) names() ([]string, error) {
	// Every name takes at least two bytes, which bounds the count before
	// anything is allocated.
	n, err := d.count(2)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for range n {
		size, err := d.uvarint()
		if err != nil {
			return nil, err
		}
		if size == 0 || size > MaxPeerName {
			return nil, fmt.Errorf("%w: peer name of %d bytes", ErrInvalid, size)
		}
		raw, err := d.bytes(int(size))
		if err != nil {
			return nil, err
		}
		name := string(raw)
		if seen[name] {
			return nil, fmt.Errorf("%w: peer %q listed twice", ErrInvalid, name)
		}
		seen[name] = true
		names = append(names, name)
	}
	return names, nil
}

func (d *decoder) entries(r *Ring, names []string) error {
	n, err := d.count(4)
	if err != nil {
		return err
	}
	r.entries = make([]entry, 0, n)
	prev := uint64(r.all.lo)
	used := 0
	for i := range n {
		var f [4]uint64
		for k := range f {
			if f[k], err = d.uvarint(); err != nil {
				return err
			}
		}
		if f[0] > uint64(r.all.hi)-prev || (i > 0 && f[0] == 0) {
			return fmt.Errorf("%w: entry %d: token delta %d", ErrInvalid, i, f[0])
		}
		token := prev + f[0]
		// Names must appear in order of first use, as MarshalBinary writes
		// them, for the encoding to stay canonical.
		switch {
		case f[1] < uint64(used):
		case f[1] == uint64(used) && used < len(names):
			used++
		default:
			return fmt.Errorf("%w: entry %d: peer index %d", ErrInvalid, i, f[1])
		}
		r.entries = append(r.entries, entry{
			token: uint32(token), peer: names[f[1]], version: f[2], free: f[3],
		})
		prev = token
	}
	if used != len(names) {
		return fmt.Errorf("%w: %d peer names unused", ErrInvalid, len(names)-used)
	}
	return nil
}

// count reads a count of items that take at least least bytes each, refusing
// counts the rest of the input cannot hold.
func (d *decoder) count(least int) (int, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64((len(d.buf)-d.off)/least) {
		return 0, fmt.Errorf("%w: count %d exceeds the input", ErrInvalid, n)
	}
	return int(n), nil
}

func (d *decoder) uvarint() (uint64, error) {
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		return 0, fmt.Errorf("%w: truncated or overlong varint", ErrInvalid)
	}
	if n != len(binary.AppendUvarint(nil, v)) {
		return 0, fmt.Errorf("%w: varint not in its shortest form", ErrInvalid)
	}
	d.off += n
	return v, nil
}

func (d *decoder) bytes(n int) ([]byte, error) {
	if n > len(d.buf)-d.off {
		return nil, fmt.Errorf("%w: truncated: need %d bytes, have %d", ErrInvalid, n,
			len(d.buf)-d.off)
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b, nil
}
