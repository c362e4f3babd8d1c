package store

import (
	"sync"

	"weave.works/weave/store/fsm"
)

// watchBuffer is how many events a watcher may fall behind before it is
// dropped, as etcd drops a slow watcher.
const watchBuffer = 100

// Watcher receives the events of one watch. Events yields them; it is
// closed after the first event of a one-shot watch, when the watcher fell
// too far behind, when the tree was replaced by a snapshot, and on Close.
type Watcher struct {
	// StartIndex is the store index when the watch started.
	StartIndex uint64

	key       string
	recursive bool
	stream    bool
	since     uint64
	ch        chan *fsm.Event
	hub       *hub
}

// Events returns the channel of events.
func (w *Watcher) Events() <-chan *fsm.Event { return w.ch }

// Close ends the watch. It is safe to call more than once.
func (w *Watcher) Close() {
	w.hub.mu.Lock()
	defer w.hub.mu.Unlock()
	w.hub.drop(w)
}

// hub holds the live watchers. Its mutex is held while a command is
// applied and its events dispatched, and while a watch reads the history
// and registers, so that a watch misses no event and sees none twice.
type hub struct {
	mu       sync.Mutex
	watchers map[*Watcher]struct{}
}

func newHub() *hub { return &hub{watchers: map[*Watcher]struct{}{}} }

// drop removes w and closes its channel; the caller holds mu.
func (h *hub) drop(w *Watcher) {
	if _, ok := h.watchers[w]; ok {
		delete(h.watchers, w)
		close(w.ch)
	}
}

// watch starts a watcher on key from index since, given what the history
// held (start). The caller holds mu.
func (h *hub) watch(key string, recursive, stream bool, since uint64,
	start fsm.WatchStart) *Watcher {
	if since == 0 {
		since = start.Index + 1
	}
	w := &Watcher{
		StartIndex: start.Index,
		key:        key,
		recursive:  recursive,
		stream:     stream,
		since:      since,
		ch:         make(chan *fsm.Event, watchBuffer),
		hub:        h,
	}
	h.watchers[w] = struct{}{}
	if start.Event != nil {
		w.ch <- start.Event
		if !stream {
			h.drop(w)
		} else {
			w.since = start.Index + 1
		}
	}
	return w
}

// dispatch sends events to the watchers that want them; the caller holds mu.
func (h *hub) dispatch(events []*fsm.Event) {
	for _, e := range events {
		for w := range h.watchers {
			if e.Index() < w.since || !e.Matches(w.key, w.recursive) {
				continue
			}
			select {
			case w.ch <- e:
				if !w.stream {
					h.drop(w)
				}
			default:
				h.drop(w)
			}
		}
	}
}

// reset drops every watcher, as a restore from a snapshot invalidates
// what they waited on; the caller holds mu.
func (h *hub) reset() {
	for w := range h.watchers {
		h.drop(w)
	}
}
