package fsm

import (
	"strings"
	"testing"
)

// TestApplyScript replays a script of commands and compares each result
// with what etcd 3.4 answered to the same requests (event JSON or error).
func TestApplyScript(t *testing.T) {
	f := openTest(t)
	steps := []struct {
		cmd  Command
		want string
	}{
		{Command{Op: OpSet, Key: "/a/b/c", Value: "1"},
			`{"action":"set","node":{"key":"/a/b/c","value":"1",` +
				`"modifiedIndex":1,"createdIndex":1}}`},
		{Command{Op: OpSet, Key: "/a/b/c", Value: "2"},
			`{"action":"set","node":{"key":"/a/b/c","value":"2",` +
				`"modifiedIndex":2,"createdIndex":2},` +
				`"prevNode":{"key":"/a/b/c","value":"1","modifiedIndex":1,"createdIndex":1}}`},
		{Command{Op: OpSet, Key: "/a/b/c/d", Value: "2"}, `104 /a/b/c 2`},
		{Command{Op: OpSet, Key: "/a/b", Value: "3"}, `102 /a/b 2`},
		{Command{Op: OpSet, Key: "/a/b", Dir: true}, `102 /a/b 2`},
		{Command{Op: OpSet, Key: "/a/b/c", Dir: true},
			`{"action":"set","node":{"key":"/a/b/c","dir":true,` +
				`"modifiedIndex":3,"createdIndex":3},` +
				`"prevNode":{"key":"/a/b/c","value":"2","modifiedIndex":2,"createdIndex":2}}`},
		{Command{Op: OpCreate, Key: "/a/b/e", Value: "x"},
			`{"action":"create","node":{"key":"/a/b/e","value":"x",` +
				`"modifiedIndex":4,"createdIndex":4}}`},
		{Command{Op: OpCreate, Key: "/a/b/e", Value: "x"}, `105 /a/b/e 4`},
		{Command{Op: OpUpdate, Key: "/a/b/e", Value: "y"},
			`{"action":"update","node":{"key":"/a/b/e","value":"y",` +
				`"modifiedIndex":5,"createdIndex":4},` +
				`"prevNode":{"key":"/a/b/e","value":"x","modifiedIndex":4,"createdIndex":4}}`},
		{Command{Op: OpUpdate, Key: "/a/b/zz", Value: "y"}, `100 /a/b/zz 5`},
		{Command{Op: OpCompareAndSwap, Key: "/a/b/e", Value: "y", PrevIndex: 1}, `101 [1 != 5] 5`},
		{Command{Op: OpCompareAndSwap, Key: "/a/b/e", Value: "y", PrevValue: "q"},
			`101 [q != y] 5`},
		{Command{Op: OpCompareAndSwap, Key: "/a/b/e", PrevValue: "q", PrevIndex: 1},
			`101 [q != y] [1 != 5] 5`},
		{Command{Op: OpCompareAndSwap, Key: "/a/b/e", Value: "z", PrevValue: "y"},
			`{"action":"compareAndSwap","node":{"key":"/a/b/e","value":"z","modifiedIndex":6,` +
				`"createdIndex":4},"prevNode":{"key":"/a/b/e","value":"y","modifiedIndex":5,` +
				`"createdIndex":4}}`},
		{Command{Op: OpCompareAndSwap, Key: "/a/b", Value: "z", PrevValue: "y"}, `102 /a/b 6`},
		{Command{Op: OpUpdate, Key: "/a/b", Value: "z"}, `102 /a/b 6`},
		{Command{Op: OpUpdate, Key: "/a/b"},
			`{"action":"update","node":{"key":"/a/b","dir":true,` +
				`"modifiedIndex":7,"createdIndex":1},` +
				`"prevNode":{"key":"/a/b","dir":true,"modifiedIndex":1,"createdIndex":1}}`},
		{Command{Op: OpSet, Key: "/", Value: "1"}, `107 / 7`},
		{Command{Op: OpDelete, Key: "/"}, `107 / 7`},
		{Command{Op: OpDelete, Key: "/a"}, `102 /a 7`},
		{Command{Op: OpDelete, Key: "/a", Dir: true}, `108 /a 7`},
		{Command{Op: OpDelete, Key: "/a/b/c", Dir: true},
			`{"action":"delete","node":{"key":"/a/b/c","dir":true,` +
				`"modifiedIndex":8,"createdIndex":3},` +
				`"prevNode":{"key":"/a/b/c","dir":true,"modifiedIndex":3,"createdIndex":3}}`},
		{Command{Op: OpCompareAndDelete, Key: "/a/b/e", PrevIndex: 1}, `101 [1 != 6] 8`},
		{Command{Op: OpCompareAndDelete, Key: "/a/b/e", PrevValue: "z"},
			`{"action":"compareAndDelete","node":{"key":"/a/b/e",` +
				`"modifiedIndex":9,"createdIndex":4},` +
				`"prevNode":{"key":"/a/b/e","value":"z","modifiedIndex":6,"createdIndex":4}}`},
		{Command{Op: OpCompareAndDelete, Key: "/a/b", PrevIndex: 1}, `102 /a/b 9`},
		{Command{Op: OpDelete, Key: "/a", Recursive: true},
			`{"action":"delete","node":{"key":"/a","dir":true,` +
				`"modifiedIndex":10,"createdIndex":1},` +
				`"prevNode":{"key":"/a","dir":true,"modifiedIndex":1,"createdIndex":1}}`},
		{Command{Op: OpCreateInOrder, Key: "/q", Value: "1"},
			`{"action":"create","node":{"key":"/q/00000000000000000011","value":"1",` +
				`"modifiedIndex":11,"createdIndex":11}}`},
		{Command{Op: OpSet, Key: "/t", Value: "v", TTL: ttl(5), Time: 1e9},
			`{"action":"set","node":{"key":"/t","value":"v","expiration":"1970-01-01T00:00:06Z",` +
				`"ttl":5,"modifiedIndex":12,"createdIndex":12}}`},
		{Command{Op: OpUpdate, Key: "/t", Refresh: true, TTL: ttl(10), Time: 2e9},
			`{"action":"update","node":{"key":"/t","value":"v",` +
				`"expiration":"1970-01-01T00:00:12Z","ttl":10,` +
				`"modifiedIndex":13,"createdIndex":12},"prevNode":{"key":"/t","value":"v",` +
				`"expiration":"1970-01-01T00:00:06Z","ttl":4,` +
				`"modifiedIndex":12,"createdIndex":12}}`},
		{Command{Op: OpSet, Key: "/missing", Refresh: true, TTL: ttl(10)}, `100 /missing 13`},
	}
	for i, s := range steps {
		res := mustApply(t, f, s.cmd)
		got := ""
		if res.Err != nil {
			parts := []string{itoa(res.Err.Code), res.Err.Cause, utoa(res.Err.Index)}
			got = strings.Join(parts, " ")
		} else {
			got = jsonOf(res.Event())
		}
		if got != s.want {
			t.Errorf("step %d %s %s:\n got %s\nwant %s", i, s.cmd.Op, s.cmd.Key, got, s.want)
		}
	}
	if got := f.Index(); got != 13 {
		t.Errorf("index = %d, want 13", got)
	}
}

