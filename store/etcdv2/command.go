package etcdv2

import "weave.works/weave/store/fsm"

// command turns a write request into the command etcd's server would
// apply for it: prevExist picks create or update (compare-and-swap when a
// compare is given too), a compare alone means compare-and-swap, and a
// plain PUT is a set. DELETE with a compare is compare-and-delete. POST
// makes an in-order key.
func (q *request) command() *fsm.Command {
	c := &fsm.Command{Key: q.Key, Value: q.Value, Dir: q.Dir, TTL: q.TTL, Refresh: q.Refresh,
		PrevValue: q.PrevValue, PrevIndex: q.PrevIndex, Recursive: q.Recursive}
	compare := q.PrevIndex > 0 || q.PrevValue != ""
	switch q.Method {
	case "POST":
		c.Op = fsm.OpCreateInOrder
	case "DELETE":
		c.Op = fsm.OpDelete
		if compare {
			c.Op = fsm.OpCompareAndDelete
		}
		c.Value, c.TTL, c.Refresh = "", nil, false
		return c
	case "PUT":
		switch {
		case q.PrevExist != nil && *q.PrevExist && !compare:
			c.Op = fsm.OpUpdate
		case q.PrevExist != nil && !*q.PrevExist:
			c.Op = fsm.OpCreate
		case compare:
			c.Op = fsm.OpCompareAndSwap
		default:
			c.Op = fsm.OpSet
		}
	}
	if c.Op != fsm.OpCompareAndSwap && c.Op != fsm.OpCompareAndDelete {
		c.PrevValue, c.PrevIndex = "", 0
	}
	if c.Dir && (c.Op == fsm.OpSet || c.Op == fsm.OpCreate || c.Op == fsm.OpCreateInOrder) {
		c.Value = ""
	}
	c.Recursive = false
	return c
}
