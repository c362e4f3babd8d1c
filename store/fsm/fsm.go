package fsm

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// HistorySize is how many recent events the tree keeps for watches that
// start from an older index, as etcd does.
const HistorySize = 1000

// FSM is the tree in a bbolt file. Apply is called by one goroutine at a
// time; reads, snapshots and Apply may run concurrently. Restore waits
// for every read to finish.
type FSM struct {
	path string
	mu   sync.RWMutex // guards db against Restore swapping it
	db   *bolt.DB
}

// Open opens, or creates, the tree stored at path.
func Open(path string) (*FSM, error) {
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	return &FSM{path: path, db: db}, nil
}

// initialMmap is the address space mapped up front. bbolt must remap to
// grow, and a remap waits for open read transactions, a snapshot's
// included; mapping ahead keeps writes from stalling behind a snapshot
// until the tree outgrows it.
const initialMmap = 64 << 20

// openDB opens a bbolt file and makes the buckets. The file needs no sync:
// the Raft log and its snapshots are what survive a crash, and the tree is
// rebuilt from them.
func openDB(path string) (*bolt.DB, error) {
	opts := &bolt.Options{Timeout: time.Second, NoSync: true, NoGrowSync: true,
		NoFreelistSync: true, FreelistType: bolt.FreelistMapType,
		InitialMmapSize: initialMmap}
	db, err := bolt.Open(path, 0o600, opts)
	if err != nil {
		return nil, fmt.Errorf("open tree %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketNodes, bucketTTL, bucketHistory, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("prepare tree %s: %w", path, err)
	}
	return db, nil
}

// Close closes the file.
func (f *FSM) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.db.Close(); err != nil {
		return fmt.Errorf("close tree %s: %w", f.path, err)
	}
	return nil
}

// view runs fn in a read transaction.
func (f *FSM) view(fn func(t tree) error) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.db.View(func(tx *bolt.Tx) error { return fn(tree{tx: tx}) })
}

// Index returns the store index: how many changes the tree has seen.
func (f *FSM) Index() uint64 {
	var n uint64
	_ = f.view(func(t tree) error { n = t.counter(metaIndex); return nil })
	return n
}

// Applied returns the Raft index of the last entry applied.
func (f *FSM) Applied() uint64 {
	var n uint64
	_ = f.view(func(t tree) error { n = t.counter(metaApplied); return nil })
	return n
}

// errRollback undoes a transaction whose command failed with an etcd error.
var errRollback = errors.New("rollback")

// Apply applies the command of the Raft entry at raftIndex. A command that
// fails changes nothing but the applied index; an entry at or below the
// applied index is skipped. A raftIndex of 0 applies without recording
// one, for tests that drive the tree directly. An error from bbolt is
// returned as a Raft internal error.
func (f *FSM) Apply(raftIndex uint64, c *Command) Result {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.apply(raftIndex, c)
}

// Entry is one Raft entry for ApplyBatch.
type Entry struct {
	Index uint64
	Cmd   *Command
}

// ApplyBatch applies entries in order, with the results Apply would give
// one by one, in one transaction while the commands succeed. bbolt cannot
// undo part of a transaction, so a failing command costs more: the batch's
// transaction is dropped, the entries before the failing one are applied
// again in one transaction (to the same effect: the tree is a function of
// its entries), the failing one is applied alone, and the rest as a new
// batch.
func (f *FSM) ApplyBatch(entries []Entry) []Result {
	results, commit := f.Prepare(entries)
	if err := commit(); err != nil {
		for i := range results {
			results[i] = Result{Err: NewError(CodeRaftInternal, err.Error(), 0)}
		}
	}
	return results
}

// Prepare is ApplyBatch but for the last transaction, which it leaves
// open: it returns the results and a function that commits them. Until
// that returns, reads do not see the batch, and the next Prepare, Apply
// or Restore waits. A commit that fails loses the entries of that last
// transaction, whose results then did not happen (the caller must stop
// using the tree).
func (f *FSM) Prepare(entries []Entry) ([]Result, func() error) {
	f.mu.RLock()
	out := make([]Result, 0, len(entries))
	for len(entries) > 0 {
		results, tx := f.applyClean(entries)
		if tx != nil && len(results) == len(entries) {
			commit := func() error {
				defer f.mu.RUnlock()
				if err := tx.Commit(); err != nil {
					return fmt.Errorf("commit entries %d..%d: %w", entries[0].Index,
						entries[len(entries)-1].Index, err)
				}
				return nil
			}
			return append(out, results...), commit
		}
		if tx != nil {
			if err := tx.Commit(); err != nil {
				for i := range results {
					results[i] = Result{Err: NewError(CodeRaftInternal, err.Error(), 0)}
				}
			}
		}
		out = append(out, results...)
		entries = entries[len(results):]
		if len(entries) > 0 {
			out = append(out, f.apply(entries[0].Index, entries[0].Cmd))
			entries = entries[1:]
		}
	}
	f.mu.RUnlock()
	return out, func() error { return nil }
}

