package ipam

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"weave.works/weave/ipam/ring"
)

// The saved form of a pending handover:
//
//	receiver name    uvarint length, bytes
//	offered ranges   uvarint count, then per range first and last (4 bytes each)
//	offer            the offered ring's encoding, to the end

// encodePending returns the saved form of h.
func encodePending(h *handover) []byte {
	b := binary.AppendUvarint(nil, uint64(len(h.to)))
	b = append(b, h.to...)
	b = binary.AppendUvarint(b, uint64(len(h.ranges)))
	for _, r := range h.ranges {
		f, l := r.First.As4(), r.Last.As4()
		b = append(append(b, f[:]...), l[:]...)
	}
	return append(b, h.data...)
}

// errBadPending is the cause of every error decodePending returns.
var errBadPending = errors.New("malformed saved handover")

// decodePending reads what encodePending wrote, for the peer and range of
// cfg. The handover keeps nothing of data, which may be bbolt's memory,
// valid only inside the transaction that read it.
func decodePending(data []byte, cfg Config) (*handover, error) {
	n, k := binary.Uvarint(data)
	if k <= 0 || n == 0 || n > ring.MaxPeerName || uint64(len(data)-k) < n {
		return nil, fmt.Errorf("%w: receiver name", errBadPending)
	}
	h := &handover{to: string(data[k : k+int(n)]), saved: true}
	data = data[k+int(n):]
	count, k := binary.Uvarint(data)
	if k <= 0 || count > uint64(len(data)-k)/8 {
		return nil, fmt.Errorf("%w: range count", errBadPending)
	}
	data = data[k:]
	for range count {
		r := ring.Range{First: netip.AddrFrom4([4]byte(data[:4])),
			Last: netip.AddrFrom4([4]byte(data[4:8]))}
		data = data[8:]
		if !r.IsValid() || !cfg.Range.Contains(r.First) || !cfg.Range.Contains(r.Last) {
			return nil, fmt.Errorf("%w: range %s", errBadPending, r)
		}
		h.ranges = append(h.ranges, r)
		h.given += r.Size()
	}
	offer, _ := ring.New(cfg.Range, cfg.Self)
	if err := offer.UnmarshalBinary(data); err != nil {
		return nil, fmt.Errorf("%w: offer: %w", errBadPending, err)
	}
	if offer.Range() != cfg.Range {
		return nil, fmt.Errorf("%w: offer over %s, range is %s", errBadPending, offer.Range(),
			cfg.Range)
	}
	h.offer, h.data = offer, bytes.Clone(data)
	return h, nil
}
