package cluster

import (
	"math"
	"sort"
	"sync"
)

// broadcastQueue holds the gossiped broadcasts, at most one per channel: a
// newer broadcast on a channel replaces the queued one, whatever its number
// of transmissions. Each is sent retransmitMult x ceil(log10(n+1)) times, n
// being the number of live peers, the newest and least sent first.
type broadcastQueue struct {
	retransmitMult int
	numPeers       func() int

	mu   sync.Mutex
	seq  uint64
	byCh map[string]*queued
}

// queued is one broadcast waiting in the queue.
type queued struct {
	channel   string
	msg       []byte
	transmits int
	seq       uint64
}

func newBroadcastQueue(retransmitMult int, numPeers func() int) *broadcastQueue {
	return &broadcastQueue{retransmitMult: retransmitMult, numPeers: numPeers,
		byCh: make(map[string]*queued)}
}

// put queues msg for channel, replacing what was queued for it.
func (q *broadcastQueue) put(channel string, msg []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	q.byCh[channel] = &queued{channel: channel, msg: msg, seq: q.seq}
}

// drop removes what is queued for channel.
func (q *broadcastQueue) drop(channel string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.byCh, channel)
}

// len returns the number of queued broadcasts.
func (q *broadcastQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.byCh)
}

// take returns broadcasts whose sizes plus overhead each fit in limit bytes
// together, and counts one transmission for each.
func (q *broadcastQueue) take(overhead, limit int) [][]byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.byCh) == 0 {
		return nil
	}
	all := make([]*queued, 0, len(q.byCh))
	for _, b := range q.byCh {
		all = append(all, b)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].transmits != all[j].transmits {
			return all[i].transmits < all[j].transmits
		}
		return all[i].seq > all[j].seq
	})

	most := q.retransmitLimit()
	var out [][]byte
	used := 0
	for _, b := range all {
		if used+overhead+len(b.msg) > limit {
			continue
		}
		used += overhead + len(b.msg)
		out = append(out, b.msg)
		b.transmits++
		if b.transmits >= most {
			delete(q.byCh, b.channel)
		}
	}
	return out
}

// retransmitLimit is how often each broadcast is sent.
func (q *broadcastQueue) retransmitLimit() int {
	n := q.numPeers()
	if n < 1 {
		n = 1
	}
	return q.retransmitMult * int(math.Ceil(math.Log10(float64(n+1))))
}
