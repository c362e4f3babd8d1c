package fsm

import "testing"

// TestUnrootedKeysRefused reads and watches keys without their leading
// slash, which no caller should pass: each is refused, not a crash.
func TestUnrootedKeysRefused(t *testing.T) {
	f := openTest(t)
	for _, k := range []string{"", "x", "\x00", "a/b"} {
		if _, err := f.Get(k, true, true, 0); err == nil {
			t.Errorf("get %q succeeded", k)
		}
		if _, err := f.History(k, true, 0); err == nil {
			t.Errorf("history of %q succeeded", k)
		}
	}
}
