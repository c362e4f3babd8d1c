package fsm

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// storedEvent is an event as trees written before the binary form kept
// it in the history bucket, as JSON; Refresh is not part of the client's
// JSON, so it travels beside the event. Such entries still decode.
type storedEvent struct {
	Event   *Event `json:"e"`
	Refresh bool   `json:"r,omitempty"`
}

// eventBinary is the first byte of a history entry in the binary form
// (wire.go); a JSON entry starts with '{'.
const eventBinary = 1

// decodeStored reads a history entry in either form.
func decodeStored(v []byte) (*Event, error) {
	if len(v) > 0 && v[0] == eventBinary {
		d := NewDecoder(v[1:])
		e := d.Event()
		return e, d.Finish()
	}
	var se storedEvent
	if err := json.Unmarshal(v, &se); err != nil {
		return nil, err
	}
	if se.Event == nil {
		return nil, fmt.Errorf("history entry without an event")
	}
	se.Event.Refresh = se.Refresh
	return se.Event, nil
}

// historySlack is how many events beyond HistorySize the bucket may hold
// before record trims it: trimming in bulk rewrites the bucket's oldest
// page once per historySlack events, not on every commit. Watches see
// exactly the last HistorySize (oldestEvent), whatever the bucket holds.
const historySlack = 256

// record appends events to the history, keyed by their index, and drops
// what falls out of the last HistorySize indexes once historySlack of
// them have.
func (t tree) record(events []*Event) error {
	if len(events) == 0 {
		return nil
	}
	b := t.tx.Bucket(bucketHistory)
	for _, e := range events {
		v := AppendEvent([]byte{eventBinary}, e)
		if err := b.Put(u64(e.Index()), v); err != nil {
			return fmt.Errorf("store event %d: %w", e.Index(), err)
		}
	}
	last := events[len(events)-1].Index()
	if last <= HistorySize {
		return nil
	}
	oldest := last - HistorySize + 1
	c := b.Cursor()
	if k, _ := c.First(); k == nil || binary.BigEndian.Uint64(k)+historySlack >= oldest {
		return nil
	}
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) < oldest; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return fmt.Errorf("trim history: %w", err)
		}
	}
	return nil
}

// oldestEvent returns the lowest index the history holds: the first index
// a watch may start from.
func oldestEvent(index uint64) uint64 {
	if index < HistorySize {
		return 1
	}
	return index - HistorySize + 1
}

// WatchStart is what a watch finds when it starts: the store index, and
// the first past event it wants (nil when it must wait for a new one).
type WatchStart struct {
	Index uint64
	Event *Event
}

// History looks for the first event at or after since that a watch on key
// sees. since 0 means the next index. An index older than the kept
// history fails with CodeEventIndexCleared.
func (f *FSM) History(key string, recursive bool, since uint64) (WatchStart, error) {
	var ws WatchStart
	if err := checkRooted(key); err != nil {
		return ws, err
	}
	err := f.view(func(t tree) error {
		ws.Index = t.counter(metaIndex)
		if since == 0 || since > ws.Index {
			return nil
		}
		if start := oldestEvent(ws.Index); since < start {
			cause := fmt.Sprintf("the requested history has been cleared [%d/%d]", start, since)
			return NewError(CodeEventIndexCleared, cause, ws.Index)
		}
		c := t.tx.Bucket(bucketHistory).Cursor()
		for k, v := c.Seek(u64(since)); k != nil; k, v = c.Next() {
			e, err := decodeStored(v)
			if err != nil {
				return fmt.Errorf("decode event %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if e.Matches(key, recursive) {
				ws.Event = e
				return nil
			}
		}
		return nil
	})
	return ws, err
}

// NextExpiry returns the earliest expiration in the tree (Unix
// nanoseconds), and false when no node has a TTL.
func (f *FSM) NextExpiry() (int64, bool) {
	var at int64
	var ok bool
	_ = f.view(func(t tree) error {
		k, _ := t.tx.Bucket(bucketTTL).Cursor().First()
		if len(k) >= 8 {
			at, ok = int64(binary.BigEndian.Uint64(k)), true
		}
		return nil
	})
	return at, ok
}
