package integration

import (
	"os"
	"strings"

	"weave.works/weave/integration/harness"
)

func readLog(h *harness.Host) (string, error) {
	b, err := os.ReadFile(h.Proc("weave").LogPath())
	return string(b), err
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(strings.ToLower(s), sub) {
			return true
		}
	}
	return false
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
