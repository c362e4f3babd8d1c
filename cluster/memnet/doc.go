// Package memnet is an in-memory network for memberlist, for tests of the
// cluster package and of every package built on it. A Network connects
// Transports by address (any netip.AddrPort: nothing is bound, nothing leaves
// the process) and injects faults between them:
//
//   - Cut and CutOneWay drop all traffic of a pair, Isolate of one host,
//     Partition between groups; Heal removes all of these.
//   - SetLoss drops a share of packets (not streams), from a seeded source,
//     so a run can be repeated.
//   - SetDelay holds every packet, and the start of every stream, for a
//     while.
//
// Packets (memberlist's UDP) that meet a fault vanish silently, as on a real
// network. A stream dial (memberlist's TCP) across a fault fails at once with
// a *net.OpError, as after an ICMP unreachable; a stream already open fails
// on its next write once a fault separates its ends.
//
// A Transport is a memberlist.NodeAwareTransport. Give it to memberlist (or
// to cluster.Config.Transport); memberlist's Shutdown shuts it down, and the
// address can then be used again, which is how a test restarts a host.
package memnet
