package datapath

import (
	"fmt"
	"net/netip"
	"strings"
)

// Defaults of a network, following Weave Net's numbers so firewall rules carry over.
const (
	// DefaultBridge is the bridge of the default network.
	DefaultBridge = "weave"
	// DefaultVXLAN is the VXLAN device of the default network, named after its port.
	DefaultVXLAN = "vxlan-6784"
	// DefaultPort is the UDP port VXLAN frames are sent to and received on.
	DefaultPort = 6784
	// DefaultVNI is the VXLAN network identifier of the default network.
	DefaultVNI = 1
)

// VXLAN encapsulation overheads: outer Ethernet (14), IP (20 or 40), UDP (8) and VXLAN (8)
// headers.
const (
	OverheadIPv4 = 50
	OverheadIPv6 = 70
)

// MaxNameLen is the longest device name the kernel accepts (IFNAMSIZ less the NUL).
const MaxNameLen = 15

// maxVNI is the largest 24-bit VXLAN network identifier.
const maxVNI = 1<<24 - 1

// minMTU and maxMTU bound the MTUs a spec may ask for: IPv4's minimum and the largest
// value an IP packet length can carry.
const (
	minMTU = 68
	maxMTU = 65535
)

// NetworkSpec describes the devices of one network on one host.
type NetworkSpec struct {
	// Bridge names the Linux bridge the containers' veths join, such as "weave".
	Bridge string
	// VXLAN names the VXLAN device enslaved to the bridge, such as "vxlan-6784".
	VXLAN string
	// VNI is the network's VXLAN network identifier, 1 to 16777215.
	VNI uint32
	// Port is the UDP port of the VXLAN device, on this host and on its peers.
	Port int
	// Local is the underlay address VXLAN frames are sent from.
	Local netip.Addr
	// MTU of both devices; 0 derives it from the underlay interface holding Local.
	MTU int
	// ARPProxy makes the VXLAN device answer ARP requests from its neighbour entries
	// (see AddNeighbour) instead of flooding them. The kernel then drops requests for
	// addresses it has no entry for, so turn it on only when the control plane adds an
	// entry for every remote endpoint.
	ARPProxy bool
}

// DefaultNetworkSpec returns the spec of the default network, sending from local.
func DefaultNetworkSpec(local netip.Addr) NetworkSpec {
	return NetworkSpec{
		Bridge: DefaultBridge,
		VXLAN:  DefaultVXLAN,
		VNI:    DefaultVNI,
		Port:   DefaultPort,
		Local:  local,
	}
}

// Validate reports the first field of s the kernel would refuse or that makes no sense,
// naming it and its value; the error wraps ErrInvalid.
func (s NetworkSpec) Validate() error {
	if err := ValidateName("Bridge", s.Bridge); err != nil {
		return err
	}
	if err := ValidateName("VXLAN", s.VXLAN); err != nil {
		return err
	}
	if s.VXLAN == s.Bridge {
		return invalid("VXLAN", s.VXLAN, "must differ from Bridge")
	}
	if s.VNI < 1 || s.VNI > maxVNI {
		return invalid("VNI", s.VNI, fmt.Sprintf("must be 1 to %d", maxVNI))
	}
	if s.Port < 1 || s.Port > 65535 {
		return invalid("Port", s.Port, "must be 1 to 65535")
	}
	if !s.Local.IsValid() || s.Local.IsUnspecified() || s.Local.IsMulticast() {
		return invalid("Local", s.Local, "must be a unicast address")
	}
	if s.MTU != 0 && (s.MTU < minMTU || s.MTU > maxMTU) {
		return invalid("MTU", s.MTU, fmt.Sprintf("must be 0 or %d to %d", minMTU, maxMTU))
	}
	return nil
}

// ValidateName reports whether the kernel would accept name as a device name: 1 to 15
// bytes, neither "." nor "..", without '/', ':' or white space. The field names the
// argument in the error, which wraps ErrInvalid.
func ValidateName(field, name string) error {
	switch {
	case name == "":
		return invalid(field, `""`, "must not be empty")
	case len(name) > MaxNameLen:
		return invalid(field, name, fmt.Sprintf("longer than %d bytes", MaxNameLen))
	case name == "." || name == "..":
		return invalid(field, name, "is not a device name")
	case strings.ContainsAny(name, "/: \t\n\v\f\r"):
		return invalid(field, name, "contains '/', ':' or white space")
	}
	return nil
}

// overhead returns the VXLAN encapsulation overhead for frames sent from local.
func overhead(local netip.Addr) int {
	if local.Unmap().Is4() {
		return OverheadIPv4
	}
	return OverheadIPv6
}
