package rpc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// RemoteError is a failure the server answered with.
type RemoteError struct{ Message string }

func (e *RemoteError) Error() string { return e.Message }

// ErrClosed is returned by calls on a closed client.
var ErrClosed = errors.New("rpc client closed")

// DialFunc opens a connection to addr, ready for frames.
type DialFunc func(ctx context.Context, addr string) (net.Conn, error)

// Client calls servers at many addresses, over one connection each.
type Client struct {
	dial DialFunc
	// silent is how long a connection may answer nothing while a call
	// waits before that call's end closes it.
	silent time.Duration
	mu     sync.Mutex
	conns  map[string]*clientConn
	closed bool
}

// NewClient returns a client that opens its connections with dial.
func NewClient(dial DialFunc) *Client {
	return &Client{dial: dial, silent: silentLimit, conns: map[string]*clientConn{}}
}

// Call sends a request of kind with payload to addr and waits for the
// answer or for ctx to end. A failure of the connection fails every call
// in flight on it; the request may or may not have been handled.
func (c *Client) Call(ctx context.Context, addr string, kind byte, payload []byte) ([]byte,
	error) {
	cc, err := c.conn(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("rpc to %s: %w", addr, err)
	}
	reply, err := cc.call(ctx, kind, payload)
	if err != nil {
		var re *RemoteError
		if !errors.As(err, &re) {
			err = fmt.Errorf("rpc to %s: %w", addr, err)
		}
		return nil, err
	}
	return reply, nil
}

// conn returns the live connection to addr, dialling one if there is
// none. Callers that arrive during a dial wait for it.
func (c *Client) conn(ctx context.Context, addr string) (*clientConn, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	cc := c.conns[addr]
	if cc == nil || cc.failed() {
		cc = &clientConn{ready: make(chan struct{}), pending: map[uint64]chan frame{},
			done: make(chan struct{}), silent: c.silent}
		c.conns[addr] = cc
		go c.open(cc, addr)
	}
	c.mu.Unlock()
	select {
	case <-cc.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if cc.dialErr != nil {
		return nil, cc.dialErr
	}
	return cc, nil
}

// silentLimit is Client.silent: long enough that a call with a short
// deadline on a busy peer does not end the calls beside it.
const silentLimit = 2 * time.Second

// dialTimeout bounds a dial that no caller waits for any more.
const dialTimeout = 5 * time.Second

// open dials cc's connection and starts reading its answers.
func (c *Client) open(cc *clientConn, addr string) {
	ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
	conn, err := c.dial(ctx, addr)
	cancel()
	c.mu.Lock()
	if err == nil && c.closed {
		_ = conn.Close()
		err = ErrClosed
	}
	if err != nil {
		cc.dialErr = err
		close(cc.done)
		if c.conns[addr] == cc {
			delete(c.conns, addr)
		}
		c.mu.Unlock()
		close(cc.ready)
		return
	}
	cc.conn, cc.w = conn, newFrameWriter(conn)
	c.mu.Unlock()
	close(cc.ready)
	cc.readLoop(bufio.NewReaderSize(conn, 64<<10))
}

// Close closes every connection; calls in flight fail.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	conns := c.conns
	c.conns = map[string]*clientConn{}
	c.mu.Unlock()
	for _, cc := range conns {
		<-cc.ready
		if cc.conn != nil {
			_ = cc.conn.Close()
		}
	}
	return nil
}

// clientConn is one connection and the calls waiting on it.
type clientConn struct {
	ready   chan struct{} // closed once dialled, or failed to
	dialErr error
	silent  time.Duration
	conn    net.Conn
	w       *frameWriter

	// heard is when the last answer arrived (Unix nanoseconds).
	heard atomic.Int64

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan frame
	err     error         // why the connection ended
	done    chan struct{} // closed when it ended
}

func (cc *clientConn) failed() bool {
	select {
	case <-cc.done:
		return true
	default:
		return false
	}
}

func (cc *clientConn) call(ctx context.Context, kind byte, payload []byte) ([]byte, error) {
	ch := make(chan frame, 1)
	cc.mu.Lock()
	if cc.err != nil {
		cc.mu.Unlock()
		return nil, cc.err
	}
	cc.nextID++
	id := cc.nextID
	cc.pending[id] = ch
	cc.mu.Unlock()
	defer func() {
		cc.mu.Lock()
		delete(cc.pending, id)
		cc.mu.Unlock()
	}()

	sent := time.Now().UnixNano()
	if err := cc.w.write(frame{id: id, kind: kind, payload: payload}); err != nil {
		_ = cc.conn.Close()
		return nil, err
	}
	select {
	case f := <-ch:
		if f.kind == statusError {
			return nil, &RemoteError{Message: string(f.payload)}
		}
		return f.payload, nil
	case <-cc.done:
		return nil, cc.err
	case <-ctx.Done():
		// A connection that answered nothing at all for a while as this
		// call waited may be cut off without knowing it (a peer gone, a
		// partition); TCP may take minutes to say so. The next call
		// dials a new one.
		if cc.heard.Load() < sent && time.Since(time.Unix(0, sent)) >= cc.silent {
			_ = cc.conn.Close()
		}
		return nil, ctx.Err()
	}
}

// readLoop hands each answer to its caller until the connection fails,
// then fails the calls still waiting.
func (cc *clientConn) readLoop(r *bufio.Reader) {
	var err error
	for {
		var f frame
		if f, err = readFrame(r); err != nil {
			break
		}
		cc.heard.Store(time.Now().UnixNano())
		cc.mu.Lock()
		ch := cc.pending[f.id]
		cc.mu.Unlock()
		select {
		case ch <- f: // buffered; a second answer to an id is dropped
		default:
		}
	}
	_ = cc.conn.Close()
	cc.mu.Lock()
	cc.err = fmt.Errorf("connection lost: %w", err)
	cc.mu.Unlock()
	close(cc.done)
}
