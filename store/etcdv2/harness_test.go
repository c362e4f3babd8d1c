package etcdv2

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"weave.works/weave/internal/freeport"
	"weave.works/weave/store"
)

// startWeave starts a one-voter store and its face on 127.0.0.1 and
// returns the face's URL; both stop when the test ends.
func startWeave(t *testing.T) string {
	t.Helper()
	members := store.NewStaticMembership()
	cfg := store.LocalConfig()
	cfg.Name, cfg.DataDir, cfg.Voters, cfg.Membership = "w1", t.TempDir(), 1, members
	s, err := store.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	members.Set(store.Member{Name: "w1", RaftAddr: s.Addr(), Alive: true})
	face, err := New(s, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- face.Serve(ln) }()
	t.Cleanup(func() {
		if err := face.Close(); err != nil {
			t.Errorf("close face: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	url := "http://" + ln.Addr().String()
	waitHealthy(t, url)
	return url
}

// startEtcd starts Debian's etcd (v3.4, v2 API enabled) on free loopback
// ports with its data in a temporary directory, and returns its client
// URL; it is killed and its directory removed when the test ends. Without
// an etcd binary the test is skipped under -short and fails otherwise: the
// comparison with real etcd is the point of the suite.
func startEtcd(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("etcd")
	if err != nil && testing.Short() {
		t.Skip("etcd is not installed (Debian package etcd-server)")
	}
	if err != nil {
		t.Fatal("etcd is not installed: install Debian's etcd-server (make test does)")
	}
	client, peer := freePort(t), freePort(t)
	clientURL := "http://127.0.0.1:" + client
	peerURL := "http://127.0.0.1:" + peer
	dir := t.TempDir()
	cmd := exec.Command(bin, "--enable-v2=true", "--name", "conformance",
		"--data-dir", filepath.Join(dir, "data"),
		"--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "conformance="+peerURL)
	logFile, err := os.Create(filepath.Join(dir, "etcd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start etcd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logFile.Close()
	})
	waitHealthy(t, clientURL)
	return clientURL
}

// freePort returns a loopback TCP port that was free a moment ago,
// outside the range other processes' connections take ports from.
func freePort(t *testing.T) string {
	t.Helper()
	addr, err := freeport.Loopback()
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(addr)
	return port
}

// waitHealthy polls /health until it answers true, for up to 15 seconds.
func waitHealthy(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not become healthy: %v", url, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// endpoints returns the servers the conformance suite runs against: our
// face always, real etcd when installed.
func endpoints(t *testing.T) map[string]func(*testing.T) string {
	t.Helper()
	return map[string]func(*testing.T) string{"weave": startWeave, "etcd": startEtcd}
}

// uniq returns a key prefix no earlier run used.
func uniq(name string) string {
	return fmt.Sprintf("/conformance/%s-%d", name, time.Now().UnixNano())
}
