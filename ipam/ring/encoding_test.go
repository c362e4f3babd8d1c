package ring

import (
	"bytes"
	"errors"
	"testing"
)

func encoded(t testing.TB, r *Ring) []byte {
	t.Helper()
	b, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUnmarshalRejects(t *testing.T) {
	good := encoded(t, mustSeed(t, "10.0.0.0/24", "a", "b"))
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"bad magic", edit(func(b []byte) []byte { b[0] = 'X'; return b })},
		{"future format", edit(func(b []byte) []byte { b[3] = 2; return b })},
		{"prefix length", edit(func(b []byte) []byte { b[8] = 33; return b })},
		{"host bits", edit(func(b []byte) []byte { b[7] = 1; return b })},
		{"truncated", good[:len(good)-1]},
		{"trailing byte", append(bytes.Clone(good), 0)},
		{"overlong varint", edit(func(b []byte) []byte {
			// The peer count 2 written in two bytes instead of one.
			return append(append(b[:17:17], 0x82, 0x00), b[18:]...)
		})},
		{"huge count", edit(func(b []byte) []byte { return append(b[:17:17], 0xff, 0xff, 0x03) })},
		{"empty name", edit(func(b []byte) []byte { b[18] = 0; return b })},
		{"no identity", edit(func(b []byte) []byte { copy(b[9:17], make([]byte, 8)); return b })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustSeed(t, "10.1.0.0/16", "x")
			before := r.Clone()
			if err := r.UnmarshalBinary(tt.data); !errors.Is(err, ErrInvalid) {
				t.Errorf("UnmarshalBinary error = %v, want ErrInvalid", err)
			}
			if !r.Equal(before) {
				t.Error("failed UnmarshalBinary changed the ring")
			}
		})
	}
}

func TestUnmarshalKeepsSelf(t *testing.T) {
	r, _ := New(testRange, "me")
	if err := r.UnmarshalBinary(encoded(t, mustSeed(t, "10.0.0.0/24", "a"))); err != nil {
		t.Fatal(err)
	}
	if r.Self() != "me" || r.Owner(addr("10.0.0.9")) != "a" {
		t.Errorf("after decode: self %q, owner %q", r.Self(), r.Owner(addr("10.0.0.9")))
	}
}

// FuzzUnmarshalBinary checks that decoding never panics and that any ring it
// accepts is valid and encodes back to the very same bytes.
func FuzzUnmarshalBinary(f *testing.F) {
	f.Add(encoded(f, mustSeed(f, "10.0.0.0/24", "a", "b")))
	r := mustSeed(f, "10.32.0.0/12", "peer-1", "peer-2", "peer-3")
	if err := r.Transfer("peer-3", "peer-1", rng("10.47.255.0", "10.47.255.255")); err != nil {
		f.Fatal(err)
	}
	f.Add(encoded(f, r))
	empty, _ := New(testRange, "")
	f.Add(encoded(f, empty))
	f.Add([]byte("WVR\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Ring
		if err := r.UnmarshalBinary(data); err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("accepted ring is invalid: %v", err)
		}
		again, err := r.MarshalBinary()
		if err != nil {
			t.Fatalf("accepted ring does not encode: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("round trip changed the bytes:\n% x\n% x", data, again)
		}
	})
}
