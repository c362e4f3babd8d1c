package cluster

import (
	"encoding/binary"
	"fmt"
)

// The envelope wraps every message the cluster carries for other packages:
//
//	byte 0     version (envelopeVersion)
//	byte 1     kind (kindMessage or kindState)
//	byte 2     channel length c, then c bytes of channel name
//	next byte  sender length s, then s bytes of sender name
//	rest       payload
//
// A kindMessage payload is the subsystem's bytes. A kindState payload is a
// bundle: for each StateHandler, a one-byte channel length, the channel name,
// a four-byte big-endian data length and the data. Both encodings are
// canonical: decoding and encoding again gives the same bytes.
const envelopeVersion = 1

// The kinds of envelope.
const (
	kindMessage byte = 1
	kindState   byte = 2
)

// maxChannelLen bounds a channel name.
const maxChannelLen = 64

// envelopeHeader is the size of an envelope without names and payload.
const envelopeHeader = 4

// envelope is one decoded message. Its slices point into the decoded buffer.
type envelope struct {
	kind    byte
	channel string
	sender  string
	payload []byte
}

// encode returns the wire form of e. Channel and sender lengths must already
// have been checked.
func (e envelope) encode() []byte {
	b := make([]byte, 0, envelopeHeader+len(e.channel)+len(e.sender)+len(e.payload))
	b = append(b, envelopeVersion, e.kind, byte(len(e.channel)))
	b = append(b, e.channel...)
	b = append(b, byte(len(e.sender)))
	b = append(b, e.sender...)
	return append(b, e.payload...)
}

// decodeEnvelope parses b. The payload aliases b.
func decodeEnvelope(b []byte) (envelope, error) {
	var e envelope
	if len(b) < envelopeHeader {
		return e, fmt.Errorf("%w: envelope of %d bytes is shorter than its header",
			ErrMalformed, len(b))
	}
	if b[0] != envelopeVersion {
		return e, fmt.Errorf("%w: envelope version %d, want %d", ErrMalformed, b[0],
			envelopeVersion)
	}
	e.kind = b[1]
	if e.kind != kindMessage && e.kind != kindState {
		return e, fmt.Errorf("%w: envelope kind %d at offset 1", ErrMalformed, e.kind)
	}
	channel, rest, err := shortString(b[2:], 2, "channel")
	if err != nil {
		return e, err
	}
	if e.kind == kindMessage && (channel == "" || len(channel) > maxChannelLen) {
		return e, fmt.Errorf("%w: channel name of %d bytes at offset 2", ErrMalformed,
			len(channel))
	}
	sender, rest, err := shortString(rest, len(b)-len(rest), "sender")
	if err != nil {
		return e, err
	}
	if sender == "" {
		return e, fmt.Errorf("%w: empty sender name at offset %d", ErrMalformed,
			len(b)-len(rest)-1)
	}
	e.channel, e.sender, e.payload = channel, sender, rest
	return e, nil
}

// shortString reads a one-byte length and that many bytes. off is the
// position of b in the whole envelope, for the error.
func shortString(b []byte, off int, what string) (string, []byte, error) {
	if len(b) < 1 {
		return "", nil, fmt.Errorf("%w: %s length missing at offset %d", ErrMalformed, what, off)
	}
	n := int(b[0])
	if len(b)-1 < n {
		return "", nil, fmt.Errorf("%w: %s of %d bytes at offset %d runs past the end",
			ErrMalformed, what, n, off)
	}
	return string(b[1 : 1+n]), b[1+n:], nil
}

// statePart is one StateHandler's share of a push/pull bundle.
type statePart struct {
	channel string
	data    []byte
}

// encodeBundle returns the wire form of parts.
func encodeBundle(parts []statePart) []byte {
	size := 0
	for _, p := range parts {
		size += 5 + len(p.channel) + len(p.data)
	}
	b := make([]byte, 0, size)
	for _, p := range parts {
		b = append(b, byte(len(p.channel)))
		b = append(b, p.channel...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(p.data)))
		b = append(b, p.data...)
	}
	return b
}

// decodeBundle parses a push/pull bundle. The data slices alias b.
func decodeBundle(b []byte) ([]statePart, error) {
	var parts []statePart
	for off := 0; off < len(b); {
		channel, rest, err := shortString(b[off:], off, "state channel")
		if err != nil {
			return nil, err
		}
		if channel == "" || len(channel) > maxChannelLen {
			return nil, fmt.Errorf("%w: state channel name of %d bytes at offset %d",
				ErrMalformed, len(channel), off)
		}
		off = len(b) - len(rest)
		if len(rest) < 4 {
			return nil, fmt.Errorf("%w: state length of %q missing at offset %d",
				ErrMalformed, channel, off)
		}
		n := binary.BigEndian.Uint32(rest)
		if uint64(len(rest)-4) < uint64(n) {
			return nil, fmt.Errorf("%w: state of %q, %d bytes at offset %d, runs past the end",
				ErrMalformed, channel, n, off)
		}
		parts = append(parts, statePart{channel: channel, data: rest[4 : 4+n]})
		off += 4 + int(n)
	}
	return parts, nil
}
