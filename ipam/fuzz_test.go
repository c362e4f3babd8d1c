package ipam

import (
	"testing"

	"weave.works/weave/ipam/paxos"
)

// FuzzHandleMessage feeds arbitrary messages of every kind from a peer to an
// allocator: it must never panic, and this peer must keep its allocations
// and some space.
func FuzzHandleMessage(f *testing.F) {
	a := open(f, testConfig(f, "a", "a", "b"), nil)
	other := open(f, testConfig(f, "b", "a", "b"), nil)
	f.Add(other.LocalState())
	f.Add(append([]byte{msgSpaceAnswer}, other.LocalState()...))
	f.Add([]byte{msgSpaceRequest, 10, 32, 0, 0, 24})
	f.Add([]byte{msgSpaceRequest, 10, 32, 0, 0})
	f.Add(append([]byte{msgSpaceRequest, 10, 32, 0, 0, 24}, other.LocalState()...))
	f.Add([]byte{msgClaimRequest, 10, 32, 0, 9})
	f.Add(append([]byte{msgClaimAnswer, 10, 32, 0, 9, claimGiven}, other.LocalState()...))
	f.Add(append([]byte{msgHandoverOffer}, other.LocalState()...))
	f.Add(append([]byte{msgHandoverAck}, other.LocalState()...))
	f.Add([]byte{msgHandoverRefuse, 'n', 'o'})
	prepare := paxos.Msg{Kind: paxos.KindPrepare, Size: 2,
		Ballot: paxos.Ballot{Round: 1, Proposer: "b"}}
	f.Add(append(rangeHeader(msgPaxos, pfx("10.32.0.0/12")), prepare.Marshal()...))
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
