package fsm

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// openTest opens a tree in the test's temporary directory and closes it
// when the test ends, after checking the file's consistency.
func openTest(t *testing.T) *FSM {
	t.Helper()
	f, err := Open(filepath.Join(t.TempDir(), "tree.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		checkConsistent(t, f)
		if err := f.Close(); err != nil {
			t.Error(err)
		}
	})
	return f
}

// checkConsistent checks bbolt's own invariants and the tree's: every
// node's parent is a directory, and the expiry index names exactly the
// nodes that have an expiration.
func checkConsistent(t *testing.T, f *FSM) {
	t.Helper()
	err := f.view(func(tr tree) error {
		for err := range tr.tx.Check() {
			t.Errorf("bbolt check: %v", err)
		}
		nodes := tr.tx.Bucket(bucketNodes)
		withTTL := 0
		err := nodes.ForEach(func(k, v []byte) error {
			key := keyOf(k)
			r, err := decodeRecord(v)
			if err != nil {
				return err
			}
			dir, _ := split(key)
			p, err := tr.lookup(dir)
			if err != nil {
				return err
			}
			if p == nil || !p.dir {
				t.Errorf("node %s has no parent directory", key)
			}
			if r.expire != 0 {
				withTTL++
				if tr.tx.Bucket(bucketTTL).Get(ttlKey(r.expire, key)) == nil {
					t.Errorf("node %s expires but is not in the expiry index", key)
				}
			}
			return nil
		})
		if n := tr.tx.Bucket(bucketTTL).Stats().KeyN; n != withTTL {
			t.Errorf("expiry index holds %d keys, %d nodes expire", n, withTTL)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

// keyOf turns a nodes-bucket key back into the node's key.
func keyOf(k []byte) string {
	for i, c := range k {
		if c == 0 {
			return join(string(k[:i]), string(k[i+1:]))
		}
	}
	return string(k)
}

// ttl returns a pointer to a TTL in seconds.
func ttl(s int64) *int64 { return &s }

// jsonOf renders v as JSON for comparisons and messages.
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// mustApply applies c at the next Raft index and fails on a storage error.
func mustApply(t *testing.T, f *FSM, c Command) Result {
	t.Helper()
	res := f.Apply(f.Applied()+1, &c)
	if res.Err != nil && res.Err.Code == CodeRaftInternal {
		t.Fatalf("apply %s %s: %v", c.Op, c.Key, res.Err)
	}
	return res
}
