package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"weave.works/weave/store/fsm"
)

// regInput and regOutput describe one operation on a register (one key):
// a quorum get, a put, or a compare-and-swap by value.
type regInput struct {
	op       string // get, put, cas
	key      string
	value    string
	expected string
}

type regOutput struct {
	value string
	ok    bool
}

// registerModel is a set of registers, one per key; a missing key reads "".
var registerModel = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range h {
			k := op.Input.(regInput).key
			byKey[k] = append(byKey[k], op)
		}
		var out [][]porcupine.Operation
		for _, ops := range byKey {
			out = append(out, ops)
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(string), input.(regInput), output.(regOutput)
		switch in.op {
		case "get":
			return out.value == s, s
		case "put":
			return true, in.value
		default:
			if s == in.expected {
				return out.ok, in.value
			}
			return !out.ok, s
		}
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(regInput), output.(regOutput)
		return fmt.Sprintf("%s(%s %q %q) -> %q %v",
			in.op, in.key, in.expected, in.value, out.value, out.ok)
	},
}

// TestLinearizable runs clients on every peer of a three-peer cluster
// against two keys (quorum gets, puts and compare-and-swaps, writes on
// followers forwarded) and checks the history with porcupine. The seed of
// the operation mix is printed.
func TestLinearizable(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three stores")
	}
	c := newCluster(t, 3, 3, nil)
	c.leader()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)

	var (
		mu      sync.Mutex
		history []porcupine.Operation
		wg      sync.WaitGroup
	)
	clients := 0
	for _, s := range c.stores {
		for range 2 {
			id := clients
			clients++
			wg.Add(1)
			go func(s *Store) {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(seed), uint64(id)))
				for i := range 40 {
					op := runOp(t, s, rng, fmt.Sprintf("c%d-%d", id, i))
					op.ClientId = id
					mu.Lock()
					history = append(history, op)
					mu.Unlock()
				}
			}(s)
		}
	}
	wg.Wait()
	res, info := porcupine.CheckOperationsVerbose(registerModel, history, 30*time.Second)
	if res != porcupine.Ok {
		path := t.TempDir() + "/history.html"
		_ = porcupine.VisualizePath(registerModel, info, path)
		t.Fatalf("history of %d operations is %s (seed %d)", len(history), res, seed)
	}
}

// runOp performs one random operation and records it.
func runOp(t *testing.T, s *Store, rng *rand.Rand, value string) porcupine.Operation {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in := regInput{key: fmt.Sprintf("/lin/k%d", rng.IntN(2)), value: value}
	var out regOutput
	call := time.Now().UnixNano()
	switch rng.IntN(3) {
	case 0:
		in.op = "get"
		res, err := s.Read(ctx, in.key, ReadOptions{Quorum: true})
		if err != nil && !fsm.HasCode(err, fsm.CodeKeyNotFound) {
			t.Errorf("get %s: %v", in.key, err)
		}
		if err == nil {
			out.value = *res.Event.Node.Value
		}
	case 1:
		in.op = "put"
		_, err := s.Do(ctx, &fsm.Command{Op: fsm.OpSet, Key: in.key, Value: value})
		if err != nil {
			t.Errorf("put %s: %v", in.key, err)
		}
	default:
		in.op = "cas"
		in.expected = fmt.Sprintf("c%d-%d", rng.IntN(6), rng.IntN(40))
		if rng.IntN(2) == 0 {
			res, err := s.Read(ctx, in.key, ReadOptions{})
			if err == nil {
				in.expected = *res.Event.Node.Value
			}
		}
		_, err := s.Do(ctx, &fsm.Command{Op: fsm.OpCompareAndSwap, Key: in.key, Value: value,
			PrevValue: in.expected})
		out.ok = err == nil
		expected := fsm.HasCode(err, fsm.CodeTestFailed) || fsm.HasCode(err, fsm.CodeKeyNotFound)
		if err != nil && !expected {
			t.Errorf("cas %s: %v", in.key, err)
		}
	}
	return porcupine.Operation{Input: in, Call: call, Output: out, Return: time.Now().UnixNano()}
}
