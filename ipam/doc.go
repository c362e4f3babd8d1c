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
// out of space asks another to donate part of its free space, a peer that
// claims an address another owns asks that owner for the block holding it,
// and a stopping peer hands its free space to a live one (Handover). In every
// case the giver transfers the space in its own ring and gossips the result.
//
// The ring starts as Config.Init says: seeded from named peers, agreed by a
// majority of the first N peers (consensus, package paxos), or, for an
// observer, taken from the first peer that sends it. Until then allocations
// wait, at most RequestTimeout.
//
// The daemon feeds the allocator every message on its channel
// (HandleMessage), the full-state exchange (LocalState, MergeState), and the
// live peers on every membership change (SetPeers); it reads Events to log
// what changed, and Status for `weave status ipam`.
//
// # Invariants
//
//   - An allocation or release is committed to the bbolt file before the call
//     returns. Requests that arrive while a commit is running share the next
//     one (group commit).
//   - An address is unavailable from the moment it is chosen until its release
//     is committed, so a crash at any point never lets it be handed out twice.
//   - The ring is persisted before anything that depends on it leaves the
//     process: LocalState, broadcasts and answers carry the last committed
//     ring, never a newer one in memory. The one exception, a handover offer,
//     is saved as pending before it is sent, and the offered space stays
//     frozen until the receiver's answer (or its ring) shows the outcome.
//   - A peer gives away only free addresses; the addresses its containers
//     hold stay its own, also through a handover.
//   - The consensus acceptor's state is saved before its answer is sent.
//   - The first and last address of the range and of a requested pool, and
//     the pool's gateway (its first host address, see Gateway), are never
//     handed out by Allocate.
//
// # What it never does
//
// The package knows no Docker JSON and no memberlist: the Docker adapter and
// the gossip glue live elsewhere and talk to it through Allocator's methods
// and the Gossip interface. It logs nothing; errors are returned, and what
// is worth a log line is sent on Events. It never takes over another peer's
// space by itself: only RemovePeer, the operator's `weave rmpeer`, does.
package ipam
