package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"weave.works/weave/store/fsm"
)

// TestWireRoundTrip encodes each kind of request and answer and reads it
// back.
func TestWireRoundTrip(t *testing.T) {
	v := "value"
	res := &fsm.Result{Index: 7, Events: []*fsm.Event{{Action: fsm.ActionSet,
		Node: &fsm.Node{Key: "/k", Value: &v, ModifiedIndex: 7, CreatedIndex: 7}}}}
	reply := applyBatchReply{Answers: []rpcReply{
		{Result: res, Index: 12},
		{NotLeader: true},
		{Error: "field Key: not canonical"},
		{Result: &fsm.Result{Err: fsm.NewError(fsm.CodeTestFailed, "[a != b]", 6)}, Index: 13},
	}}
	got, err := decodeApplyBatchReply(reply.encode())
	if err != nil || !reflect.DeepEqual(got, reply) {
		t.Errorf("batch answers read back as %+v, %v", got, err)
	}

	req := applyBatchRequest{Commands: []*fsm.Command{
		{Op: fsm.OpSet, Key: "/a", Value: "1", Time: 5},
		{Op: fsm.OpCompareAndSwap, Key: "/b", Value: "2", PrevIndex: 3, Time: 6},
	}}
	b, err := req.encode()
	if err != nil {
		t.Fatal(err)
	}
	back, errs, err := decodeApplyBatch(b)
	if err != nil || !reflect.DeepEqual(back, req) || errs[0] != nil || errs[1] != nil {
		t.Errorf("batch read back as %+v, %v, %v", back, errs, err)
	}

	ri := readIndexRequest{Key: "/dir", Recursive: true, Sorted: true, Applied: 99}
	if got, err := decodeReadIndex(ri.encode()); err != nil || got != ri {
		t.Errorf("read-index request read back as %+v, %v", got, err)
	}

	for _, r := range []rpcReply{
		{Index: 40},
		{HasState: true},
		{Index: 41, Read: &fsm.ReadResult{Index: 3, Applied: 41,
			Event: &fsm.Event{Action: fsm.ActionGet, Node: &fsm.Node{Key: "/dir", Dir: true}}}},
		{Index: 42, Read: &fsm.ReadResult{Index: 3, Applied: 42}},
		{Index: 43, ReadErr: fsm.NewError(fsm.CodeKeyNotFound, "/x", 3)},
	} {
		if got, err := decodeOneReply(appendReply(nil, r)); err != nil || !reflect.DeepEqual(got,
			r) {
			t.Errorf("answer %+v read back as %+v, %v", r, got, err)
		}
	}
}

// FuzzDecodeWire feeds arbitrary bytes, as a peer might send them, to
// every decoder of the store's RPC: each must fail or return what reads
// back the same once written again, and never panic.
func FuzzDecodeWire(f *testing.F) {
	b, _ := applyBatchRequest{Commands: []*fsm.Command{{Op: fsm.OpSet, Key: "/a"}}}.encode()
	f.Add(b)
	f.Add(readIndexRequest{Key: "/k", Applied: 3}.encode())
	f.Add(applyBatchReply{Answers: []rpcReply{{NotLeader: true}, {Index: 4}}}.encode())
	f.Add(appendReply(nil, rpcReply{Index: 2, Read: &fsm.ReadResult{Index: 1}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if q, errs, err := decodeApplyBatch(b); err == nil {
			var ok []*fsm.Command
			for i, c := range q.Commands {
				if errs[i] == nil {
					ok = append(ok, c)
				}
			}
			enc, err := applyBatchRequest{Commands: ok}.encode()
			if err != nil {
				t.Fatalf("a decoded batch does not encode: %v", err)
			}
			again, _, err := decodeApplyBatch(enc)
			if err != nil || len(again.Commands) != len(ok) {
				t.Fatalf("a decoded batch does not read back: %v", err)
			}
		}
		if q, err := decodeReadIndex(b); err == nil {
			if again, err := decodeReadIndex(q.encode()); err != nil || again != q {
				t.Fatalf("read-index request %+v reads back as %+v, %v", q, again, err)
			}
		}
		if r, err := decodeApplyBatchReply(b); err == nil {
			if again, err := decodeApplyBatchReply(r.encode()); err != nil ||
				!reflect.DeepEqual(again, r) {
				t.Fatalf("batch answers %+v read back as %+v, %v", r, again, err)
			}
		}
		if r, err := decodeOneReply(b); err == nil {
			if again, err := decodeOneReply(appendReply(nil, r)); err != nil ||
				!reflect.DeepEqual(again, r) {
				t.Fatalf("answer %+v reads back as %+v, %v", r, again, err)
			}
		}
	})
}

// FuzzServeRPC sends arbitrary requests of every kind to a one-peer
// store's RPC handler, as anything that connects to port 6785 may: each
// must be answered or refused, never crash the peer.
func FuzzServeRPC(f *testing.F) {
	s := newCluster(f, 1, 1, nil).leader()
	b, _ := applyBatchRequest{Commands: []*fsm.Command{{Op: fsm.OpSet, Key: "/a",
		Value: "1"}}}.encode()
	f.Add(kindApplyBatch, b)
	f.Add(kindReadIndex, readIndexRequest{Key: "/a", Applied: 0}.encode())
	f.Add(kindReadIndex, readIndexRequest{Key: "x", Applied: 0}.encode())
	f.Add(kindReadIndex, readIndexRequest{Key: "/a/../b"}.encode())
	f.Add(kindState, []byte(nil))
	f.Add(byte(9), []byte("?"))
	f.Fuzz(func(t *testing.T, kind byte, p []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = s.serveRPC(ctx, kind, p)
	})
}
