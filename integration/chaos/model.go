package chaos

import (
	"fmt"
	"sort"

	"github.com/anishathalye/porcupine"
)

// Model is the sequential specification the history is checked against:
// a set of registers, one per key, each starting empty ("", as a missing
// key reads). The history is partitioned by key, so each register is
// checked alone.
//
// A write of unknown outcome returns after everything else (see Operations). Its step always
// succeeds (a put sets the value, a cas swaps when the register holds what
// it expects), which loses nothing: an unknown write that never took effect
// can be linearized after every other operation, where nobody sees it.
var Model = porcupine.Model{
	Partition: partitionByKey,
	Init:      func() any { return "" },
	Step:      step,
	DescribeOperation: func(input, _ any) string {
		return input.(Op).String()
	},
	DescribeState: func(state any) string {
		return fmt.Sprintf("%q", state.(string))
	},
}

// step applies op to the register whose value is state.
func step(state, input, _ any) (bool, any) {
	s, op := state.(string), input.(Op)
	switch op.Kind {
	case Get:
		return op.Read == s, s
	case Put:
		return true, op.Value
	}
	swapped := s == op.Expected
	switch op.Outcome {
	case OK:
		return swapped, op.Value
	case Failed:
		return !swapped, s
	}
	if swapped {
		return true, op.Value
	}
	return true, s
}

// partitionByKey splits a history into one history per key, in key order
// so that a visualization lists them the same way every time.
func partitionByKey(h []porcupine.Operation) [][]porcupine.Operation {
	byKey := map[string][]porcupine.Operation{}
	for _, o := range h {
		k := o.Input.(Op).Key
		byKey[k] = append(byKey[k], o)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]porcupine.Operation, 0, len(keys))
	for _, k := range keys {
		out = append(out, byKey[k])
	}
	return out
}

// Operations turns recorded ops into porcupine's: reads without an answer
// are dropped (they constrain nothing), and writes of unknown outcome
// return after every other operation, which to the checker is the same as
// never: they may be linearized anywhere after their call. (A finite end
// keeps the visualization readable.)
func Operations(ops []Op) []porcupine.Operation {
	var end int64
	for _, o := range ops {
		end = max(end, o.Call, o.Return)
	}
	out := make([]porcupine.Operation, 0, len(ops))
	for _, o := range ops {
		if o.Outcome == Unknown {
			if o.Kind == Get {
				continue
			}
			o.Return = end + 1
		}
		out = append(out, porcupine.Operation{ClientId: o.Client, Input: o, Call: o.Call,
			Output: nil, Return: o.Return})
	}
	return out
}
