package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Backend is what the API serves; the daemon implements it.
type Backend interface {
	Status() Status
	Connect(peers []string) (int, error)
	Forget(peers []string)
	RemovePeer(peer string) (uint64, error)
	// Stop asks the daemon to shut down; it returns at once.
	Stop()
}

// Server is the HTTP API.
type Server struct {
	http *http.Server
	l    net.Listener
	done chan error
}

// Listen serves b on addr, which must be a loopback address: the API has no authentication.
func Listen(addr string, b Backend, log *slog.Logger) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("status address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("status address %q must be a loopback address such as "+
			"127.0.0.1:6784: the API has no authentication", addr)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, b.Status())
	})
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]string{"version": b.Status().Version})
	})
	mux.HandleFunc("POST /connect", func(w http.ResponseWriter, r *http.Request) {
		var req PeersRequest
		if !readPeers(w, r, &req) {
			return
		}
		n, err := b.Connect(req.Peers)
		res := ConnectResult{Joined: n}
		if err != nil {
			res.Error = err.Error()
		}
		reply(w, http.StatusOK, res)
	})
	mux.HandleFunc("POST /forget", func(w http.ResponseWriter, r *http.Request) {
		var req PeersRequest
		if !readPeers(w, r, &req) {
			return
		}
		b.Forget(req.Peers)
		reply(w, http.StatusOK, struct{}{})
	})
	mux.HandleFunc("POST /rmpeer", func(w http.ResponseWriter, r *http.Request) {
		var req RemovePeerRequest
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err == nil {
			err = json.Unmarshal(body, &req)
		}
		if err != nil || req.Peer == "" {
			reply(w, http.StatusBadRequest, ErrorBody{Error: "body must be {\"peer\": NAME}"})
			return
		}
		n, err := b.RemovePeer(req.Peer)
		if err != nil {
			reply(w, http.StatusConflict, ErrorBody{Error: err.Error()})
			return
		}
		reply(w, http.StatusOK, RemovePeerResult{Addresses: n})
	})
	mux.HandleFunc("POST /stop", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, struct{}{})
		b.Stop()
	})

	return serve("status api", addr, mux, log)
}

// ListenMetrics serves the daemon's state as Prometheus metrics on addr, at /metrics. The
// metrics hold no secret, so addr may be any address a scraper reaches.
func ListenMetrics(addr string, b Backend, log *slog.Logger) (*Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_ = WriteMetrics(w, b.Status())
	})
	return serve("metrics", addr, mux, log)
}

// serve listens on addr and serves h until Close.
func serve(what, addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s address %s: %w", what, addr, err)
	}
	s := &Server{http: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second},
		l: l, done: make(chan error, 1)}
	go func() { s.done <- s.http.Serve(l) }()
	log.Info(what+" listening", "addr", l.Addr().String())
	return s, nil
}

// Addr is where the server listens.
func (s *Server) Addr() string { return s.l.Addr().String() }

// Close stops the server, waiting a bounded time for calls in flight.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

func readPeers(w http.ResponseWriter, r *http.Request, req *PeersRequest) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err == nil {
		err = json.Unmarshal(body, req)
	}
	if err != nil {
		reply(w, http.StatusBadRequest, ErrorBody{Error: "body must be {\"peers\": [...]}: " +
			err.Error()})
		return false
	}
	if len(req.Peers) == 0 {
		reply(w, http.StatusBadRequest, ErrorBody{Error: "no peers given"})
		return false
	}
	return true
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
