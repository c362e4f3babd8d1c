package datapath

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/netip"
)

// Prefixes of the veth names VethNames gives; Links with either finds every veth this
// package made.
const (
	HostVethPrefix      = "vethwl"
	ContainerVethPrefix = "vethwg"
)

// vethIDLen is how many hex digits of an endpoint follow the prefixes: 6 + 8 = 14 bytes,
// within MaxNameLen.
const vethIDLen = 8

// VethNames returns the names of the veth pair of a Docker endpoint: HostVethPrefix and
// ContainerVethPrefix followed by 8 hex digits. Docker's endpoint IDs are random lowercase
// hex, so their first 8 digits are used as they are, which lets an operator match a device to
// `docker network inspect`; any other ID is hashed. The same ID always gives the same
// names.
func VethNames(endpointID string) (host, container string) {
	id := endpointID
	if len(id) < vethIDLen || !isHex(id[:vethIDLen]) {
		sum := sha256.Sum256([]byte(endpointID))
		id = hex.EncodeToString(sum[:])
	}
	id = id[:vethIDLen]
	return HostVethPrefix + id, ContainerVethPrefix + id
}

// MAC address layouts. Each first byte has the locally administered bit set and the
// group bit clear; the two layouts of MACFor differ in the second byte, and StableMAC
// uses its own first byte, so no two layouts can give the same address.
const (
	macIPPrefix   = 0x7a // MACFor: 7a:77 then an IPv4 address, 7a:76 then an IPv6 hash
	macIPv4       = 0x77
	macIPv6       = 0x76
	macHashPrefix = 0x7e // StableMAC: 7e then 5 bytes of a hash
)

// MACFor returns a locally administered unicast MAC address derived from ip alone, so an
// endpoint keeps its MAC as long as it keeps its address: 7a:77 followed by the four bytes
// of an IPv4 address (which makes distinct IPv4 addresses distinct MACs), or 7a:76
// followed by four bytes of a hash of an IPv6 address. An invalid ip gives 7a:77:00:00:00:00.
func MACFor(ip netip.Addr) net.HardwareAddr {
	ip = ip.Unmap()
	switch {
	case ip.Is4():
		a := ip.As4()
		return net.HardwareAddr{macIPPrefix, macIPv4, a[0], a[1], a[2], a[3]}
	case ip.Is6():
		a := ip.As16()
		sum := sha256.Sum256(a[:])
		return net.HardwareAddr{macIPPrefix, macIPv6, sum[0], sum[1], sum[2], sum[3]}
	}
	return net.HardwareAddr{macIPPrefix, macIPv4, 0, 0, 0, 0}
}

// StableMAC returns a locally administered unicast MAC address derived from key: 7e
// followed by five bytes of its hash. CreateVeth uses it, keyed by the container end's
// name, when it is given no MAC.
func StableMAC(key string) net.HardwareAddr {
	sum := sha256.Sum256([]byte(key))
	return net.HardwareAddr{macHashPrefix, sum[0], sum[1], sum[2], sum[3], sum[4]}
}

// bridgeMAC is the fixed address of a bridge, different on every host of the network.
func bridgeMAC(bridge string, local netip.Addr) net.HardwareAddr {
	return StableMAC("bridge/" + bridge + "/" + local.String())
}

// isUnicastMAC reports whether mac is a 6-byte unicast Ethernet address other than zero.
func isUnicastMAC(mac net.HardwareAddr) bool {
	return len(mac) == 6 && mac[0]&1 == 0 && !bytes.Equal(mac, zeroMAC)
}

// isHex reports whether s is all lowercase hex digits.
func isHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
