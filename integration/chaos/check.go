package chaos

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/anishathalye/porcupine"
)

// ErrNotLinearizable is returned by Check when the history has no
// linearization: some client saw what no order of the operations explains.
var ErrNotLinearizable = errors.New("history is not linearizable")

// ErrCheckTimeout is returned by Check when porcupine gave up before it
// decided; the history is then neither proven nor refuted.
var ErrCheckTimeout = errors.New("linearizability check timed out")

// Load reads the ops that clients wrote to the files at paths, and checks
// each for fields the checker cannot use.
func Load(paths ...string) ([]Op, error) {
	var all []Op
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("chaos: load history: %w", err)
		}
		var ops []Op
		if err := json.Unmarshal(b, &ops); err != nil {
			return nil, fmt.Errorf("chaos: load history %s: %w", p, err)
		}
		for i, o := range ops {
			if err := o.Validate(); err != nil {
				return nil, fmt.Errorf("chaos: load history %s, op %d: %w", p, i, err)
			}
		}
		all = append(all, ops...)
	}
	return all, nil
}

// LoadDump reads a Dump that a client wrote to path.
func LoadDump(path string) (Dump, error) {
	var d Dump
	b, err := os.ReadFile(path)
	if err != nil {
		return d, fmt.Errorf("chaos: load dump: %w", err)
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("chaos: load dump %s: %w", path, err)
	}
	return d, nil
}

// Stats counts a history's operations by kind and outcome.
type Stats struct {
	Ops                 int
	Gets, Puts, CASes   int
	OK, Failed, Unknown int
	// First and Last are the earliest call and the latest return.
	First, Last time.Time
}

// Count returns the Stats of ops.
func Count(ops []Op) Stats {
	var s Stats
	var first, last int64
	for i, o := range ops {
		s.Ops++
		switch o.Kind {
		case Get:
			s.Gets++
		case Put:
			s.Puts++
		default:
			s.CASes++
		}
		switch o.Outcome {
		case OK:
			s.OK++
		case Failed:
			s.Failed++
		default:
			s.Unknown++
		}
		if i == 0 || o.Call < first {
			first = o.Call
		}
		last = max(last, o.Return)
	}
	s.First, s.Last = time.Unix(0, first), time.Unix(0, last)
	return s
}

// String describes s in one line.
func (s Stats) String() string {
	return fmt.Sprintf("%d ops over %s (%d get, %d put, %d cas; %d ok, %d failed, %d unknown)",
		s.Ops, s.Last.Sub(s.First).Round(time.Millisecond), s.Gets, s.Puts, s.CASes, s.OK,
		s.Failed, s.Unknown)
}

// Check checks ops against Model for at most timeout. When the history is
// not linearizable, or the check times out, and vizPath is not empty, it
// writes porcupine's visualization there, with the faults of tl marked.
// The error wraps ErrNotLinearizable or ErrCheckTimeout.
func Check(ops []Op, tl Timeline, timeout time.Duration, vizPath string) error {
	res, info := porcupine.CheckOperationsVerbose(Model, Operations(ops), timeout)
	var err error
	switch res {
	case porcupine.Ok:
		return nil
	case porcupine.Illegal:
		err = fmt.Errorf("chaos: %d ops: %w", len(ops), ErrNotLinearizable)
	default:
		err = fmt.Errorf("chaos: %d ops: %w after %s", len(ops), ErrCheckTimeout, timeout)
	}
	if vizPath != "" {
		info.AddAnnotations(annotations(tl))
		if verr := porcupine.VisualizePath(Model, info, vizPath); verr != nil {
			return errors.Join(err, fmt.Errorf("chaos: visualize: %w", verr))
		}
		err = fmt.Errorf("%w (visualization in %s)", err, vizPath)
	}
	return err
}

// Save writes ops to path as JSON, the form Load reads.
func Save(path string, ops []Op) error { return writeJSON(path, ops) }

// annotations returns the faults of tl as marks for the visualization.
func annotations(tl Timeline) []porcupine.Annotation {
	out := make([]porcupine.Annotation, 0, len(tl))
	for _, f := range tl {
		out = append(out, porcupine.Annotation{Tag: "faults", Start: f.Start.UnixNano(),
			End: f.End.UnixNano(), Description: f.What, BackgroundColor: "#f4cccc"})
	}
	return out
}
