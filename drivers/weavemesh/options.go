package weavemesh

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

const (
	// OptionPrefix starts every driver option this project reads.
	OptionPrefix = "works.weave."
	// OptionMulticast, when true, makes Join add a 224.0.0.0/4 route to the interface.
	OptionMulticast = OptionPrefix + "multicast"
	// genericOptions is the key under which Docker passes `docker network create -o`.
	genericOptions = "com.docker.network.generic"
)

// NetworkOptions are a network's settings from `docker network create -o`.
type NetworkOptions struct {
	Multicast bool
}

// ParseNetworkOptions reads the generic options of a CreateNetwork request. Options outside
// works.weave.* belong to others and are ignored; an unknown works.weave.* option or a bad
// value is an error that names it.
func ParseNetworkOptions(opts map[string]any) (NetworkOptions, error) {
	var out NetworkOptions
	raw, ok := opts[genericOptions]
	if !ok || raw == nil {
		return out, nil
	}
	generic, ok := raw.(map[string]any)
	if !ok {
		return out, fmt.Errorf("network options must be a map of strings, not %T", raw)
	}

	keys := make([]string, 0, len(generic))
	for k := range generic {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, OptionPrefix) {
			continue
		}
		switch k {
		case OptionMulticast:
			v, err := parseBool(generic[k])
			if err != nil {
				return out, fmt.Errorf("option %s: %w", k, err)
			}
			out.Multicast = v
		default:
			return out, fmt.Errorf("unknown option %s: the weavemesh driver knows only %s",
				k, OptionMulticast)
		}
	}
	return out, nil
}

func parseBool(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		if b == "" {
			return true, nil
		}
		r, err := strconv.ParseBool(b)
		if err != nil {
			return false, fmt.Errorf("%q is not true or false", b)
		}
		return r, nil
	default:
		return false, fmt.Errorf("value %v is not true or false", v)
	}
}
