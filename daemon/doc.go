// Package daemon wires the weave daemon together: membership, the mesh allocator, the data
// path, the Docker plugin sockets, the Docker API and the status API. It owns the order in
// which they start and stop; each part's logic lives in its own package.
package daemon
