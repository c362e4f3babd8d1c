package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"weave.works/weave/store/fsm"
)

// DefaultLockTTL is how long a lock outlives a holder that stopped
// renewing it, as libkv's etcd backend chose.
const DefaultLockTTL = 20 * time.Second

// LockOptions shape a lock: the value stored while it is held (default: a
// random token), and the TTL after which a holder that stopped renewing
// loses it.
type LockOptions struct {
	Value []byte
	TTL   time.Duration
}

// Locker is a distributed lock on one key.
type Locker interface {
	// Lock blocks until the lock is held or ctx ends. The channel it
	// returns closes if the lock is lost (a renewal failed).
	Lock(ctx context.Context) (<-chan struct{}, error)
	// Unlock releases the lock.
	Unlock() error
}

// errNotHeld is returned by Unlock when the lock is not held.
var errNotHeld = errors.New("lock not held")

// NewLock returns a lock on key. The key holds the holder's value with a
// TTL that the holder renews at a third of it.
func (s *Store) NewLock(key string, o *LockOptions) (Locker, error) {
	k, err := canonical("new lock", key)
	if err != nil {
		return nil, err
	}
	l := &lock{s: s, key: k, ttl: DefaultLockTTL}
	if o != nil && o.TTL > 0 {
		l.ttl = o.TTL
	}
	if o != nil && o.Value != nil {
		l.value = string(o.Value)
	} else {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		l.value = hex.EncodeToString(b)
	}
	return l, nil
}

type lock struct {
	s     *Store
	key   string
	value string
	ttl   time.Duration

	mu    sync.Mutex
	index uint64        // modified index of our lock key while held
	stop  chan struct{} // ends the renewal
	done  chan struct{} // closed when the renewal ended
}

func (l *lock) Lock(ctx context.Context) (<-chan struct{}, error) {
	for {
		c := &fsm.Command{Op: fsm.OpCreate, Key: l.key, Value: l.value, TTL: ttlOf(l.ttl)}
		res, err := l.s.Do(ctx, c)
		if err == nil {
			return l.hold(res.Event().Index()), nil
		}
		if !fsm.HasCode(err, fsm.CodeNodeExist) {
			return nil, fmt.Errorf("lock %s: %w", l.key, err)
		}
		if err := l.waitFree(ctx); err != nil {
			return nil, fmt.Errorf("lock %s: %w", l.key, err)
		}
	}
}

// waitFree waits until the lock key is removed (or ctx ends).
func (l *lock) waitFree(ctx context.Context) error {
	res, w, err := l.s.readAndWatch(l.key, false)
	if err != nil {
		return err
	}
	defer w.Close()
	if res.Event == nil {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Events():
			if !ok || e.Action == fsm.ActionDelete || e.Action == fsm.ActionExpire ||
				e.Action == fsm.ActionCompareAndDelete {
				return nil
			}
		}
	}
}

// hold records the lock as held and starts renewing it.
func (l *lock) hold(index uint64) <-chan struct{} {
	lost := make(chan struct{})
	l.mu.Lock()
	l.index, l.stop, l.done = index, make(chan struct{}), make(chan struct{})
	stop, done := l.stop, l.done
	l.mu.Unlock()
	go l.renew(stop, done, lost)
	return lost
}

// renew refreshes the TTL, comparing the index so that a lock that expired
// and was taken by another is not renewed; a failed renewal closes lost.
func (l *lock) renew(stop, done, lost chan struct{}) {
	defer close(done)
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		l.mu.Lock()
		index := l.index
		l.mu.Unlock()
		c := &fsm.Command{Op: fsm.OpCompareAndSwap, Key: l.key, PrevIndex: index,
			Refresh: true, TTL: ttlOf(l.ttl)}
		res, err := l.s.Do(context.Background(), c)
		if err != nil {
			close(lost)
			return
		}
		l.mu.Lock()
		l.index = res.Event().Index()
		l.mu.Unlock()
	}
}

func (l *lock) Unlock() error {
	l.mu.Lock()
	stop, done := l.stop, l.done
	l.stop = nil
	l.mu.Unlock()
	if stop == nil {
		return fmt.Errorf("unlock %s: %w", l.key, errNotHeld)
	}
	close(stop)
	<-done
	l.mu.Lock()
	index := l.index
	l.mu.Unlock()
	c := &fsm.Command{Op: fsm.OpCompareAndDelete, Key: l.key, PrevIndex: index}
	_, err := l.s.Do(context.Background(), c)
	if err != nil {
		return fmt.Errorf("unlock %s: %w", l.key, err)
	}
	return nil
}
