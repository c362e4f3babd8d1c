// Package freeport picks loopback ports for servers that must be started
// again at the same address, as tests and benchmarks do with Raft peers.
//
// A port that net.Listen("tcp", "127.0.0.1:0") handed out and that was then
// closed comes from the kernel's ephemeral range, the same range that every
// outgoing connection on the machine takes its local port from, so another
// process may take it before the server binds it again. Loopback picks its
// ports below that range instead, where only an explicit bind can collide.
package freeport

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// low is the first port picked; below it live well-known services.
const low = 10000

// attempts bounds the ports tried before Loopback gives up.
const attempts = 200

// Loopback returns "127.0.0.1:port" for a port that was free a moment ago
// and lies below the ephemeral range.
func Loopback() (string, error) {
	high := ephemeralStart()
	if high <= low+1000 {
		high = 32768
	}
	for range attempts {
		port := low + rand.IntN(high-low)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		addr := ln.Addr().String()
		if err := ln.Close(); err != nil {
			return "", fmt.Errorf("free port: %w", err)
		}
		return addr, nil
	}
	return "", errors.New("free port: no free loopback port below the ephemeral range")
}

// ephemeralStart is the first port of the kernel's ephemeral range, or 0
// when it cannot be read.
func ephemeralStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(fields[0])
	return n
}
