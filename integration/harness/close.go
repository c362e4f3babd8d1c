package harness

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// closeDockerTimeout bounds the graceful stop of each dockerd in Close;
// whatever is left after it is killed. It is short because nothing of the
// run survives Close anyway.
const closeDockerTimeout = 3 * time.Second

// Close removes everything the cluster made: it stops the processes started
// on the hosts (SIGTERM, then SIGKILL) and the dockerds, kills every process
// left in the cluster's namespaces or cgroups and every descendant of one
// (containers, shims, containerd), unmounts what leaked under the state
// directory, and deletes the cgroups, the namespaces (and so the links) and
// the state directory. It works after a failure halfway and with hung
// processes, since every wait is bounded. A second call returns the first
// call's result, waiting for it if it is still running.
func (c *Cluster) Close() error {
	c.closeOnce.Do(func() { c.closeErr = c.close() })
	return c.closeErr
}

// close does the work of Close, once.
func (c *Cluster) close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	start := time.Now()

	// Each dockerd goes first, while the plugins it may call on its way
	// out still answer; then the other processes.
	err := parallel(len(c.hosts), func(i int) error {
		h := c.hosts[i]
		ctx, cancel := context.WithTimeout(context.Background(), closeDockerTimeout)
		defer cancel()
		err := h.StopDocker(ctx)
		return errors.Join(err, h.stopProcs())
	})
	if err != nil {
		// A process that would not stop is killed below; say so, but the
		// teardown decides whether Close failed.
		c.logf("harness: close %s: %v", c.id, err)
	}

	var errs []error
	netns := []string{fabricNS(c.id)}
	for _, h := range c.hosts {
		netns = append(netns, h.NetNS)
	}
	if err := teardown(c.id, c.dir, netns); err != nil {
		errs = append(errs, err)
	}
	for _, h := range c.hosts {
		if p := h.holderProc(); p != nil {
			if err := p.Wait(killWait); err != nil && p.Alive() {
				errs = append(errs, fmt.Errorf("holder of %s: %w", h.Name, err))
			}
		}
	}
	if c.lock != nil {
		if err := c.lock.release(); err != nil {
			errs = append(errs, err)
		}
	}

	err = errors.Join(errs...)
	if err != nil {
		return fmt.Errorf("close cluster %s: %w", c.id, err)
	}
	c.logf("harness: cluster %s closed in %s", c.id, time.Since(start).Round(time.Millisecond))
	return nil
}
