// Package datapath programs the kernel data path of a weave network with netlink: a Linux
// bridge per network, a VXLAN device enslaved to it, flood and neighbour entries for remote
// peers and endpoints, and a veth pair per container.
//
// # Model
//
// On each host a network is two devices. The bridge (for example "weave") joins the host
// ends of the containers' veth pairs. The VXLAN device (for example "vxlan-6784") is a port
// of that bridge; it sends from the host's underlay address to UDP port 6784 of the other
// hosts, tagged with the network's VNI, and learns remote MAC addresses from what it
// receives. Every remote peer is an all-zero MAC forwarding entry on the VXLAN device, so
// broadcast and unknown unicast frames are copied to each peer. A remote endpoint that the
// control plane already knows may also get a static forwarding entry and a permanent ARP
// entry, so its frames go straight to its host.
//
// # Invariants
//
//   - Every call is idempotent: EnsureNetwork finds and adopts the devices it made before
//     (after a daemon restart, say) and replaces a device of the right name but the wrong
//     kind, VNI, port or local address; deleting something already gone succeeds.
//   - SetFloodPeers leaves exactly the given set of flood entries and touches no other
//     forwarding entry.
//   - CreateVeth either returns a pair whose host end is up and in the bridge, or leaves
//     nothing behind.
//   - The MTU of a network is the underlay interface's MTU less the VXLAN overhead (50
//     bytes over IPv4, 70 over IPv6) unless the caller sets one.
//
// # What it never does
//
// The package knows nothing of Docker's JSON or of address allocation, keeps no state of
// its own, and logs nothing: the kernel is the state, and errors go to the caller.
//
// # Handles and threads
//
// Every call takes a *netlink.Handle, and works in the network namespace that handle was
// opened in; a nil handle means the namespace of the calling thread. A network namespace
// belongs to an OS thread, not to a process or a goroutine, and the Go scheduler moves
// goroutines between threads at will. Code that switches namespace with setns must
// therefore lock its goroutine to the thread (runtime.LockOSThread) for as long as the
// switch lasts, and switch back before unlocking, or other goroutines would later run in
// the wrong namespace. Handles made with netlink.NewHandleAt avoid the problem for netlink
// calls: their sockets are opened in the target namespace once and stay bound to it.
//
// Dump requests (lists of links, addresses and neighbours) may come back marked as
// interrupted when the table changed during the dump; this package retries them a bounded
// number of times in one place (see dump.go) and never acts on a partial list.
//
// EnsureForwardAccept and RemoveForwardAccept take no handle: they run the iptables
// binary, which inherits the namespace of the thread that starts it. For the daemon, which
// never switches namespace, that is the host's; tests run them in a child process started
// inside a test namespace.
package datapath