func itoa(n int) string    { return utoa(uint64(n)) }
func utoa(n uint64) string { return strings.TrimSpace(jsonOf(n)) }

// TestGet covers listing: direct children, recursion, hidden nodes, the
// root's shape and the errors of a walk.
func TestGet(t *testing.T) {
	f := openTest(t)
	for _, c := range []Command{
		{Op: OpSet, Key: "/d/x/y", Value: "1"},
		{Op: OpSet, Key: "/d/a", Value: "2"},
		{Op: OpSet, Key: "/d/_h", Value: "3"},
		{Op: OpSet, Key: "/d/x-1", Value: "4"},
	} {
		mustApply(t, f, c)
	}
	cases := []struct {
		key       string
		recursive bool
		want      string
	}{
		{"/d", false, `{"action":"get","node":{"key":"/d","dir":true,"nodes":[` +
			`{"key":"/d/a","value":"2","modifiedIndex":2,"createdIndex":2},` +
			`{"key":"/d/x","dir":true,"modifiedIndex":1,"createdIndex":1},` +
			`{"key":"/d/x-1","value":"4","modifiedIndex":4,"createdIndex":4}],` +
			`"modifiedIndex":1,"createdIndex":1}}`},
		{"/d/x", true, `{"action":"get","node":{"key":"/d/x","dir":true,"nodes":[` +
			`{"key":"/d/x/y","value":"1","modifiedIndex":1,"createdIndex":1}],` +
			`"modifiedIndex":1,"createdIndex":1}}`},
		{"/", false, `{"action":"get","node":{"dir":true,"nodes":[` +
			`{"key":"/d","dir":true,"modifiedIndex":1,"createdIndex":1}]}}`},
		{"/d/_h", false, `{"action":"get","node":{"key":"/d/_h","value":"3",` +
			`"modifiedIndex":3,"createdIndex":3}}`},
		{"/d/a/b", false, `104 /d/a 4`},
		{"/d/q/r", false, `100 /d/q 4`},
	}
	for _, c := range cases {
		res, err := f.Get(c.key, c.recursive, true, 0)
		got := jsonOf(res.Event)
		if e := AsError(err); e != nil {
			got = strings.Join([]string{itoa(e.Code), e.Cause, utoa(e.Index)}, " ")
		} else if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("get %s recursive=%v:\n got %s\nwant %s", c.key, c.recursive, got, c.want)
		}
	}
}

