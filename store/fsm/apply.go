package fsm

import "fmt"

// applier runs one command inside a write transaction. index is the store
// index, advanced by one for every event; events collects what happened.
type applier struct {
	t      tree
	cmd    *Command
	index  uint64
	events []*Event
}

// run dispatches on the operation.
func (a *applier) run() error {
	c := a.cmd
	if c.Op != OpNoop && c.Op != OpExpire && c.Key == "/" {
		return NewError(CodeRootReadOnly, "/", a.index)
	}
	switch c.Op {
	case OpNoop:
		return nil
	case OpSet:
		return a.set()
	case OpCreate:
		return a.create(c.Key, ActionCreate, nil, false)
	case OpCreateInOrder:
		return a.createInOrder()
	case OpUpdate:
		return a.update()
	case OpCompareAndSwap:
		return a.compareAndSwap()
	case OpDelete:
		return a.delete()
	case OpCompareAndDelete:
		return a.compareAndDelete()
	case OpExpire:
		return a.expire()
	}
	return fmt.Errorf("apply: unknown operation %q", c.Op)
}

// emit records an event at the next index.
func (a *applier) emit(e *Event) {
	a.events = append(a.events, e)
}

// set writes key whatever is there, unless a directory is. A refresh keeps
// the old value and needs the key to exist.
func (a *applier) set() error {
	c := a.cmd
	old, err := a.t.walk(c.Key, a.index)
	if err != nil && !HasCode(err, CodeKeyNotFound) {
		return err
	}
	if old == nil && c.Refresh {
		return err
	}
	if old != nil && old.dir {
		return NewError(CodeNotFile, c.Key, a.index)
	}
	return a.create(c.Key, ActionSet, old, true)
}

// create makes a file or directory at key. With replace, the caller has
// looked key up and found old (a file, or nil for nothing), which the new
// node replaces; without it, an existing node fails the create.
func (a *applier) create(key, action string, old *record, replace bool) error {
	c := a.cmd
	next := a.index + 1
	if err := a.t.mkdirs(key, next, a.index); err != nil {
		return err
	}
	if !replace {
		cur, err := a.t.lookup(key)
		if err != nil {
			return err
		}
		if cur != nil {
			return NewError(CodeNodeExist, key, a.index)
		}
	}
	r := &record{dir: c.Dir, created: next, modified: next, expire: c.expiration()}
	if !c.Dir {
		r.value = c.Value
		if c.Refresh && old != nil {
			r.value = old.value
		}
	}
	e := &Event{Action: action, Refresh: c.Refresh}
	if old != nil {
		e.PrevNode = a.t.brief(key, old, c.Time)
	}
	if err := a.t.put(key, r, old); err != nil {
		return err
	}
	e.Node = a.t.brief(key, r, c.Time)
	a.index = next
	a.emit(e)
	return nil
}

// createInOrder makes a file below the directory Key whose name is the new
// index, zero-padded to 20 digits so that names sort in creation order.
func (a *applier) createInOrder() error {
	key := join(a.cmd.Key, fmt.Sprintf("%020d", a.index+1))
	return a.create(key, ActionCreate, nil, false)
}

// update rewrites an existing node: a file's value, or a directory's TTL.
func (a *applier) update() error {
	c := a.cmd
	old, err := a.t.walk(c.Key, a.index)
	if err != nil {
		return err
	}
	if old.dir && c.Value != "" {
		return NewError(CodeNotFile, c.Key, a.index)
	}
	return a.rewrite(ActionUpdate, old)
}

// compareAndSwap rewrites a file whose value and index match the command.
func (a *applier) compareAndSwap() error {
	old, err := a.matchingFile()
	if err != nil {
		return err
	}
	return a.rewrite(ActionCompareAndSwap, old)
}

// matchingFile returns the command's key when it is a file whose value and index match the
// command's prevValue and prevIndex: the test of compareAndSwap and compareAndDelete.
func (a *applier) matchingFile() (*record, error) {
	c := a.cmd
	old, err := a.t.walk(c.Key, a.index)
	if err != nil {
		return nil, err
	}
	if old.dir {
		return nil, NewError(CodeNotFile, c.Key, a.index)
	}
	if cause, ok := compare(old, c.PrevValue, c.PrevIndex); !ok {
		return nil, NewError(CodeTestFailed, cause, a.index)
	}
	return old, nil
}

// rewrite changes old in place: same created index, new modified index,
// the command's value (the old one on a refresh) and TTL.
func (a *applier) rewrite(action string, old *record) error {
	c := a.cmd
	next := a.index + 1
	r := *old
	r.modified = next
	r.expire = c.expiration()
	if !r.dir && !c.Refresh {
		r.value = c.Value
	}
	e := &Event{Action: action, PrevNode: a.t.brief(c.Key, old, c.Time), Refresh: c.Refresh}
	if err := a.t.put(c.Key, &r, old); err != nil {
		return err
	}
	e.Node = a.t.brief(c.Key, &r, c.Time)
	a.index = next
	a.emit(e)
	return nil
}

// compare checks a node against prevValue and prevIndex (each ignored when
// empty or 0) and words a failure as etcd does.
func compare(r *record, prevValue string, prevIndex uint64) (string, bool) {
	valueOK := prevValue == "" || r.value == prevValue
	indexOK := prevIndex == 0 || r.modified == prevIndex
	switch {
	case valueOK && indexOK:
		return "", true
	case !valueOK && !indexOK:
		return fmt.Sprintf("[%s != %s] [%d != %d]",
			prevValue, r.value, prevIndex, r.modified), false
	case !valueOK:
		return fmt.Sprintf("[%s != %s]", prevValue, r.value), false
	default:
		return fmt.Sprintf("[%d != %d]", prevIndex, r.modified), false
	}
}
