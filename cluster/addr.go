package cluster

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// maxHostLen is the longest DNS name.
const maxHostLen = 253

// normalizeAddr turns a peer address as a user gives it ("10.0.0.2",
// "10.0.0.2:6783", "[fd01::2]:6783", "fd01::2", "host-2", "host-2:6783") into
// the host:port form memberlist joins, with port defaultPort when none is
// given. The same peer always gives the same string.
func normalizeAddr(s string, defaultPort uint16) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrBadAddress)
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a.Unmap(), defaultPort).String(), nil
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			return "", fmt.Errorf("%w: %q: port 0", ErrBadAddress, s)
		}
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String(), nil
	}
	host, port := s, defaultPort
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		var err error
		host = s[:i]
		if port, err = parsePort(s[i+1:]); err != nil {
			return "", fmt.Errorf("%w: %q: %v", ErrBadAddress, s, err)
		}
	}
	host = strings.TrimSuffix(host, ".")
	if err := checkHostname(host); err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrBadAddress, s, err)
	}
	return net.JoinHostPort(strings.ToLower(host), strconv.Itoa(int(port))), nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 || s[0] == '0' || s[0] == '+' {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return uint16(n), nil
}

// checkHostname accepts DNS names: dot-separated labels of letters, digits
// and inner hyphens.
func checkHostname(h string) error {
	if h == "" || len(h) > maxHostLen {
		return fmt.Errorf("host name must be 1 to %d bytes", maxHostLen)
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("host name label %q must be 1 to 63 bytes", label)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("host name label %q starts or ends with '-'", label)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			ok := c == '-' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') ||
				('A' <= c && c <= 'Z')
			if !ok {
				return fmt.Errorf("host name holds %q at %d", c, i)
			}
		}
	}
	return nil
}
