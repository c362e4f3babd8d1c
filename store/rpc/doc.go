// Package rpc is the store peers' request protocol: length-prefixed
// frames on long-lived TCP connections, many requests in flight on each.
//
// A request frame carries an id, a kind and a payload; its answer carries
// the same id and either a payload or an error message, in whatever order
// the server finishes them. The package knows nothing of what the kinds
// mean: the store registers a handler for each and encodes its payloads
// itself.
//
// Writers on a connection share one buffer, and the last of them to
// finish flushes it, so that answers finished together go out in one
// write. A client keeps one connection per address and dials again after
// a failure; a call on a broken connection fails, and the caller decides
// whether sending again is safe.
package rpc
