package store

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"
)

// TestMuxSortsConnections checks the first byte's routing: Raft's bytes
// go to Raft, rpcMagic to the RPC listener without the byte, and the
// HTTP RPC of older builds is closed.
func TestMuxSortsConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := newMuxLayer(ln, ln.Addr(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer m.Close()
	send := func(b string) net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		if _, err := c.Write([]byte(b)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	read := func(c net.Conn, n int) string {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, n)
		if _, err := io.ReadFull(c, b); err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	send("\x00raft")
	if got := read(mustAccept(t, m.Accept), 5); got != "\x00raft" {
		t.Errorf("raft connection read %q", got)
	}
	send(string(rpcMagic) + "rpc")
	if got := read(mustAccept(t, m.rpc.Accept), 3); got != "rpc" {
		t.Errorf("rpc connection read %q", got)
	}
	old := send(string(legacyRPCMagic) + "POST / HTTP/1.1\r\n\r\n")
	_ = old.SetReadDeadline(time.Now().Add(5 * time.Second))
	// Closed, not merely left waiting: a deadline would also fail the read.
	if n, err := old.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("an old RPC connection read %d bytes, %v; want it closed", n, err)
	}
}

func mustAccept(t *testing.T, accept func() (net.Conn, error)) net.Conn {
	t.Helper()
	c, err := accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}
