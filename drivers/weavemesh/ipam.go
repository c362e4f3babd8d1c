package weavemesh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/docker/go-plugins-helpers/ipam"

	meshipam "weave.works/weave/ipam"
)

const (
	// requestAddressType is the RequestAddress option that marks a gateway request.
	requestAddressType = "RequestAddressType"
	gatewayRequest     = "com.docker.network.gateway"
	// poolSep joins a pool and its sub-pool (--ip-range) in a PoolID.
	poolSep = ";"
	// requestTimeout bounds one allocation; Docker's own plugin client gives up later.
	requestTimeout = 20 * time.Second
)

// Allocator is what the IPAM driver needs of the mesh allocator.
type Allocator interface {
	Allocate(ctx context.Context, pool netip.Prefix, label string) (netip.Addr, error)
	Claim(ctx context.Context, addr netip.Addr, label string) error
	Release(ctx context.Context, addr netip.Addr) error
}

// IPAM is the weavemesh IPAM driver: Docker's pools and addresses from the mesh allocator.
type IPAM struct {
	alloc Allocator
	space netip.Prefix // the whole allocation range
	pools *Pools
	log   *slog.Logger
}

var _ ipam.Ipam = (*IPAM)(nil)

// NewIPAM serves pools inside space from alloc; pools says which are in use.
func NewIPAM(alloc Allocator, space netip.Prefix, pools *Pools, log *slog.Logger) *IPAM {
	return &IPAM{alloc: alloc, space: space.Masked(), pools: pools, log: log}
}

// GetCapabilities says the driver needs no MAC address and no replay of requests.
func (m *IPAM) GetCapabilities() (*ipam.CapabilitiesResponse, error) {
	return &ipam.CapabilitiesResponse{}, nil
}

// GetDefaultAddressSpaces names the driver's address spaces.
func (m *IPAM) GetDefaultAddressSpaces() (*ipam.AddressSpacesResponse, error) {
	return &ipam.AddressSpacesResponse{LocalDefaultAddressSpace: "weavemesh",
		GlobalDefaultAddressSpace: "weavemesh-global"}, nil
}

// RequestPool answers the whole range when no subnet is asked for, or the subnet when it
// lies inside the range, and reports the gateway so that Docker need not request one.
func (m *IPAM) RequestPool(r *ipam.RequestPoolRequest) (*ipam.RequestPoolResponse, error) {
	if r.V6 {
		return nil, errors.New("weavemesh has no IPv6 pools yet; create the network without --ipv6")
	}
	pool := m.space
	if r.Pool != "" {
		p, err := m.inSpace("subnet", r.Pool)
		if err != nil {
			return nil, err
		}
		pool = p
	}
	id := pool.String()
	if r.SubPool != "" {
		sub, err := m.inSpace("ip-range", r.SubPool)
		if err != nil {
			return nil, err
		}
		if !pool.Contains(sub.Addr()) || sub.Bits() < pool.Bits() {
			return nil, fmt.Errorf("ip-range %s is not inside subnet %s", sub, pool)
		}
		id += poolSep + sub.String()
	}
	if err := m.pools.acquire(pool); err != nil {
		return nil, err
	}
	gw := netip.PrefixFrom(meshipam.Gateway(pool), pool.Bits())
	m.log.Info("pool requested", "pool", id)
	return &ipam.RequestPoolResponse{PoolID: id, Pool: pool.String(),
		Data: map[string]string{gatewayRequest: gw.String()}}, nil
}

// inSpace parses a CIDR option and checks that it lies in the allocation range.
func (m *IPAM) inSpace(what, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%s %q is not an IPv4 CIDR such as 10.32.1.0/24", what, s)
	}
	p = p.Masked()
	if p.Bits() < m.space.Bits() || !m.space.Contains(p.Addr()) {
		return netip.Prefix{}, fmt.Errorf("%s %s is outside the weave range %s: choose one "+
			"inside it, or launch weave with --ipalloc-range covering it", what, p, m.space)
	}
	return p, nil
}

