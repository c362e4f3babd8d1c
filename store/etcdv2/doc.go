// Package etcdv2 serves a store.Store as etcd's v2 HTTP API, the cluster
// store that dockerd up to 20.10 uses with
// --cluster-store=etcd://127.0.0.1:2379.
//
// # Model
//
// The face is stateless. /v2/keys requests are parsed as etcd 3.4 parses
// them (same field order, error codes, causes and statuses) and turned
// into the command etcd would apply: PUT with prevExist=false is create,
// prevExist=true is update (compare-and-swap with prevIndex or
// prevValue), a compare alone is compare-and-swap, a plain PUT is set;
// DELETE with a compare is compare-and-delete; POST makes an in-order
// key. GET reads (quorum=true linearizably) or, with wait=true, watches
// from waitIndex. Every answer carries X-Etcd-Index, X-Raft-Index,
// X-Raft-Term and X-Etcd-Cluster-Id.
//
// /v2/members lists one member, this peer, whose clientURLs is the URL of
// the listener the face serves on: etcd clients talk to the clientURLs
// they are given, and each host's dockerd must talk to its own daemon.
// /version and /health answer as etcd does.
//
// # Where it differs from etcd
//
// Keys with control characters (NUL included) or invalid UTF-8, and
// values over 1.5 MiB, are refused with errorCode 209 (etcd 3.4 stores
// them). Paths with "." or ".." segments are redirected to their clean
// form with 301, as etcd's router does, and change nothing.
package etcdv2
