package fsm

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// model is a naive tree: a map from key to node, with no index structure,
// written from etcd's documented behaviour. The property test checks the
// bbolt tree against it.
type model struct {
	nodes map[string]*mnode
	index uint64
}

type mnode struct {
	dir               bool
	value             string
	created, modified uint64
	expire            int64
}

func newModel() *model { return &model{nodes: map[string]*mnode{"/": {dir: true}}} }

// walk mirrors a read: the first missing segment or a file on the way.
func (m *model) walk(key string) (*mnode, *Error) {
	for _, p := range append(ancestors(key), key) {
		n := m.nodes[p]
		if n == nil {
			return nil, NewError(CodeKeyNotFound, p, m.index)
		}
		if p != key && !n.dir {
			return nil, NewError(CodeNotDir, p, m.index)
		}
	}
	return m.nodes[key], nil
}

// drop removes key and everything below it.
func (m *model) drop(key string) {
	for k := range m.nodes {
		if k != "/" && under(k, key) {
			delete(m.nodes, k)
		}
	}
}

// apply returns a compact description of the outcome: the error code and
// cause, or the actions and keys of the events.
func (m *model) apply(c *Command) string {
	if c.Op == OpExpire {
		var due []string
		for k, n := range m.nodes {
			if n.expire != 0 && n.expire <= c.Time {
				due = append(due, k)
			}
		}
		sort.Slice(due, func(i, j int) bool {
			a, b := m.nodes[due[i]], m.nodes[due[j]]
			return a.expire < b.expire || a.expire == b.expire && due[i] < due[j]
		})
		var out []string
		for _, k := range due {
			if m.nodes[k] != nil {
				m.index++
				m.drop(k)
				out = append(out, fmt.Sprintf("expire %s %d", k, m.index))
			}
		}
		return strings.Join(out, ",")
	}
	if c.Key == "/" {
		return fmt.Sprint(NewError(CodeRootReadOnly, "/", m.index))
	}
	n, err := m.walk(c.Key)
	exists := err == nil
	if err != nil && (err.Code != CodeKeyNotFound || c.Op == OpUpdate ||
		c.Op == OpCompareAndSwap || c.Op == OpDelete || c.Op == OpCompareAndDelete ||
		(c.Op == OpSet && c.Refresh)) && c.Op != OpCreateInOrder {
		if c.Op != OpCreate || err.Code != CodeKeyNotFound {
			return fmt.Sprint(err)
		}
	}
	key, action := c.Key, ""
	switch c.Op {
	case OpSet, OpCreate, OpCreateInOrder:
		action = ActionSet
		if c.Op == OpCreateInOrder {
			key = join(c.Key, fmt.Sprintf("%020d", m.index+1))
		}
		if c.Op != OpSet {
			action = ActionCreate
		}
		for _, p := range ancestors(key) {
			if a := m.nodes[p]; a != nil && !a.dir {
				return fmt.Sprint(NewError(CodeNotDir, p, m.index))
			}
		}
		if cur := m.nodes[key]; cur != nil && (c.Op != OpSet || cur.dir) {
			if cur.dir && c.Op == OpSet {
				return fmt.Sprint(NewError(CodeNotFile, key, m.index))
			}
			return fmt.Sprint(NewError(CodeNodeExist, key, m.index))
		}
		m.index++
		for _, p := range ancestors(key) {
			if m.nodes[p] == nil {
				m.nodes[p] = &mnode{dir: true, created: m.index, modified: m.index}
			}
		}
		v := c.Value
		if c.Refresh && exists {
			v = n.value
		}
		if c.Dir {
			v = ""
		}
		m.nodes[key] = &mnode{dir: c.Dir, value: v, created: m.index, modified: m.index,
			expire: c.expiration()}
	case OpUpdate, OpCompareAndSwap:
		action = string(c.Op)
		if n.dir && (c.Op == OpCompareAndSwap || c.Value != "") {
			return fmt.Sprint(NewError(CodeNotFile, key, m.index))
		}
		if cause, ok := compare(&record{value: n.value, modified: n.modified},
			c.PrevValue, c.PrevIndex); !ok {
			return fmt.Sprint(NewError(CodeTestFailed, cause, m.index))
		}
		m.index++
		n.modified, n.expire = m.index, c.expiration()
		if !n.dir && !c.Refresh {
			n.value = c.Value
		}
	case OpDelete, OpCompareAndDelete:
		action = string(c.Op)
		if n.dir && (c.Op == OpCompareAndDelete || !c.Dir && !c.Recursive) {
			return fmt.Sprint(NewError(CodeNotFile, key, m.index))
		}
		if c.Op == OpCompareAndDelete {
			if cause, ok := compare(&record{value: n.value, modified: n.modified},
				c.PrevValue, c.PrevIndex); !ok {
				return fmt.Sprint(NewError(CodeTestFailed, cause, m.index))
			}
		}
		if n.dir && !c.Recursive {
			for k := range m.nodes {
				if k != key && under(k, key) {
					return fmt.Sprint(NewError(CodeDirNotEmpty, key, m.index))
				}
			}
		}
		m.index++
		m.drop(key)
	}
	return fmt.Sprintf("%s %s %d", action, key, m.index)
}

