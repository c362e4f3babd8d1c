package memnet

import (
	"errors"
	"io"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

func addr(i byte) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 98, 0, i}), 6783)
}

// hosts attaches n transports at addr(1) to addr(n).
func hosts(t *testing.T, net *Network, n int) []*Transport {
	t.Helper()
	var ts []*Transport
	for i := 1; i <= n; i++ {
		tr, err := net.NewTransport(addr(byte(i)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tr.Shutdown() })
		ts = append(ts, tr)
	}
	return ts
}

// arrives reports whether a packet sent from one transport to the other
// arrives within a short time.
func arrives(t *testing.T, from, to *Transport) bool {
	t.Helper()
	if _, err := from.WriteTo([]byte("ping"), to.Addr().String()); err != nil {
		t.Fatalf("write: %v", err)
	}
	select {
	case p := <-to.PacketCh():
		if p.From.String() != from.Addr().String() || string(p.Buf) != "ping" {
			t.Fatalf("packet %q from %v", p.Buf, p.From)
		}
		return true
	case <-time.After(50 * time.Millisecond):
		return false
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault func(n *Network)
		want  [3][3]bool // want[i][j]: a packet from host i reaches host j
	}{
		{"none", func(*Network) {},
			[3][3]bool{{false, true, true}, {true, false, true}, {true, true, false}}},
		{"cut 1-2", func(n *Network) { n.Cut(addr(1), addr(2)) },
			[3][3]bool{{false, false, true}, {false, false, true}, {true, true, false}}},
		{"one way 1->2", func(n *Network) { n.CutOneWay(addr(1), addr(2)) },
			[3][3]bool{{false, false, true}, {true, false, true}, {true, true, false}}},
		{"isolate 3", func(n *Network) { n.Isolate(addr(3)) },
			[3][3]bool{{false, true, false}, {true, false, false}, {false, false, false}}},
		{"partition 1,2 | 3", func(n *Network) {
			n.Partition([]netip.AddrPort{addr(1), addr(2)}, []netip.AddrPort{addr(3)})
		}, [3][3]bool{{false, true, false}, {true, false, false}, {false, false, false}}},
		{"healed", func(n *Network) { n.Isolate(addr(1)); n.Cut(addr(2), addr(3)); n.Heal() },
			[3][3]bool{{false, true, true}, {true, false, true}, {true, true, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := New()
			ts := hosts(t, n, 3)
			tt.fault(n)
			for i := range ts {
				for j := range ts {
					if i == j {
						continue
					}
					if got := arrives(t, ts[i], ts[j]); got != tt.want[i][j] {
						t.Errorf("packet %d -> %d arrives: %v, want %v", i+1, j+1, got,
							tt.want[i][j])
					}
				}
			}
		})
	}
}

func TestStreams(t *testing.T) {
	n := New()
	ts := hosts(t, n, 2)
	c, err := ts[0].DialTimeout(addr(2).String(), time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	var s io.ReadWriteCloser
	select {
	case sc := <-ts[1].StreamCh():
		if sc.RemoteAddr().String() != addr(1).String() {
			t.Errorf("accepted stream from %v", sc.RemoteAddr())
		}
		s = sc
	case <-time.After(time.Second):
		t.Fatal("no stream accepted")
	}
	defer s.Close()

	go func() { _, _ = c.Write([]byte("hello")) }()
	buf := make([]byte, 5)
	if _, err := io.ReadFull(s, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("read %q, %v", buf, err)
	}

	// A cut breaks the open stream on its next write, and refuses new ones.
	n.Cut(addr(1), addr(2))
	if _, err := c.Write([]byte("more")); !errors.Is(err, syscall.ENETUNREACH) {
		t.Errorf("write across a cut: %v", err)
	}
	if _, err := ts[0].DialTimeout(addr(2).String(), time.Second); !errors.Is(err,
		syscall.ENETUNREACH) {
		t.Errorf("dial across a cut: %v", err)
	}
	if _, err := ts[0].DialTimeout(addr(9).String(), time.Second); !errors.Is(err,
		syscall.ECONNREFUSED) {
		t.Errorf("dial of nobody: %v", err)
	}
}

func TestLossIsSeeded(t *testing.T) {
	count := func(seed uint64) int {
		n := New()
		ts := hosts(t, n, 2)
		n.SetLoss(0.3, seed)
		got := 0
		for i := 0; i < 200; i++ {
			if _, err := ts[0].WriteTo([]byte{byte(i)}, addr(2).String()); err != nil {
				t.Fatal(err)
			}
		}
		for len(ts[1].PacketCh()) > 0 {
			<-ts[1].PacketCh()
			got++
		}
		return got
	}
	first, second := count(42), count(42)
	if first != second {
		t.Errorf("same seed delivered %d and %d packets", first, second)
	}
	if first < 100 || first > 180 {
		t.Errorf("30%% loss delivered %d of 200", first)
	}
}

func TestDelay(t *testing.T) {
	n := New()
	ts := hosts(t, n, 2)
	n.SetDelay(100 * time.Millisecond)
	start := time.Now()
	if _, err := ts[0].WriteTo([]byte("late"), addr(2).String()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ts[1].PacketCh():
		if d := time.Since(start); d < 100*time.Millisecond {
			t.Errorf("packet arrived after %v, before the delay", d)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("delayed packet never arrived")
	}
	if _, err := ts[0].DialTimeout(addr(2).String(), 50*time.Millisecond); err == nil {
		t.Error("dial with a delay longer than its timeout succeeded")
	}
}

func TestShutdownFreesAddress(t *testing.T) {
	n := New()
	tr, err := n.NewTransport(addr(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.NewTransport(addr(1)); !errors.Is(err, ErrAddrInUse) {
		t.Fatalf("second transport at the same address: %v", err)
	}
	if err := tr.Shutdown(); err != nil {
		t.Fatal(err)
	}
	again, err := n.NewTransport(addr(1))
	if err != nil {
		t.Fatalf("after shutdown: %v", err)
	}
	_ = again.Shutdown()
	if _, err := tr.WriteTo([]byte("x"), addr(1).String()); err == nil {
		t.Error("write after shutdown succeeded")
	}
	if _, err := n.NewTransport(netip.AddrPort{}); err == nil {
		t.Error("transport at the zero address")
	}
}
