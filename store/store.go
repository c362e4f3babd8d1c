package store

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"weave.works/weave/store/rpc"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	"weave.works/weave/store/fsm"
)

// Store is one peer of the replicated tree: Raft over the shared store
// port, the tree as its state machine, the RPC that forwards to the
// leader, and the loops that expire keys and keep the Raft configuration
// in step with the membership.
type Store struct {
	cfg  Config
	log  *slog.Logger
	addr string // advertised Raft address

	tree   *fsm.FSM
	fsm    *raftFSM
	hub    *hub
	raft   *raft.Raft
	layer  *muxLayer
	trans  transport
	logs   *raftStorage
	rpc    *rpc.Server
	client *rpc.Client
	lead   *leadership
	// fwd queues a follower's writes for the leader; batches and batched
	// count what went.
	fwd     forwardQueue
	batches atomic.Uint64
	batched atomic.Uint64
	// answered is the highest Raft index of a write the leader applied
	// for this peer: its reads and watches wait until it applied it too.
	answered atomic.Uint64

	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
	handedOff bool // Close passed the leadership on
}

// Open starts a peer. The tree is rebuilt from the Raft snapshot and log
// on every start, so only those need to survive a restart.
func Open(cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Store{cfg: cfg, log: log, hub: newHub(), stop: make(chan struct{})}
	if err := s.open(); err != nil {
		s.shutdown()
		return nil, err
	}
	s.wg.Add(3)
	go s.runLeadership()
	go s.runExpiry()
	go s.runMembership()
	s.log.Info("store started", "peer", cfg.Name, "addr", s.addr)
	return s, nil
}

// open makes the parts in order; shutdown undoes whatever was made.
func (s *Store) open() error {
	if err := os.MkdirAll(filepath.Join(s.cfg.DataDir, "snapshots"), 0o700); err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	treePath := filepath.Join(s.cfg.DataDir, "tree.db")
	if err := os.Remove(treePath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("open store: clear old tree: %w", err)
	}
	tree, err := fsm.Open(treePath)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	s.tree = tree
	s.fsm = newRaftFSM(tree, s.hub, s.log)
	s.fsm.onFail = s.failStop

	hl := newHCLog(s.log)
	logs, err := openRaftStorage(s.cfg.DataDir, s.cfg.RaftLog)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	s.logs = logs
	snaps, err := raft.NewFileSnapshotStoreWithLogger(s.cfg.DataDir, 2, hl.Named("snapshot"))
	if err != nil {
		return fmt.Errorf("open store: snapshots: %w", err)
	}
	if err := s.listen(); err != nil {
		return err
	}
	network := raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream:  s.layer,
		MaxPool: 3,
		Timeout: 10 * time.Second,
		Logger:  hl.Named("transport"),
	})
	s.trans = network
	if behind := logs.behind(); behind != nil {
		s.fsm.durable = behind
		s.trans = newSyncedTransport(network, behind)
	}
	s.lead = newLeadership()
	rc := s.raftConfig(hl)
	if err := s.recoverCluster(rc, logs, snaps, s.trans); err != nil {
		return err
	}
	r, err := raft.NewRaft(rc, s.fsm, logs.log, logs.stable, snaps, s.trans)
	if err != nil {
		return fmt.Errorf("open store: start raft: %w", err)
	}
	s.raft = r
	s.startRPC()
	return nil
}

// listen binds the store port and works out the advertised address.
func (s *Store) listen() error {
	ln, err := net.Listen("tcp", s.cfg.BindAddr)
	if err != nil {
		return fmt.Errorf("open store: listen on %s: %w", s.cfg.BindAddr, err)
	}
	adv := s.cfg.AdvertiseAddr
	if adv == "" {
		adv = ln.Addr().String()
	}
	tcp, err := net.ResolveTCPAddr("tcp", adv)
	if err == nil && tcp.IP.IsUnspecified() {
		err = fmt.Errorf("%s is not an address peers can dial", adv)
	}
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("open store: advertise address: %w", err)
	}
	s.addr = tcp.String()
	s.layer = newMuxLayer(ln, tcp, s.log)
	return nil
}

