package fsm

import (
	"bytes"
	"encoding/binary"
)

// delete removes a file, or a directory when Dir or Recursive says so; a
// directory with children needs Recursive.
func (a *applier) delete() error {
	c := a.cmd
	old, err := a.t.walk(c.Key, a.index)
	if err != nil {
		return err
	}
	if old.dir && !c.Dir && !c.Recursive {
		return NewError(CodeNotFile, c.Key, a.index)
	}
	if old.dir && !c.Recursive {
		kids, err := a.t.children(c.Key)
		if err != nil {
			return err
		}
		if len(kids) > 0 {
			return NewError(CodeDirNotEmpty, c.Key, a.index)
		}
	}
	return a.drop(c.Key, old, ActionDelete)
}

// compareAndDelete removes a file whose value and index match the command.
func (a *applier) compareAndDelete() error {
	old, err := a.matchingFile()
	if err != nil {
		return err
	}
	return a.drop(a.cmd.Key, old, ActionCompareAndDelete)
}

// drop removes the node at key and everything below it as one event.
func (a *applier) drop(key string, old *record, action string) error {
	next := a.index + 1
	e := &Event{
		Action:   action,
		Node:     &Node{Key: key, Dir: old.dir, ModifiedIndex: next, CreatedIndex: old.created},
		PrevNode: a.t.brief(key, old, a.cmd.Time),
	}
	if err := a.t.remove(key, old); err != nil {
		return err
	}
	a.index = next
	a.emit(e)
	return nil
}

// expire removes every node whose expiration is at or before the command's
// time, earliest first (by key among equals), each as its own event. A
// node inside a directory that expired first is gone with it.
func (a *applier) expire() error {
	type due struct {
		at  int64
		key string
	}
	var list []due
	c := a.t.tx.Bucket(bucketTTL).Cursor()
	limit := binary.BigEndian.AppendUint64(nil, uint64(a.cmd.Time))
	for k, _ := c.First(); k != nil && bytes.Compare(k[:8], limit) <= 0; k, _ = c.Next() {
		list = append(list, due{at: int64(binary.BigEndian.Uint64(k)), key: string(k[8:])})
	}
	for _, d := range list {
		r, err := a.t.lookup(d.key)
		if err != nil {
			return err
		}
		if r == nil || r.expire != d.at {
			continue
		}
		if err := a.drop(d.key, r, ActionExpire); err != nil {
			return err
		}
	}
	return nil
}
