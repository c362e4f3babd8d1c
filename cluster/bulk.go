package cluster

import (
	"sync"
)

// bulkParallel bounds the concurrent reliable sends of one bulk broadcast, so
// that a few unreachable peers, each holding a send for Timing.TCPTimeout, do
// not hold up the others.
const bulkParallel = 8

// bulkSender sends broadcasts too big for gossip to each live peer over a
// reliable stream, one channel at a time. Like the gossip queue it keeps one
// message per channel: a newer one replaces one not yet started.
type bulkSender struct {
	c *Cluster

	mu      sync.Mutex
	order   []string
	pending map[string][]byte
	wake    chan struct{}
}

func newBulkSender(c *Cluster) *bulkSender {
	return &bulkSender{c: c, pending: make(map[string][]byte), wake: make(chan struct{}, 1)}
}

// put queues msg for channel, replacing one still waiting.
func (b *bulkSender) put(channel string, msg []byte) {
	b.mu.Lock()
	if _, ok := b.pending[channel]; !ok {
		b.order = append(b.order, channel)
	}
	b.pending[channel] = msg
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// drop forgets the message waiting for channel, if any.
func (b *bulkSender) drop(channel string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.pending[channel]; !ok {
		return
	}
	delete(b.pending, channel)
	for i, ch := range b.order {
		if ch == channel {
			b.order = append(b.order[:i], b.order[i+1:]...)
			break
		}
	}
}

func (b *bulkSender) next() (string, []byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.order) == 0 {
		return "", nil, false
	}
	ch := b.order[0]
	b.order = b.order[1:]
	msg := b.pending[ch]
	delete(b.pending, ch)
	return ch, msg, true
}

// run sends queued messages until Shutdown.
func (b *bulkSender) run() {
	defer b.c.wg.Done()
	for {
		ch, msg, ok := b.next()
		if !ok {
			select {
			case <-b.wake:
				continue
			case <-b.c.stop:
				return
			}
		}
		b.sendAll(ch, msg)
	}
}

// sendAll sends msg to every live peer, bulkParallel at a time.
func (b *bulkSender) sendAll(channel string, msg []byte) {
	sem := make(chan struct{}, bulkParallel)
	var wg sync.WaitGroup
	for _, p := range b.c.livePeers() {
		select {
		case sem <- struct{}{}:
		case <-b.c.stop:
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := b.c.ml.SendReliable(memberlistNode(p), msg); err != nil {
				b.c.log.Warn("broadcast not delivered", "peer", p.Name,
					"channel", channel, "bytes", len(msg), "err", err)
			}
		}()
	}
	wg.Wait()
}
