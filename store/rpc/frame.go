package rpc

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A frame is a 4-byte big-endian length of what follows, an 8-byte id, a
// byte of kind and the payload. Answers use the kind for their status.
const headerLen = 4 + 8 + 1

// MaxFrame bounds a frame's length; a longer one ends the connection.
const MaxFrame = 64 << 20

// smallFrame is the largest payload read into a buffer of its size at
// once.
const smallFrame = 64 << 10

// Answer statuses, in the kind byte of an answer frame.
const (
	statusOK    = 0
	statusError = 1
)

// writeTimeout bounds one frame's write, so that a peer that stops
// reading fails its callers instead of blocking them.
const writeTimeout = 10 * time.Second

// ErrFrameTooLarge is returned for a frame over MaxFrame.
var ErrFrameTooLarge = errors.New("rpc frame over the size limit")

type frame struct {
	id      uint64
	kind    byte
	payload []byte
}

// readFrame reads the next frame. The payload is newly allocated.
func readFrame(r *bufio.Reader) (frame, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return frame{}, err
	}
	n := binary.BigEndian.Uint32(h[:4])
	if n < headerLen-4 || n-(headerLen-4) > MaxFrame {
		return frame{}, fmt.Errorf("frame of %d bytes: %w", n, ErrFrameTooLarge)
	}
	f := frame{id: binary.BigEndian.Uint64(h[4:12]), kind: h[12]}
	size := int(n - (headerLen - 4))
	if size <= smallFrame {
		f.payload = make([]byte, size)
		if _, err := io.ReadFull(r, f.payload); err != nil {
			return frame{}, fmt.Errorf("read frame: %w", err)
		}
		return f, nil
	}
	// A large frame's buffer grows with the bytes that arrive, so that a
	// header alone cannot make the reader hold MaxFrame.
	buf := bytes.NewBuffer(make([]byte, 0, smallFrame))
	if _, err := io.CopyN(buf, r, int64(size)); err != nil {
		return frame{}, fmt.Errorf("read frame: %w", err)
	}
	f.payload = buf.Bytes()
	return f, nil
}

// frameWriter writes frames from many goroutines to one connection. A
// writer that sees others waiting leaves the flush to the last of them.
type frameWriter struct {
	conn    net.Conn
	waiting atomic.Int32
	mu      sync.Mutex
	w       *bufio.Writer
	err     error // the first failure; every later write returns it
}

func newFrameWriter(c net.Conn) *frameWriter {
	return &frameWriter{conn: c, w: bufio.NewWriterSize(c, 64<<10)}
}

// write sends f, flushing unless another writer is about to.
func (fw *frameWriter) write(f frame) error {
	if len(f.payload) > MaxFrame {
		return fmt.Errorf("frame of %d bytes: %w", len(f.payload), ErrFrameTooLarge)
	}
	fw.waiting.Add(1)
	fw.mu.Lock()
	defer fw.mu.Unlock()
	last := fw.waiting.Add(-1) == 0
	if fw.err != nil {
		return fw.err
	}
	var h [headerLen]byte
	binary.BigEndian.PutUint32(h[:4], uint32(headerLen-4+len(f.payload)))
	binary.BigEndian.PutUint64(h[4:12], f.id)
	h[12] = f.kind
	_ = fw.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := fw.w.Write(h[:])
	if err == nil {
		_, err = fw.w.Write(f.payload)
	}
	if err == nil && (last || fw.w.Buffered() > 32<<10) {
		err = fw.w.Flush()
	}
	if err != nil {
		fw.err = fmt.Errorf("write frame: %w", err)
	}
	return fw.err
}
