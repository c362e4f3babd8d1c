package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"weave.works/weave/store/fsm"
)

// The store's RPC is HTTP/1.1 with JSON bodies over connections of the
// store port that start with rpcMagic. A follower sends the leader its
// writes (rpcApply) and asks it for read indexes (rpcReadIndex); a peer
// about to bootstrap asks the others whether they already hold Raft state
// (rpcState).
const (
	rpcApply     = "/weave/store/v1/apply"
	rpcReadIndex = "/weave/store/v1/readindex"
	rpcState     = "/weave/store/v1/state"
)

// maxRPCBody bounds a request body: one command with a value at the limit,
// JSON-escaped.
const maxRPCBody = 8*fsm.MaxValueLen + 64<<10

// rpcReply is the body of every answer. NotLeader asks the caller to find
// the leader again; Error is any other failure.
type rpcReply struct {
	NotLeader bool        `json:"notLeader,omitempty"`
	Error     string      `json:"error,omitempty"`
	Result    *fsm.Result `json:"result,omitempty"`
	Index     uint64      `json:"index,omitempty"`
	HasState  bool        `json:"hasState,omitempty"`
}

// startRPC serves the RPC on the mux's second listener.
func (s *Store) startRPC() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+rpcApply, s.serveApply)
	mux.HandleFunc("POST "+rpcReadIndex, s.serveReadIndex)
	mux.HandleFunc("GET "+rpcState, s.serveState)
	s.rpc = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.rpc.Serve(s.layer.rpc) }()
	s.client = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			return dialRPC(addr, 5*time.Second)
		},
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     time.Minute,
	}}
}

func (s *Store) serveApply(w http.ResponseWriter, r *http.Request) {
	var c fsm.Command
	if err := json.NewDecoder(io.LimitReader(r.Body, maxRPCBody)).Decode(&c); err != nil {
		writeReply(w, rpcReply{Error: "decode command: " + err.Error()})
		return
	}
	res, err := s.applyLocal(r.Context(), &c)
	writeReply(w, replyOf(rpcReply{Result: res}, err))
}

func (s *Store) serveReadIndex(w http.ResponseWriter, r *http.Request) {
	index, err := s.leaderReadIndex(r.Context())
	writeReply(w, replyOf(rpcReply{Index: index}, err))
}

func (s *Store) serveState(w http.ResponseWriter, _ *http.Request) {
	writeReply(w, rpcReply{HasState: s.hasState()})
}

// replyOf fills in the failure of an answer.
func replyOf(rep rpcReply, err error) rpcReply {
	if errors.Is(err, errNotLeader) {
		return rpcReply{NotLeader: true}
	}
	if err != nil && fsm.AsError(err) == nil {
		return rpcReply{Error: err.Error()}
	}
	return rep
}

func writeReply(w http.ResponseWriter, rep rpcReply) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(rep)
}

// call sends one RPC to the peer at addr and decodes the answer.
func (s *Store) call(ctx context.Context, addr, path string, body any) (*rpcReply, error) {
	method, reader := http.MethodGet, io.Reader(nil)
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("rpc %s: %w", path, err)
		}
		method, reader = http.MethodPost, bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+addr+path, reader)
	if err != nil {
		return nil, fmt.Errorf("rpc %s: %w", path, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("rpc %s to %s: %w", path, addr, err)
	}
	defer resp.Body.Close()
	var rep rpcReply
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxRPCBody)).Decode(&rep); err != nil {
		return nil, fmt.Errorf("rpc %s to %s: decode answer: %w", path, addr, err)
	}
	if rep.NotLeader {
		return nil, errNotLeader
	}
	if rep.Error != "" {
		return nil, fmt.Errorf("rpc %s to %s: %s", path, addr, rep.Error)
	}
	return &rep, nil
}
