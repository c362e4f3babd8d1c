package ipam

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"weave.works/weave/ipam/paxos"
	"weave.works/weave/ipam/ring"
)

// The state file holds two buckets:
//
//	meta    "self"     -> this peer's name
//	        "ring"     -> the ring's binary encoding
//	        "paxos"    -> the consensus acceptor's state (consensus mode)
//	        "handover" -> a handover offered and not yet acknowledged
//	allocs  4-byte address -> label
var (
	bucketMeta   = []byte("meta")
	bucketAllocs = []byte("allocs")
	keySelf      = []byte("self")
	keyRing      = []byte("ring")
	keyPaxos     = []byte("paxos")
	keyHandover  = []byte("handover")
)

// lockTimeout bounds the wait for the file lock, which another process (a
// second daemon on the same state directory) may hold.
const lockTimeout = 2 * time.Second

// stored is what the state file held at open.
type stored struct {
	ring     *ring.Ring
	allocs   map[netip.Addr]string
	acceptor paxos.Acceptor
	pending  *handover
}

func openDB(path string) (*bolt.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open ipam state: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return nil, fmt.Errorf("open ipam state %s: %w", path, err)
	}
	return db, nil
}

// load reads the state file, or writes a fresh state when the file is new:
// the seeded ring in seed mode, an empty ring otherwise. It refuses state
// written for another peer or range, or, in seed mode, another seed set.
func load(db *bolt.DB, cfg Config) (*stored, error) {
	start, err := ring.New(cfg.Range, cfg.Self)
	if cfg.init().Mode == InitSeed {
		start, err = ring.Seed(cfg.Range, cfg.seeds())
	}
	if err != nil {
		return nil, fmt.Errorf("load ipam state: %w", err)
	}
	start.SetSelf(cfg.Self)
	st := &stored{ring: start, allocs: map[netip.Addr]string{}}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		allocs, err := tx.CreateBucketIfNotExists(bucketAllocs)
		if err != nil {
			return err
		}
		if err := readMeta(meta, cfg, st); err != nil {
			return err
		}
		if err := readAllocs(allocs, cfg, st); err != nil {
			return err
		}
		if err := readConsensus(meta, cfg, st); err != nil {
			return err
		}
		return writeMeta(meta, cfg.Self, st.ring)
	})
	if err != nil {
		return nil, fmt.Errorf("load ipam state %s: %w", db.Path(), err)
	}
	return st, nil
}

func readMeta(meta *bolt.Bucket, cfg Config, st *stored) error {
	if self := meta.Get(keySelf); self != nil && string(self) != cfg.Self {
		return fmt.Errorf("written by peer %q, configured as %q: %w", self, cfg.Self,
			ErrStateMismatch)
	}
	data := meta.Get(keyRing)
	if data == nil {
		return nil
	}
	r, _ := ring.New(cfg.Range, cfg.Self)
	if err := r.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("stored ring: %w", err)
	}
	if r.Range() != cfg.Range {
		return fmt.Errorf("ring is for range %s, configured %s: %w", r.Range(), cfg.Range,
			ErrStateMismatch)
	}
	switch {
	case r.Identity().IsZero():
		// Never joined a ring (an observer or a consensus that did not
		// finish): start as configured now.
		return nil
	case cfg.init().Mode == InitSeed && r.Identity() != st.ring.Identity():
		return fmt.Errorf("ring was seeded from another peer set than %v: %w", cfg.seeds(),
			ErrStateMismatch)
	}
	st.ring = r
	return nil
}

// readConsensus reads the acceptor's state and the pending handover.
func readConsensus(meta *bolt.Bucket, cfg Config, st *stored) error {
	if data := meta.Get(keyPaxos); data != nil {
		if err := st.acceptor.UnmarshalBinary(data); err != nil {
			return fmt.Errorf("stored consensus state: %w", err)
		}
	}
	data := meta.Get(keyHandover)
	if data == nil {
		return nil
	}
	h, err := decodePending(data, cfg)
	if err != nil {
		return fmt.Errorf("stored handover: %w", err)
	}
	if h.offer.Identity() != st.ring.Identity() {
		return fmt.Errorf("stored handover is for another ring: %w", ErrStateMismatch)
	}
	st.pending = h
	return nil
}

func readAllocs(b *bolt.Bucket, cfg Config, st *stored) error {
	return b.ForEach(func(k, v []byte) error {
		if len(k) != 4 {
			return fmt.Errorf("allocation key % x: not an IPv4 address", k)
		}
		a := netip.AddrFrom4([4]byte(k))
		if !cfg.Range.Contains(a) {
			return fmt.Errorf("allocation %s outside range %s: %w", a, cfg.Range,
				ErrStateMismatch)
		}
		st.allocs[a] = string(v)
		return nil
	})
}

func writeMeta(meta *bolt.Bucket, self string, r *ring.Ring) error {
	data, err := r.MarshalBinary()
	if err != nil {
		return err
	}
	if err := meta.Put(keySelf, []byte(self)); err != nil {
		return err
	}
	return meta.Put(keyRing, data)
}

// op is one change to the allocations, waiting for its commit.
type op struct {
	addr    netip.Addr
	label   string
	release bool
	done    chan error
}

// commitBatch writes a batch of changes and, when ringData is not nil, the
// ring, in one transaction. With clearHandover it also forgets the pending
// handover, which the ring written completes.
func commitBatch(db *bolt.DB, ops []op, ringData []byte, clearHandover bool) error {
	return db.Update(func(tx *bolt.Tx) error {
		allocs := tx.Bucket(bucketAllocs)
		if allocs == nil {
			return errors.New("state file lost its allocs bucket")
		}
		for _, o := range ops {
			k := o.addr.As4()
			var err error
			if o.release {
				err = allocs.Delete(k[:])
			} else {
				err = allocs.Put(k[:], []byte(o.label))
			}
			if err != nil {
				return fmt.Errorf("%s: %w", o.addr, err)
			}
		}
		if ringData == nil {
			return nil
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return errors.New("state file lost its meta bucket")
		}
		if clearHandover {
			if err := meta.Delete(keyHandover); err != nil {
				return err
			}
		}
		return meta.Put(keyRing, ringData)
	})
}

// putMeta writes one key of the meta bucket in a transaction of its own.
func putMeta(db *bolt.DB, key, value []byte) error {
	return db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return errors.New("state file lost its meta bucket")
		}
		return meta.Put(key, value)
	})
}

// saveAcceptor makes the consensus acceptor's state durable.
func saveAcceptor(db *bolt.DB, acc paxos.Acceptor) error {
	data, _ := acc.MarshalBinary()
	if err := putMeta(db, keyPaxos, data); err != nil {
		return fmt.Errorf("save consensus state: %w", err)
	}
	return nil
}

// savePending makes a handover offer durable before it is sent.
func savePending(db *bolt.DB, h *handover) error {
	if err := putMeta(db, keyHandover, encodePending(h)); err != nil {
		return fmt.Errorf("save handover: %w", err)
	}
	return nil
}
