package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// readHead returns the first index recorded by a head truncation, or 0.
func readHead(dir string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(dir, headFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if len(b) != 12 || crc32.Checksum(b[:8], castagnoli) != binary.LittleEndian.Uint32(b[8:]) {
		return 0, fmt.Errorf("head file is damaged (%d bytes)", len(b))
	}
	return binary.LittleEndian.Uint64(b[:8]), nil
}

// writeHead records first durably: a new file, synced, renamed over the
// old one, and the directory synced.
func (l *Log) writeHead(first uint64) error {
	b := make([]byte, 12)
	binary.LittleEndian.PutUint64(b[:8], first)
	binary.LittleEndian.PutUint32(b[8:], crc32.Checksum(b[:8], castagnoli))
	tmp := filepath.Join(l.dir, headFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(l.dir, headFile))
	}
	if err == nil {
		err = syncDir(l.dir)
	}
	if err != nil {
		return fmt.Errorf("record first index %d: %w", first, err)
	}
	return nil
}

// removeHead forgets the head truncation, before the log is emptied: a
// stale head above the next entries would hide them.
func (l *Log) removeHead() error {
	err := os.Remove(filepath.Join(l.dir, headFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return syncDir(l.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
