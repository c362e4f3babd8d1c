package etcdv2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"weave.works/weave/store"
	"weave.works/weave/store/fsm"
)

// DefaultAddr is where dockerd expects its cluster store:
// --cluster-store=etcd://127.0.0.1:2379.
const DefaultAddr = "127.0.0.1:2379"

// Version is what /version reports: the etcd release whose v2 API the
// face follows, so that clients checking versions accept it.
const Version = "3.4.0"

// Backend is what the face serves; *store.Store is one.
type Backend interface {
	Do(ctx context.Context, c *fsm.Command) (*fsm.Result, error)
	Read(ctx context.Context, key string, o store.ReadOptions) (fsm.ReadResult, error)
	WatchEvents(key string, recursive, stream bool, since uint64) (*store.Watcher, error)
	Status() store.Status
}

// Config says how the face runs.
type Config struct {
	// Addr is the listen address for ListenAndServe.
	Addr string
	// Name is the member name /v2/members shows; empty means the
	// backend's peer name.
	Name string
	// Logger receives one record per failed request; nil discards them.
	Logger *slog.Logger
}

// DefaultConfig listens on DefaultAddr, loopback only.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr}
}

// Validate names the first field that cannot work, and its value.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("etcdv2 config: Addr %q: %w", c.Addr, err)
	}
	return nil
}

// Server is the etcd v2 face of a backend.
type Server struct {
	cfg       Config
	backend   Backend
	log       *slog.Logger
	clusterID string

	mu      sync.Mutex
	http    *http.Server
	baseURL string // the listener's URL, for /v2/members
	cancel  context.CancelFunc
}

// New returns a face for backend.
func New(backend Backend, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Name == "" {
		cfg.Name = backend.Status().Name
	}
	return &Server{cfg: cfg, backend: backend, log: log, clusterID: hexID("weave-cluster")}, nil
}

// ListenAndServe listens on Config.Addr and serves until Close.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("etcdv2: listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ln)
}

// Serve serves on ln until Close; /v2/members points clients at ln.
func (s *Server) Serve(ln net.Listener) error {
	ctx, cancel := context.WithCancel(context.Background())
	mux := http.NewServeMux()
	mux.HandleFunc(keysPrefix, s.serveKeys)
	mux.HandleFunc(keysPrefix+"/", s.serveKeys)
	mux.HandleFunc("/v2/members", s.serveMembers)
	mux.HandleFunc("/v2/members/leader", s.serveLeader)
	mux.HandleFunc("/v2/stats/self", s.serveStatsSelf)
	mux.HandleFunc("/version", s.serveVersion)
	mux.HandleFunc("/health", s.serveHealth)
	srv := &http.Server{
		Handler:           cleanPaths(mux),
		ReadHeaderTimeout: 30 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	s.mu.Lock()
	s.http, s.cancel, s.baseURL = srv, cancel, "http://"+ln.Addr().String()
	s.mu.Unlock()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close ends the watches in progress and stops serving.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, cancel := s.http, s.cancel
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	cancel()
	ctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	return srv.Shutdown(ctx)
}

// cleanPaths redirects a path with "." or ".." segments or doubled
// slashes to its clean form with 301 Moved Permanently, as etcd's router
// does; the request itself changes nothing.
func cleanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		clean := path.Clean("/" + p)
		if strings.HasSuffix(p, "/") && clean != "/" {
			clean += "/"
		}
		if clean != p {
			u := url.URL{Path: clean, RawQuery: r.URL.RawQuery}
			w.Header().Set("Location", u.String())
			w.WriteHeader(http.StatusMovedPermanently)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// member is one entry of /v2/members.
type member struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	PeerURLs   []string `json:"peerURLs"`
	ClientURLs []string `json:"clientURLs"`
}

// self describes this peer as the only member: clients talk to the
// clientURLs they are given, and only this listener serves this host.
func (s *Server) self() member {
	s.mu.Lock()
	base := s.baseURL
	s.mu.Unlock()
	st := s.backend.Status()
	return member{ID: hexID(s.cfg.Name), Name: s.cfg.Name,
		PeerURLs: []string{"http://" + st.Addr}, ClientURLs: []string{base}}
}

func (s *Server) serveMembers(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, s.clusterID, http.StatusOK, map[string][]member{"members": {s.self()}})
}

func (s *Server) serveLeader(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, s.clusterID, http.StatusOK, s.self())
}

// StatsSelf is the part of etcd's /v2/stats/self that says a member's
// role: its name and ID, StateLeader, StateFollower or StateCandidate, and
// the leader's ID (empty while none is known). The face answers it, and
// real etcd's answer decodes into it.
type StatsSelf struct {
	Name       string `json:"name"`
	ID         string `json:"id"`
	State      string `json:"state"`
	LeaderInfo struct {
		Leader string `json:"leader"`
	} `json:"leaderInfo"`
}

func (s *Server) serveStatsSelf(w http.ResponseWriter, _ *http.Request) {
	st := s.backend.Status()
	out := StatsSelf{Name: s.cfg.Name, ID: hexID(s.cfg.Name), State: "State" + st.State}
	if st.Leader != "" {
		out.LeaderInfo.Leader = hexID(st.Leader)
	}
	writeJSON(w, "", http.StatusOK, out)
}

func (s *Server) serveVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, "", http.StatusOK,
		map[string]string{"etcdserver": Version, "etcdcluster": Version})
}

// serveHealth answers healthy while the backend knows a leader.
func (s *Server) serveHealth(w http.ResponseWriter, _ *http.Request) {
	if s.backend.Status().Leader == "" {
		writeJSON(w, "", http.StatusServiceUnavailable, map[string]string{"health": "false"})
		return
	}
	writeJSON(w, "", http.StatusOK, map[string]string{"health": "true"})
}

func writeJSON(w http.ResponseWriter, clusterID string, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if clusterID != "" {
		w.Header().Set("X-Etcd-Cluster-Id", clusterID)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// hexID is a stable 16-digit hex ID derived from a name, the shape of
// etcd's member and cluster IDs.
func hexID(name string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return fmt.Sprintf("%016x", h.Sum64())
}
