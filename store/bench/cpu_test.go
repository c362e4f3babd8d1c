package bench

import (
	"os"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// A command name with a space and a parenthesis, as a process may name
	// itself; utime 150 and stime 50 ticks.
	line := "4242 (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 8 0 " +
		"12345 1000000 200 18446744073709551615"
	got, err := parseStat(line)
	if err != nil || got != 2*time.Second {
		t.Errorf("parseStat = %v, %v; want 2s", got, err)
	}
	bad := []string{"", "42 no parens", "42 (x) S 1 2", "42 (x) S 1 2 3 4 5 6 7 8 9 10 x y"}
	for _, bad := range bad {
		if _, err := parseStat(bad); err == nil {
			t.Errorf("parseStat(%q): no error", bad)
		}
	}
	if d, err := procCPU(os.Getpid()); err != nil || d < 0 {
		t.Errorf("procCPU(self) = %v, %v", d, err)
	}
}
