// Package store is the replicated key-value store every weave daemon runs:
// hashicorp/raft over TCP (port 6785), raft-boltdb for the log and stable
// store, a file snapshot store, and the bbolt tree of package fsm as the
// state machine. store/etcdv2 serves it to dockerd as etcd's v2 API.
//
// # Model
//
// A Store is one peer. Writes (Do, Put, AtomicPut, ...) are Raft
// commands: a follower forwards them to the leader over the store's own
// RPC (package rpc: binary frames, many requests in flight on one
// connection), which shares the Raft port (a connection whose first byte
// is 'F' is RPC; Raft's start with a message type). The leader stamps each
// command with its clock, so TTLs expire identically everywhere, and it
// alone commits the expire commands that remove due keys.
//
// Reads come in two kinds. A plain read is served by the local tree and
// may lag the leader, but comes after every write this peer answered,
// forwarded ones included. A quorum read is linearizable: the leader records
// its commit index, confirms it still leads (VerifyLeader), and the
// reading peer waits until it applied that index; a new leader first
// commits a no-op so that entries of earlier terms are applied before it
// serves such reads. Watches are local: a peer dispatches the events of
// each entry it applies to its own watchers.
//
// The tree is rebuilt on every start from the latest snapshot and the log
// after it; only the Raft files must survive a restart.
//
// # Membership
//
// The store does not gossip. The daemon gives it a Membership (names,
// Raft addresses, alive or not; a peer that left is absent). While a peer
// has no Raft state it waits for the live set to hold still for
// SettleTime; if the set has at least Voters peers, this one is among the
// first Voters by name and no live peer already has Raft state, it
// bootstraps those Voters. The leader then adds every other live peer as
// a non-voter, removes peers that left, replaces a voter dead for longer
// than DeadGrace by a live non-voter, and promotes non-voters while there
// are fewer than Voters voters.
//
// # Contract
//
// Get, Put, Delete, Exists, List, DeleteTree, AtomicPut, AtomicDelete,
// Watch, WatchTree and NewLock follow the cluster-store contract that
// Docker's libkv made familiar; pairs carry the index they were last
// modified at, which the atomic calls compare.
//
// The package logs through the *slog.Logger of its Config, Raft's records
// included (adapted from hclog, component=raft).
package store
