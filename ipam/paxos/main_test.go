package paxos

import (
	"flag"
	"os"
	"testing"
)

// TestMain keeps rapid from writing fail files into the source tree; a
// failing property test prints its -rapid.seed instead.
func TestMain(m *testing.M) {
	flag.Parse()
	if err := flag.Set("rapid.nofailfile", "true"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}
