package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// rpcMagic is the first byte of a connection for the store's own RPC
// (forwarded writes, read indexes, bootstrap checks; package rpc). Raft's
// transport starts each connection with a message type from 0 to a few,
// so one port, 6785, carries both and firewall rules need only it.
const rpcMagic = 'F'

// legacyRPCMagic started the HTTP RPC of weave builds before the framed
// one. Such a peer's connections are refused, with a log line that says
// to upgrade it.
const legacyRPCMagic = 'W'

// sniffTimeout bounds the wait for a new connection's first byte.
const sniffTimeout = 10 * time.Second

// errLayerClosed is returned by Accept after Close.
var errLayerClosed = errors.New("store transport closed")

// muxLayer is raft's StreamLayer on a shared listener: it sorts accepted
// connections by their first byte between Raft and the RPC listener.
type muxLayer struct {
	ln        net.Listener
	log       *slog.Logger
	advertise net.Addr
	raftConns chan net.Conn
	rpc       *chanListener
	closeOnce sync.Once
	closed    chan struct{}
}

var _ raft.StreamLayer = (*muxLayer)(nil)

// newMuxLayer starts sorting the connections of ln. advertise is the
// address peers dial, reported by Addr.
func newMuxLayer(ln net.Listener, advertise net.Addr, log *slog.Logger) *muxLayer {
	m := &muxLayer{
		ln:        ln,
		log:       log,
		advertise: advertise,
		raftConns: make(chan net.Conn),
		closed:    make(chan struct{}),
	}
	m.rpc = &chanListener{conns: make(chan net.Conn), muxClosed: m.closed,
		closed: make(chan struct{}), addr: advertise}
	go m.acceptLoop()
	return m
}

// acceptLoop hands every accepted connection to a sniffer until the
// listener closes.
func (m *muxLayer) acceptLoop() {
	for {
		c, err := m.ln.Accept()
		if err != nil {
			return
		}
		go m.sniff(c)
	}
}

// sniff reads the first byte and routes the connection, with that byte
// still to be read by Raft.
func (m *muxLayer) sniff(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(sniffTimeout))
	br := bufio.NewReader(c)
	first, err := br.Peek(1)
	if err != nil {
		_ = c.Close()
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	if first[0] == legacyRPCMagic {
		m.log.Warn("refused a store RPC from an older weave: upgrade that peer",
			"addr", c.RemoteAddr().String())
		_ = c.Close()
		return
	}
	target := m.raftConns
	if first[0] == rpcMagic {
		_, _ = br.Discard(1)
		target = m.rpc.conns
	}
	stopped := m.rpc.closed
	if target == m.raftConns {
		stopped = nil
	}
	select {
	case target <- &bufferedConn{Conn: c, r: br}:
	case <-m.closed:
		_ = c.Close()
	case <-stopped:
		_ = c.Close()
	}
}

// Accept returns the next Raft connection.
func (m *muxLayer) Accept() (net.Conn, error) {
	select {
	case c := <-m.raftConns:
		return c, nil
	case <-m.closed:
		return nil, errLayerClosed
	}
}

// Close stops the listener; both Accepts then fail.
func (m *muxLayer) Close() error {
	var err error
	m.closeOnce.Do(func() {
		close(m.closed)
		err = m.ln.Close()
	})
	return err
}

// Addr returns the advertised address.
func (m *muxLayer) Addr() net.Addr { return m.advertise }

// Dial opens a Raft connection to a peer.
func (m *muxLayer) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	return net.DialTimeout("tcp", string(addr), timeout)
}

// dialRPC opens an RPC connection to a peer's store port.
func dialRPC(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = c.SetWriteDeadline(time.Now().Add(sniffTimeout))
	if _, err := c.Write([]byte{rpcMagic}); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("open rpc to %s: %w", addr, err)
	}
	_ = c.SetWriteDeadline(time.Time{})
	return c, nil
}

// bufferedConn is a connection whose first bytes were read ahead.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// chanListener is a net.Listener fed with connections by the mux. Its
// Accept fails once it or the mux is closed.
type chanListener struct {
	conns     chan net.Conn
	muxClosed chan struct{}
	closeOnce sync.Once
	closed    chan struct{}
	addr      net.Addr
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, errLayerClosed
	case <-l.muxClosed:
		return nil, errLayerClosed
	}
}

// Close ends Accept; connections the mux still routes here are closed.
func (l *chanListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }
