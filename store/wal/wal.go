// Package wal is a Raft log store in append-only segment files: an append
// is one write and one fdatasync, compaction drops whole segments, and a
// torn last append is found by its checksums and cut off when the log is
// opened.
//
// A segment file is named after the index of its first entry
// (%020d.seg) and holds records back to back, each an 8-byte header (the
// payload's length and its CRC-32C, little-endian) and the payload, one
// encoded raft.Log. The file "head", when present, holds the first index
// still in the log after a head truncation that ended inside a segment.
//
// Crash safety rests on ordering. An append returns only after its bytes
// are synced, so what Raft acknowledged survives; with SyncBehind it
// returns once they are written, a goroutine syncs behind it, and the
// caller learns from Durable and WaitDurable what a crash cannot take
// (see durable.go). A tail truncation removes
// the later segments (last first), syncs the directory, then cuts and
// syncs the segment it ends in, all before the next append: a crash in
// between leaves a prefix of the old log, as if the truncation had not
// begun, which Raft tolerates because it had acknowledged none of the
// entries that replace the cut ones. A head truncation records the new
// first index before it removes files.
package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	"github.com/hashicorp/raft"
	"golang.org/x/sys/unix"
)

// DefaultSegmentSize is the size after which appends go to a new segment.
const DefaultSegmentSize = 16 << 20

// MaxRecord bounds one entry's encoding; a longer length in a header is
// damage.
const MaxRecord = 64 << 20

const (
	headerLen  = 8
	segSuffix  = ".seg"
	headFile   = "head"
	fixedPart  = 8 + 8 + 1 + 8 + 4 + 4 // index, term, type, appended at, two lengths
	nameDigits = 20
)

// Options shape a Log.
type Options struct {
	// SegmentSize is the size after which appends go to a new segment;
	// 0 means DefaultSegmentSize.
	SegmentSize int64
	// SyncBehind makes StoreLogs return once its commands are written,
	// before they are synced: a goroutine syncs behind the appends, so
	// that the caller's next steps overlap the disk's. An append holding
	// any other kind of entry (a configuration, a no-op) is synced before
	// it returns, as every append is without SyncBehind.
	SyncBehind bool
}

// Log is the store. Its methods are safe for concurrent use.
type Log struct {
	dir         string
	segmentSize int64
	syncBehind  bool

	mu     sync.RWMutex
	segs   []*segment // by first index; appends go to the last
	first  uint64     // 0 when empty
	last   uint64     // 0 when empty
	closed bool
	// durable is the last index a crash cannot take: every entry up to it
	// is synced. It trails last only with SyncBehind.
	durable uint64
	// epoch counts the tail truncations, which replace entries: a sync
	// that began in an earlier epoch does not move durable.
	epoch uint64
	// changed is closed and replaced when durable, the tail or the
	// log's health changes, for WaitDurable.
	changed  chan struct{}
	kick     chan struct{} // wakes the syncer, with SyncBehind
	quit     chan struct{} // stops the syncer
	synced   chan struct{} // closed when the syncer has stopped
	stopOnce sync.Once
	// datasync is the syncer's fdatasync, replaced by tests.
	datasync func(*segment) error
	// broken is the failure that left the files and the state above out
	// of step; every later call returns it, and opening the log again
	// (a restart) recovers from the files.
	broken error
}

var _ raft.LogStore = (*Log)(nil)

var _ raft.MonotonicLogStore = (*Log)(nil)

// Open opens the log in dir, making dir if needed, and recovers it: a torn
// record at the end of the last segment is cut off. Any other damage, or
// segments that do not follow each other, fail the open. What it finds is
// synced before it returns: a process that stopped may have left writes
// that the disk does not hold yet.
func Open(dir string, o Options) (*Log, error) {
	if o.SegmentSize <= 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	l := &Log{dir: dir, segmentSize: o.SegmentSize, syncBehind: o.SyncBehind,
		changed: make(chan struct{}), datasync: (*segment).datasync}
	if err := l.load(); err != nil {
		_ = l.closeFiles()
		return nil, fmt.Errorf("open log %s: %w", dir, err)
	}
	if n := len(l.segs); n > 0 {
		if err := l.segs[n-1].datasync(); err != nil {
			_ = l.closeFiles()
			return nil, fmt.Errorf("open log %s: sync %s: %w", dir, segName(l.segs[n-1].first), err)
		}
	}
	l.durable = l.last
	if l.syncBehind {
		l.kick, l.quit, l.synced = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
		go l.syncLoop()
	}
	return l, nil
}

