package cluster

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestEnvelopeDecode(t *testing.T) {
	msg := envelope{kind: kindMessage, channel: "ring", sender: "peer-1",
		payload: []byte("data")}.encode()
	tests := []struct {
		name    string
		in      []byte
		want    envelope
		wantErr string
	}{
		{"message", msg, envelope{kind: kindMessage, channel: "ring", sender: "peer-1",
			payload: []byte("data")}, ""},
		{"empty payload", []byte{1, 1, 1, 'c', 1, 's'},
			envelope{kind: kindMessage, channel: "c", sender: "s", payload: []byte{}}, ""},
		{"state without channel", []byte{1, 2, 0, 1, 's', 9},
			envelope{kind: kindState, sender: "s", payload: []byte{9}}, ""},
		{"short", []byte{1, 1, 0}, envelope{}, "shorter than its header"},
		{"version", []byte{2, 1, 1, 'c', 1, 's'}, envelope{}, "version 2"},
		{"kind", []byte{1, 7, 1, 'c', 1, 's'}, envelope{}, "kind 7 at offset 1"},
		{"channel past end", []byte{1, 1, 9, 'c', 1, 's'}, envelope{}, "channel of 9 bytes"},
		{"message without channel", []byte{1, 1, 0, 1, 's'}, envelope{}, "channel name of 0"},
		{"sender missing", []byte{1, 1, 1, 'c'}, envelope{}, "sender length missing at offset 4"},
		{"sender past end", []byte{1, 1, 1, 'c', 5, 's'}, envelope{}, "sender of 5 bytes"},
		{"empty sender", []byte{1, 1, 1, 'c', 0, 'x'}, envelope{}, "empty sender"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeEnvelope(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want ErrMalformed with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.kind != tt.want.kind || got.channel != tt.want.channel ||
				got.sender != tt.want.sender || !bytes.Equal(got.payload, tt.want.payload) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBundleDecode(t *testing.T) {
	good := encodeBundle([]statePart{{"ring", []byte("r")}, {"dns", nil}})
	tests := []struct {
		name    string
		in      []byte
		parts   int
		wantErr string
	}{
		{"two parts", good, 2, ""},
		{"empty", nil, 0, ""},
		{"empty channel", []byte{0, 0, 0, 0, 0}, 0, "channel name of 0"},
		{"length missing", []byte{1, 'r', 0, 0}, 0, "length of \"r\" missing"},
		{"data past end", []byte{1, 'r', 0, 0, 0, 9, 'x'}, 0, "runs past the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := decodeBundle(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want ErrMalformed with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(parts) != tt.parts {
				t.Fatalf("got %d parts, %v; want %d", len(parts), err, tt.parts)
			}
		})
	}
}

// TestEnvelopeRoundTrip checks, for generated envelopes, that decoding what
// encode made gives the envelope back. rapid prints the seed of a failure.
func TestEnvelopeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := envelope{
			kind:    rapid.SampledFrom([]byte{kindMessage, kindState}).Draw(t, "kind"),
			channel: bytesString(t, "channel", maxChannelLen),
			sender:  bytesString(t, "sender", maxNameLen),
			payload: rapid.SliceOf(rapid.Byte()).Draw(t, "payload"),
		}
		got, err := decodeEnvelope(e.encode())
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if got.kind != e.kind || got.channel != e.channel || got.sender != e.sender ||
			!bytes.Equal(got.payload, e.payload) {
			t.Fatalf("got %+v, want %+v", got, e)
		}
	})
}

func TestBundleRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 5).Draw(t, "parts")
		parts := make([]statePart, n)
		for i := range parts {
			parts[i] = statePart{
				channel: bytesString(t, "channel", maxChannelLen),
				data:    rapid.SliceOf(rapid.Byte()).Draw(t, "data"),
			}
		}
		got, err := decodeBundle(encodeBundle(parts))
		if err != nil || len(got) != n {
			t.Fatalf("decode: %d parts, %v; want %d", len(got), err, n)
		}
		for i := range got {
			if got[i].channel != parts[i].channel || !bytes.Equal(got[i].data, parts[i].data) {
				t.Fatalf("part %d: got %+v, want %+v", i, got[i], parts[i])
			}
		}
	})
}

// bytesString draws a string of 1 to n arbitrary bytes.
func bytesString(t *rapid.T, label string, n int) string {
	return string(rapid.SliceOfN(rapid.Byte(), 1, n).Draw(t, label))
}

// FuzzDecodeEnvelope checks that decoding never panics and that what decodes
// encodes back to the same bytes.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add(envelope{kind: kindMessage, channel: "ring", sender: "p", payload: []byte("x")}.encode())
	f.Add([]byte{1, 2, 0, 1, 's'})
	f.Add([]byte{1, 1, 200, 'c'})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEnvelope(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if again := e.encode(); !bytes.Equal(again, b) {
			t.Fatalf("decoded %+v encodes to %x, not %x", e, again, b)
		}
	})
}

// FuzzDecodeBundle checks the same for push/pull bundles.
func FuzzDecodeBundle(f *testing.F) {
	f.Add(encodeBundle([]statePart{{"ring", []byte("r")}, {"dns", nil}}))
	f.Add([]byte{1, 'r', 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		parts, err := decodeBundle(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if again := encodeBundle(parts); !bytes.Equal(again, b) {
			t.Fatalf("decoded %d parts encode to %x, not %x", len(parts), again, b)
		}
	})
}
