package store

import (
	"fmt"
	"log/slog"
	"net"
	"time"
)

// DefaultRaftPort is the Raft transport's port, as Weave Net numbered its
// ports; the store's own RPC shares it.
const DefaultRaftPort = 6785

// Config says how a Store runs. Start from DefaultConfig (or
// LocalConfig for tests on one machine) and set Name, BindAddr, DataDir
// and Membership.
type Config struct {
	// Name is this peer's stable name, the Raft server ID.
	Name string
	// BindAddr is the host:port the Raft transport listens on.
	BindAddr string
	// AdvertiseAddr is the host:port peers dial; empty means BindAddr,
	// which must then name a host.
	AdvertiseAddr string
	// DataDir holds the Raft log (wal/, or raft.db with LogBoltDB), the
	// stable store (raft.db), the snapshots and the tree.
	DataDir string
	// RaftLog is the log's storage engine: LogWAL or LogBoltDB.
	RaftLog string
	// Voters is how many peers vote: the first Voters peers bootstrap the
	// cluster, later ones join as non-voters and are promoted as voters go.
	Voters int
	// SettleTime is how long the peer set must stay unchanged before the
	// first peers bootstrap, so that all of them agree on who they are.
	SettleTime time.Duration
	// DeadGrace is how long a member may be dead before it is removed
	// from the Raft configuration (and a voter replaced).
	DeadGrace time.Duration
	// ReconcileInterval is how often the leader compares the Raft
	// configuration with the membership, besides on every change.
	ReconcileInterval time.Duration
	// ExpiryInterval is how often the leader looks for expired keys
	// (etcd syncs its TTLs every 500ms).
	ExpiryInterval time.Duration
	// RequestTimeout bounds a write or quorum read that has no deadline
	// of its own, forwarding and waiting for a leader included.
	RequestTimeout time.Duration
	// HeartbeatTimeout, ElectionTimeout and LeaderLeaseTimeout are Raft's.
	HeartbeatTimeout   time.Duration
	ElectionTimeout    time.Duration
	LeaderLeaseTimeout time.Duration
	// CommitTimeout is how long a leader with nothing new to send waits
	// before it tells the followers its commit index anyway (Raft's
	// CommitTimeout; each wait is random between it and twice it). A
	// follower applies a write only once it has heard that the write
	// committed, so a quorum read on a follower right after a write waits
	// about this long.
	CommitTimeout time.Duration
	// SnapshotThreshold is how many log entries trigger a snapshot.
	SnapshotThreshold uint64
	// SnapshotInterval is how often Raft checks the threshold.
	SnapshotInterval time.Duration
	// TrailingLogs is how many entries a snapshot leaves in the log, so
	// that a follower that is a little behind catches up from the log
	// rather than from a snapshot.
	TrailingLogs uint64
	// Membership says who the peers are. Required.
	Membership Membership
	// Logger receives the store's records and Raft's; nil discards them.
	Logger *slog.Logger
}

// DefaultConfig returns the settings for a LAN cluster.
func DefaultConfig() Config {
	return Config{
		BindAddr: fmt.Sprintf("0.0.0.0:%d", DefaultRaftPort),
		DataDir:  "/var/lib/weave/raft",
		RaftLog:  LogWAL,
		Voters:   3,
		// A few gossip rounds: long enough for the first peers to see
		// one another, short enough not to delay a launch noticeably.
		SettleTime: 3 * time.Second,
		// Longer than a reboot, so that a restarting voter keeps its seat.
		DeadGrace:         2 * time.Minute,
		ReconcileInterval: 5 * time.Second,
		ExpiryInterval:    500 * time.Millisecond,
		RequestTimeout:    10 * time.Second,
		// Raft's own defaults, which suit a LAN.
		HeartbeatTimeout:   time.Second,
		ElectionTimeout:    time.Second,
		LeaderLeaseTimeout: 500 * time.Millisecond,
		// Raft's default, 50ms, made a follower's quorum read right after
		// a write (Docker's read-modify-write on its own host) wait 75 ms
		// (p50); 10ms makes it 0.1 to 15 ms. An idle leader then sends
		// each follower an empty append every 10-20 ms: three idle peers
		// use 7.9 % of a core, against 3.2 % with 50ms.
		CommitTimeout:     10 * time.Millisecond,
		SnapshotThreshold: 8192,
		SnapshotInterval:  2 * time.Minute,
		TrailingLogs:      10240,
	}
}

// LocalConfig returns DefaultConfig with timings for peers on one
// machine: elections and failure handling in well under a second.
func LocalConfig() Config {
	c := DefaultConfig()
	c.BindAddr = "127.0.0.1:0"
	c.SettleTime = 200 * time.Millisecond
	c.DeadGrace = time.Second
	c.ReconcileInterval = 200 * time.Millisecond
	c.ExpiryInterval = 100 * time.Millisecond
	c.RequestTimeout = 5 * time.Second
	c.HeartbeatTimeout = 200 * time.Millisecond
	c.ElectionTimeout = 200 * time.Millisecond
	c.LeaderLeaseTimeout = 100 * time.Millisecond
	c.SnapshotInterval = 5 * time.Second
	return c
}

// Validate names the first field that cannot work, and its value.
func (c *Config) Validate() error {
	switch {
	case c.Name == "":
		return fmt.Errorf("store config: Name is empty")
	case c.DataDir == "":
		return fmt.Errorf("store config: DataDir is empty")
	case c.RaftLog != LogWAL && c.RaftLog != LogBoltDB:
		return fmt.Errorf("store config: RaftLog %q is neither %s nor %s",
			c.RaftLog, LogWAL, LogBoltDB)
	case c.Voters < 1:
		return fmt.Errorf("store config: Voters %d is below 1", c.Voters)
	case c.Membership == nil:
		return fmt.Errorf("store config: Membership is nil")
	}
	if _, _, err := net.SplitHostPort(c.BindAddr); err != nil {
		return fmt.Errorf("store config: BindAddr %q: %w", c.BindAddr, err)
	}
	if c.AdvertiseAddr != "" {
		if _, _, err := net.SplitHostPort(c.AdvertiseAddr); err != nil {
			return fmt.Errorf("store config: AdvertiseAddr %q: %w", c.AdvertiseAddr, err)
		}
	}
	for name, d := range map[string]time.Duration{
		"SettleTime": c.SettleTime, "DeadGrace": c.DeadGrace,
		"ReconcileInterval": c.ReconcileInterval, "ExpiryInterval": c.ExpiryInterval,
		"RequestTimeout": c.RequestTimeout, "HeartbeatTimeout": c.HeartbeatTimeout,
		"ElectionTimeout": c.ElectionTimeout, "LeaderLeaseTimeout": c.LeaderLeaseTimeout,
		"CommitTimeout": c.CommitTimeout, "SnapshotInterval": c.SnapshotInterval,
	} {
		if d <= 0 {
			return fmt.Errorf("store config: %s %v is not positive", name, d)
		}
	}
	if c.LeaderLeaseTimeout > c.HeartbeatTimeout {
		return fmt.Errorf("store config: LeaderLeaseTimeout %v exceeds HeartbeatTimeout %v",
			c.LeaderLeaseTimeout, c.HeartbeatTimeout)
	}
	return nil
}
