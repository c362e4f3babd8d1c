package bench

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	metrics "github.com/hashicorp/go-metrics/compat"
)

// collectTimings makes the process's metrics, Raft's among them, go to
// an in-memory sink that keeps the whole run as one interval.
func collectTimings() (*metrics.InmemSink, error) {
	sink := metrics.NewInmemSink(24*time.Hour, 24*time.Hour)
	conf := metrics.DefaultConfig("")
	conf.EnableHostname, conf.EnableRuntimeMetrics, conf.EnableServiceLabel = false, false, false
	if _, err := metrics.NewGlobal(conf, sink); err != nil {
		return nil, fmt.Errorf("collect timings: %w", err)
	}
	return sink, nil
}

// writeTimings writes every sample the sink holds, one line each by
// name: how many, the mean and the largest. Raft measures its steps in
// milliseconds (raft.commitTime: from the leader's append to the commit;
// raft.rpc.appendEntries: a follower handling an append), and counts
// sizes (raft.fsm.applyBatchNum).
func writeTimings(path string, sink *metrics.InmemSink) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := tabwriter.NewWriter(f, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "sample\tcount\tmean\tmax\t")
	for _, iv := range sink.Data() {
		iv.RLock()
		names := make([]string, 0, len(iv.Samples))
		for name := range iv.Samples {
			if !strings.Contains(name, ";peer_id=") { // the same again, with a label
				names = append(names, name)
			}
		}
		slices.SortFunc(names, func(a, b string) int { return cmp.Compare(a, b) })
		for _, name := range names {
			s := iv.Samples[name]
			fmt.Fprintf(w, "%s\t%d\t%.3f\t%.3f\t\n", strings.TrimPrefix(name, "."), s.Count,
				s.Sum/float64(max(s.Count, 1)), s.Max)
		}
		iv.RUnlock()
	}
	return w.Flush()
}
