package harness

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// SaveLogs copies the log files of every host (its processes', dockerd's,
// its holder's) into dst/<host name>/, so that they outlive Close. A test
// calls it when it has failed, before Close.
func (c *Cluster) SaveLogs(dst string) error {
	var errs []error
	for _, h := range c.hosts {
		logs, err := filepath.Glob(filepath.Join(h.Dir, "*.log"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		to := filepath.Join(dst, h.Name)
		if err := os.MkdirAll(to, 0o755); err != nil {
			errs = append(errs, fmt.Errorf("save logs of %s: %w", h.Name, err))
			continue
		}
		for _, l := range logs {
			if err := copyFile(l, filepath.Join(to, filepath.Base(l))); err != nil {
				errs = append(errs, fmt.Errorf("save logs of %s: %w", h.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// copyFile copies the file src to dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
