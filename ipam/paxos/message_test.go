package paxos

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func sampleMsgs() []Msg {
	return []Msg{
		{Kind: KindPrepare, Size: 3, Ballot: Ballot{Round: 1, Proposer: "a"}},
		{Kind: KindPromise, Size: 3, Ballot: Ballot{Round: 4, Proposer: "b"}, OK: true,
			Promised: Ballot{Round: 4, Proposer: "b"}, Accepted: Ballot{Round: 2, Proposer: "c"},
			Value: []string{"a", "c"}},
		{Kind: KindAccept, Size: 5, Ballot: Ballot{Round: 300, Proposer: "peer-1"},
			Value: []string{"peer-1", "peer-2", "peer-3"}},
		{Kind: KindAccepted, Size: 1, Ballot: Ballot{Round: 1, Proposer: "a"},
			Promised: Ballot{Round: 9, Proposer: "z"}},
	}
}

func TestMessageRoundTrip(t *testing.T) {
	for _, m := range sampleMsgs() {
		got, err := Unmarshal(m.Marshal())
		if err != nil {
			t.Fatalf("Unmarshal(Marshal(%+v)): %v", m, err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, m)
		}
	}
}

func TestUnmarshalRejects(t *testing.T) {
	good := sampleMsgs()[1].Marshal()
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	unsorted := sampleMsgs()[1]
	unsorted.Value = []string{"c", "a"}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{1}},
		{"kind 0", edit(func(b []byte) []byte { b[0] = 0; return b })},
		{"kind 5", edit(func(b []byte) []byte { b[0] = 5; return b })},
		{"ok 2", edit(func(b []byte) []byte { b[1] = 2; return b })},
		{"size 0", edit(func(b []byte) []byte { b[2] = 0; return b })},
		{"truncated", good[:len(good)-1]},
		{"trailing", append(bytes.Clone(good), 0)},
		{"unsorted value", unsorted.Marshal()},
		{"round without name", (Msg{Kind: KindPrepare, Size: 1,
			Ballot: Ballot{Round: 1}}).Marshal()},
		{"name without round", (Msg{Kind: KindPrepare, Size: 1,
			Ballot: Ballot{Proposer: "a"}}).Marshal()},
		{"empty name in value", (Msg{Kind: KindAccept, Size: 1,
			Value: []string{""}}).Marshal()},
	}
	for _, tt := range tests {
		if _, err := Unmarshal(tt.data); !errors.Is(err, ErrBadMessage) {
			t.Errorf("%s: Unmarshal = %v, want ErrBadMessage", tt.name, err)
		}
	}
}

func TestValidValue(t *testing.T) {
	tests := []struct {
		v    []string
		want bool
	}{
		{nil, false},
		{[]string{"a"}, true},
		{[]string{"a", "b"}, true},
		{[]string{"b", "a"}, false},
		{[]string{"a", "a"}, false},
		{[]string{""}, false},
		{[]string{string(make([]byte, 256))}, false},
	}
	for _, tt := range tests {
		if got := ValidValue(tt.v); got != tt.want {
			t.Errorf("ValidValue(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

// FuzzUnmarshal checks that decoding never panics and that every message it
// accepts encodes back to the same bytes.
func FuzzUnmarshal(f *testing.F) {
	for _, m := range sampleMsgs() {
		f.Add(m.Marshal())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Unmarshal(data)
		if err != nil {
			return
		}
		if again := m.Marshal(); !bytes.Equal(again, data) {
			t.Fatalf("round trip changed the bytes:\n% x\n% x", data, again)
		}
	})
}
