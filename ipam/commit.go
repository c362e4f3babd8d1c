package ipam

// committer writes changes to the state file in batches: whatever queued up
// while one transaction ran goes into the next, so concurrent requests share
// one commit (group commit). Its fields other than the channels are guarded
// by the allocator's mutex.
type committer struct {
	a *Allocator

	queue []op
	// ringDirty asks the next commit to write the ring; broadcast asks for
	// the committed ring to be gossiped; after runs with the committed ring.
	ringDirty bool
	broadcast bool
	after     []func(ring []byte)

	// commits counts the transactions written, for tests of batching.
	commits int

	wake   chan struct{}
	quit   chan struct{}
	exited chan struct{}
}

func (c *committer) start(a *Allocator) {
	c.a = a
	c.wake = make(chan struct{}, 1)
	c.quit = make(chan struct{})
	c.exited = make(chan struct{})
	go c.run()
}

// stop commits what is queued and ends the committer.
func (c *committer) stop() {
	close(c.quit)
	<-c.exited
}

// enqueue queues one change and returns where its outcome will be sent. The
// caller holds a.mu.
func (c *committer) enqueue(o op) chan error {
	o.done = make(chan error, 1)
	c.queue = append(c.queue, o)
	c.signal()
	return o.done
}

// writeRing asks for the ring to be committed, gossiped if spread is set, and
// then handed to after, if not nil. The caller holds a.mu.
func (c *committer) writeRing(spread bool, after func(ring []byte)) {
	c.ringDirty = true
	c.broadcast = c.broadcast || spread
	if after != nil {
		c.after = append(c.after, after)
	}
	c.signal()
}

func (c *committer) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *committer) run() {
	defer close(c.exited)
	for {
		select {
		case <-c.wake:
			c.flush()
		case <-c.quit:
			// Close refuses new changes before it stops the committer, so
			// one last flush writes everything.
			c.flush()
			return
		}
	}
}

// flush commits one batch: the queued changes, the free counts of this peer's
// entries brought up to date, and the ring if it changed.
func (c *committer) flush() {
	a := c.a
	a.mu.Lock()
	ops := c.queue
	c.queue = nil
	if c.updateFree(ops) {
		c.ringDirty, c.broadcast = true, true
	}
	var data []byte
	if c.ringDirty {
		data, _ = a.ring.MarshalBinary()
	}
	spread, after := c.broadcast, c.after
	c.ringDirty, c.broadcast, c.after = false, false, nil
	a.mu.Unlock()
	if len(ops) == 0 && data == nil {
		return
	}

	err := commitBatch(a.db, ops, data)

	a.mu.Lock()
	c.commits++
	for _, o := range ops {
		a.settle(o, err)
	}
	switch {
	case err != nil && data != nil:
		// Keep the ring's work for the next batch; what is in memory has
		// not become visible outside.
		c.ringDirty = true
		c.broadcast = c.broadcast || spread
		c.after = append(after, c.after...)
	case data != nil:
		a.persisted = data
	}
	a.mu.Unlock()

	for _, o := range ops {
		o.done <- err
	}
	if err != nil || data == nil {
		return
	}
	if spread {
		a.gossip.Broadcast(data)
	}
	for _, f := range after {
		f(data)
	}
}

// updateFree brings this peer's free counts in the ring up to date, counting
// the addresses this batch releases as free already: the counts are committed
// with the releases or not at all. The caller holds a.mu.
func (c *committer) updateFree(ops []op) bool {
	a := c.a
	for _, o := range ops {
		if o.release {
			a.held.remove(o.addr)
		}
	}
	changed := a.ring.UpdateFree(a.cfg.Self, a.freeIn)
	for _, o := range ops {
		if o.release {
			a.held.add(o.addr)
		}
	}
	return changed
}
