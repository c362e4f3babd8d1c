package harness

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// faultTable is the nftables table, in each host's namespace, that holds the
// harness's drops. It is rewritten whole on every change.
const faultTable = "wtharness"

// faultTimeout bounds one change of links or rules.
const faultTimeout = 10 * time.Second

// faults is the packet filter state of one host: the peers it cannot reach
// and the share of its packets it loses.
type faults struct {
	cut  map[netip.Addr]bool
	loss int
}

// faultRules returns the nft script that makes f the host's rules. The rules
// act on the underlay link (eth0) alone, so that loopback and bridged
// container traffic inside the host is never dropped. The script first
// makes and deletes the table, so that it works whether the table exists or
// not, and applies atomically.
func faultRules(f faults) string {
	var b strings.Builder
	fmt.Fprintf(&b, "table inet %s\ndelete table inet %s\n", faultTable, faultTable)
	if len(f.cut) == 0 && f.loss == 0 {
		return b.String()
	}
	var peers []string
	for a := range f.cut {
		peers = append(peers, a.String())
	}
	sort.Strings(peers)

	fmt.Fprintf(&b, "table inet %s {\n", faultTable)
	for _, dir := range []struct{ chain, hook, iface, addr string }{
		{"in", "input", "iifname", "saddr"},
		{"out", "output", "oifname", "daddr"},
	} {
		fmt.Fprintf(&b, "\tchain %s {\n\t\ttype filter hook %s priority -150; policy accept;\n",
			dir.chain, dir.hook)
		if len(peers) > 0 {
			fmt.Fprintf(&b, "\t\t%s \"eth0\" ip %s { %s } drop\n", dir.iface, dir.addr,
				strings.Join(peers, ", "))
		}
		switch {
		case f.loss >= 100:
			fmt.Fprintf(&b, "\t\t%s \"eth0\" drop\n", dir.iface)
		case f.loss > 0:
			fmt.Fprintf(&b, "\t\t%s \"eth0\" numgen random mod 100 < %d drop\n", dir.iface, f.loss)
		}
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// applyFaults writes h's rules from the cluster's fault state.
func (c *Cluster) applyFaults(h *Host) error {
	if err := need(binary{nftBin, "nftables"}); err != nil {
		return err
	}
	c.mu.Lock()
	f := c.faults[h.Index]
	rules := faultRules(f)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), faultTimeout)
	defer cancel()
	_, err := run(ctx, []byte(rules), nsenterBin, "--net="+netnsPath(h.NetNS), "--",
		nftBin, "-f", "-")
	if err != nil {
		return fmt.Errorf("set packet filter of %s: %w", h.Name, err)
	}
	return nil
}

// updateFaults changes the fault state of the hosts hs with change, then
// rewrites their rules.
func (c *Cluster) updateFaults(change func(*faults, *Host), hs ...*Host) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	for _, h := range hs {
		f := c.faults[h.Index]
		if f.cut == nil {
			f.cut = make(map[netip.Addr]bool)
		}
		change(&f, h)
		c.faults[h.Index] = f
	}
	c.mu.Unlock()
	for _, h := range hs {
		if err := c.applyFaults(h); err != nil {
			return err
		}
	}
	return nil
}

// CutOff takes h off the fabric: the fabric end of its link goes down, as
// `ip -n FABRIC link set VETH down`. Every peer loses h at once.
func (c *Cluster) CutOff(h *Host) error { return c.setLink(h, "down") }

// Reconnect undoes CutOff.
func (c *Cluster) Reconnect(h *Host) error { return c.setLink(h, "up") }

// setLink sets the fabric end of h's link up or down.
func (c *Cluster) setLink(h *Host, state string) error {
	if c.isClosed() {
		return ErrClosed
	}
	ctx, cancel := context.WithTimeout(context.Background(), faultTimeout)
	defer cancel()
	err := ipIn(ctx, fabricNS(c.id), "link", "set", fabricVeth(c.id, h.Index), state)
	if err != nil {
		return fmt.Errorf("set link of %s %s: %w", h.Name, state, err)
	}
	c.logf("harness: link of %s %s", h.Name, state)
	return nil
}

// CutPair stops all traffic between a and b, in both directions, with an
// nftables drop in each of the two hosts; other pairs are unaffected.
func (c *Cluster) CutPair(a, b *Host) error {
	if a == b {
		return fmt.Errorf("cut pair: %s with itself", a.Name)
	}
	c.logf("harness: cut %s from %s", a.Name, b.Name)
	return c.updateFaults(func(f *faults, h *Host) {
		f.cut[other(h, a, b).Addr] = true
	}, a, b)
}

// HealPair undoes CutPair.
func (c *Cluster) HealPair(a, b *Host) error {
	c.logf("harness: heal %s with %s", a.Name, b.Name)
	return c.updateFaults(func(f *faults, h *Host) {
		delete(f.cut, other(h, a, b).Addr)
	}, a, b)
}

// other returns whichever of a and b is not h.
func other(h, a, b *Host) *Host {
	if h == a {
		return b
	}
	return a
}

// Loss makes h drop percent of the packets on its underlay link at random,
// independently in each direction, with nftables numgen; 0 ends it.
func (c *Cluster) Loss(h *Host, percent int) error {
	if percent < 0 || percent > 100 {
		return fmt.Errorf("loss on %s: percent = %d: must be from 0 to 100", h.Name, percent)
	}
	c.logf("harness: loss of %d%% on %s", percent, h.Name)
	return c.updateFaults(func(f *faults, _ *Host) { f.loss = percent }, h)
}

// ClearLoss ends the loss that Loss set on h.
func (c *Cluster) ClearLoss(h *Host) error { return c.Loss(h, 0) }
