package wal

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
)

// With SyncBehind, an append of commands returns before its fdatasync, so
// that a Raft leader sends its entries to the followers while its own
// disk writes them, as the Raft thesis allows (section 10.2.1). What was
// written but not yet synced is lost in a power failure (not when only
// the process stops: the kernel still holds it), so the caller must not
// let it count until it is durable:
//
//   - a follower acknowledges entries only once WaitDurable says so;
//   - a leader tells the followers a commit index no higher than Durable,
//     so none applies an entry that a majority does not hold on disk;
//   - the state machine applies an entry only once it is durable here.
//
// The syncer is one goroutine: it syncs the last segment (every earlier
// one was synced when the next began) whenever appends are waiting, so
// one fdatasync covers every append written while the previous one ran.

// ErrReplaced is WaitDurable's answer for an entry that a tail truncation
// removed before it became durable, whatever replaced it.
var ErrReplaced = errors.New("the entry was removed from the log before it was synced")

// onlyCommands reports whether every entry is a command: the appends
// that SyncBehind leaves to the syncer.
func onlyCommands(entries []*raft.Log) bool {
	for _, e := range entries {
		if e.Type != raft.LogCommand {
			return false
		}
	}
	return true
}

// signal wakes the WaitDurable callers. The caller holds mu.
func (l *Log) signal() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// setDurable records that every entry up to index is synced.
func (l *Log) setDurable(index uint64) {
	if index > l.durable {
		l.durable = index
		l.signal()
	}
}

// replaced records a tail truncation: entries after the new last one may
// come back with other contents, and a sync in flight covers none of
// them.
func (l *Log) replaced() {
	l.epoch++
	l.durable = min(l.durable, l.last)
	l.signal()
	l.wakeSyncer()
}

// wakeSyncer asks the syncer for a round, without waiting for it.
func (l *Log) wakeSyncer() {
	if l.kick == nil {
		return
	}
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// syncLoop is the syncer.
func (l *Log) syncLoop() {
	defer close(l.synced)
	for {
		select {
		case <-l.kick:
		case <-l.quit:
			return
		}
		for l.syncOnce() {
		}
	}
}

// syncOnce syncs the last segment and moves durable to what was written
// before the sync began, unless a truncation came in between. It reports
// whether entries are still waiting.
func (l *Log) syncOnce() bool {
	l.mu.Lock()
	if l.checkOpen() != nil || l.durable >= l.last || len(l.segs) == 0 {
		l.mu.Unlock()
		return false
	}
	target, s, epoch := l.last, l.segs[len(l.segs)-1], l.epoch
	l.mu.Unlock()

	err := l.datasync(s)

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch != epoch {
		// A truncation dropped or cut the file meanwhile; the next round
		// syncs what is there now.
		return true
	}
	if err != nil {
		_ = l.fail(fmt.Errorf("sync entries up to %d: %w", target, err))
		return false
	}
	l.setDurable(target)
	return l.durable < l.last
}

// stopSyncer stops the syncer and waits for it.
func (l *Log) stopSyncer() {
	if l.quit == nil {
		return
	}
	l.stopOnce.Do(func() { close(l.quit) })
	<-l.synced
}

// Durable returns the last index that a crash cannot take from the log.
func (l *Log) Durable() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.durable
}

// WaitDurable returns once the entry at index, of term, is synced (or was
// compacted away, which only a snapshot of committed entries allows). It
// fails with ErrReplaced when the log no longer holds that entry, and
// with the log's failure or ctx's error.
func (l *Log) WaitDurable(ctx context.Context, index, term uint64) error {
	for {
		l.mu.RLock()
		done, err := l.isDurable(index, term)
		ch := l.changed
		l.mu.RUnlock()
		if done || err != nil {
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for entry %d to be synced: %w", index, ctx.Err())
		}
	}
}

// isDurable is WaitDurable's test. The caller holds mu.
func (l *Log) isDurable(index, term uint64) (bool, error) {
	if err := l.checkOpen(); err != nil {
		return false, err
	}
	switch {
	case l.last == 0 || index > l.last:
		return false, fmt.Errorf("entry %d: %w", index, ErrReplaced)
	case index < l.first:
		return true, nil
	case index > l.durable:
		return false, nil
	}
	got, err := l.termAt(index)
	if err != nil {
		return false, err
	}
	if got != term {
		return false, fmt.Errorf("entry %d of term %d (now term %d): %w", index, term, got,
			ErrReplaced)
	}
	return true, nil
}

// termAt reads the term of the entry at index from its record's start.
// The caller holds mu.
func (l *Log) termAt(index uint64) (uint64, error) {
	s := l.segs[l.segmentOf(index)]
	var b [headerLen + 16]byte
	if _, err := s.f.ReadAt(b[:], s.offsets[index-s.first]); err != nil {
		return 0, fmt.Errorf("read entry %d: %w", index, err)
	}
	if got := binary.LittleEndian.Uint64(b[headerLen:]); got != index {
		return 0, fmt.Errorf("entry %d in %s holds index %d", index, segName(s.first), got)
	}
	return binary.LittleEndian.Uint64(b[headerLen+8:]), nil
}
