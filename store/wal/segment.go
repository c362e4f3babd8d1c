package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/raft"
	"golang.org/x/sys/unix"
)

// segment is one open segment file and where its records are.
type segment struct {
	first   uint64
	f       *os.File
	offsets []int64 // offsets[i]: where the record of entry first+i starts
	size    int64   // bytes of whole records
}

func (s *segment) count() uint64 { return uint64(len(s.offsets)) }

// lastIndex is the index of the segment's last entry; first-1 when empty.
func (s *segment) lastIndex() uint64 { return s.first + s.count() - 1 }

// segmentNames lists the first indexes of the segment files, sorted.
func segmentNames(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, segSuffix) {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(name, segSuffix), 10, 64)
		if err != nil || len(name) != nameDigits+len(segSuffix) {
			return nil, fmt.Errorf("%s is not a segment name", name)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

func segName(first uint64) string { return fmt.Sprintf("%020d%s", first, segSuffix) }

// openSegment opens a segment and indexes its records. In the last
// segment the records end at the first one that is short, zero, too long,
// fails its checksum or has the wrong index, and the file is cut there and
// allocated again to alloc bytes; in another (cut to its records when the
// next began), such a record is damage.
func openSegment(dir string, first uint64, last bool, alloc int64) (*segment, error) {
	path := filepath.Join(dir, segName(first))
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	s := &segment{first: first, f: f}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	end := info.Size()
	var hdr [headerLen]byte
	for {
		n, _ := f.ReadAt(hdr[:], s.size)
		if n < headerLen {
			break
		}
		length := int64(binary.LittleEndian.Uint32(hdr[0:4]))
		sum := binary.LittleEndian.Uint32(hdr[4:8])
		if length < fixedPart || length > MaxRecord || s.size+headerLen+length > end {
			break
		}
		payload := make([]byte, length)
		if _, err := f.ReadAt(payload, s.size+headerLen); err != nil {
			break
		}
		if crc32.Checksum(payload, castagnoli) != sum {
			break
		}
		if binary.LittleEndian.Uint64(payload[0:8]) != first+s.count() {
			break
		}
		s.offsets = append(s.offsets, s.size)
		s.size += headerLen + length
	}
	if s.size == end {
		return s, nil
	}
	if !last {
		_ = f.Close()
		return nil, fmt.Errorf("segment %s is damaged at offset %d of %d: "+
			"its records end before the file does", segName(first), s.size, end)
	}
	// What follows the records is the unused part of the allocation, or
	// a torn append: cutting it leaves no old bytes for a later, shorter
	// append to end before, which could read as records.
	if err := s.cut(s.size, alloc); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("cut the end of %s: %w", segName(first), err)
	}
	return s, nil
}

// read decodes the record of entry index, checking its checksum.
func (s *segment) read(index uint64, out *raft.Log) error {
	off := s.offsets[index-s.first]
	var hdr [headerLen]byte
	if _, err := s.f.ReadAt(hdr[:], off); err != nil {
		return fmt.Errorf("read entry %d: %w", index, err)
	}
	payload := make([]byte, binary.LittleEndian.Uint32(hdr[0:4]))
	if _, err := s.f.ReadAt(payload, off+headerLen); err != nil {
		return fmt.Errorf("read entry %d: %w", index, err)
	}
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(hdr[4:8]) {
		return fmt.Errorf("entry %d in %s fails its checksum", index, segName(s.first))
	}
	if err := decode(payload, out); err != nil {
		return fmt.Errorf("entry %d in %s: %w", index, segName(s.first), err)
	}
	if out.Index != index {
		return fmt.Errorf("entry %d in %s holds index %d", index, segName(s.first), out.Index)
	}
	return nil
}

// write writes buf at off and, with sync, waits until it is on disk.
func write(f *os.File, buf []byte, off int64, sync bool) error {
	if _, err := f.WriteAt(buf, off); err != nil {
		return err
	}
	if !sync {
		return nil
	}
	return unix.Fdatasync(int(f.Fd()))
}

// datasync waits until what was written to the segment is on disk. It
// holds the file open meanwhile, so that a segment dropped by another
// goroutine fails the call rather than sync a reused descriptor.
func (s *segment) datasync() error {
	rc, err := s.f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Fdatasync(int(fd)) }); err != nil {
		return err
	}
	return serr
}

// cut shortens the file to size, dropping whatever follows, and, with
// alloc above 0, allocates it again to alloc bytes, which read as zeros.
// Appends to an allocated file change no file size, which makes their
// fdatasync cheaper.
func (s *segment) cut(size, alloc int64) error {
	if err := s.f.Truncate(size); err != nil {
		return err
	}
	if alloc > size {
		if err := unix.Fallocate(int(s.f.Fd()), 0, 0, alloc); err != nil {
			return fmt.Errorf("allocate %d bytes: %w", alloc, err)
		}
	}
	return unix.Fdatasync(int(s.f.Fd()))
}
