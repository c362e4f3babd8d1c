package harness

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
)

// Prefix starts the name of every network namespace, state directory and
// cgroup the harness makes, followed by the run id: "wt-3fa2c1-h1".
const Prefix = "wt-"

// Underlay is the subnet of the fabric; host i (from 1) gets address i.
var Underlay = netip.MustParsePrefix("10.99.0.0/24")

// runIDLen is the number of hex digits in a run id. Three random bytes make
// a collision between two live runs on one machine unlikely, and keep every
// link name within the kernel's 15 characters.
const runIDLen = 6

// runNameRE matches a name the harness made and captures its run id: a
// namespace ("wt-3fa2c1-fab"), a state directory ("wt-3fa2c1") or a cgroup
// ("wt-3fa2c1-h1").
var runNameRE = regexp.MustCompile(`^wt-([0-9a-f]{6})(?:-[a-z0-9]+)?$`)

// newRunID returns a fresh random run id.
func newRunID() (string, error) {
	b := make([]byte, runIDLen/2)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make run id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// runIDOf returns the run id inside a name the harness made, or "" when the
// name is not one of the harness's.
func runIDOf(name string) string {
	m := runNameRE.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	return m[1]
}

// runMarker is the string that names of a run's objects and the command
// lines of its processes contain: "wt-3fa2c1".
func runMarker(id string) string { return Prefix + id }

// fabricNS returns the name of the fabric namespace of run id.
func fabricNS(id string) string { return runMarker(id) + "-fab" }

// hostName returns the name of host i, which is also its hostname.
func hostName(i int) string { return fmt.Sprintf("h%d", i) }

// hostNS returns the name of the namespace of host i in run id.
func hostNS(id string, i int) string { return runMarker(id) + "-" + hostName(i) }

// bridgeName returns the name of the fabric bridge of run id.
func bridgeName(id string) string { return "wt" + id + "br" }

// fabricVeth returns the name of the fabric end of host i's veth pair:
// "wt3fa2c1h12", at most 13 characters for up to MaxHosts hosts.
func fabricVeth(id string, i int) string { return fmt.Sprintf("wt%sh%d", id, i) }

// cgroupName returns the cgroup parent of host i's dockerd, below the root
// of every hierarchy.
func cgroupName(id string, i int) string { return hostNS(id, i) }

// hostAddr returns the underlay address of host i.
func hostAddr(i int) netip.Addr {
	a := Underlay.Addr().As4()
	a[3] = byte(i)
	return netip.AddrFrom4(a)
}