// applyClean applies, in one open write transaction, the longest prefix
// of entries whose commands all succeed, and returns their results and the
// transaction. It returns none when the first command fails or bbolt does.
func (f *FSM) applyClean(entries []Entry) ([]Result, *bolt.Tx) {
	for n := len(entries); n > 0; {
		tx, err := f.db.Begin(true)
		if err != nil {
			return nil, nil
		}
		t := writeTree(tx)
		results := make([]Result, 0, n)
		failed := -1
		for i, e := range entries[:n] {
			res, err := applyIn(t, e.Index, e.Cmd)
			if err != nil {
				if !errors.Is(err, errRollback) {
					_ = tx.Rollback()
					return nil, nil
				}
				failed = i
				break
			}
			results = append(results, res)
		}
		if failed < 0 {
			return results, tx
		}
		_ = tx.Rollback()
		n = failed
	}
	return nil, nil
}

// apply runs one command in its own transaction.
func (f *FSM) apply(raftIndex uint64, c *Command) Result {
	var res Result
	err := f.db.Update(func(tx *bolt.Tx) error {
		var err error
		res, err = applyIn(writeTree(tx), raftIndex, c)
		return err
	})
	if errors.Is(err, errRollback) {
		return f.failed(raftIndex, res.Err)
	}
	if err != nil {
		return Result{Err: NewError(CodeRaftInternal, err.Error(), 0)}
	}
	return res
}

// applyIn applies one command inside t's transaction. A command that fails
// with an etcd error returns that error in the Result and errRollback, and
// the transaction must be dropped.
func applyIn(t tree, raftIndex uint64, c *Command) (Result, error) {
	if raftIndex != 0 && raftIndex <= t.counter(metaApplied) {
		return Result{Index: t.counter(metaIndex), Skipped: true}, nil
	}
	a := &applier{t: t, cmd: c, index: t.counter(metaIndex)}
	if err := a.run(); err != nil {
		if e := AsError(err); e != nil {
			return Result{Err: e}, errRollback
		}
		return Result{}, err
	}
	if err := t.record(a.events); err != nil {
		return Result{}, err
	}
	if raftIndex != 0 {
		if err := t.setCounter(metaApplied, raftIndex); err != nil {
			return Result{}, err
		}
	}
	return Result{Events: a.events, Index: a.index}, t.setCounter(metaIndex, a.index)
}

// failed records the applied index of a command that failed with e.
func (f *FSM) failed(raftIndex uint64, e *Error) Result {
	res := Result{Err: e, Index: e.Index}
	err := f.db.Update(func(tx *bolt.Tx) error {
		if raftIndex == 0 {
			return nil
		}
		return tree{tx: tx}.setCounter(metaApplied, raftIndex)
	})
	if err != nil {
		res.Err = NewError(CodeRaftInternal, err.Error(), e.Index)
	}
	return res
}

// ReadResult is what Get returns: the event and the store index the read
// saw, and the Raft index applied at that moment.
type ReadResult struct {
	Event   *Event
	Index   uint64
	Applied uint64
}

// Get reads the node at key as etcd's GET does. recursive lists a
// directory's whole subtree and sorted orders listings (they always come
// sorted). TTLs are computed at now (Unix nanoseconds).
func (f *FSM) Get(key string, recursive, sorted bool, now int64) (ReadResult, error) {
	var res ReadResult
	if err := checkRooted(key); err != nil {
		return res, err
	}
	err := f.view(func(t tree) error {
		res.Index, res.Applied = t.counter(metaIndex), t.counter(metaApplied)
		r, err := t.walk(key, res.Index)
		if err != nil {
			return err
		}
		n, err := t.view(key, r, now, true, recursive, sorted)
		if err != nil {
			return err
		}
		res.Event = &Event{Action: ActionGet, Node: n}
		return nil
	})
	return res, err
}

// checkRooted refuses a key that does not start at the root: the tree's
// lookups take canonical keys (ParseKey), and one without its leading
// slash has no place in it.
func checkRooted(key string) error {
	if !strings.HasPrefix(key, "/") {
		return fmt.Errorf("key %q does not start with /", key)
	}
	return nil
}

// Remove closes the tree and deletes its file, for a caller that rebuilds
// the tree from the Raft log.
func (f *FSM) Remove() error {
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Remove(f.path); err != nil {
		return fmt.Errorf("remove tree: %w", err)
	}
	return nil
}