// ReleasePool records that a network gave its pool back; addresses are released one by one.
func (m *IPAM) ReleasePool(r *ipam.ReleasePoolRequest) error {
	pool, _, err := parsePoolID(r.PoolID)
	if err != nil {
		return err
	}
	return m.pools.release(pool)
}

// RequestAddress hands out the gateway, a specific address (--ip) or the next free one.
func (m *IPAM) RequestAddress(r *ipam.RequestAddressRequest) (*ipam.RequestAddressResponse, error) {
	pool, sub, err := parsePoolID(r.PoolID)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()

	var addr netip.Addr
	switch {
	case r.Options[requestAddressType] == gatewayRequest:
		addr, err = m.gateway(pool, r.Address)
	case r.Address != "":
		addr, err = m.claim(ctx, pool, r.Address)
	default:
		addr, err = m.alloc.Allocate(ctx, sub, "docker")
		if err != nil {
			err = fmt.Errorf("allocate in %s: %w", sub, err)
		}
	}
	if err != nil {
		return nil, err
	}
	return &ipam.RequestAddressResponse{Address: netip.PrefixFrom(addr, pool.Bits()).String()}, nil
}

func (m *IPAM) gateway(pool netip.Prefix, asked string) (netip.Addr, error) {
	if asked == "" {
		return meshipam.Gateway(pool), nil
	}
	a, err := netip.ParseAddr(asked)
	if err != nil || !pool.Contains(a) {
		return netip.Addr{}, fmt.Errorf("gateway %q is not an address in %s", asked, pool)
	}
	return a, nil
}

func (m *IPAM) claim(ctx context.Context, pool netip.Prefix, asked string) (netip.Addr, error) {
	a, err := netip.ParseAddr(asked)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("address %q is not an IPv4 address", asked)
	}
	if !pool.Contains(a) {
		return netip.Addr{}, fmt.Errorf("address %s is not in the network's subnet %s", a, pool)
	}
	if a == meshipam.Gateway(pool) {
		return netip.Addr{}, fmt.Errorf("address %s is the network's gateway; choose another", a)
	}
	// No label: Docker's request names no container, so a second claim of a held address
	// must fail rather than count as the same owner asking again.
	err = m.alloc.Claim(ctx, a, "")
	if errors.Is(err, meshipam.ErrInUse) {
		return netip.Addr{}, fmt.Errorf("address %s is already in use: choose another "+
			"--ip, or leave --ip out to get a free one", a)
	}
	if err != nil {
		return netip.Addr{}, err
	}
	return a, nil
}

// ReleaseAddress gives an address back. Releasing the gateway, or an address that is free
// already, is no error: Docker repeats releases after its own failures.
func (m *IPAM) ReleaseAddress(r *ipam.ReleaseAddressRequest) error {
	pool, _, err := parsePoolID(r.PoolID)
	if err != nil {
		return err
	}
	a, err := netip.ParseAddr(r.Address)
	if err != nil {
		return fmt.Errorf("release: address %q is not an IPv4 address", r.Address)
	}
	if a == meshipam.Gateway(pool) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	err = m.alloc.Release(ctx, a)
	if errors.Is(err, meshipam.ErrNotAllocated) {
		m.log.Warn("release of a free address", "addr", a)
		return nil
	}
	if err != nil {
		return fmt.Errorf("release %s: %w", a, err)
	}
	return nil
}

// parsePoolID reads "POOL" or "POOL;SUBPOOL"; with no sub-pool, the pool is both.
func parsePoolID(id string) (pool, sub netip.Prefix, err error) {
	if id == "" {
		return pool, sub, errors.New("PoolID is missing")
	}
	p, s, hasSub := strings.Cut(id, poolSep)
	if pool, err = netip.ParsePrefix(p); err != nil {
		return pool, sub, fmt.Errorf("PoolID %q is not one this driver gave out", id)
	}
	sub = pool
	if hasSub {
		if sub, err = netip.ParsePrefix(s); err != nil {
			return pool, sub, fmt.Errorf("PoolID %q is not one this driver gave out", id)
		}
	}
	return pool, sub, nil
}