// raftConfig translates the store's settings into Raft's.
func (s *Store) raftConfig(hl hclog.Logger) *raft.Config {
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(s.cfg.Name)
	rc.HeartbeatTimeout = s.cfg.HeartbeatTimeout
	rc.ElectionTimeout = s.cfg.ElectionTimeout
	rc.LeaderLeaseTimeout = s.cfg.LeaderLeaseTimeout
	rc.CommitTimeout = s.cfg.CommitTimeout
	rc.SnapshotThreshold = s.cfg.SnapshotThreshold
	rc.SnapshotInterval = s.cfg.SnapshotInterval
	rc.TrailingLogs = s.cfg.TrailingLogs
	rc.NotifyCh = s.lead.notify
	// Writes are handed to Raft without waiting for the leader's loop, so
	// that a forwarded batch, or many clients at once, go into one append;
	// appends and replication messages carry up to 256 entries.
	rc.BatchApplyCh = true
	rc.MaxAppendEntries = 256
	rc.Logger = hl.Named("raft")
	return rc
}

// Close stops the peer: loops, RPC, Raft, transport and files. It does not
// leave the cluster; the membership decides that.
func (s *Store) Close() error {
	s.closeOnce.Do(s.shutdown)
	return s.closeErr
}

func (s *Store) shutdown() {
	s.handOff()
	close(s.stop)
	s.wg.Wait()
	var errs []error
	if s.rpc != nil {
		_ = s.rpc.Close(rpcGrace)
	}
	if s.raft != nil {
		errs = append(errs, s.raft.Shutdown().Error())
	}
	if s.fsm != nil {
		s.fsm.close()
	}
	if s.trans != nil {
		errs = append(errs, s.trans.Close())
	} else if s.layer != nil {
		errs = append(errs, s.layer.Close())
	}
	if s.logs != nil {
		errs = append(errs, s.logs.Close())
	}
	if s.tree != nil {
		errs = append(errs, s.tree.Close())
	}
	if s.client != nil {
		_ = s.client.Close()
	}
	s.closeErr = errors.Join(errs...)
	s.log.Info("store stopped", "peer", s.cfg.Name)
}

// failStop takes a peer whose tree missed an entry out of the cluster:
// its watches end and Raft stops here (from another goroutine: Raft waits
// for the FSM to return), so that it neither answers from a tree that
// differs from the others nor votes; the others go on. Reads and writes
// then fail with the cause, and weave status shows it, until a restart
// rebuilds the tree from the snapshot and the log.
func (s *Store) failStop(error) {
	s.hub.mu.Lock()
	s.hub.reset()
	s.hub.mu.Unlock()
	go func() { _ = s.raft.Shutdown().Error() }()
}

// failed wraps the failure that stopped this peer's store, or is nil.
func (s *Store) failed() error {
	if err := s.fsm.failure(); err != nil {
		return fmt.Errorf("this peer's store stopped: %w; restart the daemon to rebuild it "+
			"from the Raft log", err)
	}
	return nil
}

// handOff passes the leadership to another voter before a leader stops,
// so that the others need not wait out an election timeout to go on.
// Raft picks the voter most up to date; without one it stops as it is.
func (s *Store) handOff() {
	if s.raft == nil || s.raft.State() != raft.Leader {
		return
	}
	if err := s.raft.LeadershipTransfer().Error(); err != nil {
		s.log.Info("stop as leader without handing the leadership on", "peer", s.cfg.Name,
			"err", err)
		return
	}
	s.handedOff = true
	s.log.Info("handed the leadership on before stopping", "peer", s.cfg.Name)
}

// Addr returns the advertised Raft address.
func (s *Store) Addr() string { return s.addr }

// Name returns this peer's name.
func (s *Store) Name() string { return s.cfg.Name }
