package weavemesh

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/docker/go-plugins-helpers/network"
)

// multicastRoute is the route Join adds on a network with multicast on.
const multicastRoute = "224.0.0.0/4"

// routeConnected is libnetwork's RouteType for a route with no next hop.
const routeConnected = 1

// CreateEndpoint makes the endpoint's veth pair and answers the MAC, the one field Docker
// leaves to the driver.
func (d *Driver) CreateEndpoint(r *network.CreateEndpointRequest) (
	*network.CreateEndpointResponse, error) {
	if r.EndpointID == "" {
		return nil, errors.New("create endpoint: EndpointID is missing")
	}
	if r.Interface == nil || r.Interface.Address == "" {
		return nil, errors.New("create endpoint: Interface.Address is missing; " +
			"weavemesh networks need an IPv4 address from their IPAM driver")
	}
	prefix, err := netip.ParsePrefix(r.Interface.Address)
	if err != nil {
		return nil, fmt.Errorf("create endpoint: Interface.Address %q is not a CIDR address",
			r.Interface.Address)
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.nets[r.NetworkID]; !ok {
		return nil, fmt.Errorf("create endpoint: no weavemesh network %q", r.NetworkID)
	}
	if _, ok := d.eps[r.EndpointID]; ok {
		return nil, fmt.Errorf("create endpoint: endpoint %.12s exists already", r.EndpointID)
	}
	veth, err := d.dp.CreateVeth(r.EndpointID, prefix.Addr())
	if err != nil {
		return nil, fmt.Errorf("create endpoint %.12s: %w", r.EndpointID, err)
	}
	ep := Endpoint{ID: r.EndpointID, NetworkID: r.NetworkID, Address: prefix.String(),
		MAC: veth.MAC, HostVeth: veth.Host, PeerVeth: veth.Peer}
	if err := d.st.put(endpointsBucket, ep.ID, ep); err != nil {
		// Without a record a restarted daemon could not find the pair again.
		err = errors.Join(err, d.dp.DeleteVeth(veth.Host))
		return nil, fmt.Errorf("create endpoint %.12s: persist: %w", ep.ID, err)
	}
	d.eps[ep.ID] = ep
	d.log.Info("endpoint created", "endpoint", short(ep.ID), "network", short(ep.NetworkID),
		"addr", ep.Address, "veth", ep.HostVeth)

	resp := &network.CreateEndpointResponse{Interface: &network.EndpointInterface{}}
	if r.Interface.MacAddress == "" {
		resp.Interface.MacAddress = ep.MAC
	}
	return resp, nil
}

// DeleteEndpoint removes the veth pair and then the record.
func (d *Driver) DeleteEndpoint(r *network.DeleteEndpointRequest) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ep, ok := d.eps[r.EndpointID]
	if !ok {
		return fmt.Errorf("delete endpoint: no weavemesh endpoint %q", r.EndpointID)
	}
	if err := d.dp.DeleteVeth(ep.HostVeth); err != nil {
		return fmt.Errorf("delete endpoint %.12s: %w", ep.ID, err)
	}
	if err := d.st.delete(endpointsBucket, ep.ID); err != nil {
		return fmt.Errorf("delete endpoint %.12s: %w", ep.ID, err)
	}
	delete(d.eps, ep.ID)
	d.log.Info("endpoint deleted", "endpoint", short(ep.ID), "addr", ep.Address)
	return nil
}

// EndpointInfo answers what the driver knows of an endpoint, for `docker inspect`.
func (d *Driver) EndpointInfo(r *network.InfoRequest) (*network.InfoResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ep, ok := d.eps[r.EndpointID]
	if !ok {
		return nil, fmt.Errorf("endpoint info: no weavemesh endpoint %q", r.EndpointID)
	}
	return &network.InfoResponse{Value: map[string]string{
		"works.weave.veth": ep.HostVeth, "works.weave.mac": ep.MAC}}, nil
}

// Join hands the container end of the pair to Docker, with the multicast route when the
// network has it on and the container has it on no other network.
func (d *Driver) Join(r *network.JoinRequest) (*network.JoinResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ep, ok := d.eps[r.EndpointID]
	if !ok {
		return nil, fmt.Errorf("join: no weavemesh endpoint %q", r.EndpointID)
	}
	n, ok := d.nets[ep.NetworkID]
	if !ok {
		return nil, fmt.Errorf("join: endpoint %.12s is on network %.12s, which weavemesh "+
			"does not know", ep.ID, ep.NetworkID)
	}
	resp := &network.JoinResponse{
		InterfaceName: network.InterfaceName{SrcName: ep.PeerVeth, DstPrefix: d.cfg.DstPrefix},
	}
	if n.Options.Multicast && r.SandboxKey != "" {
		if other := d.multicastIn(r.SandboxKey, ep.ID); other != "" {
			return nil, fmt.Errorf("join: the container already has multicast on network "+
				"%.12s and can have it on one network only; connect it to a network created "+
				"with -o %s=false", other, OptionMulticast)
		}
		resp.StaticRoutes = []*network.StaticRoute{
			{Destination: multicastRoute, RouteType: routeConnected}}
	}

	ep.Sandbox = r.SandboxKey
	if err := d.st.put(endpointsBucket, ep.ID, ep); err != nil {
		return nil, fmt.Errorf("join %.12s: persist: %w", ep.ID, err)
	}
	d.eps[ep.ID] = ep
	return resp, nil
}

// multicastIn names the network, other than the endpoint skip's, on which the sandbox has
// the multicast route, or returns "".
func (d *Driver) multicastIn(sandbox, skip string) string {
	for _, e := range d.eps {
		if e.ID == skip || e.Sandbox != sandbox {
			continue
		}
		if d.nets[e.NetworkID].Options.Multicast {
			return e.NetworkID
		}
	}
	return ""
}

// Leave records that the endpoint is no longer in a sandbox; Docker takes the interface.
func (d *Driver) Leave(r *network.LeaveRequest) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ep, ok := d.eps[r.EndpointID]
	if !ok {
		return fmt.Errorf("leave: no weavemesh endpoint %q", r.EndpointID)
	}
	ep.Sandbox = ""
	if err := d.st.put(endpointsBucket, ep.ID, ep); err != nil {
		return fmt.Errorf("leave %.12s: persist: %w", ep.ID, err)
	}
	d.eps[ep.ID] = ep
	return nil
}
