package harness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// dockerdName is the name a host's dockerd runs under, as Proc("dockerd").
const dockerdName = "dockerd"

// Image is the image every dockerd of the cluster has: a busybox-static root
// file system, with `sh` as its command.
const Image = "busybox:latest"

// pingTimeout bounds one probe of a dockerd's API.
const pingTimeout = 2 * time.Second

// DockerSocketPath returns the path of the socket of h's dockerd, the same
// inside h and from the test.
func (h *Host) DockerSocketPath() string { return filepath.Join(h.Dir, "docker.sock") }

// DockerSocket returns the address of h's dockerd, "unix:///...", for a
// daemon's --docker-host flag or DOCKER_HOST. Inside h the dockerd also
// answers on the usual unix:///var/run/docker.sock.
func (h *Host) DockerSocket() string { return "unix://" + h.DockerSocketPath() }

// dockerDir returns the directory of h's dockerd: data root, exec root and
// pid file.
func (h *Host) dockerDir() string { return filepath.Join(h.Dir, "docker") }

// dockerdArgs returns the flags of h's dockerd. It puts the containers below
// a cgroup of h's, so that Close can find what a killed dockerd left.
func (h *Host) dockerdArgs() []string {
	d := h.dockerDir()
	args := []string{
		"--data-root", filepath.Join(d, "data"),
		"--exec-root", filepath.Join(d, "exec"),
		"--pidfile", filepath.Join(d, "docker.pid"),
		"-H", h.DockerSocket(),
		"-H", "unix:///var/run/docker.sock",
	}
	custom := false
	for _, a := range h.c.opts.DockerArgs {
		custom = custom || a == "--cgroup-parent" || strings.HasPrefix(a, "--cgroup-parent=")
	}
	if !custom {
		args = append(args, "--cgroup-parent", "/"+cgroupName(h.c.id, h.Index))
	}
	return append(args, h.c.opts.DockerArgs...)
}

// StartDocker starts h's dockerd, waits until it answers, and imports Image
// unless it has it. A dockerd that is already running gives ErrProcRunning.
func (h *Host) StartDocker(ctx context.Context) error {
	if err := need(dockerBinaries...); err != nil {
		return err
	}
	start := time.Now()
	if err := os.MkdirAll(h.dockerDir(), 0o755); err != nil {
		return fmt.Errorf("start dockerd on %s: %w", h.Name, err)
	}
	if p := h.Proc(dockerdName); p == nil || !p.Alive() {
		if err := h.clearDockerLeftovers(); err != nil {
			return fmt.Errorf("start dockerd on %s: %w", h.Name, err)
		}
	}
	p, err := h.Start(ctx, dockerdName, dockerdBin, h.dockerdArgs()...)
	if err != nil {
		return err
	}

	err = WaitFor(ctx, h.c.opts.DockerTimeout, "dockerd on "+h.Name, func() (bool, error) {
		if !p.Alive() {
			return false, Abort(fmt.Errorf("dockerd exited: %v: %s", p.ExitErr(), logTail(p)))
		}
		err := pingDocker(ctx, h.DockerSocketPath())
		return err == nil, err
	})
	if err != nil {
		return err
	}
	h.c.logf("harness: %s: dockerd ready in %s", h.Name, time.Since(start).Round(time.Millisecond))
	return h.ensureImage(ctx)
}

// StopDocker stops h's dockerd: SIGTERM, then SIGKILL after the cluster's
// DockerTimeout (or ctx's deadline, if sooner). It returns once dockerd and
// its containerd are gone. Containers stop with dockerd as usual; a dockerd
// that is not running is no error.
func (h *Host) StopDocker(ctx context.Context) error {
	p := h.Proc(dockerdName)
	if p == nil || !p.Alive() {
		return nil
	}
	timeout := h.c.opts.DockerTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl), 0)
	}
	if err := p.Stop(timeout); err != nil {
		return fmt.Errorf("stop dockerd on %s: %w", h.Name, err)
	}

	// Its containerd exits with it, but not always at once.
	err := WaitFor(ctx, killWait, "containerd of "+h.Name+" to exit", func() (bool, error) {
		procs, err := listProcs()
		return err == nil && len(h.containerd(procs)) == 0, err
	})
	if err != nil {
		if err := h.clearDockerLeftovers(); err != nil {
			return fmt.Errorf("stop dockerd on %s: %w", h.Name, err)
		}
	}
	h.c.logf("harness: %s: dockerd stopped", h.Name)
	return nil
}

