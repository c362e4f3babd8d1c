package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"weave.works/weave/store/wal"
)

// The Raft log's storage engines. Both keep the stable store (the current
// term and vote) in raft.db, a raft-boltdb file.
const (
	// LogWAL appends the log to segment files (package store/wal), synced
	// behind the appends (see syncedTransport), and deletes old segments
	// whole on compaction.
	LogWAL = "wal"
	// LogBoltDB keeps the log in raft.db too: a bbolt B+tree, two fsyncs
	// per append (data pages, then the meta page).
	LogBoltDB = "boltdb"
)

// logCacheSize is how many recent entries are kept in memory, so that
// replicating them to followers reads no file. Values may be up to 1.5 MiB,
// which bounds the cache at 384 MiB; Docker's are a few hundred bytes.
const logCacheSize = 256

// walSegmentSize is the size after which the log starts a new segment. A
// snapshot every SnapshotThreshold entries lets whole segments go; entries
// are a few hundred bytes.
const walSegmentSize = 16 << 20

// raftStorage is the Raft log and stable store of one peer.
type raftStorage struct {
	log    raft.LogStore // cached
	stable raft.StableStore
	bolt   *raftboltdb.BoltStore
	wal    *wal.Log // nil with LogBoltDB
}

// durableLog is a log whose appends return before they are synced: it
// says how far they are.
type durableLog interface {
	// Durable is the last index a crash cannot take.
	Durable() uint64
	// WaitDurable returns once the entry index of term is synced, or
	// fails when it was replaced, the log failed, or ctx ended.
	WaitDurable(ctx context.Context, index, term uint64) error
}

// behind returns the log as a durableLog, or nil when its appends are
// synced before they return (LogBoltDB).
func (st *raftStorage) behind() durableLog {
	if st.wal == nil {
		return nil
	}
	return st.wal
}

// openRaftStorage opens the stable store and the log that kind names in
// dir. A directory written with the other kind is refused, not converted:
// the log in it would be ignored.
func openRaftStorage(dir, kind string) (*raftStorage, error) {
	walDir := filepath.Join(dir, "wal")
	bolt, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(dir, "raft.db")})
	if err != nil {
		return nil, fmt.Errorf("open raft.db: %w", err)
	}
	st := &raftStorage{stable: bolt, bolt: bolt}
	var log raft.LogStore
	switch kind {
	case LogBoltDB:
		if hasFiles(walDir) {
			_ = bolt.Close()
			return nil, mixedLogError(dir, LogWAL, kind)
		}
		log = bolt
	case LogWAL:
		if last, err := bolt.LastIndex(); err != nil || last > 0 {
			_ = bolt.Close()
			if err != nil {
				return nil, fmt.Errorf("open raft.db: %w", err)
			}
			return nil, mixedLogError(dir, LogBoltDB, kind)
		}
		w, err := wal.Open(walDir, wal.Options{SegmentSize: walSegmentSize, SyncBehind: true})
		if err != nil {
			_ = st.Close()
			return nil, fmt.Errorf("open raft log: %w", err)
		}
		st.wal, log = w, w
	default:
		_ = bolt.Close()
		return nil, fmt.Errorf("raft log kind %q: want %s or %s", kind, LogWAL, LogBoltDB)
	}
	cached, err := raft.NewLogCache(logCacheSize, log)
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("open raft log: %w", err)
	}
	st.log = cached
	return st, nil
}

// mixedLogError explains a data directory whose log is of another kind.
func mixedLogError(dir, found, want string) error {
	return fmt.Errorf("%s holds a %s Raft log but the store was started with the %s log: "+
		"start it with --raft-log %s, or move the directory aside to join as a new peer",
		dir, found, want, found)
}

// hasFiles reports whether dir exists with something in it.
func hasFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) > 0
}

// Close closes the log and the stable store.
func (st *raftStorage) Close() error {
	var errs []error
	if st.wal != nil {
		errs = append(errs, st.wal.Close())
	}
	errs = append(errs, st.bolt.Close())
	return errors.Join(errs...)
}
