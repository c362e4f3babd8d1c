package fsm

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func drawNode(t *rapid.T, depth int) *Node {
	n := &Node{
		Key:           rapid.StringN(0, 20, -1).Draw(t, "key"),
		Dir:           rapid.Bool().Draw(t, "dir"),
		TTL:           rapid.Int64().Draw(t, "ttl"),
		ModifiedIndex: rapid.Uint64().Draw(t, "modified"),
		CreatedIndex:  rapid.Uint64().Draw(t, "created"),
	}
	if rapid.Bool().Draw(t, "hasValue") {
		v := rapid.String().Draw(t, "value")
		n.Value = &v
	}
	if rapid.Bool().Draw(t, "hasExpiration") {
		e := time.Unix(0, rapid.Int64().Draw(t, "expiration")).UTC()
		n.Expiration = &e
	}
	if depth > 0 {
		for range rapid.IntRange(0, 3).Draw(t, "children") {
			n.Nodes = append(n.Nodes, drawNode(t, depth-1))
		}
	}
	return n
}

func drawEvent(t *rapid.T) *Event {
	e := &Event{Action: rapid.SampledFrom(actionCodes).Draw(t, "action"),
		Refresh: rapid.Bool().Draw(t, "refresh")}
	if rapid.Bool().Draw(t, "hasNode") {
		e.Node = drawNode(t, 2)
	}
	if rapid.Bool().Draw(t, "hasPrev") {
		e.PrevNode = drawNode(t, 1)
	}
	return e
}

// TestResultRoundTrip checks that every result reads back as written.
func TestResultRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := &Result{Index: rapid.Uint64().Draw(t, "index"), Skipped: rapid.Bool().Draw(t, "skip")}
		if rapid.Bool().Draw(t, "hasErr") {
			r.Err = &Error{Code: rapid.IntRange(0, 500).Draw(t, "code"),
				Message: rapid.String().Draw(t, "message"), Cause: rapid.String().Draw(t, "cause"),
				Index: rapid.Uint64().Draw(t, "errIndex")}
		}
		for range rapid.IntRange(0, 3).Draw(t, "events") {
			r.Events = append(r.Events, drawEvent(t))
		}
		d := NewDecoder(AppendResult(nil, r))
		got := d.Result()
		if err := d.Finish(); err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("read back\n%s\nwant\n%s", jsonOf(got), jsonOf(r))
		}
	})
}

// TestStoredEventForms reads history entries in both forms: the binary
// one record writes, and the JSON of trees written before it.
func TestStoredEventForms(t *testing.T) {
	v := "x"
	e := &Event{Action: ActionSet, Node: &Node{Key: "/a", Value: &v, ModifiedIndex: 5,
		CreatedIndex: 5}, Refresh: true}
	old, err := json.Marshal(storedEvent{Event: e, Refresh: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"binary": AppendEvent([]byte{eventBinary}, e),
		"json":   old,
	} {
		got, err := decodeStored(b)
		if err != nil || !reflect.DeepEqual(got, e) {
			t.Errorf("%s: read %s, %v; want %s", name, jsonOf(got), err, jsonOf(e))
		}
	}
	for _, bad := range []string{"", "{}", "\x01", "\x01\x01\x01\x00"} {
		if _, err := decodeStored([]byte(bad)); err == nil {
			t.Errorf("history entry %q decoded", bad)
		}
	}
}

// FuzzDecodeResult feeds arbitrary bytes to the result decoder, which
// reads what a peer sends: it must fail or return a result that reads
// back the same once written again.
func FuzzDecodeResult(f *testing.F) {
	v := "value"
	f.Add(AppendResult(nil, &Result{Index: 9, Events: []*Event{{Action: ActionSet,
		Node: &Node{Key: "/k", Value: &v, ModifiedIndex: 9, CreatedIndex: 9}}}}))
	f.Add(AppendResult(nil, &Result{Err: NewError(CodeKeyNotFound, "/k", 3)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		r := d.Result()
		if d.Finish() != nil {
			return
		}
		again := AppendResult(nil, r)
		d2 := NewDecoder(again)
		if r2 := d2.Result(); d2.Finish() != nil || !reflect.DeepEqual(r, r2) {
			t.Fatalf("result %s does not read back", jsonOf(r))
		}
	})
}
