package cluster

import "sync"

// subscriberBuffer is the capacity of a subscription's channel. Past it,
// events wait in the subscription's pending list, merged per peer.
const subscriberBuffer = 64

// hub fans events out to subscriptions without ever blocking the publisher.
type hub struct {
	mu     sync.Mutex
	subs   map[*subscription]struct{}
	closed bool
}

func newHub() *hub {
	return &hub{subs: make(map[*subscription]struct{})}
}

// subscribe adds a subscription. After close it returns a closed channel.
func (h *hub) subscribe() (<-chan Event, func()) {
	s := &subscription{
		out:     make(chan Event, subscriberBuffer),
		pending: make(map[string]Event),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		exited:  make(chan struct{}),
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		close(s.out)
		return s.out, func() {}
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()

	go s.pump()
	return s.out, func() { h.remove(s) }
}

// publish hands ev to every subscription. It never blocks on a subscriber.
func (h *hub) publish(ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.push(ev)
	}
}

// remove ends one subscription and closes its channel.
func (h *hub) remove(s *subscription) {
	h.mu.Lock()
	_, ok := h.subs[s]
	delete(h.subs, s)
	h.mu.Unlock()
	if ok {
		s.stop()
	}
}

// close ends every subscription; later subscriptions get a closed channel.
func (h *hub) close() {
	h.mu.Lock()
	subs := h.subs
	h.subs = make(map[*subscription]struct{})
	h.closed = true
	h.mu.Unlock()
	for s := range subs {
		s.stop()
	}
}

// subscription is one subscriber: a channel, and the events not yet put in
// it, at most one per peer, in the order their peers first changed.
type subscription struct {
	out chan Event

	mu      sync.Mutex
	order   []string
	pending map[string]Event

	wake   chan struct{}
	done   chan struct{}
	exited chan struct{}
}

// push queues ev, merging it with an event of the same peer still pending.
func (s *subscription) push(ev Event) {
	s.mu.Lock()
	name := ev.Peer.Name
	if old, ok := s.pending[name]; ok {
		s.pending[name] = mergeEvents(old, ev)
	} else {
		s.pending[name] = ev
		s.order = append(s.order, name)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// mergeEvents folds a newer event of a peer into an older one the subscriber
// has not seen: the result has the newer peer, and stays a join if the older
// was a join and the newer only an update.
func mergeEvents(older, newer Event) Event {
	if older.Kind == PeerJoined && newer.Kind == PeerUpdated {
		newer.Kind = PeerJoined
	}
	return newer
}

// next takes the oldest pending event.
func (s *subscription) next() (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.order) == 0 {
		return Event{}, false
	}
	name := s.order[0]
	s.order = s.order[1:]
	ev := s.pending[name]
	delete(s.pending, name)
	return ev, true
}

// pump moves pending events into the channel until stop.
func (s *subscription) pump() {
	defer close(s.exited)
	for {
		ev, ok := s.next()
		if !ok {
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		select {
		case s.out <- ev:
		case <-s.done:
			return
		}
	}
}

// stop ends the pump and then closes the channel.
func (s *subscription) stop() {
	close(s.done)
	<-s.exited
	close(s.out)
}
