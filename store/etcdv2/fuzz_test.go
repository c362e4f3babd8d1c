package etcdv2

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"weave.works/weave/store/fsm"
)

// FuzzParseRequest feeds arbitrary paths, query strings and form bodies to
// the parser. It must never panic; what it accepts must be a canonical
// key and in-range fields, and what it refuses must carry an etcd code.
func FuzzParseRequest(f *testing.F) {
	f.Add("PUT", "/docker/nodes/127.0.0.1:2376", "", "ttl=60&value=127.0.0.1%3A2376")
	f.Add("PUT", "/a/", "prevExist=true&prevIndex=13", "value=x")
	f.Add("GET", "/docker/nodes", "recursive=true&wait=true&waitIndex=0", "")
	f.Add("DELETE", "/a", "prevIndex=42&dir=true&recursive=false", "")
	f.Add("PUT", "/a", "refresh=true&ttl=5", "")
	f.Add("PUT", "/a%00b", "ttl=-1", "value=%zz")
	f.Add("POST", "/q", "prevValue=", "value=1")
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		u := &url.URL{Scheme: "http", Host: "127.0.0.1", Path: keysPrefix + path, RawQuery: query}
		req, err := http.NewRequest(method, u.String(), strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		q, e := parseRequest(req)
		if e != nil {
			if e.Message == "" || e.StatusCode() != http.StatusBadRequest {
				t.Fatalf("refusal without an etcd code: %+v", e)
			}
			return
		}
		if !fsm.ValidKey(q.Key) {
			t.Fatalf("accepted key %q is not canonical", q.Key)
		}
		if q.TTL != nil && (*q.TTL < 0 || *q.TTL > fsm.MaxTTL) {
			t.Fatalf("accepted ttl %d", *q.TTL)
		}
		if len(q.Value) > fsm.MaxValueLen {
			t.Fatalf("accepted a %d-byte value", len(q.Value))
		}
		if q.Refresh && (q.TTL == nil || q.Value != "") {
			t.Fatalf("accepted a refresh with ttl %v and value %q", q.TTL, q.Value)
		}
		if method == http.MethodPut || method == http.MethodPost || method == http.MethodDelete {
			if err := q.command().Validate(); err != nil && !q.Wait {
				compare := q.PrevIndex > 0 || q.PrevValue != ""
				if compare || method != http.MethodDelete {
					t.Fatalf("accepted request makes an invalid command: %v (%+v)", err, q)
				}
			}
		}
	})
}
