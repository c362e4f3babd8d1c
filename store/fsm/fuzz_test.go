package fsm

import (
	"path"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseKey checks that ParseKey yields canonical keys: absolute,
// clean, idempotent, and free of the bytes it promises to refuse.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"", "/", "a/b/", "//a//b", "/a/../b", "/a/./b", "a\x00b",
		"/docker/nodes/127.0.0.1:2376", "\xff", "/_h", ".../x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		k, err := ParseKey(raw)
		if err != nil {
			if _, ok := err.(*KeyError); !ok {
				t.Fatalf("ParseKey(%q) error %T, want *KeyError", raw, err)
			}
			return
		}
		if !strings.HasPrefix(k, "/") || path.Clean(k) != k {
			t.Fatalf("ParseKey(%q) = %q, not canonical", raw, k)
		}
		if k2, err := ParseKey(k); err != nil || k2 != k {
			t.Fatalf("ParseKey(%q) = %q %v, want it unchanged", k, k2, err)
		}
		if !utf8.ValidString(k) || strings.ContainsAny(k, "\x00\x7f") {
			t.Fatalf("ParseKey(%q) = %q keeps a refused byte", raw, k)
		}
		for _, seg := range strings.Split(k, "/") {
			if seg == ".." || seg == "." {
				t.Fatalf("ParseKey(%q) = %q keeps a dot segment", raw, k)
			}
		}
		if k != "/" {
			dir, name := split(k)
			if join(dir, name) != k || name == "" {
				t.Fatalf("split(%q) = %q, %q", k, dir, name)
			}
		}
	})
}

// FuzzDecodeCommand checks that decoding never panics, and that whatever
// decodes is valid and survives an encode and decode unchanged.
func FuzzDecodeCommand(f *testing.F) {
	seeds := []Command{
		{Op: OpSet, Key: "/a", Value: "v", TTL: ttl(3), Time: 42},
		{Op: OpCompareAndSwap, Key: "/a", PrevIndex: 3, PrevValue: "x"},
		{Op: OpDelete, Key: "/d", Recursive: true},
		{Op: OpExpire, Time: 7},
	}
	for _, c := range seeds {
		b, _ := c.Encode()
		f.Add(b)
	}
	f.Add([]byte(`\x01{"op":"set","key":"/a","value":"v","ttl":3}`))
	f.Add([]byte{1, '{', '}'})
	f.Add([]byte{2})
	f.Add([]byte{2, 0, 0, 2, '/', 'a', 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCommand(b)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("decoded command is invalid: %v", err)
		}
		enc, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		c2, err := DecodeCommand(enc)
		if err != nil || !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip changed %+v into %+v (%v)", c, c2, err)
		}
	})
}
