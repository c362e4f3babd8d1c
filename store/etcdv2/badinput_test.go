package etcdv2

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// badRequests are requests etcd refuses, with the status and error code
// it answers; ours must answer the same and change nothing. oursOnly marks
// input etcd 3.4 accepts and the face refuses on purpose.
var badRequests = []struct {
	method, path, body string
	status, code       int
	oursOnly           bool
}{
	{"PUT", "/k?ttl=abc", "value=1", 400, 202, false},
	{"PUT", "/k?ttl=-1", "value=1", 400, 202, false},
	{"PUT", "/k", "value=1&ttl=1.5", 400, 202, false},
	{"PUT", "/k?prevIndex=abc", "value=1", 400, 203, false},
	{"PUT", "/k?prevIndex=", "value=1", 400, 203, false},
	{"PUT", "/k?prevExist=maybe", "value=1", 400, 209, false},
	{"PUT", "/k?dir=maybe", "value=1", 400, 209, false},
	{"PUT", "/k?prevValue=", "value=1", 400, 201, false},
	{"PUT", "/k?wait=true", "value=1", 400, 209, false},
	{"PUT", "/k?refresh=true&ttl=10", "value=1", 400, 211, false},
	{"PUT", "/k?refresh=true", "", 400, 212, false},
	{"PUT", "/k?refresh=perhaps&ttl=1", "", 400, 209, false},
	{"PUT", "/k?%zz=1", "value=1", 400, 210, false},
	{"PUT", "/k", "value=%zz", 400, 210, false},
	{"POST", "/k?ttl=x", "value=1", 400, 202, false},
	{"DELETE", "/k?prevIndex=-3", "", 400, 203, false},
	{"GET", "/k?recursive=maybe", "", 400, 209, false},
	{"GET", "/k?sorted=2", "", 400, 209, false},
	{"GET", "/k?quorum=abc", "", 400, 209, false},
	{"GET", "/k?wait=true&waitIndex=abc", "", 400, 203, false},
	{"GET", "/k?stream=x&wait=true", "", 400, 209, false},
	{"PUT", "/k%00nul", "value=1", 400, 209, true},
	{"PUT", "/k%01ctl", "value=1", 400, 209, true},
	{"PUT", "/k%ff", "value=1", 400, 209, true},
	{"PUT", "/k", "value=" + strings.Repeat("a", 3<<19+1), 400, 209, true},
}

// checkBadInput sends each bad request to url under a fresh prefix and
// checks the answer and that the key was not created. Requests with ".."
// are redirected by both servers to the cleaned path, and so change
// nothing either.
func checkBadInput(t *testing.T, url string, ours bool) {
	prefix := uniq("bad")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	for _, b := range badRequests {
		if b.oursOnly && !ours {
			continue
		}
		resp := send(t, noRedirect, b.method, url+keysPrefix+prefix+b.path, b.body)
		var e struct {
			Code  int    `json:"errorCode"`
			Cause string `json:"cause"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		noIndex := resp.Header.Get("X-Etcd-Index") == ""
		if resp.StatusCode != b.status || e.Code != b.code || noIndex {
			t.Errorf("%s %s: status %d code %d (%q) index %q, want %d %d", b.method, b.path,
				resp.StatusCode, e.Code, e.Cause, resp.Header.Get("X-Etcd-Index"), b.status, b.code)
		}
	}
	resp := send(t, noRedirect, "GET", url+keysPrefix+prefix+"?recursive=true", "")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("bad requests left %s behind: %s", prefix, body)
	}
	for _, path := range []string{"/a/../b", "/a/./b", "//b"} {
		resp := send(t, noRedirect, "PUT", url+keysPrefix+prefix+path, "value=1")
		resp.Body.Close()
		if resp.StatusCode != http.StatusMovedPermanently {
			t.Errorf("PUT %s: status %d, want a redirect to the clean path", path, resp.StatusCode)
		}
	}
	resp = send(t, noRedirect, "PATCH", url+keysPrefix+prefix+"/k", "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PATCH: status %d, want 405", resp.StatusCode)
	}
	resp = send(t, noRedirect, "GET", url+keysPrefix+"/", "")
	resp.Body.Close()
	for _, h := range []string{"X-Etcd-Index", "X-Raft-Index", "X-Raft-Term", "X-Etcd-Cluster-Id"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("GET answer lacks %s", h)
		}
	}
}

// send makes one request with a form body, the path sent as written.
func send(t *testing.T, c *http.Client, method, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Opaque = strings.SplitN(strings.TrimPrefix(url, "http:"), "?", 2)[0]
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
