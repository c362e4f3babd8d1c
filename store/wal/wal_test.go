package wal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"pgregory.net/rapid"
)

// model is what the log should hold: entries first, first+1, ...
type model struct {
	first   uint64
	entries []*raft.Log
}

func (m *model) last() uint64 {
	if len(m.entries) == 0 {
		return 0
	}
	return m.first + uint64(len(m.entries)) - 1
}

func entry(index, term uint64, size int) *raft.Log {
	data := bytes.Repeat([]byte{byte(index)}, size)
	e := &raft.Log{Index: index, Term: term, Type: raft.LogCommand, Data: data,
		AppendedAt: time.Unix(0, int64(index)*1000)}
	if index%3 == 0 {
		e.Extensions = []byte("ext")
	}
	return e
}

// check compares the log with the model, every entry included.
func check(t *rapid.T, l *Log, m *model) {
	first, _ := l.FirstIndex()
	last, _ := l.LastIndex()
	wantFirst := m.first
	if len(m.entries) == 0 {
		wantFirst = 0
	}
	if first != wantFirst || last != m.last() {
		t.Fatalf("bounds %d..%d, want %d..%d", first, last, wantFirst, m.last())
	}
	for i, want := range m.entries {
		var got raft.Log
		if err := l.GetLog(m.first+uint64(i), &got); err != nil {
			t.Fatalf("get %d: %v", m.first+uint64(i), err)
		}
		if got.Index != want.Index || got.Term != want.Term || got.Type != want.Type ||
			!bytes.Equal(got.Data, want.Data) || !bytes.Equal(got.Extensions, want.Extensions) ||
			!got.AppendedAt.Equal(want.AppendedAt) {
			t.Fatalf("entry %d: got %+v, want %+v", want.Index, got, *want)
		}
	}
	var none raft.Log
	for _, i := range []uint64{first - 1, last + 1} {
		if err := l.GetLog(i, &none); i != 0 && !errors.Is(err, raft.ErrLogNotFound) {
			t.Fatalf("get %d outside %d..%d: %v", i, first, last, err)
		}
	}
}

// TestAgainstModel runs random appends, head and tail truncations,
// reopenings and torn appends (a crash in the middle of a write), with
// segments small enough to rotate often, and compares the log with the
// model after every step.
func TestAgainstModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		dir := t.TempDir()
		opts := Options{SegmentSize: int64(rapid.IntRange(64, 2048).Draw(rt, "segment")),
			SyncBehind: rapid.Bool().Draw(rt, "behind")}
		l, err := Open(dir, opts)
		if err != nil {
			rt.Fatal(err)
		}
		defer func() { _ = l.Close() }()
		m := &model{}
		term := uint64(1)
		for step := range rapid.IntRange(1, 40).Draw(rt, "steps") {
			switch op := rapid.IntRange(0, 9).Draw(rt, "op"); {
			case op <= 3: // append
				next := m.last() + 1
				if len(m.entries) == 0 {
					next = rapid.Uint64Range(1, 1000).Draw(rt, "start")
					m.first = next
				}
				var batch []*raft.Log
				for i := range rapid.IntRange(1, 8).Draw(rt, "n") {
					batch = append(batch, entry(next+uint64(i), term,
						rapid.IntRange(0, 300).Draw(rt, "size")))
				}
				if err := l.StoreLogs(batch); err != nil {
					rt.Fatalf("step %d: append: %v", step, err)
				}
				m.entries = append(m.entries, batch...)
			case op == 4 && len(m.entries) > 1: // compact the head
				upTo := m.first + rapid.Uint64Range(0, uint64(len(m.entries))-2).Draw(rt, "upTo")
				if err := l.DeleteRange(m.first, upTo); err != nil {
					rt.Fatalf("step %d: delete head: %v", step, err)
				}
				m.entries = m.entries[upTo-m.first+1:]
				m.first = upTo + 1
			case op == 5 && len(m.entries) > 1: // cut the tail
				from := m.first + rapid.Uint64Range(1, uint64(len(m.entries))-1).Draw(rt, "from")
				if err := l.DeleteRange(from, m.last()); err != nil {
					rt.Fatalf("step %d: delete tail: %v", step, err)
				}
				m.entries = m.entries[:from-m.first]
				term++
			case op == 6: // empty it
				if err := l.DeleteRange(m.first, m.last()); err != nil {
					rt.Fatalf("step %d: delete all: %v", step, err)
				}
				m.entries = nil
			case op == 7 && len(m.entries) > 0: // a crash in the middle of an append
				tail := l.segs[len(l.segs)-1]
				path, end := tail.f.Name(), tail.size
				_ = l.Close()
				var rec []byte
				for i := range 3 {
					rec, _ = appendRecord(rec, entry(m.last()+1+uint64(i), term, 40))
				}
				keep := rapid.IntRange(1, len(rec)-1).Draw(rt, "torn")
				f, err := os.OpenFile(path, os.O_WRONLY, 0)
				if err != nil {
					rt.Fatal(err)
				}
				_, _ = f.WriteAt(rec[:keep], end)
				_ = f.Close()
				if l, err = Open(dir, opts); err != nil {
					rt.Fatalf("step %d: reopen after a torn append: %v", step, err)
				}
				// Whole records of the torn append may survive, as on a
				// follower that got them; they were never acknowledged.
				last, _ := l.LastIndex()
				for i := m.last() + 1; i <= last; i++ {
					m.entries = append(m.entries, entry(i, term, 40))
				}
			default: // reopen
				if err := l.Close(); err != nil {
					rt.Fatal(err)
				}
				if l, err = Open(dir, opts); err != nil {
					rt.Fatalf("step %d: reopen: %v", step, err)
				}
			}
			check(rt, l, m)
			checkDurable(rt, l, m)
		}
	})
}

