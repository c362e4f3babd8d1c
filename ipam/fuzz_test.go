package ipam

import (
	"testing"
)

// FuzzHandleMessage feeds arbitrary messages from a peer to an allocator: it
// must never panic, and this peer must keep its allocations and its space.
func FuzzHandleMessage(f *testing.F) {
	a := open(f, testConfig(f, "a", "a", "b"), nil)
	other := open(f, testConfig(f, "b", "a", "b"), nil)
	f.Add(other.LocalState())
	f.Add(append([]byte{msgSpaceAnswer}, other.LocalState()...))
	f.Add([]byte{msgSpaceRequest, 10, 32, 0, 0, 24})
	f.Add([]byte{msgSpaceRequest, 10, 32, 0, 0})
	mustAllocate(f, a, "10.32.0.0/12", "kept")
	f.Fuzz(func(t *testing.T, msg []byte) {
		a.HandleMessage("b", msg)
		a.MergeState("b", msg)
		st := a.Status()
		if st.Used != 1 || st.Owned == 0 {
			t.Fatalf("after message % x: %+v", msg, st)
		}
	})
}
