// Package harness builds clusters of Docker hosts on one machine, out of
// network namespaces, for the multi-host tests and the demo.
//
// # Model
//
// A Cluster is a fabric and its hosts. The fabric is a network namespace
// holding one bridge. A Host is a network namespace with one link, eth0,
// whose other end is a port of that bridge; host i has the address
// 10.99.0.i/24 (Underlay). Each host also has a mount and a UTS namespace,
// kept alive by a holder process (`sleep infinity`) that every process of
// the host joins with nsenter: Host.Command, Host.Run and Host.Start run
// programs there. Inside a host /sys is a sysfs of the host's own (so
// /sys/class/net lists its links), /run is a fresh tmpfs (so
// /run/docker/plugins and the docker sockets are per host), /etc/machine-id
// is the host's own, and the hostname is the host's name. The rest of the
// file system is the machine's; a daemon's state goes below Host.Dir.
//
// With Options.Docker every host runs a dockerd (Debian's 20.10) with its
// data root, exec root and socket below Host.Dir and its containers in a
// cgroup of the host's, and has Image, imported from busybox-static.
//
// Faults act from outside the daemons: CutOff downs a host's link on the
// fabric, CutPair drops the traffic of two hosts with nftables, Loss drops
// a share of a host's packets at random, and a Proc can be killed, paused
// and resumed.
//
// # Names and leftovers
//
// Every run has a random id, and every name it gives holds it: namespaces
// "wt-<id>-fab" and "wt-<id>-h1", links "wt<id>h1", the state directory
// "wt-<id>", cgroups "wt-<id>-h1". Two runs never collide, also from two
// test binaries at once. A run holds a lock on a file in /run/weave-harness
// for its life; Sweep, which New runs first, removes the leftovers of every
// run whose lock nobody holds, that is of runs whose process died before
// Close.
//
// # What it never does
//
// It adds nothing to the machine's own network namespace: the veth pairs
// are made in the fabric namespace with one end straight in the host's, and
// no address, route or link of the machine changes (RootNetSnapshot lets a
// test check). It never uses 192.0.2.0/24 or fd00::/64. Every wait is
// bounded, and Close removes everything even after a failure halfway and
// with hung processes.
//
// New needs root and the Debian packages iproute2, util-linux and, for the
// faults, nftables; with Docker also docker.io, containerd, runc and
// busybox-static. A missing program gives an error wrapping
// ErrMissingBinary that names it and its package.
package harness
