// Package weavemesh is the local-scope Docker network driver and IPAM driver named
// "weavemesh".
//
// Every weavemesh network on a host shares one bridge and one VXLAN device: the networks are
// not isolated from each other, as in Weave Net. The daemon creates the network "weave" at
// start; users may make more. Addresses come from the mesh allocator, which this package
// reaches through the small Allocator interface; it never sees the ring.
//
// Invariants:
//   - A network's options are persisted when Docker creates it and never re-read from
//     Docker, which does not repeat CreateNetwork after its own restart.
//   - An endpoint's record is persisted before CreateEndpoint answers, and removed only after
//     its veth is gone, so a daemon restarted at any point finds every link it made.
//   - A container has the multicast route on at most one network.
//
// What it never does: program the bridge or the VXLAN device itself (the daemon does that
// once), or decide which peer owns an address.
package weavemesh
