package integration

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"weave.works/weave/integration/harness"
)

// TestPluginMalformedRequests: the real socket answers bad requests with {"Err": "..."}
// that says what was wrong, and goes on serving.
func TestPluginMalformedRequests(t *testing.T) {
	_, c, _ := gossipCluster(t, 1, 2*time.Minute)
	h := c.Hosts()[0]
	cl := pluginClient(h)

	cases := []struct {
		path, body, want string
	}{
		{"/NetworkDriver.CreateNetwork", `{"NetworkID":`, "not valid JSON"},
		{"/NetworkDriver.CreateNetwork", `{"NetworkID": 7}`, "NetworkID"},
		{"/NetworkDriver.CreateNetwork", `{}`, "NetworkID is missing"},
		{"/NetworkDriver.CreateNetwork",
			`{"NetworkID":"n1","Options":{"com.docker.network.generic":` +
				`{"works.weave.multicast":"maybe"}}}`,
			"works.weave.multicast"},
		{"/NetworkDriver.CreateNetwork",
			`{"NetworkID":"n1","Options":{"com.docker.network.generic":{"works.weave.nope":"1"}}}`,
			"unknown option works.weave.nope"},
		{"/NetworkDriver.CreateEndpoint", `{"NetworkID":"x","EndpointID":"e"}`,
			"Interface.Address is missing"},
		{"/NetworkDriver.CreateEndpoint",
			`{"NetworkID":"x","EndpointID":"e","Interface":{"Address":"10.32.0.9/12"}}`,
			"no weavemesh network"},
		{"/NetworkDriver.Join", `{"NetworkID":"x","EndpointID":"nope"}`, "no weavemesh endpoint"},
		{"/NetworkDriver.Leave", `[]`, "must be"},
		{"/NetworkDriver.DeleteNetwork", `{"NetworkID":"nope"}`, "no weavemesh network"},
		{"/IpamDriver.RequestPool", `{"Pool":"300.1.1.1/8"}`, "not an IPv4 CIDR"},
		{"/IpamDriver.RequestPool", `{"Pool":"10.99.0.0/24"}`, "outside the weave range"},
		{"/IpamDriver.RequestAddress", `{"PoolID":"nonsense"}`, "not one this driver gave out"},
		{"/IpamDriver.RequestAddress", `{}`, "PoolID is missing"},
		{"/IpamDriver.RequestAddress", `{"PoolID":"10.32.0.0/12","Address":"10.99.0.1"}`,
			"not in the network's subnet"},
		{"/IpamDriver.ReleaseAddress", `{"PoolID":"10.32.0.0/12","Address":"x"}`,
			"not an IPv4 address"},
		{"/NetworkDriver.NoSuchCall", `{}`, "not a call this plugin serves"},
	}
	for _, tc := range cases {
		status, body := post(t, cl, tc.path, tc.body)
		var e struct{ Err string }
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Err == "" {
			t.Errorf("%s %s: answer %d %q is not {\"Err\": ...}", tc.path, tc.body, status, body)
			continue
		}
		if status == http.StatusOK || !strings.Contains(e.Err, tc.want) {
			t.Errorf("%s %s: %d %q, want an error containing %q", tc.path, tc.body, status,
				e.Err, tc.want)
		}
	}

	status, body := post(t, cl, "/Plugin.Activate", "")
	if status != http.StatusOK || !strings.Contains(body, "NetworkDriver") ||
		!strings.Contains(body, "IpamDriver") {
		t.Errorf("activate after bad requests: %d %s", status, body)
	}
	status, body = post(t, cl, "/NetworkDriver.GetCapabilities", "")
	if status != http.StatusOK || !strings.Contains(body, `"Scope":"local"`) {
		t.Errorf("capabilities after bad requests: %d %s", status, body)
	}
}

func post(t *testing.T, cl *http.Client, path, body string) (int, string) {
	t.Helper()
	resp, err := cl.Post("http://plugin"+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// pluginClient talks to the weavemesh socket of h. The socket lives in the host's own mount
// namespace; PluginDir reaches into it.
func pluginClient(h *harness.Host) *http.Client {
	sock := filepath.Join(h.PluginDir(), "weavemesh.sock")
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
}