// containerd returns the containerd processes of h's dockerd among procs.
// Its shims name the same exec root but are left alone: with
// --live-restore the containers below them outlive dockerd on purpose.
func (h *Host) containerd(procs []procInfo) []procInfo {
	root := filepath.Join(h.dockerDir(), "exec") + "/"
	var out []procInfo
	for _, p := range procs {
		if p.comm == "containerd" && strings.Contains(p.cmdline, root) {
			out = append(out, p)
		}
	}
	return out
}

// clearDockerLeftovers kills a containerd that a killed dockerd of h left
// and removes the pid files of both. A stale pid file is not harmless: its
// pid may belong to a zombie or a new process, which the next dockerd then
// takes for its containerd and waits for.
func (h *Host) clearDockerLeftovers() error {
	procs, err := listProcs()
	if err != nil {
		return err
	}
	for _, p := range h.containerd(procs) {
		if err := syscall.Kill(p.pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
			return fmt.Errorf("kill leftover containerd %d: %w", p.pid, err)
		}
	}
	err = WaitFor(context.Background(), killWait, "leftover containerd to exit",
		func() (bool, error) {
			procs, err := listProcs()
			return err == nil && len(h.containerd(procs)) == 0, err
		})
	if err != nil {
		return err
	}
	for _, f := range []string{"docker.pid", "exec/containerd/containerd.pid"} {
		if err := os.Remove(filepath.Join(h.dockerDir(), f)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// RestartDocker stops h's dockerd and starts it again on the same state.
func (h *Host) RestartDocker(ctx context.Context) error {
	if err := h.StopDocker(ctx); err != nil {
		return err
	}
	return h.StartDocker(ctx)
}

// DockerCommand returns a command that runs Debian's docker client inside h
// against h's dockerd.
func (h *Host) DockerCommand(ctx context.Context, args ...string) *exec.Cmd {
	return h.Command(ctx, dockerBin, append([]string{"-H", h.DockerSocket()}, args...)...)
}

// Docker runs Debian's docker client inside h against h's dockerd and
// returns its combined output; the error holds the output.
func (h *Host) Docker(ctx context.Context, args ...string) (string, error) {
	out, err := h.DockerCommand(ctx, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: docker %s: %w: %s", h.Name, strings.Join(args, " "),
			err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// ensureImage imports Image into h's dockerd unless it has it already.
func (h *Host) ensureImage(ctx context.Context) error {
	if _, err := h.Docker(ctx, "image", "inspect", Image); err == nil {
		return nil
	}
	tarball, err := h.c.busyboxImage()
	if err != nil {
		return fmt.Errorf("import %s on %s: %w", Image, h.Name, err)
	}
	cmd := h.DockerCommand(ctx, "import", "--change", `CMD ["sh"]`, "-", Image)
	cmd.Stdin = bytes.NewReader(tarball)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("import %s on %s: %w: %s", Image, h.Name, err,
			strings.TrimSpace(string(out)))
	}
	h.c.logf("harness: %s: imported %s", h.Name, Image)
	return nil
}

// pingDocker asks the dockerd on socket for /_ping.
func pingDocker(ctx context.Context, socket string) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	if err != nil {
		return fmt.Errorf("ping dockerd: %w", err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return fmt.Errorf("ping dockerd: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ping dockerd: %s: %s", resp.Status, body)
	}
	return nil
}

// logTail returns the last lines of p's log, for an error.
func logTail(p *Proc) string {
	const lines = 15
	log, err := p.Log()
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(log, "\n"), "\n")
	return strings.Join(all[max(len(all)-lines, 0):], "\n")
}
