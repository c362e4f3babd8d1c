package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"time"
)

// DefaultAddr is where the daemon serves the API unless --status-addr says otherwise.
const DefaultAddr = "127.0.0.1:6784"

// ErrNotRunning means nothing answers on the API address.
var ErrNotRunning = errors.New("weave is not running")

// Client calls a daemon's API.
type Client struct {
	Addr string
	HTTP *http.Client
}

// NewClient returns a client for the daemon at addr.
func NewClient(addr string) *Client {
	return &Client{Addr: addr, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// Status fetches the daemon's status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	err := c.call(ctx, http.MethodGet, "/status", nil, &s)
	return s, err
}

// Connect asks the daemon to join peers.
func (c *Client) Connect(ctx context.Context, peers []string) (ConnectResult, error) {
	var r ConnectResult
	err := c.call(ctx, http.MethodPost, "/connect", PeersRequest{Peers: peers}, &r)
	return r, err
}

// Forget asks the daemon to stop re-joining peers.
func (c *Client) Forget(ctx context.Context, peers []string) error {
	return c.call(ctx, http.MethodPost, "/forget", PeersRequest{Peers: peers}, nil)
}

// RemovePeer asks the daemon to take over a dead peer's address space.
func (c *Client) RemovePeer(ctx context.Context, peer string) (RemovePeerResult, error) {
	var r RemovePeerResult
	err := c.call(ctx, http.MethodPost, "/rmpeer", RemovePeerRequest{Peer: peer}, &r)
	return r, err
}

// Stop asks the daemon to shut down.
func (c *Client) Stop(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/stop", nil, nil)
}

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+c.Addr+path, &body)
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%w: nothing answers on %s", ErrNotRunning, c.Addr)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e ErrorBody
		_ = json.NewDecoder(resp.Body).Decode(&e)
		if e.Error == "" {
			e.Error = resp.Status
		}
		return errors.New(e.Error)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: bad answer: %w", method, path, err)
	}
	return nil
}
