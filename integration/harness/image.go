package harness

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// imageTime is the modification time of every file in the image, fixed so
// that the image is the same in every run.
var imageTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// imageFiles are the small text files of the image.
var imageFiles = map[string]string{
	"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
	"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
}

// busyboxApplets returns the applets that busyboxBin holds.
func busyboxApplets(ctx context.Context) ([]string, error) {
	out, err := run(ctx, nil, busyboxBin, "--list")
	if err != nil {
		return nil, err
	}
	var applets []string
	for _, a := range strings.Fields(out) {
		if a != "busybox" && !strings.Contains(a, "/") {
			applets = append(applets, a)
		}
	}
	if len(applets) == 0 {
		return nil, fmt.Errorf("%s --list: no applets", busyboxBin)
	}
	return applets, nil
}

// busyboxTar returns a root file system for `docker import`: busybox in /bin
// with a symlink per applet, /sbin, /usr/bin and /usr/sbin pointing to /bin,
// a passwd and group file, and the empty directories a container expects.
func busyboxTar(binary []byte, applets []string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := func(h *tar.Header) error {
		h.ModTime = imageTime
		h.Format = tar.FormatPAX
		return tw.WriteHeader(h)
	}
	file := func(name string, mode int64, data []byte) error {
		err := hdr(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode,
			Size: int64(len(data))})
		if err == nil {
			_, err = tw.Write(data)
		}
		return err
	}

	var err error
	for _, d := range []string{"bin", "dev", "etc", "proc", "root", "run", "sys", "usr", "var"} {
		err = firstErr(err, hdr(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755}))
	}
	err = firstErr(err, hdr(&tar.Header{Typeflag: tar.TypeDir, Name: "tmp/", Mode: 0o1777}))
	for _, l := range [][2]string{{"sbin", "bin"}, {"usr/bin", "../bin"}, {"usr/sbin", "../bin"}} {
		err = firstErr(err, hdr(&tar.Header{Typeflag: tar.TypeSymlink, Name: l[0],
			Linkname: l[1], Mode: 0o777}))
	}
	err = firstErr(err, file("bin/busybox", 0o755, binary))
	for _, a := range applets {
		err = firstErr(err, hdr(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a,
			Linkname: "busybox", Mode: 0o777}))
	}
	for _, name := range []string{"etc/group", "etc/passwd"} {
		err = firstErr(err, file(name, 0o644, []byte(imageFiles[name])))
	}
	err = firstErr(err, tw.Close())
	if err != nil {
		return nil, fmt.Errorf("build busybox image: %w", err)
	}
	return buf.Bytes(), nil
}

// firstErr returns a unless it is nil, else b.
func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// busyboxImage returns the cluster's image tarball, built on first use.
func (c *Cluster) busyboxImage() ([]byte, error) {
	c.imageOnce.Do(func() {
		if c.imageErr = needStaticBusybox(); c.imageErr != nil {
			return
		}
		binary, err := os.ReadFile(busyboxBin)
		if err != nil {
			c.imageErr = fmt.Errorf("read %s: %w", busyboxBin, err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		applets, err := busyboxApplets(ctx)
		if err != nil {
			c.imageErr = err
			return
		}
		c.image, c.imageErr = busyboxTar(binary, applets)
	})
	return c.image, c.imageErr
}
