package chaos

import "fmt"

// Kind is what an operation does to its key.
type Kind string

// The kinds of operation a client performs.
const (
	// Get is a quorum read of one key; a missing key reads as "".
	Get Kind = "get"
	// Put sets one key to a value, whatever it held.
	Put Kind = "put"
	// CAS sets one key to Value only if it holds Expected.
	CAS Kind = "cas"
)

// Outcome is what a client learnt of an operation.
type Outcome string

// The outcomes of an operation.
const (
	// OK means the store answered that the operation took effect (a read
	// returned Read, a compare-and-swap swapped).
	OK Outcome = "ok"
	// Failed means the store answered that the operation did not take
	// effect: a compare-and-swap whose comparison failed.
	Failed Outcome = "failed"
	// Unknown means no definite answer came (a timeout, a dropped
	// connection, a server error): a write may or may not have taken
	// effect, and a read told nothing.
	Unknown Outcome = "unknown"
)

// Op is one operation as a client recorded it. Call and Return are
// wall-clock times in Unix nanoseconds, taken on one machine, so that the
// operations of all clients, in any namespace, are on one time line.
type Op struct {
	Client   int     `json:"client"`
	Kind     Kind    `json:"kind"`
	Key      string  `json:"key"`
	Value    string  `json:"value,omitempty"`    // what a put or cas writes
	Expected string  `json:"expected,omitempty"` // what a cas compares with
	Read     string  `json:"read,omitempty"`     // what a get returned
	Outcome  Outcome `json:"outcome"`
	Call     int64   `json:"call"`
	Return   int64   `json:"return"`
	Err      string  `json:"err,omitempty"` // the error of an unknown or failed op
}

// String describes o in one line, for logs and the visualization.
func (o Op) String() string {
	switch o.Kind {
	case Get:
		return fmt.Sprintf("get(%s) -> %q [%s]", o.Key, o.Read, o.Outcome)
	case Put:
		return fmt.Sprintf("put(%s, %q) [%s]", o.Key, o.Value, o.Outcome)
	default:
		return fmt.Sprintf("cas(%s, %q -> %q) [%s]", o.Key, o.Expected, o.Value, o.Outcome)
	}
}

// Validate reports the first field of o that the checker cannot use.
func (o Op) Validate() error {
	switch o.Kind {
	case Get, Put, CAS:
	default:
		return fmt.Errorf("op of client %d: Kind = %q: not get, put or cas", o.Client, o.Kind)
	}
	switch o.Outcome {
	case OK, Unknown:
	case Failed:
		if o.Kind != CAS {
			return fmt.Errorf("op of client %d: Outcome = %q: only a cas can fail", o.Client,
				o.Outcome)
		}
	default:
		return fmt.Errorf("op of client %d: Outcome = %q: not ok, failed or unknown", o.Client,
			o.Outcome)
	}
	if o.Key == "" {
		return fmt.Errorf("op of client %d: Key is empty", o.Client)
	}
	if o.Kind != Get && o.Value == "" {
		return fmt.Errorf("op of client %d: Value of a %s is empty", o.Client, o.Kind)
	}
	if o.Kind == CAS && o.Expected == "" {
		// The etcd client sends no comparison for an empty prevValue: the
		// request would be a put.
		return fmt.Errorf("op of client %d: Expected of a cas is empty", o.Client)
	}
	if o.Return < o.Call {
		return fmt.Errorf("op of client %d: Return = %d: before Call = %d", o.Client, o.Return,
			o.Call)
	}
	return nil
}
