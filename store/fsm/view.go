package fsm

import "sort"

// view renders the record at key as etcd shows it at time now. For a
// directory, withChildren adds the children (hidden ones left out) and
// recursive descends into theirs; sorted orders every listing by key.
func (t tree) view(key string, r *record, now int64,
	withChildren, recursive, sorted bool) (*Node, error) {
	n := &Node{Key: key, ModifiedIndex: r.modified, CreatedIndex: r.created}
	if key == "/" {
		n.Key = ""
	}
	n.Expiration, n.TTL = ttlOf(r.expire, now)
	if !r.dir {
		v := r.value
		n.Value = &v
		return n, nil
	}
	n.Dir = true
	if !withChildren {
		return n, nil
	}
	kids, err := t.children(key)
	if err != nil {
		return nil, err
	}
	for _, c := range kids {
		if isHidden(key, c.key) {
			continue
		}
		cn, err := t.view(c.key, c.rec, now, recursive, recursive, sorted)
		if err != nil {
			return nil, err
		}
		n.Nodes = append(n.Nodes, cn)
	}
	if sorted {
		sort.Slice(n.Nodes, func(i, j int) bool { return n.Nodes[i].Key < n.Nodes[j].Key })
	}
	return n, nil
}

// brief renders a node without children, as the prevNode of a change and
// the node of a delete show it.
func (t tree) brief(key string, r *record, now int64) *Node {
	n, _ := t.view(key, r, now, false, false, false)
	return n
}
