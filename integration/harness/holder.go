package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// holderReadyTimeout bounds the holder's setup of its mount namespace.
const holderReadyTimeout = 10 * time.Second

// holderScript runs as `sh -c holderScript sh DIR HOSTNAME` inside the host's
// network namespace and fresh mount and UTS namespaces, then stays as the
// holder of those namespaces. Every process of the host joins them.
//
// It mounts a sysfs made in the host's network namespace, so that
// /sys/class/net lists the host's links; the cgroup mounts are moved aside
// first and back after, because dockerd needs them. It releases the copies
// of the machine's /run/netns mounts that unshare made (they would keep other
// namespaces alive) and gives the host a /run of its own, so that the plugin
// sockets, /run/docker and /run/containerd of the hosts do not meet. It binds
// a machine id of the host's own over the machine's, so that ids derived from
// it differ between hosts.
const holderScript = `set -e
d=$1
mount --rbind /sys/fs/cgroup "$d/cg"
mount -t sysfs sysfs /sys
mount --rbind "$d/cg" /sys/fs/cgroup
umount -l "$d/cg"
umount -l /run/netns 2>/dev/null || true
for m in $(cut -d' ' -f5 /proc/self/mountinfo | grep '^/run/netns/' || true); do
	umount -l "$m"
done
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/netns /run/docker/plugins /run/containerd /run/lock
for f in /etc/machine-id /var/lib/dbus/machine-id; do
	if [ -f "$f" ]; then mount --bind "$d/machine-id" "$f"; fi
done
hostname "$2"
touch "$d/holder.ready"
exec sleep infinity </dev/null
`

// startHolder starts the holder of h's namespaces and waits until it has set
// them up.
func (h *Host) startHolder(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Join(h.Dir, "cg"), 0o755); err != nil {
		return fmt.Errorf("start holder of %s: %w", h.Name, err)
	}
	if err := writeMachineID(filepath.Join(h.Dir, "machine-id")); err != nil {
		return fmt.Errorf("start holder of %s: %w", h.Name, err)
	}
	ready := filepath.Join(h.Dir, "holder.ready")
	_ = os.Remove(ready)

	cmd := exec.Command(nsenterBin, "--net="+netnsPath(h.NetNS), "--",
		unshareBin, "--mount", "--uts", "--propagation", "private", "--",
		shellBin, "-c", holderScript, "sh", h.Dir, h.Name)
	p, err := startProc("holder", cmd, filepath.Join(h.Dir, "holder.log"))
	if err != nil {
		return fmt.Errorf("start holder of %s: %w", h.Name, err)
	}
	h.mu.Lock()
	h.holder = p
	h.mu.Unlock()

	err = WaitFor(ctx, holderReadyTimeout, "holder of "+h.Name, func() (bool, error) {
		if !p.Alive() {
			log, _ := p.Log()
			return false, Abort(fmt.Errorf("holder exited: %v: %s", p.ExitErr(), log))
		}
		_, err := os.Stat(ready)
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("start %s: %w", h.Name, err)
	}
	return nil
}

// writeMachineID writes a fresh random machine id, in the format of
// machine-id(5), to path.
func writeMachineID(path string) error {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("make machine id: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(b)+"\n"), 0o444); err != nil {
		return fmt.Errorf("write machine id: %w", err)
	}
	return nil
}
