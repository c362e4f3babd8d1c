package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/go-plugins-helpers/network"
)

// stubDriver answers every call; CreateNetwork fails on demand.
type stubDriver struct{ network.Driver }

func (stubDriver) GetCapabilities() (*network.CapabilitiesResponse, error) {
	return &network.CapabilitiesResponse{Scope: "local"}, nil
}

func (stubDriver) CreateNetwork(r *network.CreateNetworkRequest) error {
	if r.NetworkID == "" {
		return errors.New("NetworkID is missing")
	}
	return nil
}

func serve(t *testing.T) *http.Client {
	t.Helper()
	dir := t.TempDir()
	s, err := Listen(dir, "test", stubDriver{}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	sock := filepath.Join(dir, "test.sock")
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
}

func TestRouter(t *testing.T) {
	cl := serve(t)
	cases := []struct {
		path, body string
		status     int
		want       string
	}{
		{"/Plugin.Activate", "", 200, `"NetworkDriver", "IpamDriver"`},
		{"/NetworkDriver.GetCapabilities", "", 200, `"Scope":"local"`},
		{"/NetworkDriver.GetCapabilities", "null", 200, `"Scope":"local"`},
		{"/NetworkDriver.CreateNetwork", `{"NetworkID":"n"}`, 200, `{}`},
		{"/NetworkDriver.CreateNetwork", `{}`, 500, `"Err":"NetworkID is missing"`},
		{"/NetworkDriver.CreateNetwork", `{"NetworkID":`, 400, `not valid JSON`},
		{"/NetworkDriver.CreateNetwork", `{"NetworkID":1}`, 400,
			`field \"NetworkID\" must be string`},
		{"/NetworkDriver.CreateNetwork", strings.Repeat(" ", maxBody+1), 400, `over`},
		{"/IpamDriver.RequestPool", `{}`, 404, `not a call this plugin serves`},
	}
	for _, tc := range cases {
		resp, err := cl.Post("http://p"+tc.path, "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s %.40q: %d %s; want %d with %s", tc.path, tc.body, resp.StatusCode, b,
				tc.status, tc.want)
		}
		if tc.status != 200 {
			var e errorBody
			if err := json.Unmarshal(b, &e); err != nil || e.Err == "" {
				t.Errorf("%s: error answer %s is not {\"Err\": ...}", tc.path, b)
			}
		}
	}
}

func TestListenReplacesStaleSocket(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s1, err := Listen(dir, "x", stubDriver{}, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	// A crashed daemon leaves its socket file behind; the next one must start anyway.
	s1.listener.(*net.UnixListener).SetUnlinkOnClose(false)
	s1.listener.Close()
	s2, err := Listen(dir, "x", stubDriver{}, nil, log)
	if err != nil {
		t.Fatalf("listen over a stale socket: %v", err)
	}
	s2.Close()
}
