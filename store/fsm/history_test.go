package fsm

import (
	"bytes"
	"fmt"
	"testing"
)

// TestHistory checks where a watch starts: the first matching event at or
// after its index, nothing when it must wait, and error 401 past the
// kept history.
func TestHistory(t *testing.T) {
	f := openTest(t)
	mustApply(t, f, Command{Op: OpSet, Key: "/w/a", Value: "1"})                  // 1
	mustApply(t, f, Command{Op: OpSet, Key: "/other", Value: "1"})                // 2
	mustApply(t, f, Command{Op: OpSet, Key: "/w/_hidden", Value: "1"})            // 3
	mustApply(t, f, Command{Op: OpDelete, Key: "/w", Recursive: true})            // 4
	mustApply(t, f, Command{Op: OpSet, Key: "/t", Value: "1", TTL: ttl(1)})       // 5
	mustApply(t, f, Command{Op: OpUpdate, Key: "/t", Refresh: true, TTL: ttl(5)}) // 6

	cases := []struct {
		key       string
		recursive bool
		since     uint64
		want      uint64 // 0: wait
	}{
		{"/w", true, 1, 1},
		{"/w", false, 1, 4},
		{"/w/a", false, 2, 4},
		{"/w", true, 2, 4},
		{"/", true, 2, 2},
		{"/other", false, 3, 0},
		{"/t", false, 6, 0},
		{"/t", false, 0, 0},
		{"/w", true, 7, 0},
	}
	for _, c := range cases {
		ws, err := f.History(c.key, c.recursive, c.since)
		if err != nil {
			t.Fatalf("history %s from %d: %v", c.key, c.since, err)
		}
		got := uint64(0)
		if ws.Event != nil {
			got = ws.Event.Index()
		}
		if got != c.want || ws.Index != 6 {
			t.Errorf("watch %s recursive=%v from %d: event %d index %d, want %d index 6",
				c.key, c.recursive, c.since, got, ws.Index, c.want)
		}
	}
}

// TestHistoryCleared fills more than HistorySize events (and the slack
// beyond it that is trimmed in bulk) and checks that an index that fell
// out fails with 401 and etcd's cause, the oldest kept one still works,
// and the bucket holds no more than the slack beyond HistorySize.
func TestHistoryCleared(t *testing.T) {
	f := openTest(t)
	const total = HistorySize + historySlack + 10
	for i := range total {
		mustApply(t, f, Command{Op: OpSet, Key: "/k", Value: fmt.Sprint(i)})
	}
	oldest := uint64(total - HistorySize + 1)
	_, err := f.History("/k", false, oldest-1)
	e := AsError(err)
	want := fmt.Sprintf("the requested history has been cleared [%d/%d]", oldest, oldest-1)
	if e == nil || e.Code != CodeEventIndexCleared || e.Cause != want || e.Index != total {
		t.Fatalf("history from %d: %v, want 401 %q", oldest-1, err, want)
	}
	ws, err := f.History("/k", false, oldest)
	if err != nil || ws.Event == nil || ws.Event.Index() != oldest {
		t.Fatalf("history from %d: %+v %v", oldest, ws, err)
	}
	var n int
	_ = f.view(func(tr tree) error { n = tr.tx.Bucket(bucketHistory).Stats().KeyN; return nil })
	if n < HistorySize || n > HistorySize+historySlack {
		t.Errorf("history holds %d events, want %d to %d", n, HistorySize, HistorySize+historySlack)
	}
}

// TestSnapshotRestore copies a tree, changes it, restores the copy and
// checks that the tree, its indexes and its history came back.
func TestSnapshotRestore(t *testing.T) {
	f := openTest(t)
	mustApply(t, f, Command{Op: OpSet, Key: "/a/b", Value: "1", TTL: ttl(30)})
	mustApply(t, f, Command{Op: OpSet, Key: "/c", Value: "2"})
	before, _ := f.Get("/", true, true, 0)
	snap, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, f, Command{Op: OpSet, Key: "/c", Value: "during"})
	var buf bytes.Buffer
	if _, err := snap.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	snap.Release()
	mustApply(t, f, Command{Op: OpDelete, Key: "/a", Recursive: true})

	if err := f.Restore(bytes.NewReader([]byte("not a bbolt file"))); err == nil {
		t.Fatal("restore of garbage succeeded")
	}
	if f.Index() != 4 {
		t.Fatalf("failed restore changed the tree: index %d", f.Index())
	}
	if err := f.Restore(&buf); err != nil {
		t.Fatal(err)
	}
	after, _ := f.Get("/", true, true, 0)
	if jsonOf(after.Event) != jsonOf(before.Event) || after.Index != 2 || after.Applied != 2 {
		t.Errorf("restored %s (index %d applied %d), want %s", jsonOf(after.Event),
			after.Index, after.Applied, jsonOf(before.Event))
	}
	if ws, err := f.History("/c", false, 2); err != nil || ws.Event == nil {
		t.Errorf("history lost in restore: %+v %v", ws, err)
	}
}
