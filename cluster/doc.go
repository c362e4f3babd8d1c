// Package cluster is weave's membership layer: it knows which peers make up the
// mesh, what each of them says about itself, and carries other packages'
// messages between them. It is built on hashicorp/memberlist (SWIM gossip).
//
// # Model
//
// Every daemon is one peer with a stable Name (the memberlist node name) and
// node metadata holding its nickname, underlay address, Raft port and version.
// A Cluster keeps a table of every peer it has ever seen, including the dead
// and those that left, so that `weave status peers` can show them. Each entry
// has a State:
//
//   - alive: memberlist lists the peer and we heard from it recently.
//   - suspect: memberlist still lists the peer, but our own probes have had
//     no direct answer for several probe rounds. memberlist v0.6.0 does not
//     expose its internal suspect state (Node.State is never filled in), so
//     this package derives it from silence; see Timing.
//   - dead: memberlist gave up on the peer after its suspicion timeout.
//   - left: the peer announced that it was leaving before it went.
//
// Subscribers receive an Event on every change. Events of one peer that a slow
// subscriber has not yet taken are merged into one, so a subscriber never
// holds gossip up and never needs more memory than one event per peer.
//
// # Messages
//
// Other packages talk over named channels. A Handler registered for a channel
// receives everything sent on it, together with the sender's name, which the
// envelope of every message carries. Broadcast gossips a payload to every
// peer (a newer payload on a channel replaces one still queued); payloads too
// big for one UDP packet go instead by a reliable stream to each live peer.
// Send is a reliable unicast. A Handler that also implements StateHandler
// takes part in memberlist's push/pull full-state exchange, on join and
// periodically.
//
// # Staying together
//
// memberlist stops talking to a peer once it has been dead for a while, and
// two halves of a long partition never merge again by themselves. The
// Cluster therefore re-joins, every RejoinInterval, each known address whose
// peer is not alive: the addresses given to Join and the gossip address of
// every peer ever seen, minus those removed with Forget.
//
// # Security
//
// With a Password, all gossip is encrypted and authenticated with AES-256-GCM
// under the SHA-256 of the password. Peers with another password, or none,
// can neither read nor inject anything, so they never merge.
//
// # What it never does
//
// The package writes nothing to disk and changes no network configuration.
// It logs through the Config's slog.Logger only; memberlist's own lines are
// turned into slog records by an adapter, never printed raw. Tests build
// clusters on the in-memory network of package memnet, which can partition
// peers, or on 127.0.0.1.
package cluster
