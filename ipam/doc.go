// Package ipam is the mesh allocator: it hands out IPv4 addresses from the
// part of a range that this peer owns in the gossiped ring (package ring), and
// keeps every allocation in a bbolt file.
//
// # Model
//
// An Allocator holds one replica of the ring and the allocations of this
// peer. It allocates only inside space the ring gives to this peer, so peers
// never need to talk to allocate, and every partition that owns free space
// keeps working. Addresses move between peers only through the ring: a peer
// out of space asks another to donate part of its free space, and the donor
// transfers it in its ring and gossips the result.
//
// # Invariants
//
//   - An allocation or release is committed to the bbolt file before the call
//     returns. Requests that arrive while a commit is running share the next
//     one (group commit).
//   - An address is unavailable from the moment it is chosen until its release
//     is committed, so a crash at any point never lets it be handed out twice.
//   - The ring is persisted before anything that depends on it leaves the
//     process: LocalState, broadcasts and donation replies carry the last
//     committed ring, never a newer one in memory.
//   - The first and last address of the range and of a requested pool, and
//     the pool's gateway (its first host address, see Gateway), are never
//     handed out by Allocate.
//
// # What it never does
//
// The package knows no Docker JSON and no memberlist: the Docker adapter and
// the gossip glue live elsewhere and talk to it through Allocator's methods
// and the Gossip interface. It logs nothing; errors are returned, and ring
// merge errors are kept for Status.
package ipam
