package harness

import (
	"os"
	"sort"
	"testing"
)

func TestVictimsPick(t *testing.T) {
	self, parent := os.Getpid(), os.Getppid()
	ns := nsID{dev: 4, ino: 4026532001}
	procs := []procInfo{
		{pid: 1, ppid: 0, comm: "init"},
		{pid: parent, ppid: 1, comm: "go", cmdline: "go test wt-abcdef"},
		{pid: self, ppid: parent, comm: "harness.test", netns: ns},
		{pid: 100, ppid: 1, comm: "sleep", netns: ns},        // holder
		{pid: 101, ppid: 1, comm: "dockerd", netns: ns},      // in the netns
		{pid: 102, ppid: 101, comm: "containerd", netns: ns}, // child
		{pid: 103, ppid: 1, comm: "containerd-shim", cmdline: "-id x /tmp/wt-abcdef/h1"},
		{pid: 104, ppid: 103, comm: "sleep"},                             // a container
		{pid: 105, ppid: 104, comm: "sh"},                                // its child
		{pid: 200, ppid: 1, comm: "other", cmdline: "/tmp/wt-abcdee/h1"}, // another run
		{pid: 201, ppid: 200, comm: "other-child"},
		{pid: 300, ppid: self, comm: "child-of-test"}, // not in the run
	}
	v := victims{netns: map[nsID]bool{ns: true}, marker: "wt-abcdef"}
	var got []int
	for _, p := range v.pick(procs) {
		got = append(got, p.pid)
	}
	sort.Ints(got)
	want := []int{100, 101, 102, 103, 104, 105}
	if len(got) != len(want) {
		t.Fatalf("pick() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pick() = %v, want %v", got, want)
		}
	}
}

func TestAncestry(t *testing.T) {
	procs := []procInfo{{pid: 1}, {pid: 5, ppid: 1}, {pid: 9, ppid: 5}, {pid: 7, ppid: 1}}
	got := ancestry(procs, 9)
	if !got[9] || !got[5] || !got[1] || got[7] || len(got) != 3 {
		t.Errorf("ancestry(9) = %v", got)
	}
	// A cycle, which /proc read across time may show, still ends.
	cyc := []procInfo{{pid: 2, ppid: 3}, {pid: 3, ppid: 2}}
	if got := ancestry(cyc, 2); !got[2] || !got[3] {
		t.Errorf("ancestry of a cycle = %v", got)
	}
}
