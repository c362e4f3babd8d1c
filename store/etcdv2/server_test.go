package etcdv2

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEndpoints checks the small endpoints and the shape of their answers.
func TestEndpoints(t *testing.T) {
	url := startWeave(t)
	cases := []struct {
		path, want string
		status     int
	}{
		{"/version", `{"etcdcluster":"3.4.0","etcdserver":"3.4.0"}`, 200},
		{"/health", `{"health":"true"}`, 200},
		{"/v2/members", `"clientURLs":["` + url + `"]`, 200},
		{"/v2/members/leader", `"name":"w1"`, 200},
		{"/v2/stats/self", `{"name":"w1","id":"` + hexID("w1") +
			`","state":"StateLeader","leaderInfo":{"leader":"` + hexID("w1") + `"}}`, 200},
		{"/v2/keys/", `{"action":"get","node":{"dir":true}}`, 200},
		{"/v2/keys/nothing",
			`{"errorCode":100,"message":"Key not found","cause":"/nothing","index":0}`, 404},
	}
	for _, c := range cases {
		resp, err := http.Get(url + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(body), c.want) {
			t.Errorf("GET %s: %d %s, want %d with %s",
				c.path, resp.StatusCode, body, c.status, c.want)
		}
	}
	resp, err := http.Head(url + "/v2/keys/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Etcd-Index") == "" {
		t.Errorf("HEAD: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestStreamWatch checks that stream=true sends every event on one answer,
// and that the headers come before the first event.
func TestStreamWatch(t *testing.T) {
	url := startWeave(t)
	resp, err := http.Get(url + "/v2/keys/s?wait=true&stream=true&recursive=true")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Etcd-Index") != "0" {
		t.Fatalf("watch answer %d %v", resp.StatusCode, resp.Header)
	}
	for _, v := range []string{"1", "2", "3"} {
		put, _ := http.NewRequest("PUT", url+"/v2/keys/s/k", strings.NewReader("value="+v))
		put.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r, err := http.DefaultClient.Do(put)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
	}
	lines := bufio.NewScanner(resp.Body)
	done := time.AfterFunc(10*time.Second, func() { resp.Body.Close() })
	defer done.Stop()
	for _, want := range []string{"1", "2", "3"} {
		if !lines.Scan() {
			t.Fatalf("stream ended before value %s: %v", want, lines.Err())
		}
		var e struct {
			Node struct{ Value string } `json:"node"`
		}
		if err := json.Unmarshal(lines.Bytes(), &e); err != nil || e.Node.Value != want {
			t.Fatalf("event %s: %s %v", want, lines.Bytes(), err)
		}
	}
}
