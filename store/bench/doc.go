// Package bench measures the store's etcd v2 face against real etcd: the
// same workload, through the same etcd v2 client
// (go.etcd.io/etcd/client/v2), in the same run, on the same machine.
//
// # Model
//
// Two clusters of three are started side by side on 127.0.0.1 with free
// ports: three store.Store peers in this process, each with its etcdv2
// face on its own port (StartWeave), and three members of Debian's
// /usr/bin/etcd v3.4 with --enable-v2=true, their data in a temporary
// directory (StartEtcd). Both report their endpoints with the leader's
// last, so that the layout of clients is the same on both sides.
//
// A Case is one operation (write or read) and a number of concurrent
// clients. Every client is its own client.Client with its own HTTP
// transport and one endpoint: client i talks to endpoint i mod 3, the
// way each Docker host's dockerd talks to the store on its own host. One
// client therefore talks to a follower, which forwards; 64 clients are
// spread over all three members. A write is a PUT of a small value to a
// key no other operation uses; a read is a quorum GET of a key written
// before the case began. Each case runs for a fixed time on each side
// and reports its throughput and its latency percentiles.
//
// # Invariants
//
// Everything a cluster starts it stops on Close, processes, listeners and
// temporary directories included; StartEtcd and StartWeave undo what
// they made when they fail half way. Nothing listens beyond 127.0.0.1.
// A case that meets an error stops and reports it: a throughput that
// includes failed operations is not a throughput.
//
// The package logs nothing; the numbers are its output.
package bench
