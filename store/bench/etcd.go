package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"weave.works/weave/internal/freeport"
)

// EtcdCluster is Members etcd processes on 127.0.0.1, v2 API enabled,
// their data and logs in one temporary directory.
type EtcdCluster struct {
	dir       string
	procs     []*exec.Cmd
	logs      []*os.File
	endpoints []string
}

// StartEtcd starts the cluster with the etcd binary bin and waits until
// every member is healthy. It fails with ErrNoEtcd when bin is missing.
func StartEtcd(ctx context.Context, bin string) (_ *EtcdCluster, err error) {
	path, err := lookEtcd(bin)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "etcd-storebench-")
	if err != nil {
		return nil, fmt.Errorf("start etcd cluster: %w", err)
	}
	c := &EtcdCluster{dir: dir}
	defer func() {
		if err != nil {
			_ = c.Close()
		}
	}()
	urls, err := freeURLs(2 * Members)
	if err != nil {
		return nil, fmt.Errorf("start etcd cluster: %w", err)
	}
	peers, clients := urls[:Members], urls[Members:]
	initial := make([]string, Members)
	for i := range initial {
		initial[i] = fmt.Sprintf("e%d=%s", i+1, peers[i])
	}
	for i := 0; i < Members; i++ {
		err := c.startMember(path, i, peers[i], clients[i], strings.Join(initial, ","))
		if err != nil {
			return nil, err
		}
	}
	for _, u := range clients {
		if err := waitHealthy(ctx, u); err != nil {
			return nil, fmt.Errorf("start etcd cluster: %w (logs in %s)", err, dir)
		}
	}
	leader, err := etcdLeader(ctx, clients)
	if err != nil {
		return nil, fmt.Errorf("start etcd cluster: %w", err)
	}
	c.endpoints = leaderLast(clients, leader)
	return c, nil
}

// startMember starts member i of the cluster with etcd's default
// timings, which suit a LAN as our DefaultConfig does.
func (c *EtcdCluster) startMember(bin string, i int, peer, client, initial string) error {
	name := fmt.Sprintf("e%d", i+1)
	logFile, err := os.Create(filepath.Join(c.dir, name+".log"))
	if err != nil {
		return fmt.Errorf("start etcd %s: %w", name, err)
	}
	c.logs = append(c.logs, logFile)
	cmd := exec.Command(bin, "--enable-v2=true", "--name", name,
		"--data-dir", filepath.Join(c.dir, name),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", initial, "--initial-cluster-state", "new",
		"--initial-cluster-token", "weave-storebench")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Pdeathsig stops the member should this process die before Close.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start etcd %s: %w", name, err)
	}
	c.procs = append(c.procs, cmd)
	return nil
}

// Endpoints returns the members' client URLs, the leader's last.
func (c *EtcdCluster) Endpoints() []string { return c.endpoints }

// Close kills the members, waits for them and removes their data.
func (c *EtcdCluster) Close() error {
	for _, p := range c.procs {
		_ = p.Process.Kill()
		_ = p.Wait()
	}
	var errs []error
	for _, f := range c.logs {
		errs = append(errs, f.Close())
	}
	errs = append(errs, os.RemoveAll(c.dir))
	c.procs, c.logs = nil, nil
	return errors.Join(errs...)
}

// freeURLs returns n loopback URLs on ports that were free a moment ago.
// Every listener is held until all ports are chosen, so no two are the same.
func freeURLs(n int) ([]string, error) {
	var urls []string
	for len(urls) < n {
		addr, err := freeport.Loopback()
		if err != nil {
			return nil, err
		}
		if u := "http://" + addr; !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	return urls, nil
}

// etcdLeader returns the index of the member that leads, as
// /v2/members/leader reports it.
func etcdLeader(ctx context.Context, clients []string) (int, error) {
	url := clients[0] + "/v2/members/leader"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("find leader: %w", err)
	}
	defer resp.Body.Close()
	var m struct {
		ClientURLs []string `json:"clientURLs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return 0, fmt.Errorf("find leader: decode: %w", err)
	}
	for i, u := range clients {
		for _, l := range m.ClientURLs {
			if strings.TrimSuffix(l, "/") == u {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("find leader: %v is none of %v", m.ClientURLs, clients)
}

// waitHealthy polls url's /health until it answers 200, for up to 30s.
func waitHealthy(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not healthy: %v: %w", url, last, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
