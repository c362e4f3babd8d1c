package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"weave.works/weave/store/fsm"
	"weave.works/weave/store/rpc"
)

// TestForwardedBatches sends many concurrent writes through one follower,
// so that they travel to the leader in batches: creates racing for the
// same keys, and compare-and-swaps of which only one per key can match.
// Every writer must get its own answer: exactly one winner per key, the
// others refused with etcd's error, and the tree as the winners left it.
func TestForwardedBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three stores")
	}
	c := newCluster(t, 3, 3, nil)
	c.leader()
	f := c.followers()[0]
	x := ctx(t)
	const keys, racers = 8, 16

	var mu sync.Mutex
	created := map[string][]int{}
	var wg sync.WaitGroup
	for k := range keys {
		for r := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprintf("/race/%d", k)
				_, _, err := f.AtomicPut(x, key, []byte(fmt.Sprint(r)), nil, nil)
				switch {
				case err == nil:
					mu.Lock()
					created[key] = append(created[key], r)
					mu.Unlock()
				case !errors.Is(err, ErrKeyExists):
					t.Errorf("create %s by %d: %v", key, r, err)
				}
			}()
		}
	}
	wg.Wait()
	if b, w := f.batches.Load(), f.batched.Load(); b == 0 || w <= b {
		t.Errorf("%d writes went in %d batches: none carried more than one", w, b)
	}
	for k := range keys {
		key := fmt.Sprintf("/race/%d", k)
		winners := created[key]
		if len(winners) != 1 {
			t.Fatalf("%s created by %v, want exactly one", key, winners)
		}
		p, err := c.leader().Get(x, key)
		if err != nil || string(p.Value) != fmt.Sprint(winners[0]) {
			t.Fatalf("%s = %+v %v, want the winner %d", key, p, err, winners[0])
		}
	}

	// Compare-and-swap from the value every racer read: one wins per key.
	swapped := map[string]int{}
	for k := range keys {
		key := fmt.Sprintf("/race/%d", k)
		prev, err := f.Get(x, key)
		if err != nil {
			t.Fatal(err)
		}
		for r := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := f.AtomicPut(x, key, []byte("s"+fmt.Sprint(r)), prev, nil)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					swapped[key]++
				} else if !errors.Is(err, ErrKeyModified) {
					t.Errorf("swap %s by %d: %v", key, r, err)
				}
			}()
		}
	}
	wg.Wait()
	for k := range keys {
		if n := swapped[fmt.Sprintf("/race/%d", k)]; n != 1 {
			t.Errorf("/race/%d swapped %d times, want once", k, n)
		}
	}
}

// TestBadBatchRefused sends the leader batches no follower would send: the
// leader must answer with an error and apply nothing.
func TestBadBatchRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three stores")
	}
	c := newCluster(t, 3, 3, nil)
	lead := c.leader()
	f := c.followers()[0]
	before := lead.Status().Index
	huge := make([]*fsm.Command, maxForwardBatch+1)
	for i := range huge {
		huge[i] = &fsm.Command{Op: fsm.OpSet, Key: fmt.Sprintf("/huge/%d", i)}
	}
	encode := func(cs ...*fsm.Command) []byte {
		b, err := applyBatchRequest{Commands: cs}.encode()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ctx := context.Background()
	for name, body := range map[string][]byte{
		"empty":   encode(),
		"huge":    encode(huge...),
		"garbage": []byte("not a batch"),
		"short":   encode(huge[:3]...)[:20],
	} {
		b, err := f.client.Call(ctx, lead.Addr(), kindApplyBatch, body)
		var re *rpc.RemoteError
		if !errors.As(err, &re) {
			t.Errorf("%s batch: answered %q %v, want the batch refused", name, b, err)
		}
	}
	// A batch with bad commands answers them and applies the rest.
	good, err := (&fsm.Command{Op: fsm.OpSet, Key: "/good", Value: "1"}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	badKey, err := (&fsm.Command{Op: fsm.OpSet, Key: "no-slash/../x"}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	body := appendBytes(appendBytes(appendBytes([]byte{3}, good), []byte("\x02garbage")), badKey)
	b, err := f.client.Call(ctx, lead.Addr(), kindApplyBatch, body)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := decodeApplyBatchReply(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Answers) != 3 || rep.Answers[0].Result == nil || rep.Answers[1].Error == "" ||
		rep.Answers[2].Error == "" {
		t.Fatalf("mixed batch answered %+v", rep.Answers)
	}
	// The tree commits a batch after answering it; settle waits for that.
	if err := lead.settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := lead.Status().Index; got != before+1 {
		t.Errorf("store index %d after the batches, want %d: one write", got, before+1)
	}
}
