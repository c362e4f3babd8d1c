package harness

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestBusyboxTar(t *testing.T) {
	binary := []byte("\x7fELF not really busybox")
	data, err := busyboxTar(binary, []string{"sh", "ls", "ping"})
	if err != nil {
		t.Fatal(err)
	}
	entries := make(map[string]*tar.Header)
	var content []byte
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		entries[h.Name] = h
		if h.Name == "bin/busybox" {
			content, _ = io.ReadAll(tr)
		}
	}
	if !bytes.Equal(content, binary) || entries["bin/busybox"].Mode != 0o755 {
		t.Errorf("bin/busybox: %q, mode %o", content, entries["bin/busybox"].Mode)
	}
	links := map[string]string{"bin/sh": "busybox", "bin/ls": "busybox", "bin/ping": "busybox",
		"sbin": "bin", "usr/bin": "../bin", "usr/sbin": "../bin"}
	for name, target := range links {
		h := entries[name]
		if h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != target {
			t.Errorf("%s: %+v, want a symlink to %s", name, h, target)
		}
	}
	for _, d := range []string{"dev/", "proc/", "sys/", "etc/", "tmp/"} {
		if h := entries[d]; h == nil || h.Typeflag != tar.TypeDir {
			t.Errorf("%s: %+v, want a directory", d, h)
		}
	}
	if entries["tmp/"].Mode != 0o1777 || entries["etc/passwd"] == nil {
		t.Errorf("tmp/ or etc/passwd wrong: %+v %+v", entries["tmp/"], entries["etc/passwd"])
	}

	again, err := busyboxTar(binary, []string{"sh", "ls", "ping"})
	if err != nil || !bytes.Equal(again, data) {
		t.Error("busyboxTar is not deterministic")
	}
}

func TestBusyboxApplets(t *testing.T) {
	if err := need(binary{busyboxBin, "busybox-static"}); err != nil {
		t.Skip(err)
	}
	applets, err := busyboxApplets(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	have := make(map[string]bool)
	for _, a := range applets {
		have[a] = true
	}
	for _, a := range []string{"sh", "sleep", "true", "ping", "hostname"} {
		if !have[a] {
			t.Errorf("applet %s missing from %d applets", a, len(applets))
		}
	}
}
