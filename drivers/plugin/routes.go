package plugin

import (
	"github.com/docker/go-plugins-helpers/ipam"
	"github.com/docker/go-plugins-helpers/network"
)

// empty is the answer of calls that return nothing.
type empty struct{}

// none adapts a call that returns only an error.
func none[Req any](fn func(*Req) error) func(*Req) (empty, error) {
	return func(req *Req) (empty, error) { return empty{}, fn(req) }
}

// noArgs adapts a call that takes no request.
func noArgs[Resp any](fn func() (Resp, error)) func(*empty) (Resp, error) {
	return func(*empty) (Resp, error) { return fn() }
}

func (r router) network(d network.Driver) {
	handle(r, "/NetworkDriver.GetCapabilities", noArgs(d.GetCapabilities))
	handle(r, "/NetworkDriver.CreateNetwork", none(d.CreateNetwork))
	handle(r, "/NetworkDriver.AllocateNetwork", d.AllocateNetwork)
	handle(r, "/NetworkDriver.DeleteNetwork", none(d.DeleteNetwork))
	handle(r, "/NetworkDriver.FreeNetwork", none(d.FreeNetwork))
	handle(r, "/NetworkDriver.CreateEndpoint", d.CreateEndpoint)
	handle(r, "/NetworkDriver.DeleteEndpoint", none(d.DeleteEndpoint))
	handle(r, "/NetworkDriver.EndpointOperInfo", d.EndpointInfo)
	handle(r, "/NetworkDriver.Join", d.Join)
	handle(r, "/NetworkDriver.Leave", none(d.Leave))
	handle(r, "/NetworkDriver.DiscoverNew", none(d.DiscoverNew))
	handle(r, "/NetworkDriver.DiscoverDelete", none(d.DiscoverDelete))
	handle(r, "/NetworkDriver.ProgramExternalConnectivity", none(d.ProgramExternalConnectivity))
	handle(r, "/NetworkDriver.RevokeExternalConnectivity", none(d.RevokeExternalConnectivity))
}

func (r router) ipam(d ipam.Ipam) {
	handle(r, "/IpamDriver.GetCapabilities", noArgs(d.GetCapabilities))
	handle(r, "/IpamDriver.GetDefaultAddressSpaces", noArgs(d.GetDefaultAddressSpaces))
	handle(r, "/IpamDriver.RequestPool", d.RequestPool)
	handle(r, "/IpamDriver.ReleasePool", none(d.ReleasePool))
	handle(r, "/IpamDriver.RequestAddress", d.RequestAddress)
	handle(r, "/IpamDriver.ReleaseAddress", none(d.ReleaseAddress))
}
