package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	etcd "go.etcd.io/etcd/client/v2"
)

// Run does what c says, inside whichever namespace the process is in, and
// writes the result to c.Out. It returns an error only when it could not
// work at all; failed requests are part of the result.
func Run(ctx context.Context, c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	cl, err := etcd.New(etcd.Config{Endpoints: []string{c.Endpoint},
		HeaderTimeoutPerRequest: c.Timeout})
	if err != nil {
		return fmt.Errorf("chaos: client for %s: %w", c.Endpoint, err)
	}
	kv := etcd.NewKeysAPI(cl)

	var out any
	switch c.Mode {
	case ModeOps:
		out = runOps(ctx, c, kv)
	case ModeRead:
		out = readAll(ctx, c, kv)
	default:
		d, err := dump(ctx, c, kv)
		if err != nil {
			return err
		}
		out = d
	}
	return writeJSON(c.Out, out)
}

// runOps performs random operations until the stop file appears, ctx ends
// or c.MaxDuration passes.
func runOps(ctx context.Context, c Config, kv etcd.KeysAPI) []Op {
	rng := rand.New(rand.NewPCG(c.Seed, uint64(c.Client)))
	deadline := time.Now().Add(c.MaxDuration)
	seen := map[string]string{} // the last value this client saw per key
	var ops []Op
	for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
		if _, err := os.Stat(c.StopFile); err == nil {
			break
		}
		key := c.Keys[rng.IntN(len(c.Keys))]
		op := Op{Client: c.Client, Key: key, Value: fmt.Sprintf("c%d-%d", c.Client, n)}
		switch r := rng.IntN(10); {
		case r < 4:
			op.Kind, op.Value = Get, ""
		case r < 7:
			op.Kind = Put
		default:
			op.Kind = CAS
			op.Expected = seen[key]
			if op.Expected == "" || rng.IntN(4) == 0 {
				// A guess, mostly wrong, so that failed swaps are checked too.
				op.Expected = fmt.Sprintf("c%d-%d", rng.IntN(6), rng.IntN(n+1))
			}
		}
		op = do(ctx, c.Timeout, kv, op)
		if op.Outcome == OK {
			seen[key] = op.Value
			if op.Kind == Get {
				seen[key] = op.Read
			}
		}
		ops = append(ops, op)

		pause := time.Duration(rng.Int64N(int64(c.Think) + 1))
		if op.Outcome == Unknown {
			// A store without a leader is not helped by a client that
			// piles up writes nobody can answer.
			pause += 200 * time.Millisecond
		}
		time.Sleep(pause)
	}
	return ops
}

// readAll reads every key of c once by quorum.
func readAll(ctx context.Context, c Config, kv etcd.KeysAPI) []Op {
	ops := make([]Op, 0, len(c.Keys))
	for _, k := range c.Keys {
		ops = append(ops, do(ctx, c.Timeout, kv, Op{Client: c.Client, Kind: Get, Key: k}))
	}
	return ops
}

// do performs op with a timeout and records its times and outcome.
func do(ctx context.Context, timeout time.Duration, kv etcd.KeysAPI, op Op) Op {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	op.Call = time.Now().UnixNano()
	var err error
	switch op.Kind {
	case Get:
		var resp *etcd.Response
		resp, err = kv.Get(ctx, op.Key, &etcd.GetOptions{Quorum: true})
		if err == nil {
			op.Read = resp.Node.Value
		} else if hasCode(err, etcd.ErrorCodeKeyNotFound) {
			err = nil
		}
	case Put:
		_, err = kv.Set(ctx, op.Key, op.Value, nil)
	default:
		_, err = kv.Set(ctx, op.Key, op.Value, &etcd.SetOptions{PrevValue: op.Expected})
	}
	op.Return = time.Now().UnixNano()

	switch {
	case err == nil:
		op.Outcome = OK
	case op.Kind == CAS && (hasCode(err, etcd.ErrorCodeTestFailed) ||
		hasCode(err, etcd.ErrorCodeKeyNotFound)):
		// The store compared and refused: a definite answer.
		op.Outcome, op.Err = Failed, err.Error()
	default:
		op.Outcome, op.Err = Unknown, err.Error()
	}
	return op
}

// hasCode reports whether err is an etcd error answer with the given code.
func hasCode(err error, code int) bool {
	var e etcd.Error
	return errors.As(err, &e) && e.Code == code
}

// writeJSON writes v to path as JSON, through a temporary file so that a
// reader never sees half of it.
func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("chaos: encode %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("chaos: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("chaos: write %s: %w", path, err)
	}
	return nil
}
