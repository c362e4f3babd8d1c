package chaos

import (
	"path/filepath"
	"testing"
)

func TestDiff(t *testing.T) {
	a := Dump{Entries: []Entry{{Key: "/a", Value: "1", Modified: 3}, {Key: "/b", Dir: true},
		{Key: "/c", Value: "x"}}}
	for _, tc := range []struct {
		name    string
		entries []Entry
		diffs   int
	}{
		{"same", a.Entries, 0},
		{"value", []Entry{{Key: "/a", Value: "2", Modified: 3}, {Key: "/b", Dir: true},
			{Key: "/c", Value: "x"}}, 1},
		{"missing", []Entry{{Key: "/a", Value: "1", Modified: 3}, {Key: "/c", Value: "x"}}, 1},
		{"extra", append([]Entry{{Key: "/0"}}, a.Entries...), 1},
		{"empty", nil, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := Diff(a, Dump{Entries: tc.entries}, 10); len(d) != tc.diffs {
				t.Fatalf("Diff = %q, want %d lines", d, tc.diffs)
			}
		})
	}
	if d := Diff(a, Dump{}, 2); len(d) != 2 {
		t.Fatalf("Diff with limit 2 gave %d lines", len(d))
	}
}

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ops.json")
	ops := []Op{op(Put, "/chaos/k0", "c0-0", "", "", OK, 1, 2),
		op(CAS, "/chaos/k0", "c0-1", "c0-0", "", Unknown, 3, 4)}
	if err := Save(path, ops); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != ops[0] || got[1] != ops[1] {
		t.Fatalf("Load gave %+v, want %+v", got, ops)
	}
	if err := Save(path, []Op{op(Put, "", "v", "", "", OK, 1, 2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Fatal("Load accepted an op without a key")
	}
	st := Count(ops)
	if st.Ops != 2 || st.Puts != 1 || st.CASes != 1 || st.OK != 1 || st.Unknown != 1 {
		t.Fatalf("Count = %+v", st)
	}
}
