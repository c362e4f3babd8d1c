package harness

import (
	"context"
	"regexp"
	"strings"
)

// lifetimeRE matches the address lifetimes of `ip addr`, which count down
// for addresses that are not permanent.
var lifetimeRE = regexp.MustCompile(`\s*(valid|preferred)_lft \S+`)

// RootNetSnapshot returns the link names, addresses and routes (IPv4 and
// IPv6, all tables) of the namespace the test runs in, the machine's own, as
// text that two calls give equal when nothing changed. A test compares a
// snapshot taken before a run with one taken after it.
func RootNetSnapshot(ctx context.Context) (string, error) {
	var b strings.Builder
	links, err := run(ctx, nil, ipBin, "-o", "link", "show")
	if err != nil {
		return "", err
	}
	b.WriteString("# links\n")
	for _, l := range strings.Split(strings.TrimSpace(links), "\n") {
		if f := strings.Fields(l); len(f) > 1 {
			b.WriteString(f[1] + "\n")
		}
	}
	for _, args := range [][]string{
		{"-o", "addr", "show"},
		{"-4", "route", "show", "table", "all"},
		{"-6", "route", "show", "table", "all"},
	} {
		out, err := run(ctx, nil, ipBin, args...)
		if err != nil {
			return "", err
		}
		b.WriteString("# ip " + strings.Join(args, " ") + "\n")
		b.WriteString(lifetimeRE.ReplaceAllString(out, ""))
	}
	return b.String(), nil
}
