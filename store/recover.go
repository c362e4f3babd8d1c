package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/raft"
)

// PeersFile is the name, in DataDir, of the file an operator writes to
// recover a cluster that lost its majority. It is hashicorp/raft's
// peers.json: a JSON list of {"id", "address", "non_voter"} for the
// servers that make up the cluster from now on. Open applies it before
// starting Raft, and renames it to peers.json.applied.
const PeersFile = "peers.json"

// recoverCluster applies an operator's peers.json, if there is one: the
// local log and snapshot are kept, the configuration is replaced, and a
// snapshot records the result. Every survivor must be given the same file.
func (s *Store) recoverCluster(rc *raft.Config, logs *raftStorage,
	snaps raft.SnapshotStore, trans raft.Transport) error {
	path := filepath.Join(s.cfg.DataDir, PeersFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	conf, err := raft.ReadConfigJSON(path)
	if err != nil {
		return fmt.Errorf("recover cluster from %s: %w", path, err)
	}
	err = raft.RecoverCluster(rc, s.fsm, logs.log, logs.stable, snaps, trans, conf)
	if err != nil {
		return fmt.Errorf("recover cluster from %s: %w", path, err)
	}
	if err := os.Rename(path, path+".applied"); err != nil {
		return fmt.Errorf("recover cluster: %w", err)
	}
	s.log.Warn("recovered cluster from peers file",
		"peer", s.cfg.Name, "servers", len(conf.Servers))
	return nil
}
