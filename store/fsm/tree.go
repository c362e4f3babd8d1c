package fsm

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Bucket names. nodes holds the tree, ttl the expiry index, history the
// recent events and meta the counters.
var (
	bucketNodes   = []byte("nodes")
	bucketTTL     = []byte("ttl")
	bucketHistory = []byte("history")
	bucketMeta    = []byte("meta")

	metaIndex   = []byte("index")
	metaApplied = []byte("applied")
)

// tree is the tree inside one bbolt transaction. dirs, when not nil,
// remembers the keys this transaction found or made to be directories, so
// that commands below the same directories walk them once per batch: put
// keeps it true, and any removal empties it.
type tree struct {
	tx   *bolt.Tx
	dirs map[string]bool
}

// writeTree is the tree of a write transaction, remembering directories.
func writeTree(tx *bolt.Tx) tree { return tree{tx: tx, dirs: map[string]bool{}} }

// ancestor reports whether key exists and whether it is a directory.
func (t tree) ancestor(key string) (exists, dir bool, err error) {
	if t.dirs[key] {
		return true, true, nil
	}
	r, err := t.lookup(key)
	if err != nil || r == nil {
		return false, false, err
	}
	if r.dir && t.dirs != nil {
		t.dirs[key] = true
	}
	return true, r.dir, nil
}

// lookup returns the record at key, or nil when there is none. The root
// is a directory that always exists.
func (t tree) lookup(key string) (*record, error) {
	if key == "/" {
		return &record{dir: true}, nil
	}
	b := t.tx.Bucket(bucketNodes).Get(nodeKey(key))
	if b == nil {
		return nil, nil
	}
	return decodeRecord(b)
}

// walk returns the record at key, or the etcd error that a read of it
// gives: KeyNotFound naming the first missing segment, or NotDir naming a
// file met on the way. The error carries index.
func (t tree) walk(key string, index uint64) (*record, error) {
	for _, dir := range ancestors(key) {
		exists, isDir, err := t.ancestor(dir)
		if err != nil {
			return nil, err
		}
		if !exists {
			return nil, NewError(CodeKeyNotFound, dir, index)
		}
		if !isDir {
			return nil, NewError(CodeNotDir, dir, index)
		}
	}
	r, err := t.lookup(key)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, NewError(CodeKeyNotFound, key, index)
	}
	return r, nil
}

// mkdirs makes the missing directories above key at index, or fails with
// NotDir naming a file in the way.
func (t tree) mkdirs(key string, index, cur uint64) error {
	for _, dir := range ancestors(key) {
		exists, isDir, err := t.ancestor(dir)
		if err != nil {
			return err
		}
		if !exists {
			r := &record{dir: true, created: index, modified: index}
			if err := t.put(dir, r, nil); err != nil {
				return err
			}
			continue
		}
		if !isDir {
			return NewError(CodeNotDir, dir, cur)
		}
	}
	return nil
}

// put stores r at key, in place of old (the record there, nil for none),
// and keeps the expiry index in step with it.
func (t tree) put(key string, r, old *record) error {
	if old != nil && old.expire != 0 {
		if err := t.tx.Bucket(bucketTTL).Delete(ttlKey(old.expire, key)); err != nil {
			return fmt.Errorf("unindex expiry of %s: %w", key, err)
		}
	}
	if r.expire != 0 {
		if err := t.tx.Bucket(bucketTTL).Put(ttlKey(r.expire, key), nil); err != nil {
			return fmt.Errorf("index expiry of %s: %w", key, err)
		}
	}
	if err := t.tx.Bucket(bucketNodes).Put(nodeKey(key), r.encode()); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	if t.dirs != nil {
		if r.dir {
			t.dirs[key] = true
		} else {
			delete(t.dirs, key)
		}
	}
	return nil
}

// remove deletes the node at key and, for a directory, everything below.
func (t tree) remove(key string, r *record) error {
	clear(t.dirs)
	if r.dir {
		kids, err := t.children(key)
		if err != nil {
			return err
		}
		for _, c := range kids {
			if err := t.remove(c.key, c.rec); err != nil {
				return err
			}
		}
	}
	if r.expire != 0 {
		if err := t.tx.Bucket(bucketTTL).Delete(ttlKey(r.expire, key)); err != nil {
			return fmt.Errorf("unindex expiry of %s: %w", key, err)
		}
	}
	if err := t.tx.Bucket(bucketNodes).Delete(nodeKey(key)); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// child is one entry of a directory listing.
type child struct {
	key string
	rec *record
}

// children lists the direct children of dir, sorted by name.
func (t tree) children(dir string) ([]child, error) {
	prefix := childPrefix(dir)
	var out []child
	c := t.tx.Bucket(bucketNodes).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		r, err := decodeRecord(v)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", dir, err)
		}
		out = append(out, child{key: join(dir, string(k[len(prefix):])), rec: r})
	}
	return out, nil
}

// counter reads a meta counter; a missing one is 0.
func (t tree) counter(name []byte) uint64 {
	b := t.tx.Bucket(bucketMeta).Get(name)
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// setCounter writes a meta counter.
func (t tree) setCounter(name []byte, n uint64) error {
	if err := t.tx.Bucket(bucketMeta).Put(name, u64(n)); err != nil {
		return fmt.Errorf("store counter %s: %w", name, err)
	}
	return nil
}
