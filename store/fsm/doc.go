// Package fsm is the state machine under the replicated store: a tree of
// directories and files shaped like etcd's v2 keyspace, kept in a bbolt
// file, changed only by applying Commands in log order.
//
// # Model
//
// A node is a directory or a file (a key with a string value). Every node
// carries createdIndex and modifiedIndex, and may carry an expiration. The
// root "/" is a directory that always exists and cannot be changed.
//
// The store index counts changes: each successful change takes the next
// index, and a command that fails takes none, as in etcd. (It is not the
// Raft index; Applied reports the Raft index of the last entry applied.)
// An expire command removes each due node as its own change, so one
// command may take several indexes.
//
// Apply is deterministic: the result depends only on the tree and the
// command. Time comes from the command (the leader stamps it when it
// proposes), never from the clock, so every replica computes the same
// expirations, and nodes leave the tree only through an OpExpire command
// the leader commits. A failed command rolls back and changes nothing but
// the applied Raft index.
//
// The last HistorySize events are kept in the tree, so that a watch may
// start at an older index (History); one older than that fails with
// CodeEventIndexCleared. Snapshot copies the whole bbolt file, history
// included, in one read transaction; Restore swaps a copy in by rename.
//
// # Storage
//
// Bucket nodes maps parent+NUL+name to a record, so that a directory's
// children are one sorted cursor range. Bucket ttl maps
// expiration+key to nothing, the expiry index. Bucket history maps an
// index to its event; bucket meta holds the store index and the applied
// Raft index.
//
// # Never
//
// The package logs nothing, starts no goroutine, reads no clock and knows
// nothing of Raft, HTTP or networks. Keys are canonical (ParseKey): ".."
// segments, control bytes and invalid UTF-8 never reach the tree.
package fsm
