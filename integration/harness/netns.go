package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// netnsDir is where `ip netns` keeps its named namespaces.
const netnsDir = "/run/netns"

// netnsPath returns the path of the named namespace.
func netnsPath(name string) string { return filepath.Join(netnsDir, name) }

// run runs a program in the harness's own namespaces and returns its
// combined output; the error names the command and holds the output.
func run(ctx context.Context, stdin []byte, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = pipeWait
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err,
			strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// ipIn runs `ip -n ns ARGS...`.
func ipIn(ctx context.Context, ns string, args ...string) error {
	_, err := run(ctx, nil, ipBin, append([]string{"-n", ns}, args...)...)
	return err
}

// addNetns makes the named network namespace, as `ip netns add NAME`.
func addNetns(ctx context.Context, name string) error {
	_, err := run(ctx, nil, ipBin, "netns", "add", name)
	return err
}

// delNetns removes the named network namespace, as `ip netns delete NAME`:
// it detaches the bind mount that keeps the namespace alive and removes the
// file. The kernel frees the namespace, and the links in it, once no process
// is left in it. A namespace that is already gone is no error.
func delNetns(name string) error {
	p := netnsPath(name)
	err := syscall.Unmount(p, syscall.MNT_DETACH)
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOENT) {
		return fmt.Errorf("delete netns %s: %w", name, err)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete netns %s: %w", name, err)
	}
	return nil
}

// listNetns returns the names of all named network namespaces.
func listNetns() ([]string, error) {
	ents, err := os.ReadDir(netnsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list netns: %w", err)
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names, nil
}

// runNetns returns the namespaces of run id.
func runNetns(id string) ([]string, error) {
	all, err := listNetns()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range all {
		if runIDOf(n) == id {
			out = append(out, n)
		}
	}
	return out, nil
}

// netnsInodes returns the identities of the named namespaces that still
// exist.
func netnsInodes(names []string) map[nsID]bool {
	out := make(map[nsID]bool, len(names))
	for _, n := range names {
		if ino, err := nsInode(netnsPath(n)); err == nil {
			out[ino] = true
		}
	}
	return out
}
