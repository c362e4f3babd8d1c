package rpc

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// Handler answers one request. It runs on a goroutine of its own; ctx
// ends when the connection or the server closes. An error is sent to the
// caller as a RemoteError with its message.
type Handler func(ctx context.Context, kind byte, payload []byte) ([]byte, error)

// Server serves requests from the connections of a listener.
type Server struct {
	handle Handler
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	ln       net.Listener
	conns    map[net.Conn]struct{}
	requests sync.WaitGroup
	closed   bool
}

// NewServer returns a server that answers with handle.
func NewServer(handle Handler) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{handle: handle, ctx: ctx, cancel: cancel, conns: map[net.Conn]struct{}{}}
}

// Serve accepts connections from ln until it fails or the server closes.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return net.ErrClosed
	}
	s.ln = ln
	s.mu.Unlock()
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		if !s.track(c, true) {
			_ = c.Close()
			continue
		}
		go s.serveConn(c)
	}
}

// track adds or removes a connection; adding fails once closed.
func (s *Server) track(c net.Conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.conns, c)
		return true
	}
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

// serveConn reads requests and answers each from its own goroutine.
func (s *Server) serveConn(c net.Conn) {
	defer s.track(c, false)
	defer c.Close()
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	r, w := bufio.NewReaderSize(c, 64<<10), newFrameWriter(c)
	for {
		f, err := readFrame(r)
		if err != nil {
			return
		}
		if !s.begin() {
			return
		}
		go func() {
			defer s.requests.Done()
			reply, err := s.handle(ctx, f.kind, f.payload)
			ans := frame{id: f.id, kind: statusOK, payload: reply}
			if err != nil {
				ans = frame{id: f.id, kind: statusError, payload: []byte(err.Error())}
			}
			if w.write(ans) != nil {
				_ = c.Close()
			}
		}()
	}
}

// begin counts a request in, unless the server is closing.
func (s *Server) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.requests.Add(1)
	return true
}

// Close stops accepting, gives the requests being handled up to grace to
// finish and answer, then ends every connection and every handler's ctx.
func (s *Server) Close(grace time.Duration) error {
	s.mu.Lock()
	s.closed = true
	ln := s.ln
	s.mu.Unlock()
	var err error
	if ln != nil {
		err = ln.Close()
	}
	finished := make(chan struct{})
	go func() {
		s.requests.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(grace):
	}
	s.cancel()
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}