// load reads the head file and every segment.
func (l *Log) load() error {
	floor, err := readHead(l.dir)
	if err != nil {
		return err
	}
	firsts, err := segmentNames(l.dir)
	if err != nil {
		return err
	}
	for i, first := range firsts {
		s, err := openSegment(l.dir, first, i == len(firsts)-1, l.segmentSize)
		if err != nil {
			return err
		}
		if n := len(l.segs); n > 0 && l.segs[n-1].lastIndex()+1 != first {
			_ = s.f.Close()
			return fmt.Errorf("segment %s follows entry %d: entries are missing",
				segName(first), l.segs[n-1].lastIndex())
		}
		l.segs = append(l.segs, s)
	}
	// Segments wholly below the head were left by a head truncation that
	// stopped before removing them.
	for len(l.segs) > 1 && l.segs[0].lastIndex() < floor {
		if err := l.dropSegment(0); err != nil {
			return err
		}
	}
	l.setBounds(floor)
	return nil
}

// setBounds derives first and last from the segments and the head.
func (l *Log) setBounds(floor uint64) {
	l.first, l.last = 0, 0
	if len(l.segs) == 0 {
		return
	}
	last := l.segs[len(l.segs)-1].lastIndex()
	first := max(l.segs[0].first, floor)
	if first > last {
		return
	}
	l.first, l.last = first, last
}

// FirstIndex returns the first index in the log, 0 when it is empty.
func (l *Log) FirstIndex() (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.first, l.checkOpen()
}

// LastIndex returns the last index in the log, 0 when it is empty.
func (l *Log) LastIndex() (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.last, l.checkOpen()
}

var errClosed = errors.New("raft log is closed")

func (l *Log) checkOpen() error {
	if l.closed {
		return errClosed
	}
	return l.broken
}

// fail records err as the log's breakage and returns it.
func (l *Log) fail(err error) error {
	l.broken = fmt.Errorf("raft log needs a restart: %w", err)
	l.signal()
	return err
}

// GetLog reads the entry at index into out.
func (l *Log) GetLog(index uint64, out *raft.Log) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.checkOpen(); err != nil {
		return err
	}
	if l.last == 0 || index < l.first || index > l.last {
		return raft.ErrLogNotFound
	}
	return l.segs[l.segmentOf(index)].read(index, out)
}

// segmentOf returns the position of the segment holding index, which the
// log holds. The caller holds mu.
func (l *Log) segmentOf(index uint64) int {
	return sort.Search(len(l.segs), func(i int) bool { return l.segs[i].first > index }) - 1
}

// StoreLog appends one entry.
func (l *Log) StoreLog(e *raft.Log) error { return l.StoreLogs([]*raft.Log{e}) }

// StoreLogs appends entries that follow the last one (any first index when
// the log is empty), with one write and one fdatasync; with SyncBehind, an
// append of commands leaves the fdatasync to the syncer.
func (l *Log) StoreLogs(entries []*raft.Log) error {
	if len(entries) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.checkOpen(); err != nil {
		return err
	}
	next := entries[0].Index
	if l.last != 0 && next != l.last+1 {
		return fmt.Errorf("append entry %d after %d: the log takes only the next index",
			next, l.last)
	}
	for i, e := range entries {
		if e.Index != next+uint64(i) {
			return fmt.Errorf("append entries %d..: entry %d is not consecutive", next, e.Index)
		}
	}
	s, err := l.tailFor(next)
	if err != nil {
		return err
	}
	var buf []byte
	offsets := make([]int64, len(entries))
	for i, e := range entries {
		offsets[i] = s.size + int64(len(buf))
		if buf, err = appendRecord(buf, e); err != nil {
			return err
		}
	}
	sync := !l.syncBehind || !onlyCommands(entries)
	if err := write(s.f, buf, s.size, sync); err != nil {
		err = fmt.Errorf("append entries %d..%d: %w", next, l.lastOf(entries), err)
		// Whole records of the failed append must not stay behind the
		// next one; if they cannot be cut, only a restart can.
		if cerr := s.cut(s.size, l.segmentSize); cerr != nil {
			return l.fail(errors.Join(err, cerr))
		}
		return err
	}
	s.offsets = append(s.offsets, offsets...)
	s.size += int64(len(buf))
	if l.last == 0 {
		l.first = next
	}
	l.last = l.lastOf(entries)
	if sync {
		// The last segment is synced, and every earlier one was when
		// the next began.
		l.setDurable(l.last)
	} else {
		l.wakeSyncer()
	}
	return nil
}

func (l *Log) lastOf(entries []*raft.Log) uint64 { return entries[len(entries)-1].Index }

