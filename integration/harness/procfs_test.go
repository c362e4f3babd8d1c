package harness

import (
	"os"
	"strings"
	"testing"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		in   string
		comm string
		ppid int
		bad  bool
	}{
		{"1 (init) S 0 1 1 0 -1", "init", 0, false},
		{"42 (sleep) S 7 42 42 0", "sleep", 7, false},
		{"42 (a b) c) R 9 1", "a b) c", 9, false},
		{"42 ((sd-pam)) S 3 1", "(sd-pam)", 3, false},
		{"42 (x) Z 1", "x", 1, false},
		{"42 (x) S", "", 0, true},
		{"42 (x) S -3", "", 0, true},
		{"42 (x) S y", "", 0, true},
		{"42 x S 1", "", 0, true},
		{"", "", 0, true},
	}
	for _, tt := range tests {
		comm, ppid, err := parseStat(tt.in)
		if (err != nil) != tt.bad || comm != tt.comm || ppid != tt.ppid {
			t.Errorf("parseStat(%q) = %q, %d, %v", tt.in, comm, ppid, err)
		}
	}
}

func TestParseStatSelf(t *testing.T) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Skip("no /proc")
	}
	_, ppid, err := parseStat(string(data))
	if err != nil || ppid != os.Getppid() {
		t.Errorf("parseStat(/proc/self/stat) = %d, %v; want %d", ppid, err, os.Getppid())
	}
}

func FuzzParseStat(f *testing.F) {
	for _, s := range []string{"1 (init) S 0 1", "42 (a b) c) R 9 1", "(", ")", "1 () S 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		comm, ppid, err := parseStat(s)
		if err != nil {
			return
		}
		if ppid < 0 || !strings.Contains(s, "("+comm+")") {
			t.Errorf("parseStat(%q) = %q, %d", s, comm, ppid)
		}
	})
}

func TestMountPoints(t *testing.T) {
	info := `22 1 0:21 / / rw - ext4 /dev/vda rw
31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw
40 22 0:40 / /tmp/wt-3fa2c1/a\040b rw - tmpfs tmpfs rw
41 22 0:41 / /tmp/back\134slash rw - tmpfs tmpfs rw

`
	got, err := mountPoints(info)
	want := []string{"/", "/sys/fs/cgroup", "/tmp/wt-3fa2c1/a b", `/tmp/back\slash`}
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("mountPoints() = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{"1 2 3 4", `1 2 3 / /x\04 rw`, `1 2 3 / /x\999 rw`} {
		if mps, err := mountPoints(bad); err == nil {
			t.Errorf("mountPoints(%q) = %q, want an error", bad, mps)
		}
	}
}

func TestMountPointsSelf(t *testing.T) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Skip("no /proc")
	}
	mps, err := mountPoints(string(data))
	if err != nil || len(mps) == 0 || mps[0] == "" {
		t.Errorf("mountPoints(/proc/self/mountinfo) = %q, %v", mps, err)
	}
}

// FuzzUnescapeOctal checks that unescaping undoes the kernel's escaping of
// any path.
func FuzzUnescapeOctal(f *testing.F) {
	for _, s := range []string{"/a b", "/tab\there", `/back\slash`, "/new\nline", "/plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		got, err := unescapeOctal(escapeOctal(path))
		if err != nil || got != path {
			t.Errorf("unescapeOctal(escape(%q)) = %q, %v", path, got, err)
		}
		// Whatever the input, unescaping fails or returns no longer text.
		if out, err := unescapeOctal(path); err == nil && len(out) > len(path) {
			t.Errorf("unescapeOctal(%q) = %q grew", path, out)
		}
	})
}

// escapeOctal escapes s as the kernel does in mountinfo: space, tab,
// newline and backslash become a backslash and three octal digits.
func escapeOctal(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\\':
			b.WriteString(`\` + string('0'+c>>6) + string('0'+(c>>3)&7) + string('0'+c&7))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
