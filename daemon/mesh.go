package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"

	"github.com/vishvananda/netlink"

	"weave.works/weave/cluster"
	"weave.works/weave/drivers/datapath"
	"weave.works/weave/drivers/weavemesh"
)

// meshPath is the weavemesh driver's data path: one bridge and VXLAN device for all its
// networks, programmed with netlink in the daemon's own network namespace.
type meshPath struct {
	h    *netlink.Handle
	spec datapath.NetworkSpec
	mtu  int
	log  *slog.Logger
}

var _ weavemesh.DataPath = (*meshPath)(nil)

// newMeshPath makes (or adopts, after a restart) the bridge and VXLAN device.
func newMeshPath(h *netlink.Handle, local netip.Addr, mtu, port int,
	log *slog.Logger) (*meshPath, error) {
	spec := datapath.DefaultNetworkSpec(local)
	spec.Port = port
	if mtu == 0 {
		m, err := datapath.UnderlayMTU(h, local)
		if err != nil {
			return nil, fmt.Errorf("derive MTU from the underlay (give --mtu): %w", err)
		}
		mtu = m
	}
	spec.MTU = mtu
	if err := datapath.EnsureNetwork(h, spec); err != nil {
		return nil, fmt.Errorf("data path: %w", err)
	}
	if err := datapath.EnsureForwardAccept(spec.Bridge); err != nil {
		return nil, fmt.Errorf("data path: open forwarding on %s: %w", spec.Bridge, err)
	}
	log.Info("data path ready", "bridge", spec.Bridge, "vxlan", spec.VXLAN, "vni", spec.VNI,
		"mtu", mtu, "local", local)
	return &meshPath{h: h, spec: spec, mtu: mtu, log: log}, nil
}

// CreateVeth makes an endpoint's pair in the mesh bridge, its MAC derived from its address.
func (m *meshPath) CreateVeth(endpointID string, addr netip.Addr) (weavemesh.Veth, error) {
	host, peer := datapath.VethNames(endpointID)
	v, err := datapath.CreateVeth(m.h, host, peer, m.spec.Bridge, m.mtu, datapath.MACFor(addr))
	if err != nil {
		return weavemesh.Veth{}, err
	}
	return weavemesh.Veth{Host: v.Host, Peer: v.Container, MAC: v.MAC.String()}, nil
}

// DeleteVeth removes an endpoint's pair.
func (m *meshPath) DeleteVeth(hostName string) error {
	return datapath.DeleteVeth(m.h, hostName)
}

func (m *meshPath) setFlood(peers []cluster.Peer) error {
	var addrs []netip.Addr
	for _, p := range peers {
		if p.Local || !p.Addr.IsValid() || p.Addr == m.spec.Local {
			continue
		}
		if p.State == cluster.StateAlive || p.State == cluster.StateSuspect {
			addrs = append(addrs, p.Addr)
		}
	}
	return datapath.SetFloodPeers(m.h, m.spec.VXLAN, addrs)
}

// leftovers lists host veths in the bridge that no endpoint owns: links a crash left behind
// between creating a pair and recording it.
func (m *meshPath) leftovers(known []weavemesh.Endpoint) []string {
	names, err := datapath.Links(m.h, datapath.HostVethPrefix)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		m.log.Warn("list veths", "err", err)
		return nil
	}
	owned := map[string]bool{}
	for _, e := range known {
		owned[e.HostVeth] = true
	}
	var out []string
	for _, n := range names {
		if !owned[n] {
			out = append(out, n)
		}
	}
	return out
}
