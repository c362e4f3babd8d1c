// Package ring holds the address ring of the mesh allocator: a conflict-free
// replicated data type that says which peer owns which part of an IPv4 range.
//
// # Model
//
// The range (for example 10.32.0.0/12) is seen as a ring of addresses. A Ring
// is a sorted list of entries; each entry has a token (an address inside the
// range), the name of the peer that owns it, a version and a free count. Entry
// i owns the addresses from its token up to the next token; the last entry
// owns everything from its token to the end of the range and, when the first
// token is not the start of the range, wraps around to own the start as well.
// A ring with entries therefore gives every address of the range exactly one
// owner.
//
// Only the owner of an entry changes it, and every change raises the entry's
// version. Merge is the join of two replicas: the union of their tokens,
// taking for each token the entry with the higher version. Merge is
// commutative, associative and idempotent, so replicas that gossip their full
// state in any order converge. Two different entries with the same token and
// version can only come from a broken peer; Merge reports them as ErrConflict.
//
// Tokens are never removed: a transfer of addresses splits entries by adding
// tokens, and a later transfer of the same addresses changes the entries in
// place. Removing a token could not be told apart, in a merge, from a replica
// that had not heard of it yet.
//
// # Identity
//
// A ring remembers the set of peers it was seeded from (a hash of their sorted
// names, with the range). Rings of different identity never merge: Merge
// returns ErrDifferentRing and changes nothing. An empty ring made by New has
// no identity yet and takes the identity of the first ring merged into it.
//
// # What it never does
//
// The package is a pure value type: no I/O, no goroutines, no clocks, no
// logging. A Ring is not safe for concurrent use; its user serialises access.
// It knows nothing of allocations: the allocator reports free counts through
// UpdateFree.
package ring