// checkDurable waits for the model's last entry to be synced, and checks
// that entries the log does not hold are not waited for.
func checkDurable(t *rapid.T, l *Log, m *model) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if d := l.Durable(); d > m.last() && len(m.entries) > 0 {
		t.Fatalf("durable %d beyond the last entry %d", d, m.last())
	}
	if len(m.entries) == 0 {
		return
	}
	last := m.entries[len(m.entries)-1]
	if err := l.WaitDurable(ctx, last.Index, last.Term); err != nil {
		t.Fatalf("wait for entry %d: %v", last.Index, err)
	}
	if d := l.Durable(); d < last.Index {
		t.Fatalf("durable %d after waiting for %d", d, last.Index)
	}
	if err := l.WaitDurable(ctx, last.Index, last.Term+1); !errors.Is(err, ErrReplaced) {
		t.Fatalf("wait for entry %d of another term: %v, want ErrReplaced", last.Index, err)
	}
	if err := l.WaitDurable(ctx, last.Index+1, last.Term); !errors.Is(err, ErrReplaced) {
		t.Fatalf("wait for entry %d past the end: %v, want ErrReplaced", last.Index+1, err)
	}
}

// TestRefusals covers appends and deletes that Raft never asks for.
func TestRefusals(t *testing.T) {
	l, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.StoreLogs([]*raft.Log{entry(5, 1, 1), entry(6, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if err := l.StoreLog(entry(8, 1, 1)); err == nil {
		t.Error("append with a gap: no error")
	}
	if err := l.StoreLogs([]*raft.Log{entry(7, 1, 1), entry(9, 1, 1)}); err == nil {
		t.Error("append of entries with a gap between them: no error")
	}
	if err := l.StoreLogs([]*raft.Log{entry(7, 1, 1), entry(8, 1, 1), entry(9, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteRange(7, 8); err == nil {
		t.Error("delete from the middle: no error")
	}
	if last, _ := l.LastIndex(); last != 9 {
		t.Errorf("last index %d after refusals, want 9", last)
	}
	_ = l.Close()
	if err := l.StoreLog(entry(10, 1, 1)); err == nil {
		t.Error("append after close: no error")
	}
}

// TestDamageRefused damages a segment that is not the last: the log must
// refuse to open rather than lose entries silently.
func TestDamageRefused(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{SegmentSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i := uint64(1); i <= 6; i++ {
		if err := l.StoreLog(entry(i, 1, 80)); err != nil {
			t.Fatal(err)
		}
	}
	_ = l.Close()
	first := filepath.Join(dir, segName(1))
	b, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0xff
	if err := os.WriteFile(first, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, Options{SegmentSize: 100})
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("open with a damaged older segment: %v", err)
	}
}

// FuzzOpen opens a log whose only segment holds arbitrary bytes: it must
// open (cutting what is not whole records) or fail, never panic, and what
// it opens must read back.
func FuzzOpen(f *testing.F) {
	var good []byte
	for i := uint64(1); i <= 3; i++ {
		good, _ = appendRecord(good, entry(i, 1, 10))
	}
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 64))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, segName(1)), data, 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := Open(dir, Options{SegmentSize: 4096})
		if err != nil {
			return
		}
		defer l.Close()
		first, _ := l.FirstIndex()
		last, _ := l.LastIndex()
		for i := first; last != 0 && i <= last; i++ {
			var e raft.Log
			if err := l.GetLog(i, &e); err != nil {
				t.Fatalf("get %d of %d..%d: %v", i, first, last, err)
			}
		}
		if err := l.StoreLog(entry(last+1, 2, 5)); err != nil {
			t.Fatalf("append after open: %v", err)
		}
	})
}

func TestSegmentNames(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{segName(7), segName(3), "head", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := segmentNames(dir)
	if err != nil || fmt.Sprint(got) != "[3 7]" {
		t.Fatalf("segment names %v %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "12.seg"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := segmentNames(dir); err == nil {
		t.Error("a short segment name: no error")
	}
}

// TestTornAppendLeavesNoOldRecords tears an append so that a whole later
// record survives behind a broken one (pages reach the disk out of
// order). After recovery a new append of the same size must not bring the
// later, never acknowledged, record back.
func TestTornAppendLeavesNoOldRecords(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{SegmentSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.StoreLog(entry(1, 1, 20)); err != nil {
		t.Fatal(err)
	}
	tail := l.segs[0]
	path, end := tail.f.Name(), tail.size
	_ = l.Close()

	torn, _ := appendRecord(nil, entry(2, 1, 20))
	torn[len(torn)-1] ^= 0xff // entry 2 is broken
	torn, _ = appendRecord(torn, entry(3, 1, 20))
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(torn, end); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()

	if l, err = Open(dir, Options{SegmentSize: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if last, _ := l.LastIndex(); last != 1 {
		t.Fatalf("last index %d after a torn append, want 1", last)
	}
	if err := l.StoreLog(entry(2, 2, 20)); err != nil {
		t.Fatal(err)
	}
	_ = l.Close()
	if l, err = Open(dir, Options{SegmentSize: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if last, _ := l.LastIndex(); last != 2 {
		t.Fatalf("last index %d, want 2: the torn append's entry 3 came back", last)
	}
}

// TestFailedAppendBreaksLog makes an append fail (its file is closed under
// it) where the failed bytes cannot be cut either: the log must refuse
// every later call, and a reopen must hold the entries from before.
func TestFailedAppendBreaksLog(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.StoreLog(entry(1, 1, 10)); err != nil {
		t.Fatal(err)
	}
	_ = l.segs[0].f.Close()
	if err := l.StoreLog(entry(2, 1, 10)); err == nil {
		t.Fatal("append to a closed file: no error")
	}
	if _, err := l.LastIndex(); err == nil || !strings.Contains(err.Error(), "restart") {
		t.Errorf("last index of a broken log: %v, want the breakage", err)
	}
	if err := l.StoreLog(entry(2, 1, 10)); err == nil {
		t.Error("append to a broken log: no error")
	}
	_ = l.Close()
	if l, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if last, err := l.LastIndex(); err != nil || last != 1 {
		t.Errorf("after reopening: last index %d, %v; want 1", last, err)
	}
}
