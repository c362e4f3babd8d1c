package weavemesh

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	networksBucket  = []byte("networks")
	endpointsBucket = []byte("endpoints")
)

// Network is what the driver keeps of a Docker network.
type Network struct {
	ID      string
	Options NetworkOptions
}

// Endpoint is what the driver keeps of a container's interface on a network.
type Endpoint struct {
	ID        string
	NetworkID string
	Address   string // CIDR, as Docker gave it
	MAC       string
	HostVeth  string
	PeerVeth  string
	Sandbox   string // set while joined
}

// state persists networks and endpoints in a bbolt file.
type state struct {
	db *bolt.DB
}

func openState(path string) (*state, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open driver state %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{networksBucket, endpointsBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init driver state %s: %w", path, err)
	}
	return &state{db: db}, nil
}

func (s *state) close() error { return s.db.Close() }

func (s *state) put(bucket []byte, key string, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Put([]byte(key), buf)
	})
}

func (s *state) delete(bucket []byte, key string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Delete([]byte(key))
	})
}

// load calls fn with every record of bucket, decoded.
func load[T any](s *state, bucket []byte, fn func(T)) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var rec T
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("record %q in %s: %w", k, bucket, err)
			}
			fn(rec)
			return nil
		})
	})
}
