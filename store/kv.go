package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"weave.works/weave/store/fsm"
)

// The errors of the key-value contract. They wrap the etcd error, so
// fsm.AsError still finds the code.
var (
	// ErrKeyNotFound says the key (or a directory above it) does not exist.
	ErrKeyNotFound = errors.New("key not found")
	// ErrKeyExists says an atomic create found the key already there.
	ErrKeyExists = errors.New("key exists")
	// ErrKeyModified says an atomic operation found the key at another index.
	ErrKeyModified = errors.New("key modified since read")
	// ErrPreviousRequired says an atomic delete was given no previous pair.
	ErrPreviousRequired = errors.New("previous pair required")
)

// KVPair is a key, its value and the store index it was last modified at.
// Key is canonical ("/a/b"); a directory has a nil Value.
type KVPair struct {
	Key       string
	Value     []byte
	LastIndex uint64
}

// WriteOptions shape a Put: a TTL after which the key expires (0: never),
// and IsDir to make a directory instead of a file.
type WriteOptions struct {
	TTL   time.Duration
	IsDir bool
}

// kvError maps an etcd error onto the contract's sentinels.
func kvError(op, key string, err error) error {
	switch e := fsm.AsError(err); {
	case e == nil:
		return fmt.Errorf("%s %s: %w", op, key, err)
	case e.Code == fsm.CodeKeyNotFound:
		return fmt.Errorf("%s %s: %w: %w", op, key, ErrKeyNotFound, e)
	case e.Code == fsm.CodeNodeExist:
		return fmt.Errorf("%s %s: %w: %w", op, key, ErrKeyExists, e)
	case e.Code == fsm.CodeTestFailed:
		return fmt.Errorf("%s %s: %w: %w", op, key, ErrKeyModified, e)
	default:
		return fmt.Errorf("%s %s: %w", op, key, e)
	}
}

// canonical parses a key given to the contract.
func canonical(op, key string) (string, error) {
	k, err := fsm.ParseKey(key)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return k, nil
}

// pairOf turns a node into a pair.
func pairOf(n *fsm.Node) *KVPair {
	p := &KVPair{Key: n.Key, LastIndex: n.ModifiedIndex}
	if n.Key == "" {
		p.Key = "/"
	}
	if n.Value != nil {
		p.Value = []byte(*n.Value)
	}
	return p
}

// ttlOf converts a TTL to whole seconds, rounding up; 0 means none.
func ttlOf(d time.Duration) *int64 {
	if d <= 0 {
		return nil
	}
	s := int64((d + time.Second - 1) / time.Second)
	return &s
}

// Get returns the pair at key with a linearizable read.
func (s *Store) Get(ctx context.Context, key string) (*KVPair, error) {
	k, err := canonical("get", key)
	if err != nil {
		return nil, err
	}
	res, err := s.Read(ctx, k, ReadOptions{Quorum: true})
	if err != nil {
		return nil, kvError("get", k, err)
	}
	return pairOf(res.Event.Node), nil
}

// Exists reports whether key exists, with a linearizable read.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	_, err := s.Get(ctx, key)
	if errors.Is(err, ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// List returns the direct children of dir (files and directories), sorted
// by key, with a linearizable read.
func (s *Store) List(ctx context.Context, dir string) ([]*KVPair, error) {
	k, err := canonical("list", dir)
	if err != nil {
		return nil, err
	}
	res, err := s.Read(ctx, k, ReadOptions{Quorum: true, Sorted: true})
	if err != nil {
		return nil, kvError("list", k, err)
	}
	out := make([]*KVPair, 0, len(res.Event.Node.Nodes))
	for _, n := range res.Event.Node.Nodes {
		out = append(out, pairOf(n))
	}
	return out, nil
}

// Put writes value at key, making the directories above it. With IsDir it
// makes a directory, and succeeds if one is there already.
func (s *Store) Put(ctx context.Context, key string, value []byte, o *WriteOptions) error {
	k, err := canonical("put", key)
	if err != nil {
		return err
	}
	if o == nil {
		o = &WriteOptions{}
	}
	c := &fsm.Command{Op: fsm.OpSet, Key: k, Value: string(value), Dir: o.IsDir, TTL: ttlOf(o.TTL)}
	if o.IsDir {
		c.Value = ""
	}
	_, err = s.Do(ctx, c)
	if o.IsDir && fsm.HasCode(err, fsm.CodeNotFile) {
		// The node is a directory already: make sure, and keep it.
		res, rerr := s.Read(ctx, k, ReadOptions{Quorum: true})
		if rerr == nil && res.Event.Node.Dir {
			return nil
		}
	}
	if err != nil {
		return kvError("put", k, err)
	}
	return nil
}

// Delete removes the file at key.
func (s *Store) Delete(ctx context.Context, key string) error {
	k, err := canonical("delete", key)
	if err != nil {
		return err
	}
	if _, err := s.Do(ctx, &fsm.Command{Op: fsm.OpDelete, Key: k}); err != nil {
		return kvError("delete", k, err)
	}
	return nil
}

// DeleteTree removes dir and everything below it.
func (s *Store) DeleteTree(ctx context.Context, dir string) error {
	k, err := canonical("delete tree", dir)
	if err != nil {
		return err
	}
	if _, err := s.Do(ctx, &fsm.Command{Op: fsm.OpDelete, Key: k, Recursive: true}); err != nil {
		return kvError("delete tree", k, err)
	}
	return nil
}

// AtomicPut writes key if it is still as previous left it: with previous
// nil the key must not exist (ErrKeyExists otherwise); else its index must
// be previous.LastIndex (ErrKeyModified otherwise). It returns the new pair.
func (s *Store) AtomicPut(ctx context.Context, key string, value []byte, previous *KVPair,
	o *WriteOptions) (bool, *KVPair, error) {
	k, err := canonical("atomic put", key)
	if err != nil {
		return false, nil, err
	}
	if o == nil {
		o = &WriteOptions{}
	}
	c := &fsm.Command{Op: fsm.OpCreate, Key: k, Value: string(value), TTL: ttlOf(o.TTL)}
	if previous != nil {
		c.Op, c.PrevIndex = fsm.OpCompareAndSwap, previous.LastIndex
		if c.PrevIndex == 0 {
			c.Op = fsm.OpUpdate
		}
	}
	res, err := s.Do(ctx, c)
	if err != nil {
		return false, nil, kvError("atomic put", k, err)
	}
	return true, pairOf(res.Event().Node), nil
}

// AtomicDelete removes key if its index is still previous.LastIndex.
func (s *Store) AtomicDelete(ctx context.Context, key string, previous *KVPair) (bool, error) {
	k, err := canonical("atomic delete", key)
	if err != nil {
		return false, err
	}
	if previous == nil {
		return false, fmt.Errorf("atomic delete %s: %w", k, ErrPreviousRequired)
	}
	c := &fsm.Command{Op: fsm.OpCompareAndDelete, Key: k, PrevIndex: previous.LastIndex}
	if c.PrevIndex == 0 {
		c.Op = fsm.OpDelete
	}
	if _, err := s.Do(ctx, c); err != nil {
		return false, kvError("atomic delete", k, err)
	}
	return true, nil
}
