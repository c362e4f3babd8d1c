// Package paxos agrees, once, on the set of peers that first divide the
// address range (--ipalloc-init consensus=N). It is single-decree Paxos as a
// pure state machine: no I/O, no goroutines, no clocks, no logging. Its user
// carries the messages, keeps the acceptor's state durable and decides when
// to start a new round.
//
// # Model
//
// Every peer started with consensus=N is an acceptor and may be a proposer. A
// proposer picks a ballot, higher than any it has seen, and sends Prepare to
// every peer it can reach. An acceptor promises to ignore lower ballots and
// answers with the value it last accepted, if any. With promises from a
// quorum (N/2+1 distinct acceptors) the proposer sends Accept with the value
// of the highest-ballot acceptance among them, or, when none of them has
// accepted anything, the sorted names of the acceptors that promised. A
// value accepted by a quorum under one ballot is chosen.
//
// # Safety
//
// Two quorums of N/2+1 acceptors out of at most N acceptors always share an
// acceptor, and an acceptor that promised a ballot refuses lower ones, so
// once a value is chosen every higher ballot that gathers a quorum of
// promises sees it and proposes it again: no two values are ever chosen.
// This holds under loss, duplication, reordering and restarts, provided:
//
//   - at most N peers ever act as acceptors (the operator starts exactly N
//     peers with consensus=N; later peers hear the ring before they vote);
//   - an acceptor's state is durable before its answer leaves the process;
//   - a proposer never reuses a ballot: its rounds start above the ballot its
//     own (durable) acceptor last promised, see Proposer.Begin.
//
// # What it never does
//
// It never decides without a quorum, so a minority partition waits; the
// user bounds that wait.
package paxos
