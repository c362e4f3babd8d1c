package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"weave.works/weave/api"
)

func status(args []string) error {
	c, rest, asJSON, err := statusFlags(args)
	if err != nil {
		return err
	}
	what := "summary"
	if len(rest) > 1 {
		return fmt.Errorf("status takes at most one of peers, ipam, store, networks; got %v",
			rest)
	}
	if len(rest) == 1 {
		what = rest[0]
	}
	show, ok := map[string]func(io.Writer, api.Status){
		"summary": printSummary, "peers": printPeers, "ipam": printIPAM,
		"networks": printNetworks, "store": printStore,
	}[what]
	if !ok {
		return fmt.Errorf("unknown status %q: use peers, ipam, store or networks", what)
	}
	ctx, cancel := withTimeout()
	defer cancel()
	s, err := c.Status(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	show(os.Stdout, s)
	return nil
}

func printSummary(w io.Writer, s api.Status) {
	alive := 0
	for _, p := range s.Peers {
		if p.State == "alive" {
			alive++
		}
	}
	names := make([]string, 0, len(s.Networks))
	for _, n := range s.Networks {
		names = append(names, netName(n))
	}
	row := func(k, v string) { fmt.Fprintf(w, "%12s: %s\n", k, v) }
	row("Version", s.Version)
	row("Name", fmt.Sprintf("%s (%s)", s.Self.Name, s.Self.Nickname))
	row("Address", s.Self.Addr)
	row("Peers", fmt.Sprintf("%d (%d alive)", len(s.Peers), alive))
	row("IPAM", ipamLine(s.IPAM))
	row("Store", storeLine(s.Store))
	row("Networks", fmt.Sprintf("%d %s", len(s.Networks), strings.Join(names, " ")))
	row("Docker", s.Docker)
}

func ipamLine(m api.IPAM) string {
	if m.Error != "" {
		return "error: " + m.Error
	}
	if m.Waiting != "" {
		return "waiting: " + m.Waiting
	}
	return fmt.Sprintf("range %s (%s), this peer owns %d addresses, %d in use", m.Range,
		m.Init, m.Owned, m.Used)
}

func printPeers(w io.Writer, s api.Status) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tNICKNAME\tADDRESS\tSTATE\tLAST SEEN")
	for _, p := range s.Peers {
		name := p.Name
		if p.Local {
			name += " (self)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, p.Nickname, p.Addr, p.State, ago(p))
	}
	tw.Flush()
}

func ago(p api.Peer) string {
	if p.Local {
		return "-"
	}
	if p.LastSeen.IsZero() {
		return "never"
	}
	return time.Since(p.LastSeen).Round(time.Second).String() + " ago"
}

func printIPAM(w io.Writer, s api.Status) {
	m := s.IPAM
	fmt.Fprintf(w, "Range: %s (%s)\n", m.Range, m.Init)
	for _, l := range [][2]string{{"Waiting", m.Waiting}, {"Handover", m.Handover},
		{"Error", m.Error}} {
		if l[1] != "" {
			fmt.Fprintf(w, "%s: %s\n", l[0], l[1])
		}
	}

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PEER\tNICKNAME\tADDRESSES\tSHARE\tREACHABLE")
	for _, sh := range s.IPAM.Shares {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f%%\t%v\n", sh.Peer, sh.Nickname, sh.Addresses,
			sh.Percent, sh.Reachable)
	}
	tw.Flush()
	if m.Hint != "" {
		fmt.Fprintf(w, "Hint: %s\n", m.Hint)
	}
}

func printNetworks(w io.Writer, s api.Status) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tNETWORK ID\tDRIVER\tMULTICAST\tENDPOINTS")
	for _, n := range s.Networks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%d\n", netName(n), shortID(n.ID), n.Driver,
			n.Multicast, n.Endpoints)
	}
	tw.Flush()
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// netName is the network's Docker name, or its short ID while the name is unknown.
func netName(n api.Network) string {
	if n.Name != "" {
		return n.Name
	}
	return shortID(n.ID)
}

func storeLine(st api.Store) string {
	if st.Error != "" {
		return st.State + ", " + st.Error
	}
	leader := st.Leader
	if leader == "" {
		leader = "none yet"
	}
	return fmt.Sprintf("%s, leader %s, %d voters, index %d, etcd v2 API on %s", st.State,
		leader, len(st.Voters), st.Index, st.Addr)
}

func printStore(w io.Writer, s api.Status) {
	st := s.Store
	row := func(k, v string) { fmt.Fprintf(w, "%12s: %s\n", k, v) }
	row("State", st.State)
	row("Leader", st.Leader)
	row("Term", fmt.Sprint(st.Term))
	row("Voters", strings.Join(st.Voters, " "))
	row("Non-voters", strings.Join(st.NonVoters, " "))
	row("Applied", fmt.Sprintf("raft index %d, store index %d", st.RaftIndex, st.Index))
	row("Raft log", st.RaftLog)
	row("API", "etcd v2 on "+st.Addr)
	if st.Error != "" {
		row("Error", st.Error)
	}
}
