package paxos

import (
	"reflect"
	"testing"
)

func TestAcceptorReceive(t *testing.T) {
	b := func(r uint64, p string) Ballot { return Ballot{Round: r, Proposer: p} }
	v := []string{"a", "b"}
	start := Acceptor{Promised: b(2, "b"), Accepted: b(1, "a"), Value: []string{"a"}}
	tests := []struct {
		name    string
		in      Msg
		want    Msg
		changed bool
		after   Acceptor
	}{
		{"prepare higher", Msg{Kind: KindPrepare, Size: 3, Ballot: b(3, "a")},
			Msg{Kind: KindPromise, Size: 3, Ballot: b(3, "a"), OK: true, Promised: b(3, "a"),
				Accepted: b(1, "a"), Value: []string{"a"}},
			true, Acceptor{Promised: b(3, "a"), Accepted: b(1, "a"), Value: []string{"a"}}},
		{"prepare same round, higher name", Msg{Kind: KindPrepare, Size: 3, Ballot: b(2, "c")},
			Msg{Kind: KindPromise, Size: 3, Ballot: b(2, "c"), OK: true, Promised: b(2, "c"),
				Accepted: b(1, "a"), Value: []string{"a"}},
			true, Acceptor{Promised: b(2, "c"), Accepted: b(1, "a"), Value: []string{"a"}}},
		{"prepare duplicate", Msg{Kind: KindPrepare, Size: 3, Ballot: b(2, "b")},
			Msg{Kind: KindPromise, Size: 3, Ballot: b(2, "b"), OK: true, Promised: b(2, "b"),
				Accepted: b(1, "a"), Value: []string{"a"}},
			false, start},
		{"prepare lower", Msg{Kind: KindPrepare, Size: 3, Ballot: b(2, "a")},
			Msg{Kind: KindPromise, Size: 3, Ballot: b(2, "a"), Promised: b(2, "b")},
			false, start},
		{"accept promised", Msg{Kind: KindAccept, Size: 3, Ballot: b(2, "b"), Value: v},
			Msg{Kind: KindAccepted, Size: 3, Ballot: b(2, "b"), OK: true, Promised: b(2, "b")},
			true, Acceptor{Promised: b(2, "b"), Accepted: b(2, "b"), Value: v}},
		{"accept higher", Msg{Kind: KindAccept, Size: 3, Ballot: b(5, "a"), Value: v},
			Msg{Kind: KindAccepted, Size: 3, Ballot: b(5, "a"), OK: true, Promised: b(5, "a")},
			true, Acceptor{Promised: b(5, "a"), Accepted: b(5, "a"), Value: v}},
		{"accept lower", Msg{Kind: KindAccept, Size: 3, Ballot: b(1, "z"), Value: v},
			Msg{Kind: KindAccepted, Size: 3, Ballot: b(1, "z"), Promised: b(2, "b")},
			false, start},
		{"accept empty value", Msg{Kind: KindAccept, Size: 3, Ballot: b(9, "a")},
			Msg{Kind: KindAccepted, Size: 3, Ballot: b(9, "a"), Promised: b(2, "b")},
			false, start},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := start
			a.Value = append([]string(nil), start.Value...)
			got, changed, ok := a.Receive(tt.in)
			if !ok || !reflect.DeepEqual(got, tt.want) || changed != tt.changed {
				t.Errorf("Receive(%+v) =\n %+v changed %v ok %v\nwant\n %+v changed %v",
					tt.in, got, changed, ok, tt.want, tt.changed)
			}
			if !reflect.DeepEqual(a, tt.after) {
				t.Errorf("state after = %+v, want %+v", a, tt.after)
			}
		})
	}
	var a Acceptor
	if _, _, ok := a.Receive(Msg{Kind: KindPromise, Size: 1}); ok {
		t.Error("an acceptor answered a Promise")
	}
}

func TestBallotOrder(t *testing.T) {
	order := []Ballot{{}, {1, "a"}, {1, "b"}, {2, "a"}, {10, "a"}}
	for i := range order {
		for j := range order {
			if got, want := order[i].Less(order[j]), i < j; got != want {
				t.Errorf("%s < %s = %v, want %v", order[i], order[j], got, want)
			}
		}
	}
	for n, want := range map[int]int{1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 7: 4} {
		if got := Quorum(n); got != want {
			t.Errorf("Quorum(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestAcceptorEncoding(t *testing.T) {
	for _, a := range []Acceptor{{}, {Promised: Ballot{Round: 7, Proposer: "b"},
		Accepted: Ballot{Round: 3, Proposer: "a"}, Value: []string{"a", "b"}}} {
		data, _ := a.MarshalBinary()
		var back Acceptor
		if err := back.UnmarshalBinary(data); err != nil || !reflect.DeepEqual(back, a) {
			t.Errorf("round trip of %+v = %+v, %v", a, back, err)
		}
		if err := back.UnmarshalBinary(data[:len(data)-1]); err == nil && len(data) > 4 {
			t.Errorf("truncated acceptor accepted")
		}
	}
	var a Acceptor
	if err := a.UnmarshalBinary([]byte("nope")); err == nil {
		t.Error("bad magic accepted")
	}
}