// tailFor returns the segment the entries from next go to, starting a new
// one when there is none, the last is full, or the log is empty and its
// empty last segment is named for another index.
func (l *Log) tailFor(next uint64) (*segment, error) {
	if n := len(l.segs); n > 0 {
		s := l.segs[n-1]
		switch {
		case s.count() == 0 && s.first == next:
			return s, nil
		case s.count() == 0:
			if err := l.dropSegment(n - 1); err != nil {
				return nil, err
			}
		case s.size < l.segmentSize:
			return s, nil
		default:
			if err := s.cut(s.size, 0); err != nil {
				return nil, fmt.Errorf("seal segment %s: %w", segName(s.first), err)
			}
			l.setDurable(s.lastIndex())
		}
	}
	path := filepath.Join(l.dir, segName(next))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("start segment: %w", err)
	}
	if err := unix.Fallocate(int(f.Fd()), 0, 0, l.segmentSize); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start segment %s: allocate %d bytes: %w", segName(next),
			l.segmentSize, err)
	}
	if err := syncDir(l.dir); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start segment %s: %w", segName(next), err)
	}
	s := &segment{first: next, f: f}
	l.segs = append(l.segs, s)
	return s, nil
}

// DeleteRange removes the entries min..max, which must be a prefix or a
// suffix of the log (or all of it): Raft compacts the head after a
// snapshot and cuts the tail when a leader's entries conflict.
func (l *Log) DeleteRange(min, max uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.checkOpen(); err != nil {
		return err
	}
	if l.last == 0 || min > max || max < l.first || min > l.last {
		return nil
	}
	var err error
	switch {
	case min <= l.first && max >= l.last:
		err = l.deleteAll()
	case min <= l.first:
		err = l.deleteHead(max)
	case max >= l.last:
		err = l.deleteTail(min)
	default:
		return fmt.Errorf("delete entries %d..%d of %d..%d: only a prefix or a suffix can go",
			min, max, l.first, l.last)
	}
	if err != nil {
		// A deletion that stopped halfway left some files gone and others
		// not; opening the log again reads what is there.
		return l.fail(err)
	}
	return nil
}

// deleteAll empties the log: the head file first, then the segments.
func (l *Log) deleteAll() error {
	if err := l.removeHead(); err != nil {
		return fmt.Errorf("empty log: %w", err)
	}
	for len(l.segs) > 0 {
		if err := l.dropSegment(len(l.segs) - 1); err != nil {
			return fmt.Errorf("empty log: %w", err)
		}
	}
	if err := syncDir(l.dir); err != nil {
		return fmt.Errorf("empty log: %w", err)
	}
	l.first, l.last = 0, 0
	l.replaced()
	return nil
}

// deleteHead removes the entries up to max: it records max+1 as the first
// index, then removes the segments wholly below it.
func (l *Log) deleteHead(max uint64) error {
	if err := l.writeHead(max + 1); err != nil {
		return err
	}
	for len(l.segs) > 1 && l.segs[0].lastIndex() <= max {
		if err := l.dropSegment(0); err != nil {
			return fmt.Errorf("compact log to %d: %w", max+1, err)
		}
	}
	l.first = max + 1
	return nil
}

// deleteTail removes the entries from min on, durably before it returns.
func (l *Log) deleteTail(min uint64) error {
	for len(l.segs) > 0 && l.segs[len(l.segs)-1].first >= min {
		if err := l.dropSegment(len(l.segs) - 1); err != nil {
			return fmt.Errorf("cut log at %d: %w", min, err)
		}
	}
	if err := syncDir(l.dir); err != nil {
		return fmt.Errorf("cut log at %d: %w", min, err)
	}
	s := l.segs[len(l.segs)-1]
	if keep := min - s.first; keep < s.count() {
		size := s.offsets[keep]
		if err := s.cut(size, l.segmentSize); err != nil {
			return fmt.Errorf("cut log at %d: %w", min, err)
		}
		s.offsets, s.size = s.offsets[:keep], size
	}
	l.last = min - 1
	l.replaced()
	return nil
}

// dropSegment closes and removes segment i.
func (l *Log) dropSegment(i int) error {
	s := l.segs[i]
	_ = s.f.Close()
	if err := os.Remove(s.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	l.segs = slices.Delete(l.segs, i, i+1)
	return nil
}

// IsMonotonic tells Raft that the log takes only consecutive indexes, so
// that after restoring a snapshot it empties the log rather than leave a
// gap.
func (l *Log) IsMonotonic() bool { return true }

// Close syncs what was written and closes the files; the log's methods
// then fail.
func (l *Log) Close() error {
	l.stopSyncer()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	var err error
	if n := len(l.segs); n > 0 && l.broken == nil && l.durable < l.last {
		err = l.segs[n-1].datasync()
	}
	l.closed = true
	l.signal()
	return errors.Join(err, l.closeFiles())
}

func (l *Log) closeFiles() error {
	var errs []error
	for _, s := range l.segs {
		errs = append(errs, s.f.Close())
	}
	return errors.Join(errs...)
}
