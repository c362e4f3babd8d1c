package fsm

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// benchBatch is how many entries one benchmark batch applies, about what
// a replica's batches hold with 64 writers (raft.fsm.applyBatchNum).
const benchBatch = 8

// benchKey spreads writes the way the store benchmark does: 64 writers,
// each making new keys in a directory of its own.
func benchKey(i int) string {
	return fmt.Sprintf("/storebench/write/run/%d/%d", i%64, i/64)
}

// BenchmarkApplyBatch applies batches of sets of new 100-byte values, as
// the store's write benchmark makes them, and in the same run puts the
// same keys and values into a bare bbolt bucket in one transaction a
// batch: the floor for a bbolt tree. It reports both costs per entry and
// x-bbolt, how many times the floor the tree costs (each entry also
// writes its history event and the counters, and looks up its parents).
func BenchmarkApplyBatch(b *testing.B) {
	value := string(make([]byte, 100))
	f, err := Open(filepath.Join(b.TempDir(), "tree.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, &bolt.Options{
		NoSync: true, NoGrowSync: true, NoFreelistSync: true, FreelistType: bolt.FreelistMapType,
		InitialMmapSize: initialMmap})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()

	// The two alternate batch by batch, so that a drift of the machine's
	// speed meets both alike.
	var ours, bare time.Duration
	b.ResetTimer()
	for n := 0; n < b.N; n += benchBatch {
		entries := make([]Entry, benchBatch)
		for i := range entries {
			k := n + i
			entries[i] = Entry{Index: uint64(k + 1), Cmd: &Command{Op: OpSet, Key: benchKey(k),
				Value: value, Time: int64(k)}}
		}
		start := time.Now()
		for _, r := range f.ApplyBatch(entries) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
		ours += time.Since(start)

		start = time.Now()
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("nodes"))
			if err != nil {
				return err
			}
			for i := range benchBatch {
				if err := bk.Put([]byte(benchKey(n+i)), []byte(value)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		bare += time.Since(start)
	}
	b.StopTimer()
	entries := float64(b.N)
	b.ReportMetric(float64(ours.Nanoseconds())/entries, "tree-ns/entry")
	b.ReportMetric(float64(bare.Nanoseconds())/entries, "bbolt-ns/entry")
	b.ReportMetric(float64(ours)/float64(bare), "x-bbolt")
}
