package daemon

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/vishvananda/netlink"
	bolt "go.etcd.io/bbolt"

	"weave.works/weave/drivers/datapath"
	"weave.works/weave/drivers/weavemesh"
)

// stateFiles are the files under the data directory that Reset removes.
var stateFiles = []string{nameFile, "ipam.db", "weavemesh.db"}

// Reset removes everything a stopped daemon left on this host: the bridge, the VXLAN
// device, every host veth, the FORWARD accept rule, the plugin socket and the state files.
// It must not run while the daemon runs; the caller stops it first. It returns what it
// removed, and every error it met, having tried all steps.
func Reset(dataDir, pluginDir string) ([]string, error) {
	var removed []string
	var errs []error
	h, err := netlink.NewHandle()
	if err != nil {
		return nil, fmt.Errorf("netlink: %w", err)
	}
	defer h.Close()

	veths, err := datapath.Links(h, datapath.HostVethPrefix)
	errs = append(errs, err)
	for _, v := range veths {
		if err := datapath.DeleteVeth(h, v); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, "link "+v)
	}
	spec := datapath.DefaultNetworkSpec(netip.Addr{})
	links, _ := datapath.Links(h, "") // to say which of the two devices were there
	if err := datapath.DeleteNetwork(h, spec); err != nil {
		errs = append(errs, err)
	} else {
		for _, l := range links {
			if l == spec.Bridge || l == spec.VXLAN {
				removed = append(removed, "link "+l)
			}
		}
	}
	if err := datapath.RemoveForwardAccept(spec.Bridge); err != nil {
		errs = append(errs, err)
	}

	files := []string{filepath.Join(pluginDir, weavemesh.Name+".sock")}
	for _, f := range stateFiles {
		files = append(files, filepath.Join(dataDir, f))
	}
	for _, f := range files {
		if err := waitUnlocked(f); err != nil {
			errs = append(errs, err)
			continue
		}
		err := os.Remove(f)
		switch {
		case err == nil:
			removed = append(removed, "file "+f)
		case !errors.Is(err, os.ErrNotExist):
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}

// lockWait bounds how long Reset waits for a stopping daemon to close its databases.
const lockWait = 10 * time.Second

// waitUnlocked returns once no process holds path's bbolt lock, so that a daemon still
// closing its databases finishes before they go. Files that are no database pass at once.
func waitUnlocked(path string) error {
	if filepath.Ext(path) != ".db" {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockWait})
	if err != nil {
		return fmt.Errorf("%s is still in use (is the daemon running?): %w", path, err)
	}
	return db.Close()
}
