package cluster

import (
	"time"

	"github.com/hashicorp/memberlist"
)

// delegate receives memberlist's callbacks. They come from memberlist's
// goroutines, often with memberlist's node lock held: they only touch the
// Cluster's own state and never call back into memberlist.
type delegate struct {
	c *Cluster
}

var (
	_ memberlist.Delegate      = (*delegate)(nil)
	_ memberlist.EventDelegate = (*delegate)(nil)
	_ memberlist.PingDelegate  = (*delegate)(nil)
)

// NodeMeta returns our metadata, marked as leaving once Leave has begun.
func (d *delegate) NodeMeta(limit int) []byte {
	m := d.c.metaLive
	if d.c.leaving.Load() {
		m = d.c.metaLeaving
	}
	if len(m) > limit {
		return nil
	}
	return m
}

// NotifyMsg receives a message, gossiped or sent.
func (d *delegate) NotifyMsg(b []byte) {
	d.c.receive(b)
}

// GetBroadcasts hands memberlist the queued broadcasts that fit in a packet.
func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte {
	return d.c.queue.take(overhead, limit)
}

// LocalState returns the StateHandlers' state for a push/pull.
func (d *delegate) LocalState(bool) []byte {
	return d.c.localState()
}

// MergeRemoteState passes a remote peer's push/pull state to the handlers.
func (d *delegate) MergeRemoteState(b []byte, _ bool) {
	d.c.mergeState(b)
}

// NotifyJoin records a peer that is new or came back.
func (d *delegate) NotifyJoin(n *memberlist.Node) {
	d.c.peerLive(n)
}

// NotifyUpdate records a peer's new metadata.
func (d *delegate) NotifyUpdate(n *memberlist.Node) {
	d.c.peerLive(n)
}

// NotifyLeave records a peer that died or left.
func (d *delegate) NotifyLeave(n *memberlist.Node) {
	d.c.peerGone(n)
}

// AckPayload adds nothing to our probe answers.
func (d *delegate) AckPayload() []byte {
	return nil
}

// NotifyPingComplete records that a peer answered our probe.
func (d *delegate) NotifyPingComplete(n *memberlist.Node, _ time.Duration, _ []byte) {
	d.c.heard(n.Name)
}
