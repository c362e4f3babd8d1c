package store

import (
	"context"
	"time"

	"weave.works/weave/store/fsm"
)

// Watch sends the pair at key now (when it exists) and again after every
// change to it, until ctx ends; then the channel closes. A removal sends
// the key with a nil Value and the removal's index. The watch is served
// by this peer's tree, which may lag the leader a little. If the watch
// falls more than a hundred events behind, the channel closes early.
func (s *Store) Watch(ctx context.Context, key string) (<-chan *KVPair, error) {
	k, err := canonical("watch", key)
	if err != nil {
		return nil, err
	}
	res, w, err := s.readAndWatch(k, false)
	if err != nil {
		return nil, kvError("watch", k, err)
	}
	out := make(chan *KVPair, 1)
	if res.Event != nil {
		out <- pairOf(res.Event.Node)
	}
	go relay(ctx, w, out, func(e *fsm.Event) *KVPair {
		if e.Action == fsm.ActionDelete || e.Action == fsm.ActionExpire ||
			e.Action == fsm.ActionCompareAndDelete {
			return &KVPair{Key: k, LastIndex: e.Index()}
		}
		return pairOf(e.Node)
	})
	return out, nil
}

// WatchTree sends the children of dir now and again after every change
// below it, until ctx ends; then the channel closes. An empty or missing
// directory sends an empty list.
func (s *Store) WatchTree(ctx context.Context, dir string) (<-chan []*KVPair, error) {
	k, err := canonical("watch tree", dir)
	if err != nil {
		return nil, err
	}
	_, w, err := s.readAndWatch(k, true)
	if err != nil {
		return nil, kvError("watch tree", k, err)
	}
	out := make(chan []*KVPair, 1)
	out <- s.children(k)
	go relay(ctx, w, out, func(*fsm.Event) []*KVPair { return s.children(k) })
	return out, nil
}

// relay sends what each of w's events becomes on out, until ctx ends or w does; then it
// closes both.
func relay[T any](ctx context.Context, w *Watcher, out chan<- T, conv func(*fsm.Event) T) {
	defer close(out)
	defer w.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Events():
			if !ok {
				return
			}
			select {
			case out <- conv(e):
			case <-ctx.Done():
				return
			}
		}
	}
}

// children lists dir from the local tree; a missing dir has none.
func (s *Store) children(dir string) []*KVPair {
	res, err := s.tree.Get(dir, false, true, time.Now().UnixNano())
	out := []*KVPair{}
	if err != nil {
		return out
	}
	for _, n := range res.Event.Node.Nodes {
		out = append(out, pairOf(n))
	}
	return out
}
