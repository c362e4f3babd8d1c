package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// registryDir holds one lock file per live run, "<id>.lock". The run holds
// an exclusive flock on it for its whole life; the kernel drops the lock when
// the process dies, however it dies, which is how Sweep tells a crashed run
// from a live one.
const registryDir = "/run/weave-harness"

// staleTemp is the age after which Sweep removes a half-written lock file.
const staleTemp = time.Minute

// runRecord is the content of a lock file: what Sweep needs to clean a run
// up that it cannot ask.
type runRecord struct {
	ID      string    `json:"id"`
	Dir     string    `json:"dir"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
}

// runLock is a held lock file.
type runLock struct {
	f    *os.File
	path string
}

// lockPath returns the lock file of run id.
func lockPath(id string) string { return filepath.Join(registryDir, id+".lock") }

// acquireRun writes and locks the lock file of rec's run. The file is
// written and locked under a temporary name and renamed into place, so that
// the lock file of a live run is never seen unlocked.
func acquireRun(rec runRecord) (*runLock, error) {
	if err := os.MkdirAll(registryDir, 0o700); err != nil {
		return nil, fmt.Errorf("register run %s: %w", rec.ID, err)
	}
	path := lockPath(rec.ID)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("register run %s: %w", rec.ID, err)
	}
	fail := func(err error) (*runLock, error) {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("register run %s: %w", rec.ID, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fail(err)
	}
	if err := json.NewEncoder(f).Encode(rec); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	return &runLock{f: f, path: path}, nil
}

// release removes the lock file and then drops the lock.
func (l *runLock) release() error {
	err := os.Remove(l.path)
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	return errors.Join(err, l.f.Close())
}

// claimRun takes the lock of run id if its owner is gone. It returns
// live=true when the lock is held by a live run; otherwise the caller owns
// the returned lock (nil when the run had no lock file) and its record.
func claimRun(id string) (l *runLock, rec runRecord, live bool, err error) {
	path := lockPath(id)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, runRecord{ID: id}, false, nil
	}
	if err != nil {
		return nil, rec, false, fmt.Errorf("claim run %s: %w", id, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, rec, true, nil
		}
		return nil, rec, false, fmt.Errorf("claim run %s: %w", id, err)
	}
	rec = runRecord{ID: id}
	// A record that cannot be read only costs the state directory's
	// location, which Sweep then guesses.
	_ = json.NewDecoder(f).Decode(&rec)
	return &runLock{f: f, path: path}, rec, false, nil
}

// registeredRuns returns the ids of the lock files in the registry, and
// removes half-written ones older than staleTemp.
func registeredRuns() ([]string, error) {
	ents, err := os.ReadDir(registryDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	var ids []string
	for _, e := range ents {
		name := e.Name()
		if id, ok := strings.CutSuffix(name, ".lock"); ok && runIDOf(Prefix+id) == id {
			ids = append(ids, id)
			continue
		}
		if strings.HasSuffix(name, ".lock.tmp") {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
				_ = os.Remove(filepath.Join(registryDir, name))
			}
		}
	}
	return ids, nil
}
