package api

import "time"

// Peer is one member of the gossip cluster as this daemon sees it.
type Peer struct {
	Name     string    `json:"name"`
	Nickname string    `json:"nickname"`
	Addr     string    `json:"addr"`
	State    string    `json:"state"` // alive, suspect, dead, left
	LastSeen time.Time `json:"lastSeen"`
	Version  string    `json:"version"`
	Local    bool      `json:"local,omitempty"`
}

// Share is one peer's part of the allocation range.
type Share struct {
	Peer      string  `json:"peer"`
	Nickname  string  `json:"nickname,omitempty"`
	Addresses uint64  `json:"addresses"`
	Percent   float64 `json:"percent"`
	Reachable bool    `json:"reachable"`
}

// IPAM is the state of the mesh allocator.
type IPAM struct {
	Range    string  `json:"range"`
	Init     string  `json:"init"` // --ipalloc-init in force
	Shares   []Share `json:"shares"`
	Owned    uint64  `json:"owned"`              // addresses this peer owns
	Used     int     `json:"used"`               // of which allocated
	Waiting  string  `json:"waiting,omitempty"`  // while there is no ring: what for
	Handover string  `json:"handover,omitempty"` // a handover not yet acknowledged
	Hint     string  `json:"hint,omitempty"`     // what to do about unreachable peers
	Error    string  `json:"error,omitempty"`
}

// Store is the state of the embedded Raft store on this peer.
type Store struct {
	State     string   `json:"state"` // Leader, Follower, Candidate, Shutdown
	Leader    string   `json:"leader"`
	Term      uint64   `json:"term"`
	RaftIndex uint64   `json:"raftIndex"` // last Raft index applied
	Index     uint64   `json:"index"`     // the store's etcd index
	Voters    []string `json:"voters"`
	NonVoters []string `json:"nonVoters"`
	Addr      string   `json:"addr"`    // the etcd v2 face
	RaftLog   string   `json:"raftLog"` // the log's storage: wal or boltdb
	Error     string   `json:"error,omitempty"`
}

// Network is a network the daemon serves.
type Network struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	Driver    string `json:"driver"`
	Multicast bool   `json:"multicast"`
	Endpoints int    `json:"endpoints"`
}

// Status is the whole answer of GET /status.
type Status struct {
	Version  string    `json:"version"`
	Self     Peer      `json:"self"`
	Peers    []Peer    `json:"peers"`
	Known    []string  `json:"known"` // addresses the daemon keeps re-joining
	IPAM     IPAM      `json:"ipam"`
	Store    Store     `json:"store"`
	Networks []Network `json:"networks"`
	Docker   string    `json:"docker"` // "connected", or why not
}

// PeersRequest is the body of POST /connect and POST /forget.
type PeersRequest struct {
	Peers []string `json:"peers"`
}

// ConnectResult answers POST /connect.
type ConnectResult struct {
	Joined int    `json:"joined"`
	Error  string `json:"error,omitempty"`
}

// RemovePeerRequest is the body of POST /rmpeer.
type RemovePeerRequest struct {
	Peer string `json:"peer"`
}

// RemovePeerResult answers POST /rmpeer.
type RemovePeerResult struct {
	Addresses uint64 `json:"addresses"` // taken over
}

// ErrorBody is the body of every failed call.
type ErrorBody struct {
	Error string `json:"error"`
}
