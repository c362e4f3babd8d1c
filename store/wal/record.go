package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"time"

	"github.com/hashicorp/raft"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendRecord appends e's record to buf.
func appendRecord(buf []byte, e *raft.Log) ([]byte, error) {
	length := fixedPart + len(e.Data) + len(e.Extensions)
	if length > MaxRecord {
		return nil, fmt.Errorf("entry %d is %d bytes, over the %d limit",
			e.Index, length, MaxRecord)
	}
	start := len(buf)
	buf = slices.Grow(buf, headerLen+length)
	buf = buf[:start+headerLen]
	buf = binary.LittleEndian.AppendUint64(buf, e.Index)
	buf = binary.LittleEndian.AppendUint64(buf, e.Term)
	buf = append(buf, byte(e.Type))
	var at int64
	if !e.AppendedAt.IsZero() {
		at = e.AppendedAt.UnixNano()
	}
	buf = binary.LittleEndian.AppendUint64(buf, uint64(at))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(e.Data)))
	buf = append(buf, e.Data...)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(e.Extensions)))
	buf = append(buf, e.Extensions...)
	payload := buf[start+headerLen:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(payload, castagnoli))
	return buf, nil
}

// decode reads a payload into out.
func decode(p []byte, out *raft.Log) error {
	if len(p) < fixedPart {
		return fmt.Errorf("record of %d bytes is too short", len(p))
	}
	out.Index = binary.LittleEndian.Uint64(p[0:8])
	out.Term = binary.LittleEndian.Uint64(p[8:16])
	out.Type = raft.LogType(p[16])
	out.AppendedAt = time.Time{}
	if at := int64(binary.LittleEndian.Uint64(p[17:25])); at != 0 {
		out.AppendedAt = time.Unix(0, at)
	}
	rest := p[25:]
	data, rest, err := chunk(rest)
	if err != nil {
		return err
	}
	ext, rest, err := chunk(rest)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("record has %d bytes after its fields", len(rest))
	}
	out.Data, out.Extensions = data, ext
	return nil
}

// chunk splits a length-prefixed field off p; an empty field is nil.
func chunk(p []byte) (field, rest []byte, err error) {
	if len(p) < 4 {
		return nil, nil, errors.New("record ends inside a length")
	}
	n := int(binary.LittleEndian.Uint32(p))
	if n > len(p)-4 {
		return nil, nil, fmt.Errorf("field of %d bytes overruns the record", n)
	}
	if n > 0 {
		field = p[4 : 4+n]
	}
	return field, p[4+n:], nil
}
