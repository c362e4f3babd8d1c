package ipam

import (
	"fmt"
	"strconv"
	"strings"
)

// The modes of Init.
const (
	// InitSeed divides the range between named peers, with no network
	// needed: every seed computes the same ring.
	InitSeed = "seed"
	// InitConsensus has the first allocation wait until a majority of the
	// Quorum initial peers agree, by Paxos, on the peers to divide between.
	InitConsensus = "consensus"
	// InitObserver owns nothing until another peer donates space; it takes
	// the ring from the first peer it hears.
	InitObserver = "observer"
)

// maxQuorum bounds consensus=N: far above any cluster started at once, and
// low enough that a typing slip is caught.
const maxQuorum = 1000

// Init says how the range is first divided (--ipalloc-init). The zero Init is
// seed mode with Self alone: a one-peer cluster.
type Init struct {
	// Mode is InitSeed, InitConsensus or InitObserver; empty means InitSeed.
	Mode string
	// Seeds names the peers of InitSeed; empty means Self alone.
	Seeds []string
	// Quorum is the N of InitConsensus: how many peers are started with
	// consensus=N. A majority of them must meet before the first allocation.
	Quorum int
}

// ParseInit reads the text of --ipalloc-init: "seed=NAME,NAME,...",
// "consensus=N" or "observer". The empty string is the zero Init. Errors
// name the input and wrap ErrBadInit.
func ParseInit(s string) (Init, error) {
	if s == "" {
		return Init{}, nil
	}
	bad := func(format string, args ...any) (Init, error) {
		return Init{}, fmt.Errorf("ipalloc-init %q: %s: %w", s, fmt.Sprintf(format, args...),
			ErrBadInit)
	}
	mode, arg, hasArg := strings.Cut(s, "=")
	switch mode {
	case InitSeed:
		var seeds []string
		for _, n := range strings.Split(arg, ",") {
			if n = strings.TrimSpace(n); n == "" {
				continue
			}
			if err := checkName(n); err != nil {
				return bad("seed %q: %v", n, err)
			}
			seeds = append(seeds, n)
		}
		if len(seeds) == 0 {
			return bad("seed= needs at least one peer name, as seed=peer-1,peer-2")
		}
		return Init{Mode: InitSeed, Seeds: seeds}, nil
	case InitConsensus:
		n, err := strconv.Atoi(arg)
		if !hasArg || err != nil || n < 1 || n > maxQuorum {
			return bad("give the number of peers started together, 1 to %d, as consensus=3",
				maxQuorum)
		}
		return Init{Mode: InitConsensus, Quorum: n}, nil
	case InitObserver:
		if hasArg {
			return bad("observer takes no value")
		}
		return Init{Mode: InitObserver}, nil
	}
	return bad("unknown mode %q; use seed=NAME,..., consensus=N or observer", mode)
}

// String returns the Init as ParseInit reads it.
func (in Init) String() string {
	switch in.Mode {
	case InitSeed:
		return InitSeed + "=" + strings.Join(in.Seeds, ",")
	case InitConsensus:
		return fmt.Sprintf("%s=%d", InitConsensus, in.Quorum)
	case InitObserver:
		return InitObserver
	case "":
		if len(in.Seeds) > 0 {
			return InitSeed + "=" + strings.Join(in.Seeds, ",")
		}
		return ""
	}
	return in.Mode
}

// validate names the first field of in that cannot work.
func (in Init) validate() error {
	switch in.Mode {
	case "", InitSeed:
		for i, s := range in.Seeds {
			if err := checkName(s); err != nil {
				return fmt.Errorf("Init.Seeds[%d] %q: %w", i, s, err)
			}
		}
	case InitConsensus:
		if in.Quorum < 1 || in.Quorum > maxQuorum {
			return fmt.Errorf("Init.Quorum %d: want 1 to %d", in.Quorum, maxQuorum)
		}
		if len(in.Seeds) > 0 {
			return fmt.Errorf("Init.Seeds %v: consensus mode takes no seeds", in.Seeds)
		}
	case InitObserver:
		if len(in.Seeds) > 0 || in.Quorum != 0 {
			return fmt.Errorf("Init.Seeds %v, Init.Quorum %d: observer mode takes neither",
				in.Seeds, in.Quorum)
		}
	default:
		return fmt.Errorf("Init.Mode %q: want %q, %q or %q", in.Mode, InitSeed, InitConsensus,
			InitObserver)
	}
	return nil
}
