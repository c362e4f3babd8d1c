package datapath

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// iptablesBin is the program the forward rule is managed with, found on PATH.
const iptablesBin = "iptables"

// iptablesWait is how many seconds iptables waits for the xtables lock another program
// holds, rather than failing at once.
const iptablesWait = "5"

// EnsureForwardAccept makes sure frames bridged between two ports of bridge pass the
// FORWARD chain of the calling thread's namespace. Docker loads br_netfilter, which sends
// bridged frames through iptables, and sets the chain's policy to DROP, so without this
// rule containers on different hosts could not reach each other through the VXLAN port.
// The rule goes first in the chain and is added only once. Without an iptables binary
// there is no filter to open, and the call does nothing. It equals:
//
//	iptables -C FORWARD -i BRIDGE -o BRIDGE -j ACCEPT ||
//	iptables -I FORWARD 1 -i BRIDGE -o BRIDGE -j ACCEPT
func EnsureForwardAccept(bridge string) error {
	if err := ValidateName("bridge", bridge); err != nil {
		return err
	}
	bin, err := exec.LookPath(iptablesBin)
	if err != nil {
		return nil
	}
	present, err := forwardRulePresent(bin, bridge)
	if err != nil || present {
		return err
	}
	if err := iptables(bin, "-I", "FORWARD", "1", forwardRule(bridge)...); err != nil {
		return fmt.Errorf("open forwarding on %s: %w", bridge, err)
	}
	return nil
}

// RemoveForwardAccept deletes every copy of the rule EnsureForwardAccept adds; without
// the rule, or without iptables, it does nothing. It equals, while the check succeeds:
//
//	iptables -D FORWARD -i BRIDGE -o BRIDGE -j ACCEPT
func RemoveForwardAccept(bridge string) error {
	if err := ValidateName("bridge", bridge); err != nil {
		return err
	}
	bin, err := exec.LookPath(iptablesBin)
	if err != nil {
		return nil
	}

	// Copies may have piled up if something else added the rule too; the chain cannot
	// hold more copies than this bound in any sane setup.
	for range 16 {
		present, err := forwardRulePresent(bin, bridge)
		if err != nil || !present {
			return err
		}
		if err := iptables(bin, "-D", "FORWARD", "", forwardRule(bridge)...); err != nil {
			return fmt.Errorf("close forwarding on %s: %w", bridge, err)
		}
	}
	return fmt.Errorf("close forwarding on %s: rule still present after 16 deletions", bridge)
}

// forwardRule is the rule's match and target.
func forwardRule(bridge string) []string {
	return []string{"-i", bridge, "-o", bridge, "-j", "ACCEPT"}
}

// forwardRulePresent runs `iptables -C`, which exits with status 1 when the rule is
// missing and another status on real trouble.
func forwardRulePresent(bin, bridge string) (bool, error) {
	err := iptables(bin, "-C", "FORWARD", "", forwardRule(bridge)...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return false, nil
	}
	return false, fmt.Errorf("check forwarding on %s: %w", bridge, err)
}

// iptables runs bin with a command on chain, an optional position and the rule, and
// returns an error carrying iptables' own message when it fails.
func iptables(bin, command, chain, position string, rule ...string) error {
	args := []string{"-w", iptablesWait, command, chain}
	if position != "" {
		args = append(args, position)
	}
	args = append(args, rule...)
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("iptables %s: %w: %s", strings.Join(args, " "), err,
			strings.TrimSpace(string(out)))
	}
	return nil
}
