package fsm

import "time"

// The actions an Event reports, as etcd names them.
const (
	ActionGet              = "get"
	ActionSet              = "set"
	ActionCreate           = "create"
	ActionUpdate           = "update"
	ActionCompareAndSwap   = "compareAndSwap"
	ActionDelete           = "delete"
	ActionCompareAndDelete = "compareAndDelete"
	ActionExpire           = "expire"
)

// Node is a node as etcd shows it. Key is empty for the root. Value is nil
// for a directory and for the node of a delete or expire event. Nodes holds
// a directory's children when they were asked for. Expiration and TTL are
// set for a node with a TTL; TTL is the whole seconds left, rounded up.
type Node struct {
	Key           string     `json:"key,omitempty"`
	Value         *string    `json:"value,omitempty"`
	Dir           bool       `json:"dir,omitempty"`
	Expiration    *time.Time `json:"expiration,omitempty"`
	TTL           int64      `json:"ttl,omitempty"`
	Nodes         []*Node    `json:"nodes,omitempty"`
	ModifiedIndex uint64     `json:"modifiedIndex,omitempty"`
	CreatedIndex  uint64     `json:"createdIndex,omitempty"`
}

// Event is what a read returned or a change did: the action, the node after
// it and, for a change to an existing node, the node before it. Refresh
// marks a TTL refresh, which is kept in the history but not sent to
// watchers.
type Event struct {
	Action   string `json:"action"`
	Node     *Node  `json:"node,omitempty"`
	PrevNode *Node  `json:"prevNode,omitempty"`
	Refresh  bool   `json:"-"`
}

// Index returns the store index of a change: the index its node was
// modified at.
func (e *Event) Index() uint64 {
	return e.Node.ModifiedIndex
}

// Matches reports whether a watch on key (recursive or not) sees the event:
// the event is at key; or below key for a recursive watch, unless a hidden
// segment lies between; or it deleted or expired a directory holding key.
func (e *Event) Matches(key string, recursive bool) bool {
	if e.Refresh {
		return false
	}
	k := e.Node.Key
	if k == "" {
		k = "/"
	}
	if k == key {
		return true
	}
	if recursive && under(k, key) && !isHidden(key, k) {
		return true
	}
	removed := e.Action == ActionDelete || e.Action == ActionExpire
	return removed && e.PrevNode != nil && e.PrevNode.Dir && under(key, k)
}

// ttlOf returns the expiration and the seconds left at now, both in the
// shape etcd shows, for a node expiring at expire (Unix nanoseconds).
func ttlOf(expire, now int64) (*time.Time, int64) {
	if expire == 0 {
		return nil, 0
	}
	left := expire - now
	ttl := left / int64(time.Second)
	if left%int64(time.Second) > 0 {
		ttl++
	}
	t := time.Unix(0, expire).UTC()
	return &t, ttl
}

// Result is what applying a Command did: the events, in index order (none
// for a failure or a no-op), the store index afterwards, and the etcd
// error the command failed with. Skipped says the entry was applied
// before, as happens when Raft replays a log over a persistent tree.
type Result struct {
	Events  []*Event
	Index   uint64
	Err     *Error
	Skipped bool
}

// Event returns the first event, or nil.
func (r *Result) Event() *Event {
	if len(r.Events) == 0 {
		return nil
	}
	return r.Events[0]
}
