package etcdv2

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	client "go.etcd.io/etcd/client/v2"
)

// TestConformance runs one suite, written against an endpoint URL with
// etcd's own v2 client, against our face and against a real etcd. The
// same suite passing on both is what says the face behaves as etcd does.
func TestConformance(t *testing.T) {
	for name, start := range endpoints(t) {
		t.Run(name, func(t *testing.T) {
			url := start(t)
			c, err := client.New(client.Config{
				Endpoints:               []string{url},
				Transport:               client.DefaultTransport,
				HeaderTimeoutPerRequest: 5 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if err := c.Sync(ctx); err != nil {
				t.Fatalf("sync members: %v", err)
			}
			if got := c.Endpoints(); len(got) != 1 || got[0] != url {
				t.Fatalf("members point at %v, want [%s]", got, url)
			}
			k := client.NewKeysAPI(c)
			for _, tc := range suite {
				t.Run(tc.name, func(t *testing.T) {
					if tc.slow && testing.Short() {
						t.Skip("slow")
					}
					tc.run(ctx, t, k, uniq(tc.name))
				})
			}
			t.Run("bad input", func(t *testing.T) { checkBadInput(t, url, name == "weave") })
		})
	}
}

type suiteCase struct {
	name string
	slow bool
	run  func(ctx context.Context, t *testing.T, k client.KeysAPI, p string)
}

// must returns a function that fails the test on an error and otherwise
// returns the response: must(t)(k.Get(...)).
func must(t *testing.T) func(*client.Response, error) *client.Response {
	return func(r *client.Response, err error) *client.Response {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

// wantCode checks that err is an etcd error with code (and cause, if given).
func wantCode(t *testing.T, err error, want int, cause string) {
	t.Helper()
	var e client.Error
	if !errors.As(err, &e) || e.Code != want || cause != "" && e.Cause != cause {
		t.Fatalf("error %v, want code %d cause %q", err, want, cause)
	}
}

var suite = []suiteCase{
	{name: "set and get",
		run: func(ctx context.Context, t *testing.T, k client.KeysAPI, p string) {
			r := must(t)(k.Set(ctx, p+"/a", "1", nil))
			if r.Action != "set" || r.Node.Value != "1" || r.PrevNode != nil ||
				r.Node.CreatedIndex != r.Node.ModifiedIndex || r.Index != r.Node.ModifiedIndex {
				t.Fatalf("first set: %+v %+v", r, r.Node)
			}
			r2 := must(t)(k.Set(ctx, p+"/a", "2", nil))
			if r2.PrevNode == nil || r2.PrevNode.Value != "1" ||
				r2.Node.CreatedIndex <= r.Node.CreatedIndex {
				t.Fatalf("second set: %+v", r2)
			}
			g := must(t)(k.Get(ctx, p+"/a", &client.GetOptions{Quorum: true}))
			if g.Action != "get" || g.Node.Value != "2" ||
				g.Node.ModifiedIndex != r2.Node.ModifiedIndex {
				t.Fatalf("get: %+v %+v", g, g.Node)
			}
			_, err := k.Get(ctx, p+"/x/y", nil)
			wantCode(t, err, 100, p+"/x")
			_, err = k.Set(ctx, p+"/a/b", "v", nil)
			wantCode(t, err, 104, p+"/a")
		}},
	{name: "directories",
		run: func(ctx context.Context, t *testing.T, k client.KeysAPI, p string) {
			d := must(t)(k.Set(ctx, p+"/d", "", &client.SetOptions{Dir: true}))
			if d.Action != "set" || !d.Node.Dir {
				t.Fatalf("mkdir: %+v", d.Node)
			}
			_, err := k.Set(ctx, p+"/d", "", &client.SetOptions{Dir: true})
			wantCode(t, err, 102, p+"/d")
			_, err = k.Set(ctx, p+"/d", "v", nil)
			wantCode(t, err, 102, p+"/d")
			for _, key := range []string{"/d/b", "/d/a", "/d/c/x", "/d/_hidden"} {
				must(t)(k.Set(ctx, p+key, "v", nil))
			}
			g := must(t)(k.Get(ctx, p+"/d", &client.GetOptions{Sort: true}))
			if keys(g.Node.Nodes) != "a,b,c" || g.Node.Nodes[2].Nodes != nil ||
				!g.Node.Nodes[2].Dir {
				t.Fatalf("listing: %s %+v", keys(g.Node.Nodes), g.Node.Nodes)
			}
			g = must(t)(k.Get(ctx, p+"/d", &client.GetOptions{Recursive: true, Sort: true}))
			if len(g.Node.Nodes[2].Nodes) != 1 || g.Node.Nodes[2].Nodes[0].Key != p+"/d/c/x" {
				t.Fatalf("recursive listing: %+v", g.Node.Nodes[2])
			}
			h := must(t)(k.Get(ctx, p+"/d/_hidden", nil))
			if h.Node.Value != "v" {
				t.Fatalf("hidden key: %+v", h.Node)
			}
		}},
	{name: "create and update",
		run: func(ctx context.Context, t *testing.T, k client.KeysAPI, p string) {
			c := must(t)(k.Create(ctx, p+"/c", "1"))
			if c.Action != "create" {
				t.Fatalf("create: %+v", c)
			}
			_, err := k.Create(ctx, p+"/c", "2")
			wantCode(t, err, 105, p+"/c")
			u := must(t)(k.Update(ctx, p+"/c", "3"))
			if u.Action != "update" || u.PrevNode.Value != "1" ||
				u.Node.CreatedIndex != c.Node.CreatedIndex {
				t.Fatalf("update: %+v", u)
			}
			_, err = k.Update(ctx, p+"/missing", "3")
			wantCode(t, err, 100, p+"/missing")
			mk := &client.SetOptions{Dir: true, PrevExist: client.PrevNoExist}
			d := must(t)(k.Set(ctx, p+"/cd", "", mk))
			if d.Action != "create" || !d.Node.Dir {
				t.Fatalf("create dir: %+v", d.Node)
			}
		}},
	{name: "compare and swap",
		run: func(ctx context.Context, t *testing.T, k client.KeysAPI, p string) {
			r := must(t)(k.Set(ctx, p+"/k", "x", nil))
			i := r.Node.ModifiedIndex
			cas := &client.SetOptions{PrevIndex: i, PrevExist: client.PrevExist}
			s := must(t)(k.Set(ctx, p+"/k", "y", cas))
			if s.Action != "compareAndSwap" || s.Node.CreatedIndex != r.Node.CreatedIndex {
				t.Fatalf("cas by index: %+v", s)
			}
			_, err := k.Set(ctx, p+"/k", "z", &client.SetOptions{PrevIndex: i})
			wantCode(t, err, 101, fmt.Sprintf("[%d != %d]", i, s.Node.ModifiedIndex))
			_, err = k.Set(ctx, p+"/k", "z", &client.SetOptions{PrevValue: "x"})
			wantCode(t, err, 101, "[x != y]")
			v := must(t)(k.Set(ctx, p+"/k", "z", &client.SetOptions{PrevValue: "y"}))
			if v.Action != "compareAndSwap" || v.PrevNode.Value != "y" {
				t.Fatalf("cas by value: %+v", v)
			}
			_, err = k.Set(ctx, p+"/none", "z", &client.SetOptions{PrevIndex: 1})
			wantCode(t, err, 100, p+"/none")
			must(t)(k.Set(ctx, p+"/dir", "", &client.SetOptions{Dir: true}))
			_, err = k.Set(ctx, p+"/dir", "z", &client.SetOptions{PrevValue: "q"})
			wantCode(t, err, 102, p+"/dir")
		}},
	{name: "delete",
		run: func(ctx context.Context, t *testing.T, k client.KeysAPI, p string) {
			r := must(t)(k.Set(ctx, p+"/d/f", "1", nil))
			_, err := k.Delete(ctx, p+"/d", nil)
			wantCode(t, err, 102, p+"/d")
			_, err = k.Delete(ctx, p+"/d", &client.DeleteOptions{Dir: true})
			wantCode(t, err, 108, p+"/d")
			_, err = k.Delete(ctx, p+"/d/f",
				&client.DeleteOptions{PrevIndex: r.Node.ModifiedIndex + 100})
			wantCode(t, err, 101, "")
			_, err = k.Delete(ctx, p+"/d/f", &client.DeleteOptions{PrevValue: "2"})
			wantCode(t, err, 101, "[2 != 1]")
			del := must(t)(k.Delete(ctx, p+"/d/f",
				&client.DeleteOptions{PrevIndex: r.Node.ModifiedIndex}))
			if del.Action != "compareAndDelete" || del.PrevNode.Value != "1" ||
				del.Node.Value != "" {
				t.Fatalf("compare and delete: %+v", del)
			}
			dd := must(t)(k.Delete(ctx, p+"/d", &client.DeleteOptions{Dir: true}))
			if dd.Action != "delete" || !dd.Node.Dir || !dd.PrevNode.Dir {
				t.Fatalf("delete empty dir: %+v", dd)
			}
			must(t)(k.Set(ctx, p+"/t/a/b", "1", nil))
			rd := must(t)(k.Delete(ctx, p+"/t", &client.DeleteOptions{Recursive: true}))
			if rd.Action != "delete" || !rd.Node.Dir {
				t.Fatalf("recursive delete: %+v", rd)
			}
			_, err = k.Get(ctx, p+"/t/a/b", nil)
			wantCode(t, err, 100, p+"/t")
			_, err = k.Delete(ctx, "/", &client.DeleteOptions{Recursive: true})
			wantCode(t, err, 107, "/")
		}},
	{name: "in-order keys",
		run: func(ctx context.Context, t *testing.T, k client.KeysAPI, p string) {
			a := must(t)(k.CreateInOrder(ctx, p+"/q", "1", nil))
			b := must(t)(k.CreateInOrder(ctx, p+"/q", "2", nil))
			if a.Action != "create" || a.Node.Key >= b.Node.Key ||
				!strings.HasPrefix(a.Node.Key, p+"/q/") {
				t.Fatalf("in-order keys %s then %s", a.Node.Key, b.Node.Key)
			}
			name := strings.TrimPrefix(a.Node.Key, p+"/q/")
			if name != fmt.Sprintf("%020d", a.Node.CreatedIndex) {
				t.Fatalf("in-order name %q for index %d", name, a.Node.CreatedIndex)
			}
		}},
	{name: "ttl and expiry",
		run: func(ctx context.Context, t *testing.T, k client.KeysAPI, p string) {
			r := must(t)(k.Set(ctx, p+"/e", "v", &client.SetOptions{TTL: 2 * time.Second}))
			if r.Node.TTL != 2 || r.Node.Expiration == nil {
				t.Fatalf("ttl set: %+v", r.Node)
			}
			w := k.Watcher(p+"/e", &client.WatcherOptions{AfterIndex: r.Node.ModifiedIndex})
			ref := must(t)(k.Set(ctx, p+"/e", "", &client.SetOptions{
				Refresh: true, TTL: 3 * time.Second, PrevExist: client.PrevExist}))
			if ref.Action != "update" || ref.Node.Value != "v" || ref.Node.TTL != 3 {
				t.Fatalf("refresh: %+v", ref.Node)
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			ev, err := w.Next(wctx)
			if err != nil || ev.Action != "expire" || ev.Node.Key != p+"/e" ||
				ev.PrevNode.Value != "v" {
				t.Fatalf("watch after refresh: %+v %v (the refresh must not show)", ev, err)
			}
			_, err = k.Get(ctx, p+"/e", nil)
			wantCode(t, err, 100, p+"/e")
		}},
	{name: "watch",
		run: func(ctx context.Context, t *testing.T, k client.KeysAPI, p string) {
			r := must(t)(k.Set(ctx, p+"/w/a", "1", nil))
			must(t)(k.Set(ctx, p+"/w/b", "2", nil))
			past := k.Watcher(p+"/w/a",
				&client.WatcherOptions{AfterIndex: r.Node.ModifiedIndex - 1})
			ev, err := past.Next(ctx)
			if err != nil || ev.Node.ModifiedIndex != r.Node.ModifiedIndex || ev.Action != "set" {
				t.Fatalf("watch from the past: %+v %v", ev, err)
			}
			rec := k.Watcher(p+"/w", &client.WatcherOptions{Recursive: true})
			one := k.Watcher(p+"/w/a", nil)
			got := make(chan *client.Response, 2)
			go func() { e, _ := rec.Next(ctx); got <- e }()
			go func() { e, _ := one.Next(ctx); got <- e }()
			time.Sleep(300 * time.Millisecond)
			d := must(t)(k.Delete(ctx, p+"/w", &client.DeleteOptions{Recursive: true}))
			for range 2 {
				select {
				case e := <-got:
					if e == nil || e.Action != "delete" ||
						e.Node.ModifiedIndex != d.Node.ModifiedIndex {
						t.Fatalf("watch saw %+v, want the directory's delete", e)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("watch saw nothing")
				}
			}
		}},
	{name: "event index cleared", slow: true,
		run: func(ctx context.Context, t *testing.T, k client.KeysAPI, p string) {
			first := must(t)(k.Set(ctx, p+"/h", "0", nil))
			for i := range 1005 {
				must(t)(k.Set(ctx, p+"/h", strconv.Itoa(i), nil))
			}
			w := k.Watcher(p+"/h", &client.WatcherOptions{AfterIndex: first.Node.ModifiedIndex - 1})
			_, err := w.Next(ctx)
			wantCode(t, err, 401, "")
			const cleared = "the requested history has been cleared"
			if !strings.Contains(err.(client.Error).Cause, cleared) {
				t.Fatalf("cause %q", err.(client.Error).Cause)
			}
		}},
	{name: "root",
		run: func(ctx context.Context, t *testing.T, k client.KeysAPI, p string) {
			g := must(t)(k.Get(ctx, "/", nil))
			if !g.Node.Dir || g.Node.Key != "" {
				t.Fatalf("root: %+v", g.Node)
			}
			_, err := k.Set(ctx, "/", "v", nil)
			wantCode(t, err, 107, "/")
		}},
}

func keys(ns client.Nodes) string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Key[strings.LastIndex(n.Key, "/")+1:])
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
