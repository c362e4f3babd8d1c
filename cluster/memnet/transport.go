package memnet

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/memberlist"
)

// Transport is one host's attachment to a Network.
type Transport struct {
	net     *Network
	addr    netip.AddrPort
	packets chan *memberlist.Packet
	streams chan net.Conn
	shut    chan struct{}
	once    sync.Once
}

var _ memberlist.NodeAwareTransport = (*Transport)(nil)

// Addr returns the address the Transport is attached at.
func (t *Transport) Addr() netip.AddrPort {
	return t.addr
}

// FinalAdvertiseAddr returns the Transport's own address, whatever is asked:
// nothing else reaches it.
func (t *Transport) FinalAdvertiseAddr(string, int) (net.IP, int, error) {
	return net.IP(t.addr.Addr().AsSlice()), int(t.addr.Port()), nil
}

// WriteTo sends a packet to addr ("ip:port"). Like UDP, it succeeds when the
// packet is lost on the way.
func (t *Transport) WriteTo(b []byte, addr string) (time.Time, error) {
	now := time.Now()
	to, err := netip.ParseAddrPort(addr)
	if err != nil {
		return now, &net.OpError{Op: "write", Net: "udp", Err: err}
	}
	if t.isShut() {
		return now, &net.OpError{Op: "write", Net: "udp", Err: net.ErrClosed}
	}
	dst, ok, delay := t.net.route(t.addr, to, true)
	if !ok {
		return now, nil
	}
	pkt := &memberlist.Packet{
		Buf:  append([]byte(nil), b...),
		From: net.UDPAddrFromAddrPort(t.addr),
	}
	if delay == 0 {
		pkt.Timestamp = now
		dst.deliver(pkt)
		return now, nil
	}
	time.AfterFunc(delay, func() {
		pkt.Timestamp = time.Now()
		dst.deliver(pkt)
	})
	return now, nil
}

// WriteToAddress sends a packet to a.Addr.
func (t *Transport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	return t.WriteTo(b, a.Addr)
}

// deliver queues a packet for the reader, dropping it if the backlog is full
// or the Transport shut down.
func (t *Transport) deliver(pkt *memberlist.Packet) {
	if t.isShut() {
		return
	}
	select {
	case t.packets <- pkt:
	default:
	}
}

// PacketCh returns the packets that arrive.
func (t *Transport) PacketCh() <-chan *memberlist.Packet {
	return t.packets
}

// DialTimeout opens a stream to addr ("ip:port").
func (t *Transport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	to, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	if t.isShut() {
		return nil, dialError(to, net.ErrClosed)
	}
	if _, _, delay := t.net.route(t.addr, to, false); delay > 0 {
		if timeout > 0 && delay >= timeout {
			time.Sleep(timeout)
			return nil, dialError(to, fmt.Errorf("i/o timeout after %v", timeout))
		}
		time.Sleep(delay)
	}
	dst, ok, _ := t.net.route(t.addr, to, false)
	switch {
	case dst == nil:
		return nil, dialError(to, syscall.ECONNREFUSED)
	case !ok:
		return nil, dialError(to, syscall.ENETUNREACH)
	}
	a, b := net.Pipe()
	mine := &conn{Conn: a, net: t.net, local: t.addr, remote: to}
	theirs := &conn{Conn: b, net: t.net, local: to, remote: t.addr}
	if !dst.accept(theirs) {
		_ = a.Close()
		_ = b.Close()
		return nil, dialError(to, syscall.ECONNREFUSED)
	}
	return mine, nil
}

// DialAddressTimeout opens a stream to a.Addr.
func (t *Transport) DialAddressTimeout(a memberlist.Address,
	timeout time.Duration) (net.Conn, error) {
	return t.DialTimeout(a.Addr, timeout)
}

func dialError(to netip.AddrPort, err error) error {
	return &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(to), Err: err}
}

// accept queues an incoming stream, or reports false if the Transport is
// shut down or its backlog is full.
func (t *Transport) accept(c net.Conn) bool {
	if t.isShut() {
		return false
	}
	select {
	case t.streams <- c:
		return true
	default:
		return false
	}
}

// StreamCh returns the streams others open to us.
func (t *Transport) StreamCh() <-chan net.Conn {
	return t.streams
}

// Shutdown detaches the Transport from its Network and refuses what waits.
// The channels stay open (memberlist may still be selecting on them).
func (t *Transport) Shutdown() error {
	t.once.Do(func() {
		close(t.shut)
		t.net.detach(t)
		for {
			select {
			case c := <-t.streams:
				_ = c.Close()
			default:
				return
			}
		}
	})
	return nil
}

func (t *Transport) isShut() bool {
	select {
	case <-t.shut:
		return true
	default:
		return false
	}
}

// conn is one end of a stream. Writes fail once a fault separates the ends.
type conn struct {
	net.Conn
	net           *Network
	local, remote netip.AddrPort
}

// Write sends b unless a fault now separates the ends, which also closes the
// stream.
func (c *conn) Write(b []byte) (int, error) {
	if c.net.blocked(c.local, c.remote) {
		_ = c.Conn.Close()
		return 0, &net.OpError{Op: "write", Net: "tcp", Addr: c.RemoteAddr(),
			Err: syscall.ENETUNREACH}
	}
	return c.Conn.Write(b)
}

// LocalAddr returns the local end's address.
func (c *conn) LocalAddr() net.Addr {
	return net.TCPAddrFromAddrPort(c.local)
}

// RemoteAddr returns the other end's address.
func (c *conn) RemoteAddr() net.Addr {
	return net.TCPAddrFromAddrPort(c.remote)
}
