package store

import (
	"context"
	"time"

	"github.com/hashicorp/raft"
	"weave.works/weave/store/fsm"
)

// runExpiry has the leader commit an expire command whenever a node's
// expiration has passed. The command carries the leader's clock, so every
// replica removes the same nodes at the same indexes; followers never
// expire anything themselves.
func (s *Store) runExpiry() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.ExpiryInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		if s.raft.State() != raft.Leader {
			continue
		}
		at, ok := s.tree.NextExpiry()
		if !ok || at > time.Now().UnixNano() {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
		res, err := s.applyLocal(ctx, &fsm.Command{Op: fsm.OpExpire})
		cancel()
		if err != nil {
			s.log.Warn("expire keys", "err", err)
			continue
		}
		for _, e := range res.Events {
			s.log.Debug("key expired", "key", e.Node.Key, "index", e.Index())
		}
	}
}
