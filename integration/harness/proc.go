package harness

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// killWait bounds the wait for a process to be gone after SIGKILL.
const killWait = 5 * time.Second

// Proc is a long-running process inside a host, started by Host.Start. Its
// standard output and error go to a log file in the host's directory, which
// grows across restarts of the same name. The methods of a Proc are safe for
// concurrent use.
type Proc struct {
	// Name is the name the process was started under, unique per host.
	Name string

	cmd     *exec.Cmd
	logPath string
	started time.Time
	done    chan struct{}
	err     error // the result of cmd.Wait; read only after done is closed
}

// startProc starts cmd with its output appended to logPath, in a process
// group of its own so that a signal to the test's terminal does not reach it.
func startProc(name string, cmd *exec.Cmd, logPath string) (*Proc, error) {
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("start %s: open log: %w", name, err)
	}
	fmt.Fprintf(f, "--- harness: start %s at %s\n", strings.Join(cmd.Args, " "),
		time.Now().Format(time.RFC3339Nano))
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}

	p := &Proc{Name: name, cmd: cmd, logPath: logPath, started: time.Now(),
		done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		fmt.Fprintf(f, "--- harness: %s ended after %s: %v\n", name,
			time.Since(p.started).Round(time.Millisecond), p.err)
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// Pid returns the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// LogPath returns the path of the log file.
func (p *Proc) LogPath() string { return p.logPath }

// Log returns the text of the log file.
func (p *Proc) Log() (string, error) {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return "", fmt.Errorf("read log of %s: %w", p.Name, err)
	}
	return string(b), nil
}

// Done returns a channel closed when the process has exited and been reaped.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Alive reports whether the process has not exited yet. A stopped (paused)
// process is alive.
func (p *Proc) Alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// ExitErr returns the error of the process's exit (nil for status 0), or
// nil while it is alive.
func (p *Proc) ExitErr() error {
	if p.Alive() {
		return nil
	}
	return p.err
}

// Kill sends sig to the process alone, not to its children, as kill(1)
// does: Kill(syscall.SIGKILL) is `kill -9 PID`. It returns ErrProcDone
// when the process has exited.
func (p *Proc) Kill(sig syscall.Signal) error {
	if !p.Alive() {
		return fmt.Errorf("signal %s to %s: %w", sig, p.Name, ErrProcDone)
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		if errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("signal %s to %s: %w", sig, p.Name, ErrProcDone)
		}
		return fmt.Errorf("signal %s to %s: %w", sig, p.Name, err)
	}
	return nil
}

// Pause stops the process with SIGSTOP; it keeps its sockets but answers
// nothing until Resume.
func (p *Proc) Pause() error { return p.Kill(syscall.SIGSTOP) }

// Resume continues a paused process with SIGCONT.
func (p *Proc) Resume() error { return p.Kill(syscall.SIGCONT) }

// Wait waits up to timeout for the process to exit and returns the error of
// its exit (nil for status 0), or an error wrapping ErrTimeout.
func (p *Proc) Wait(timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.err
	case <-t.C:
		return fmt.Errorf("wait for %s (pid %d) to exit: %w after %s", p.Name, p.Pid(),
			ErrTimeout, timeout)
	}
}

// Stop ends the process: SIGTERM (and SIGCONT, in case it is paused), then,
// if it is still alive after timeout, SIGQUIT (a Go program prints its
// goroutines to the log, to show where it hung) and SIGKILL to its whole
// process group. It returns nil once the process is gone, whatever its
// exit status.
func (p *Proc) Stop(timeout time.Duration) error {
	if !p.Alive() {
		return nil
	}
	_ = p.Kill(syscall.SIGTERM)
	_ = p.Kill(syscall.SIGCONT)
	if err := p.Wait(timeout); !errors.Is(err, ErrTimeout) {
		return nil
	}
	_ = p.Kill(syscall.SIGQUIT)
	if err := p.Wait(killWait); !errors.Is(err, ErrTimeout) {
		return nil
	}
	_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
	_ = p.Kill(syscall.SIGKILL)
	if err := p.Wait(killWait); errors.Is(err, ErrTimeout) {
		return fmt.Errorf("stop %s: %w", p.Name, err)
	}
	return nil
}
