package chaos

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"weave.works/weave/integration/harness"
)

// Runner starts client processes inside hosts: the test binary again,
// made to run the client body by the Config in its environment.
type Runner struct {
	// Bin is the test binary, os.Executable() of the test.
	Bin string
	// Args select the test whose body hands over to Run, for example
	// "-test.run=^TestStoreChaos$".
	Args []string
	// Env are extra environment entries, for example what TestMain needs.
	Env []string
}

// Proc is a running client process.
type Proc struct {
	Host   *harness.Host // where it runs
	Config Config        // what it does

	done chan struct{}
	mu   sync.Mutex
	out  bytes.Buffer
	err  error
}

// Start starts a client with c inside h. It runs until it ends by itself
// (a Config says when) or ctx is done.
func (r Runner) Start(ctx context.Context, h *harness.Host, c Config) (*Proc, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	cmd := h.Command(ctx, r.Bin, r.Args...)
	cmd.Env = append(append(cmd.Env, r.Env...), c.Env())
	p := &Proc{Host: h, Config: c, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &lockedWriter{p}, &lockedWriter{p}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("chaos: start client %d on %s: %w", c.Client, h.Name, err)
	}
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.done)
	}()
	return p, nil
}

// Do runs a client with c inside h to its end, for at most timeout.
func (r Runner) Do(ctx context.Context, h *harness.Host, c Config, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p, err := r.Start(ctx, h, c)
	if err != nil {
		return err
	}
	return p.Wait(timeout)
}

// Wait waits up to timeout for the client to end and returns an error,
// holding its output, when it failed.
func (p *Proc) Wait(timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		return fmt.Errorf("chaos: client %d on %s: still running after %s", p.Config.Client,
			p.Host.Name, timeout)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return fmt.Errorf("chaos: client %d (%s) on %s: %w: %s", p.Config.Client,
			p.Config.Mode, p.Host.Name, p.err, lastLines(p.out.String(), 20))
	}
	return nil
}

// lockedWriter appends to the output of a Proc under its lock.
type lockedWriter struct{ p *Proc }

// Write appends b to the output.
func (w *lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.out.Write(b)
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
