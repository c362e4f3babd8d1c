// Package api is the daemon's status and admin HTTP API, served on loopback (127.0.0.1:6784
// by default), and the client that the weave command line uses to reach it.
//
// The types here are the wire form: plain JSON-friendly values that the daemon fills from
// the cluster, the allocator and the drivers. The API has no authentication, which is why
// it listens on loopback only.
package api