// render lists every node below the root with its fields, in key order.
func (m *model) render() string {
	var keys []string
	for k := range m.nodes {
		if k != "/" && !isHidden("/", k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		n := m.nodes[k]
		fmt.Fprintf(&b, "%s dir=%v v=%q %d/%d e=%d\n",
			k, n.dir, n.value, n.created, n.modified, n.expire)
	}
	return b.String()
}

// renderTree lists the bbolt tree the same way, from a recursive Get.
func renderTree(t *rapid.T, f *FSM) string {
	res, err := f.Get("/", true, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(n *Node)
	walk = func(n *Node) {
		for _, c := range n.Nodes {
			v, e := "", int64(0)
			if c.Value != nil {
				v = *c.Value
			}
			if c.Expiration != nil {
				e = c.Expiration.UnixNano()
			}
			fmt.Fprintf(&b, "%s dir=%v v=%q %d/%d e=%d\n", c.Key, c.Dir, v, c.CreatedIndex,
				c.ModifiedIndex, e)
			walk(c)
		}
	}
	walk(res.Event.Node)
	return b.String()
}

// describe gives the same compact outcome for a Result as model.apply.
func describe(r Result) string {
	if r.Err != nil {
		return fmt.Sprint(r.Err)
	}
	var out []string
	for _, e := range r.Events {
		out = append(out, fmt.Sprintf("%s %s %d", e.Action, e.Node.Key, e.Index()))
	}
	return strings.Join(out, ",")
}

// genCommand draws a command over a small key space, so that commands
// collide: files under files, directories replaced, compares that match.
func genCommand(t *rapid.T, now int64, index uint64) Command {
	keys := []string{"/a", "/a/b", "/a/b/c", "/b", "/a/c", "/a/_h", "/q"}
	ops := []Op{OpSet, OpSet, OpCreate, OpCreateInOrder, OpUpdate, OpCompareAndSwap,
		OpDelete, OpCompareAndDelete, OpExpire}
	c := Command{
		Op:   rapid.SampledFrom(ops).Draw(t, "op"),
		Key:  rapid.SampledFrom(keys).Draw(t, "key"),
		Time: now,
	}
	c.Dir = rapid.Bool().Draw(t, "dir") && (c.Op == OpSet || c.Op == OpCreate || c.Op == OpDelete)
	if !c.Dir {
		c.Value = rapid.SampledFrom([]string{"", "x", "y"}).Draw(t, "value")
	}
	if rapid.IntRange(0, 3).Draw(t, "ttl") == 0 {
		c.TTL = ttl(rapid.Int64Range(0, 4).Draw(t, "seconds"))
		c.Refresh = c.Op != OpCreate && c.Op != OpCreateInOrder && c.Op != OpDelete &&
			c.Op != OpCompareAndDelete && rapid.Bool().Draw(t, "refresh")
		if c.Refresh {
			c.Value = ""
		}
	}
	c.Recursive = c.Op == OpDelete && rapid.Bool().Draw(t, "recursive")
	if c.Op == OpCompareAndSwap || c.Op == OpCompareAndDelete {
		c.PrevValue = rapid.SampledFrom([]string{"", "x", "y"}).Draw(t, "prevValue")
		if c.PrevValue == "" || rapid.Bool().Draw(t, "withIndex") {
			c.PrevIndex = rapid.Uint64Range(1, index+1).Draw(t, "prevIndex")
		}
	}
	return c
}

// TestAgainstModel applies random command sequences to the bbolt tree and
// to the naive model and requires the same outcome at every step and the
// same tree after it, plus a snapshot round trip at the end. rapid prints
// the seed of a failing run; rerun it with -rapid.seed=N.
func TestAgainstModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f, err := Open(t.TempDir() + "/tree.db")
		if err != nil {
			rt.Fatal(err)
		}
		defer f.Close()
		m := newModel()
		now := int64(1e9)
		steps := rapid.IntRange(1, 60).Draw(rt, "steps")
		for i := range steps {
			now += rapid.Int64Range(0, 2e9).Draw(rt, "advance")
			c := genCommand(rt, now, m.index)
			want := m.apply(&c)
			got := describe(f.Apply(uint64(i+1), &c))
			if got != want {
				rt.Fatalf("step %d %+v:\n got %s\nwant %s", i, c, got, want)
			}
			if g, w := renderTree(rt, f), m.render(); g != w {
				rt.Fatalf("step %d %+v: tree\n%s\nmodel\n%s", i, c, g, w)
			}
			if f.Index() != m.index {
				rt.Fatalf("step %d: index %d, model %d", i, f.Index(), m.index)
			}
		}
		checkRestoredCopy(rt, f, t.TempDir())
	})
}

// checkRestoredCopy restores a snapshot of f into a fresh tree and requires the
// same contents and indexes.
func checkRestoredCopy(rt *rapid.T, f *FSM, dir string) {
	snap, err := f.Snapshot()
	if err != nil {
		rt.Fatal(err)
	}
	defer snap.Release()
	var buf bytes.Buffer
	if _, err := snap.WriteTo(&buf); err != nil {
		rt.Fatal(err)
	}
	g, err := Open(dir + "/copy.db")
	if err != nil {
		rt.Fatal(err)
	}
	defer g.Close()
	if err := g.Restore(&buf); err != nil {
		rt.Fatal(err)
	}
	if renderTree(rt, g) != renderTree(rt, f) || g.Index() != f.Index() ||
		g.Applied() != f.Applied() {
		rt.Fatalf("restored copy differs from the tree")
	}
}
