package datapath

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/vishvananda/netlink"
)

// Veth names the two ends of a container's veth pair.
type Veth struct {
	// Host is the end that stays in the host's namespace, joined to the bridge.
	Host string
	// Container is the end handed to Docker, which moves it into the container.
	Container string
	// MAC is the address of the container end.
	MAC net.HardwareAddr
}

// CreateVeth makes a veth pair, hostName joined to bridge and up, containerName down and
// left for Docker to move. An mtu of 0 takes the bridge's; a nil mac takes StableMAC of
// containerName. If any step fails, the pair is deleted again, so nothing is left behind.
// A device already called hostName or containerName gives an error wrapping ErrExists; a
// missing bridge one wrapping ErrNotFound. It equals:
//
//	ip link add HOST mtu MTU type veth peer name CONTAINER address MAC mtu MTU
//	ip link set HOST master BRIDGE
//	ip link set HOST up
func CreateVeth(h *netlink.Handle, hostName, containerName, bridge string, mtu int,
	mac net.HardwareAddr) (Veth, error) {
	h = handle(h)
	if err := vethArgs(hostName, containerName, bridge, mtu, mac); err != nil {
		return Veth{}, err
	}
	if mac == nil {
		mac = StableMAC(containerName)
	}
	br, err := linkByName(h, bridge)
	if err != nil {
		return Veth{}, fmt.Errorf("create veth %s: bridge: %w", hostName, err)
	}
	if mtu == 0 {
		mtu = br.Attrs().MTU
	}
	for _, name := range []string{hostName, containerName} {
		_, err := linkByName(h, name)
		if err == nil {
			return Veth{}, fmt.Errorf("create veth %s: %s: %w", hostName, name, ErrExists)
		}
		if !isNotFound(err) {
			return Veth{}, fmt.Errorf("create veth %s: %w", hostName, err)
		}
	}

	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.MTU = hostName, mtu
	veth := &netlink.Veth{
		LinkAttrs:        attrs,
		PeerName:         containerName,
		PeerHardwareAddr: mac,
		PeerMTU:          uint32(mtu),
	}
	if err := h.LinkAdd(veth); err != nil {
		return Veth{}, fmt.Errorf("create veth %s: add pair with %s: %w",
			hostName, containerName, err)
	}

	if err := joinBridge(h, hostName, br); err != nil {
		// Deleting one end deletes the pair.
		if undoErr := deleteLink(h, hostName); undoErr != nil {
			err = errors.Join(err, fmt.Errorf("undo: %w", undoErr))
		}
		return Veth{}, fmt.Errorf("create veth %s: %w", hostName, err)
	}
	return Veth{Host: hostName, Container: containerName, MAC: mac}, nil
}

// joinBridge enslaves the link called name to br and sets it up.
func joinBridge(h *netlink.Handle, name string, br netlink.Link) error {
	link, err := linkByName(h, name)
	if err != nil {
		return err
	}
	if err := h.LinkSetMaster(link, br); err != nil {
		return fmt.Errorf("join bridge %s: %w", br.Attrs().Name, err)
	}
	if err := h.LinkSetUp(link); err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	return nil
}

// vethArgs checks the arguments of CreateVeth.
func vethArgs(hostName, containerName, bridge string, mtu int, mac net.HardwareAddr) error {
	if err := ValidateName("hostName", hostName); err != nil {
		return err
	}
	if err := ValidateName("containerName", containerName); err != nil {
		return err
	}
	if err := ValidateName("bridge", bridge); err != nil {
		return err
	}
	if hostName == containerName {
		return invalid("containerName", containerName, "must differ from hostName")
	}
	if mtu != 0 && (mtu < minMTU || mtu > maxMTU) {
		return invalid("mtu", mtu, fmt.Sprintf("must be 0 or %d to %d", minMTU, maxMTU))
	}
	if mac != nil && !isUnicastMAC(mac) {
		return invalid("mac", mac, "must be a unicast Ethernet address")
	}
	return nil
}

// DeleteVeth removes the veth pair whose host end is hostName; a pair already gone (or
// whose container took its end away and died) is fine. It equals `ip link del HOST`.
func DeleteVeth(h *netlink.Handle, hostName string) error {
	h = handle(h)
	if err := ValidateName("hostName", hostName); err != nil {
		return err
	}
	if err := deleteLink(h, hostName); err != nil {
		return fmt.Errorf("delete veth: %w", err)
	}
	return nil
}

// Links returns, sorted, the names of the links that start with prefix, so a restarted
// daemon can find the veths it made and `weave reset` can remove them. It equals
// `ip -o link show | grep PREFIX`.
func Links(h *netlink.Handle, prefix string) ([]string, error) {
	h = handle(h)
	links, err := listLinks(h)
	if err != nil {
		return nil, fmt.Errorf("links with prefix %q: %w", prefix, err)
	}
	var names []string
	for _, l := range links {
		if name := l.Attrs().Name; strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names, nil
}
