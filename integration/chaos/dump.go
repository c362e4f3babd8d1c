package chaos

import (
	"context"
	"fmt"
	"sort"
	"strings"

	etcd "go.etcd.io/etcd/client/v2"
)

// Entry is one node of a replica's tree, without what differs between
// replicas by design (the seconds a TTL has left).
type Entry struct {
	Key      string `json:"key"`
	Dir      bool   `json:"dir,omitempty"`
	Value    string `json:"value,omitempty"`
	Created  uint64 `json:"created"`
	Modified uint64 `json:"modified"`
}

// Dump is a replica's whole tree as its own face serves it, read without
// quorum, and the etcd index the answer carried.
type Dump struct {
	Index   uint64  `json:"index"`
	Entries []Entry `json:"entries"`
}

// dump reads the whole tree from c.Endpoint with a plain read.
func dump(ctx context.Context, c Config, kv etcd.KeysAPI) (Dump, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	resp, err := kv.Get(ctx, "/", &etcd.GetOptions{Recursive: true, Sort: true})
	if err != nil {
		return Dump{}, fmt.Errorf("chaos: read the tree at %s: %w", c.Endpoint, err)
	}
	d := Dump{Index: resp.Index}
	var walk func(n *etcd.Node)
	walk = func(n *etcd.Node) {
		if n.Key != "" && n.Key != "/" {
			d.Entries = append(d.Entries, Entry{Key: n.Key, Dir: n.Dir, Value: n.Value,
				Created: n.CreatedIndex, Modified: n.ModifiedIndex})
		}
		for _, ch := range n.Nodes {
			walk(ch)
		}
	}
	walk(resp.Node)
	sort.Slice(d.Entries, func(i, j int) bool { return d.Entries[i].Key < d.Entries[j].Key })
	return d, nil
}

// Diff returns the differences between two dumps, a line each, at most
// limit lines; none means the trees are identical.
func Diff(a, b Dump, limit int) []string {
	var out []string
	add := func(format string, args ...any) {
		if len(out) < limit {
			out = append(out, fmt.Sprintf(format, args...))
		}
	}
	i, j := 0, 0
	for i < len(a.Entries) || j < len(b.Entries) {
		switch {
		case j >= len(b.Entries) || i < len(a.Entries) && a.Entries[i].Key < b.Entries[j].Key:
			add("only in the first: %+v", a.Entries[i])
			i++
		case i >= len(a.Entries) || b.Entries[j].Key < a.Entries[i].Key:
			add("only in the second: %+v", b.Entries[j])
			j++
		default:
			if a.Entries[i] != b.Entries[j] {
				add("%s: %+v against %+v", a.Entries[i].Key, a.Entries[i], b.Entries[j])
			}
			i++
			j++
		}
	}
	return out
}

// Under returns the entries of d whose key is below prefix.
func (d Dump) Under(prefix string) []Entry {
	var out []Entry
	for _, e := range d.Entries {
		if strings.HasPrefix(e.Key, prefix+"/") {
			out = append(out, e)
		}
	}
	return out
}
