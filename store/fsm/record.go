package fsm

import (
	"encoding/binary"
	"fmt"
)

// record is a node as stored in the nodes bucket. The root is never
// stored: it is a directory that always exists, at index 0.
type record struct {
	dir      bool
	created  uint64
	modified uint64
	expire   int64 // Unix nanoseconds; 0 for a permanent node
	value    string
}

// recordHeader is the size of the fixed part: a flag byte and three
// 8-byte numbers.
const recordHeader = 1 + 3*8

const flagDir = 1

// encode returns the stored form: flags, created, modified, expire, then
// the value's bytes.
func (r *record) encode() []byte {
	b := make([]byte, recordHeader, recordHeader+len(r.value))
	if r.dir {
		b[0] = flagDir
	}
	binary.BigEndian.PutUint64(b[1:], r.created)
	binary.BigEndian.PutUint64(b[9:], r.modified)
	binary.BigEndian.PutUint64(b[17:], uint64(r.expire))
	return append(b, r.value...)
}

// decodeRecord reads what encode wrote; the value is copied out of b,
// which bbolt owns.
func decodeRecord(b []byte) (*record, error) {
	if len(b) < recordHeader || b[0]&^flagDir != 0 {
		return nil, fmt.Errorf("decode node record: malformed %d bytes", len(b))
	}
	return &record{
		dir:      b[0]&flagDir != 0,
		created:  binary.BigEndian.Uint64(b[1:]),
		modified: binary.BigEndian.Uint64(b[9:]),
		expire:   int64(binary.BigEndian.Uint64(b[17:])),
		value:    string(b[recordHeader:]),
	}, nil
}

// nodeKey is the bbolt key of a canonical key: the parent, a NUL, then the
// last segment. All children of a directory then share the prefix
// childPrefix(dir) and sort by name, so a listing is one cursor range.
// NUL cannot occur in a key (ParseKey refuses it).
func nodeKey(key string) []byte {
	dir, name := split(key)
	b := make([]byte, 0, len(dir)+1+len(name))
	b = append(b, dir...)
	b = append(b, 0)
	return append(b, name...)
}

// childPrefix is the bbolt key prefix shared by the children of dir.
func childPrefix(dir string) []byte {
	return append([]byte(dir), 0)
}

// ttlKey is the key of a node in the expiry index: the expiration, big
// endian so the bucket sorts by time, then the node's key.
func ttlKey(expire int64, key string) []byte {
	b := make([]byte, 8, 8+len(key))
	binary.BigEndian.PutUint64(b, uint64(expire))
	return append(b, key...)
}

// u64 encodes n big endian, for meta values and history keys.
func u64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, n)
}
