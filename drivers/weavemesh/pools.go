package weavemesh

import (
	"fmt"
	"net/netip"
	"strconv"
	"sync"

	bolt "go.etcd.io/bbolt"
)

var poolsBucket = []byte("pools")

// Pools remembers which subnets Docker's networks asked for, and how many times, so that
// two networks never get overlapping subnets. All weavemesh networks share one bridge: a
// container in 10.33.0.0/16 and one in 10.33.1.0/24 would sit on one link with masks that
// disagree. The whole range, the pool of networks made without --subnet, is the one pool
// that may hold others: every address still comes from the one allocator.
type Pools struct {
	mu    sync.Mutex
	db    *bolt.DB
	space netip.Prefix
	count map[netip.Prefix]int
}

// Pools returns the driver's pool table, kept in its state file.
func (d *Driver) Pools(space netip.Prefix) (*Pools, error) {
	p := &Pools{db: d.st.db, space: space.Masked(), count: map[netip.Prefix]int{}}
	err := p.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(poolsBucket)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			pool, err := netip.ParsePrefix(string(k))
			if err != nil {
				return fmt.Errorf("pool record %q: %w", k, err)
			}
			n, err := strconv.Atoi(string(v))
			if err != nil {
				return fmt.Errorf("pool record %q: count %q: %w", k, v, err)
			}
			p.count[pool] = n
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load pools: %w", err)
	}
	return p, nil
}

// acquire records one more use of pool, refusing a subnet that overlaps another one.
func (p *Pools) acquire(pool netip.Prefix) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pool != p.space {
		for q := range p.count {
			if q != pool && q != p.space && q.Overlaps(pool) {
				return fmt.Errorf("subnet %s overlaps subnet %s of another weavemesh network; "+
					"choose one that does not, or remove that network first", pool, q)
			}
		}
	}
	return p.save(pool, p.count[pool]+1)
}

// release records one use of pool less; releasing an unknown pool is no error.
func (p *Pools) release(pool netip.Prefix) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.count[pool] == 0 {
		return nil
	}
	return p.save(pool, p.count[pool]-1)
}

func (p *Pools) save(pool netip.Prefix, n int) error {
	err := p.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(poolsBucket)
		if n == 0 {
			return b.Delete([]byte(pool.String()))
		}
		return b.Put([]byte(pool.String()), []byte(strconv.Itoa(n)))
	})
	if err != nil {
		return fmt.Errorf("persist pool %s: %w", pool, err)
	}
	if n == 0 {
		delete(p.count, pool)
	} else {
		p.count[pool] = n
	}
	return nil
}
