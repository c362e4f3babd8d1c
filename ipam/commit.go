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
	// clearHandover asks the next commit of the ring to forget the pending
	// handover, which that ring completes.
	clearHandover bool
	// busy is set while a batch is being written and handed out.
	busy bool

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
	c.busy = true
	defer func() {
		a.mu.Lock()
		c.busy = false
		a.mu.Unlock()
	}()
	ops := c.queue
	c.queue = nil
	if c.updateFree(ops) {
		c.ringDirty, c.broadcast = true, true
	}
	var data []byte
	id := a.ring.Identity()
	if c.ringDirty {
		data, _ = a.ring.MarshalBinary()
	}
	spread, after, forget := c.broadcast, c.after, c.clearHandover && data != nil
	c.ringDirty, c.broadcast, c.after = false, false, nil
	if forget {
		c.clearHandover = false
	}
	a.mu.Unlock()
	if len(ops) == 0 && data == nil {
		return
	}

	err := commitBatch(a.db, ops, data, forget)

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
		c.clearHandover = c.clearHandover || forget
	case data != nil:
		a.persisted = data
		if id != a.persistedID {
			// Allocations wait for the first ring to be committed.
			a.persistedID = id
			a.spaceChanged()
		}
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
// with the releases or not at all. While a handover is pending this peer's
// entries must stay as offered, so the counts wait. The caller holds a.mu.
//
// TODO: every commit that changes a count also rewrites and broadcasts the
// ring, which costs a single requester about a quarter of its rate and sends
// the whole ring per allocation. The counts are only hints for choosing a
// donor (donors give from their own allocations, never from counts), so
// updating them at most every second would be safe; it is not done yet
// because the simulation tests rely on commits being the only clock.
func (c *committer) updateFree(ops []op) bool {
	a := c.a
	if a.pending != nil {
		return false
	}
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
