package fsm

import (
	"encoding/json"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// TestCommandRoundTrip checks that every valid command survives Encode and
// DecodeCommand unchanged.
func TestCommandRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := Command{
			Op:        rapid.SampledFrom(opCodes).Draw(t, "op"),
			Key:       rapid.StringMatching(`(/[a-z0-9]{1,8}){1,4}`).Draw(t, "key"),
			Value:     rapid.String().Draw(t, "value"),
			Dir:       rapid.Bool().Draw(t, "dir"),
			Recursive: rapid.Bool().Draw(t, "recursive"),
			PrevValue: rapid.String().Draw(t, "prevValue"),
			PrevIndex: rapid.Uint64().Draw(t, "prevIndex"),
			Time:      rapid.Int64().Draw(t, "time"),
		}
		if rapid.Bool().Draw(t, "hasTTL") {
			ttl := rapid.Int64Range(0, MaxTTL).Draw(t, "ttl")
			c.TTL = &ttl
			c.Refresh = c.Value == "" && rapid.Bool().Draw(t, "refresh")
		}
		if c.Validate() != nil {
			t.Skip("not a valid command")
		}
		b, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeCommand(b)
		if err != nil || !reflect.DeepEqual(*got, c) {
			t.Fatalf("round trip of %+v gave %+v (%v)", c, got, err)
		}
	})
}

// TestDecodeJSONCommand checks that entries written in the first format,
// JSON, still decode.
func TestDecodeJSONCommand(t *testing.T) {
	want := Command{Op: OpCompareAndSwap, Key: "/a/b", Value: "v", PrevIndex: 7, TTL: ttl(5),
		Time: 99}
	j, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeCommand(append([]byte{commandJSON}, j...))
	if err != nil || !reflect.DeepEqual(*got, want) {
		t.Fatalf("decoded %+v (%v), want %+v", got, err, want)
	}
}
