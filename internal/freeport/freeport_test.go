package freeport

import (
	"net"
	"strconv"
	"testing"
)

// TestLoopback checks that the ports are bindable and below the
// ephemeral range.
func TestLoopback(t *testing.T) {
	start := ephemeralStart()
	for range 20 {
		addr, err := Loopback()
		if err != nil {
			t.Fatal(err)
		}
		_, p, _ := net.SplitHostPort(addr)
		port, _ := strconv.Atoi(p)
		if port < low || start > low+1000 && port >= start {
			t.Fatalf("port %d outside %d..%d", port, low, start)
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("bind %s: %v", addr, err)
		}
		_ = ln.Close()
	}
}
