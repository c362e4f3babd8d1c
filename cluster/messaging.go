package cluster

import (
	"fmt"
	"net"

	"github.com/hashicorp/memberlist"
)

// Handler receives the messages of one channel. HandleMessage is called from
// memberlist's goroutines, gossip and streams concurrently: it must not
// block. payload is a fresh copy that the handler may keep.
type Handler interface {
	HandleMessage(from string, payload []byte)
}

// StateHandler is an optional ability of a Handler, found by type assertion
// at Register: the handler takes part in memberlist's push/pull exchange of
// full state, with the peer we join and then with a random peer every
// Timing.PushPullInterval. LocalState and MergeState are called from
// memberlist's goroutines and must return quickly.
type StateHandler interface {
	Handler
	// LocalState returns the state to send to a peer.
	LocalState() []byte
	// MergeState folds in the state a peer sent.
	MergeState(from string, state []byte)
}

// gossipOverhead is what memberlist adds to a gossiped message in the worst
// case: the compound header and entry length, the user message type, and
// encryption (version, nonce, padding and tag).
const gossipOverhead = 2 + 2 + 1 + 45

// maxGossipMsg is the largest envelope that goes by gossip. memberlist's
// packets are UDPBufferSize (1400) bytes at most.
var maxGossipMsg = memberlist.DefaultLANConfig().UDPBufferSize - gossipOverhead

// Register makes h the handler of channel. A channel has one handler: it
// panics if channel already has one, if channel is empty or longer than 64
// bytes, or if h is nil, since each of these is a mistake in the program.
func (c *Cluster) Register(channel string, h Handler) {
	mustChannel(channel)
	if h == nil {
		panic("cluster: Register of channel " + channel + " with a nil handler")
	}
	c.hmu.Lock()
	defer c.hmu.Unlock()
	if _, dup := c.handlers[channel]; dup {
		panic("cluster: channel " + channel + " registered twice")
	}
	c.handlers[channel] = h
}

func mustChannel(channel string) {
	if channel == "" || len(channel) > maxChannelLen {
		panic(fmt.Sprintf("cluster: channel name %q must be 1 to %d bytes", channel,
			maxChannelLen))
	}
}

func (c *Cluster) handler(channel string) Handler {
	c.hmu.RLock()
	defer c.hmu.RUnlock()
	return c.handlers[channel]
}

// Broadcast sends payload on channel to every other peer, by gossip. A newer
// broadcast on a channel replaces an older one not yet sent, so payloads
// should carry whole state, or state that merges. A payload too big for one
// UDP packet goes by a reliable stream to each live peer instead, in the
// background. We do not receive our own broadcasts. After Shutdown it does
// nothing. It panics on a bad channel name, like Register.
func (c *Cluster) Broadcast(channel string, payload []byte) {
	mustChannel(channel)
	if c.closed.Load() {
		return
	}
	msg := envelope{kind: kindMessage, channel: channel, sender: c.cfg.Name,
		payload: payload}.encode()
	if len(msg) <= maxGossipMsg {
		c.bulk.drop(channel)
		c.queue.put(channel, msg)
		return
	}
	c.queue.drop(channel)
	c.bulk.put(channel, msg)
}

// Send delivers payload on channel to the named peer over a reliable stream
// (TCP), and returns once the stream has taken it or sending failed, within
// Timing.TCPTimeout. No answer comes back: the peer's handler may run after
// Send returns, and a peer that dies at that moment may never see it. It
// panics on a bad channel name, like Register.
func (c *Cluster) Send(peer, channel string, payload []byte) error {
	mustChannel(channel)
	if err := c.errIfClosed(); err != nil {
		return err
	}
	if peer == c.cfg.Name {
		return fmt.Errorf("send %s to %s: %w", channel, peer, ErrSendToSelf)
	}
	c.mu.Lock()
	r, ok := c.peers[peer]
	var p Peer
	if ok {
		p = r.peer
	}
	c.mu.Unlock()
	if !ok {
		return fmt.Errorf("send %s to %s: %w", channel, peer, ErrUnknownPeer)
	}
	if !p.State.Live() {
		return fmt.Errorf("send %s to %s (%s): %w", channel, peer, p.State, ErrPeerNotAlive)
	}
	msg := envelope{kind: kindMessage, channel: channel, sender: c.cfg.Name,
		payload: payload}.encode()
	if err := c.ml.SendReliable(memberlistNode(p), msg); err != nil {
		return fmt.Errorf("send %s to %s at %s: %w", channel, peer, p.GossipAddr(), err)
	}
	return nil
}

// memberlistNode is the node memberlist sends to: only its name and address
// are used.
func memberlistNode(p Peer) *memberlist.Node {
	return &memberlist.Node{Name: p.Name, Addr: net.IP(p.Addr.AsSlice()), Port: p.Port}
}

// receive decodes a message and hands it to its channel's handler.
func (c *Cluster) receive(b []byte) {
	e, err := decodeEnvelope(b)
	if err != nil {
		c.log.Warn("message dropped", "err", err)
		return
	}
	if e.kind != kindMessage {
		c.log.Warn("message dropped", "from", e.sender, "kind", int(e.kind))
		return
	}
	c.heard(e.sender)
	h := c.handler(e.channel)
	if h == nil {
		c.log.Debug("message for no handler", "from", e.sender, "channel", e.channel)
		return
	}
	// memberlist may reuse b once we return.
	h.HandleMessage(e.sender, append([]byte(nil), e.payload...))
}

// localState collects the StateHandlers' state into one envelope, or nil
// when there is no StateHandler.
func (c *Cluster) localState() []byte {
	c.hmu.RLock()
	handlers := make(map[string]StateHandler)
	for ch, h := range c.handlers {
		if sh, ok := h.(StateHandler); ok {
			handlers[ch] = sh
		}
	}
	c.hmu.RUnlock()
	var parts []statePart
	for ch, sh := range handlers {
		parts = append(parts, statePart{channel: ch, data: sh.LocalState()})
	}
	if len(parts) == 0 {
		return nil
	}
	return envelope{kind: kindState, sender: c.cfg.Name, payload: encodeBundle(parts)}.encode()
}

// mergeState hands each part of a peer's state to its StateHandler.
func (c *Cluster) mergeState(b []byte) {
	if len(b) == 0 {
		return
	}
	e, err := decodeEnvelope(b)
	if err == nil && e.kind != kindState {
		err = fmt.Errorf("%w: envelope kind %d in push/pull state", ErrMalformed, e.kind)
	}
	var parts []statePart
	if err == nil {
		parts, err = decodeBundle(e.payload)
	}
	if err != nil {
		c.log.Warn("push/pull state dropped", "err", err)
		return
	}
	c.heard(e.sender)
	for _, p := range parts {
		if sh, ok := c.handler(p.channel).(StateHandler); ok {
			sh.MergeState(e.sender, append([]byte(nil), p.data...))
		}
	}
}
