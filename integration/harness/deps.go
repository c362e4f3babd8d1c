package harness

import (
	"debug/elf"
	"fmt"
	"os/exec"
)

// Paths of the programs the harness runs. The Docker client is Debian's
// (docker.io, 20.10), which matches the daemon, not another one that may come
// first in PATH.
const (
	ipBin      = "/usr/sbin/ip"
	nftBin     = "/usr/sbin/nft"
	nsenterBin = "/usr/bin/nsenter"
	unshareBin = "/usr/bin/unshare"
	dockerdBin = "/usr/sbin/dockerd"
	dockerBin  = "/usr/bin/docker"
	busyboxBin = "/bin/busybox"
	shellBin   = "/bin/sh"
	containerd = "containerd"
	runcBin    = "runc"
)

// binary is a program and the Debian package that installs it.
type binary struct{ path, pkg string }

// baseBinaries are needed by every cluster.
var baseBinaries = []binary{
	{ipBin, "iproute2"},
	{nsenterBin, "util-linux"},
	{unshareBin, "util-linux"},
	{shellBin, "dash"},
}

// dockerBinaries are needed by a cluster with Docker.
var dockerBinaries = []binary{
	{dockerdBin, "docker.io"},
	{dockerBin, "docker.io"},
	{containerd, "containerd"},
	{runcBin, "runc"},
	{busyboxBin, "busybox-static"},
}

// need returns an error naming the first binary of bins that is missing.
func need(bins ...binary) error {
	for _, b := range bins {
		if _, err := exec.LookPath(b.path); err != nil {
			return fmt.Errorf("%w: %s (install the Debian package %s)",
				ErrMissingBinary, b.path, b.pkg)
		}
	}
	return nil
}

// needStaticBusybox returns an error unless busyboxBin is statically linked:
// the image runs it with no libraries beside it.
func needStaticBusybox() error {
	f, err := elf.Open(busyboxBin)
	if err != nil {
		return fmt.Errorf("read %s: %w", busyboxBin, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%w: %s is dynamically linked (install the Debian package "+
				"busybox-static)", ErrMissingBinary, busyboxBin)
		}
	}
	return nil
}