// TestExpire checks that expiry removes due nodes only, each at its own
// index, a directory with what it holds, and nothing before its time.
func TestExpire(t *testing.T) {
	f := openTest(t)
	mustApply(t, f, Command{Op: OpSet, Key: "/k1", Value: "a", TTL: ttl(1), Time: 0})
	mustApply(t, f, Command{Op: OpSet, Key: "/dir", Dir: true, TTL: ttl(2), Time: 0})
	mustApply(t, f, Command{Op: OpSet, Key: "/dir/in", Value: "b", TTL: ttl(3), Time: 0})
	mustApply(t, f, Command{Op: OpSet, Key: "/k2", Value: "c", TTL: ttl(9), Time: 0})
	if at, ok := f.NextExpiry(); !ok || at != 1e9 {
		t.Fatalf("next expiry = %d %v, want 1e9", at, ok)
	}
	res := mustApply(t, f, Command{Op: OpExpire, Time: 5e8})
	if len(res.Events) != 0 {
		t.Fatalf("early expire removed %s", jsonOf(res.Events))
	}
	res = mustApply(t, f, Command{Op: OpExpire, Time: 3e9})
	var got []string
	for _, e := range res.Events {
		got = append(got, e.Action+" "+e.Node.Key+" "+utoa(e.Index()))
	}
	want := "expire /k1 5,expire /dir 6"
	if strings.Join(got, ",") != want {
		t.Errorf("expired %v, want %s", got, want)
	}
	if _, err := f.Get("/dir/in", false, false, 0); !HasCode(err, CodeKeyNotFound) {
		t.Errorf("/dir/in survived its directory: %v", err)
	}
	if _, err := f.Get("/k2", false, false, 0); err != nil {
		t.Errorf("/k2 expired early: %v", err)
	}
}

// TestApplySkipsReplayedEntries checks that an entry at or below the
// applied index changes nothing, so a replayed log is harmless.
func TestApplySkipsReplayedEntries(t *testing.T) {
	f := openTest(t)
	f.Apply(5, &Command{Op: OpSet, Key: "/a", Value: "1"})
	res := f.Apply(5, &Command{Op: OpSet, Key: "/a", Value: "2"})
	if !res.Skipped {
		t.Fatal("replayed entry was applied")
	}
	r, _ := f.Get("/a", false, false, 0)
	if *r.Event.Node.Value != "1" || f.Applied() != 5 || f.Index() != 1 {
		t.Errorf("after replay: %s applied=%d index=%d", jsonOf(r.Event), f.Applied(), f.Index())
	}
	res = f.Apply(6, &Command{Op: OpCreate, Key: "/a", Value: "3"})
	if res.Err == nil || f.Applied() != 6 || f.Index() != 1 {
		t.Errorf("failed command: err=%v applied=%d index=%d", res.Err, f.Applied(), f.Index())
	}
}
