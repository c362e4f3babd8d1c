package plugin

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/docker/go-plugins-helpers/ipam"
	"github.com/docker/go-plugins-helpers/network"
	"github.com/docker/go-plugins-helpers/sdk"
)

// manifest is the activation answer of a socket serving both kinds of driver.
const manifest = `{"Implements": ["NetworkDriver", "IpamDriver"]}`

// Server serves one plugin socket.
type Server struct {
	path     string
	listener net.Listener
	log      *slog.Logger
	done     chan error
}

// Listen creates the socket dir/NAME.sock, replacing a stale socket left by an earlier run,
// and starts serving the two drivers on it. Either driver may be nil.
func Listen(dir, name string, nd network.Driver, id ipam.Ipam, log *slog.Logger) (*Server, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("plugin socket dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, name+".sock")
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale plugin socket %s: %w", path, err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on plugin socket %s: %w", path, err)
	}

	h := sdk.NewHandler(manifest)
	r := router{h: h, log: log.With("socket", name)}
	if nd != nil {
		r.network(nd)
	}
	if id != nil {
		r.ipam(id)
	}
	r.fallback()

	s := &Server{path: path, listener: l, log: log, done: make(chan error, 1)}
	go func() { s.done <- h.Serve(l) }()
	log.Info("plugin socket listening", "path", path)
	return s, nil
}

// Path is the socket's file name.
func (s *Server) Path() string { return s.path }

// Close stops serving and removes the socket file.
func (s *Server) Close() error {
	err := s.listener.Close()
	<-s.done
	if rmErr := os.Remove(s.path); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		err = errors.Join(err, rmErr)
	}
	return err
}
