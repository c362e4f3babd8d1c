package fsm

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Snapshot is a consistent copy of the tree at one moment, held open by a
// read transaction until Release. Apply may go on meanwhile, until the
// tree grows past the mapped size: then a write waits for Release.
type Snapshot struct {
	tx *bolt.Tx
}

// Snapshot starts a copy of the tree as it is now.
func (f *FSM) Snapshot() (*Snapshot, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	tx, err := f.db.Begin(false)
	if err != nil {
		return nil, fmt.Errorf("begin snapshot: %w", err)
	}
	return &Snapshot{tx: tx}, nil
}

// WriteTo writes the bbolt file as of the snapshot.
func (s *Snapshot) WriteTo(w io.Writer) (int64, error) {
	n, err := s.tx.WriteTo(w)
	if err != nil {
		return n, fmt.Errorf("write snapshot: %w", err)
	}
	return n, nil
}

// Release ends the snapshot's transaction. It may be called more than once.
func (s *Snapshot) Release() {
	if s.tx != nil {
		_ = s.tx.Rollback()
		s.tx = nil
	}
}

// Restore replaces the tree with a copy written by Snapshot.WriteTo. The
// copy is written beside the file and checked before it takes the file's
// place by rename, so a failed restore leaves the old tree in use.
func (f *FSM) Restore(r io.Reader) error {
	tmp := f.path + ".restore"
	if err := writeFile(tmp, r); err != nil {
		return err
	}
	if err := checkCopy(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.db.Close(); err != nil {
		return fmt.Errorf("restore: close tree: %w", err)
	}
	renameErr := os.Rename(tmp, f.path)
	db, err := openDB(f.path)
	if err != nil {
		return fmt.Errorf("restore: reopen tree: %w", errors.Join(renameErr, err))
	}
	f.db = db
	if renameErr != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("restore: replace tree: %w", renameErr)
	}
	return nil
}

// writeFile copies r into a new file at name and syncs it.
func writeFile(name string, r io.Reader) error {
	out, err := os.OpenFile(name, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("restore: create %s: %w", filepath.Base(name), err)
	}
	_, err = io.Copy(out, r)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("restore: write %s: %w", filepath.Base(name), err)
	}
	return nil
}

// checkCopy opens a restored file and checks that it is a tree.
func checkCopy(name string) error {
	db, err := bolt.Open(name, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("restore: open copy: %w", err)
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketNodes, bucketTTL, bucketHistory, bucketMeta} {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("restore: copy has no %s bucket", b)
			}
		}
		return nil
	})
}
