// Package chaos is the linearizability test of the store: clients that
// record a history of operations inside the hosts of a harness cluster, a
// schedule of faults, and a porcupine check of the history.
//
// # Model
//
// A client is a process inside a host (the test binary run again with a
// Config in its environment, see Runner and FromEnv) that talks to the
// etcd v2 API on its own host's loopback, as a dockerd does. In ModeOps it
// performs random quorum gets, puts and compare-and-swaps on a few keys
// below Prefix until a stop file appears, and writes every Op with its
// call and return times (Unix nanoseconds: one clock for all processes of
// the machine) and its Outcome. A request without a definite answer is
// Unknown: a write that may or may not have taken effect, or a read that
// told nothing.
//
// Check runs porcupine over the history with Model, a register per key.
// Unknown writes may be linearized anywhere after their call, or never;
// unknown reads are dropped. Quorum reads made after the faults healed
// (ModeRead) close the history, so a write that was acknowledged and then
// lost makes it fail. Dumps (ModeDump) are each replica's whole tree read
// locally, for comparing the replicas' state machines.
//
// A Schedule drives a System (the weave daemons, or a real etcd as a
// control) through the faults in order: kill the leader, cut off a
// follower, cut the leader and a follower off from the other, isolate the
// leader, cut off the leader briefly while writes are in flight (twice),
// restart a follower. Each fault is healed and followed by a leader that a
// majority agrees on before the next.
//
// # What it never does
//
// It sends no traffic from the test's own network namespace: every request
// comes from a process inside a host, and the faults act through the
// harness. Every client and every wait is bounded in time.
package chaos
