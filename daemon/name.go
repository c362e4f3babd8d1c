package daemon

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

const nameFile = "peer-name"

// peerName returns the name to run under: the one asked for, else the one persisted in the
// data directory, else a new one derived from the machine id, the hostname and the data
// directory. A name asked for that differs from the persisted one replaces it.
func peerName(asked, dataDir, hostname string) (string, error) {
	path := filepath.Join(dataDir, nameFile)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read peer name %s: %w", path, err)
	}
	name := strings.TrimSpace(string(old))
	switch {
	case asked != "":
		name = asked
	case name == "":
		name = derivedName(hostname, dataDir)
	}
	if name != strings.TrimSpace(string(old)) {
		if err := os.WriteFile(path, []byte(name+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("persist peer name %s: %w", path, err)
		}
	}
	return name, nil
}

// derivedName is a MAC-shaped name, as Weave Net's peer names are.
func derivedName(hostname, dataDir string) string {
	id, _ := os.ReadFile("/etc/machine-id")
	sum := sha256.Sum256([]byte(strings.TrimSpace(string(id)) + "\x00" + hostname +
		"\x00" + dataDir))
	mac := net.HardwareAddr(sum[:6])
	mac[0] = (mac[0] | 0x02) &^ 0x01 // locally administered, unicast
	return mac.String()
}
