package fsm

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// MaxKeyLen is the longest key accepted, in bytes. bbolt allows keys of
// up to 32 KiB; the limit keeps every key well inside that, with room for
// the prefixes of the internal indexes.
const MaxKeyLen = 4096

// KeyError says why a key path is refused: the key and the byte offset of
// the first offending byte (-1 when the key as a whole is at fault).
type KeyError struct {
	Key    string
	Offset int
	Reason string
}

// Error names the key, the position and the reason.
func (e *KeyError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("invalid key %q: %s", e.Key, e.Reason)
	}
	return fmt.Sprintf("invalid key %q at byte %d: %s", e.Key, e.Offset, e.Reason)
}

// ParseKey turns a key as a client wrote it ("a/b/", "/a//b") into the
// canonical form the tree uses ("/a/b"): absolute, with no empty, "." or
// ".." segment and no trailing slash. "" and "/" name the root. A ".."
// segment is refused rather than resolved, as are control characters
// (NUL included), invalid UTF-8 and keys over MaxKeyLen bytes.
func ParseKey(raw string) (string, error) {
	if len(raw) > MaxKeyLen {
		return "", &KeyError{Key: raw, Offset: -1, Reason: "longer than 4096 bytes"}
	}
	for i, r := range raw {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(raw[i:]); size == 1 {
				return "", &KeyError{Key: raw, Offset: i, Reason: "invalid UTF-8"}
			}
		}
		if r < 0x20 || r == 0x7f {
			return "", &KeyError{Key: raw, Offset: i, Reason: "control character"}
		}
	}
	for _, seg := range strings.Split(raw, "/") {
		if seg == ".." {
			i := strings.Index(raw, "..")
			return "", &KeyError{Key: raw, Offset: i, Reason: `".." segment`}
		}
	}
	return path.Clean("/" + raw), nil
}

// ValidKey reports whether key is already canonical, as ParseKey returns it.
func ValidKey(key string) bool {
	k, err := ParseKey(key)
	return err == nil && k == key
}

// split returns the parent directory and the last segment of a canonical
// key: "/a/b" gives "/a" and "b"; "/a" gives "/" and "a".
func split(key string) (string, string) {
	i := strings.LastIndexByte(key, '/')
	if i == 0 {
		return "/", key[1:]
	}
	return key[:i], key[i+1:]
}

// join appends a segment to a canonical directory key.
func join(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// ancestors lists the directories above key, outermost first, without the
// root: "/a/b/c" gives "/a", "/a/b".
func ancestors(key string) []string {
	var out []string
	for i := 1; i < len(key); i++ {
		if key[i] == '/' {
			out = append(out, key[:i])
		}
	}
	return out
}

// isHidden reports whether a segment below watched starts with "_", which
// hides the key from listings and from recursive watches on watched.
func isHidden(watched, key string) bool {
	if len(key) <= len(watched) {
		return false
	}
	rest := "/" + strings.TrimPrefix(key[len(watched):], "/")
	return strings.Contains(rest, "/_")
}

// under reports whether key is dir itself or lies below it.
func under(key, dir string) bool {
	if dir == "/" || key == dir {
		return true
	}
	return strings.HasPrefix(key, dir+"/")
}
