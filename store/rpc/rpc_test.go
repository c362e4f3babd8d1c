package rpc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
)

// serve starts a server with handle on a loopback port and returns its
// address; the server closes when the test ends.
func serve(t *testing.T, handle Handler) (string, *Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(handle)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close(time.Second) })
	return ln.Addr().String(), s
}

func newClient(t *testing.T) *Client {
	t.Helper()
	c := NewClient(func(ctx context.Context, addr string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func echo(_ context.Context, kind byte, p []byte) ([]byte, error) {
	if kind == 2 {
		return nil, fmt.Errorf("refused %q", p)
	}
	return append([]byte{kind}, p...), nil
}

func TestCallAnswersAndErrors(t *testing.T) {
	addr, _ := serve(t, echo)
	c := newClient(t)
	ctx := context.Background()
	for _, size := range []int{0, 1, 100, 70 << 10, 1 << 20} {
		p := bytes.Repeat([]byte{'x'}, size)
		got, err := c.Call(ctx, addr, 7, p)
		if err != nil || !bytes.Equal(got, append([]byte{7}, p...)) {
			t.Fatalf("%d bytes: answered %d bytes, %v", size, len(got), err)
		}
	}
	_, err := c.Call(ctx, addr, 2, []byte("this"))
	var re *RemoteError
	if !errors.As(err, &re) || re.Message != `refused "this"` {
		t.Fatalf("refused call: %v, want the handler's error", err)
	}
}

// TestConcurrentCallsOutOfOrder has the server answer in the reverse
// order of arrival; every caller must get its own answer.
func TestConcurrentCallsOutOfOrder(t *testing.T) {
	const n = 64
	var mu sync.Mutex
	arrived := 0
	release := make(chan struct{})
	addr, _ := serve(t, func(_ context.Context, _ byte, p []byte) ([]byte, error) {
		mu.Lock()
		arrived++
		if arrived == n {
			close(release)
		}
		mu.Unlock()
		<-release
		time.Sleep(time.Duration(n-int(p[0])) * 100 * time.Microsecond)
		return p, nil
	})
	c := newClient(t)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Call(context.Background(), addr, 1, []byte{byte(i)})
			if err != nil || len(got) != 1 || got[0] != byte(i) {
				errs <- fmt.Errorf("call %d answered %v, %v", i, got, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestLostConnectionFailsCallsAndRedials closes the server's side under a
// waiting call: the call fails, and the next one dials again.
func TestLostConnectionFailsCallsAndRedials(t *testing.T) {
	block := make(chan struct{})
	arrived := make(chan struct{}, 1)
	var mu sync.Mutex
	var conns []net.Conn
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := NewServer(func(_ context.Context, kind byte, p []byte) ([]byte, error) {
		if kind == 9 {
			arrived <- struct{}{}
			<-block
		}
		return p, nil
	})
	defer s.Close(0)
	go func() { _ = s.Serve(&recordingListener{Listener: ln, mu: &mu, conns: &conns}) }()
	defer close(block)

	c := newClient(t)
	addr := ln.Addr().String()
	failed := make(chan error, 1)
	go func() {
		_, err := c.Call(context.Background(), addr, 9, nil)
		failed <- err
	}()
	select {
	case <-arrived: // the server holds the request, on the one connection
	case <-time.After(5 * time.Second):
		t.Fatal("the request never arrived")
	}
	mu.Lock()
	_ = conns[0].Close()
	mu.Unlock()
	select {
	case err := <-failed:
		if err == nil {
			t.Fatal("call on a lost connection succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("call on a lost connection still waits")
	}
	if got, err := c.Call(context.Background(), addr, 1, []byte("again")); err != nil ||
		string(got) != "again" {
		t.Fatalf("call after the loss: %q, %v", got, err)
	}
}

type recordingListener struct {
	net.Listener
	mu    *sync.Mutex
	conns *[]net.Conn
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		*l.conns = append(*l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func TestCallEndsWithContext(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	addr, _ := serve(t, func(context.Context, byte, []byte) ([]byte, error) {
		<-block
		return nil, nil
	})
	c := newClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Call(ctx, addr, 1, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call past its deadline: %v", err)
	}
}

func TestDialFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c := newClient(t)
	if _, err := c.Call(context.Background(), addr, 1, nil); err == nil {
		t.Fatal("call to a closed port succeeded")
	}
}

// TestServerCloseLetsRequestsFinish closes the server while a request is
// handled: it is answered within the grace period.
func TestServerCloseLetsRequestsFinish(t *testing.T) {
	started := make(chan struct{})
	addr, s := serve(t, func(context.Context, byte, []byte) ([]byte, error) {
		close(started)
		time.Sleep(50 * time.Millisecond)
		return []byte("done"), nil
	})
	c := newClient(t)
	answered := make(chan error, 1)
	go func() {
		got, err := c.Call(context.Background(), addr, 1, nil)
		if err == nil && string(got) != "done" {
			err = fmt.Errorf("answered %q", got)
		}
		answered <- err
	}()
	<-started
	if err := s.Close(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := <-answered; err != nil {
		t.Fatalf("request during close: %v", err)
	}
	if _, err := c.Call(context.Background(), addr, 1, nil); err == nil {
		t.Fatal("call after close succeeded")
	}
}

func TestOversizeFrameEndsConnection(t *testing.T) {
	addr, _ := serve(t, echo)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var h [headerLen]byte
	binary.BigEndian.PutUint32(h[:4], MaxFrame+100)
	if _, err := conn.Write(h[:]); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("server answered an oversize frame instead of closing")
	}
}

// FuzzReadFrame feeds arbitrary bytes to the frame reader: it must return
// frames or an error, never panic, and a frame it reads must survive
// being written and read again.
func FuzzReadFrame(f *testing.F) {
	var ok bytes.Buffer
	_ = writeTo(&ok, frame{id: 3, kind: 1, payload: []byte("abc")})
	f.Add(ok.Bytes())
	f.Add([]byte{0, 0, 0, 1, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bufio.NewReader(bytes.NewReader(b))
		for range 4 {
			fr, err := readFrame(r)
			if err != nil {
				return
			}
			var out bytes.Buffer
			if err := writeTo(&out, fr); err != nil {
				t.Fatal(err)
			}
			again, err := readFrame(bufio.NewReader(&out))
			if err != nil || again.id != fr.id || again.kind != fr.kind ||
				!bytes.Equal(again.payload, fr.payload) {
				t.Fatalf("frame %+v read back as %+v, %v", fr, again, err)
			}
		}
	})
}

// writeTo writes f through a frameWriter on a pipe-less connection.
func writeTo(buf *bytes.Buffer, f frame) error {
	c := &bufConn{buf: buf}
	return newFrameWriter(c).write(f)
}

type bufConn struct {
	net.Conn
	buf *bytes.Buffer
}

func (c *bufConn) Write(p []byte) (int, error)      { return c.buf.Write(p) }
func (c *bufConn) SetWriteDeadline(time.Time) error { return nil }

// TestSilentConnectionIsReplaced talks to a server that accepts and never
// answers: a call that times out after hearing nothing for the client's
// silence limit closes the connection, and the next call dials a new one;
// one that times out sooner leaves it.
func TestSilentConnectionIsReplaced(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	var conns []net.Conn
	defer func() {
		_ = ln.Close()
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	c := newClient(t)
	c.silent = 40 * time.Millisecond
	call := func(name string, timeout time.Duration) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if _, err := c.Call(ctx, ln.Addr().String(), 1, nil); !errors.Is(err,
			context.DeadlineExceeded) {
			t.Fatalf("%s call to a silent server: %v", name, err)
		}
	}
	newConn := func() bool {
		select {
		case conn := <-accepted:
			conns = append(conns, conn)
			return true
		case <-time.After(100 * time.Millisecond):
			return false
		}
	}
	call("short", 5*time.Millisecond)
	if !newConn() {
		t.Fatal("the first call dialled no connection")
	}
	call("long", 60*time.Millisecond) // on the same connection, which it then closes
	if newConn() {
		t.Fatal("a call shorter than the silence limit closed the connection")
	}
	call("next", 5*time.Millisecond)
	if !newConn() {
		t.Fatal("the call after a silent one did not dial a new connection")
	}
}
