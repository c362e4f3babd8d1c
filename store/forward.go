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

	"github.com/hashicorp/raft"
	"weave.works/weave/store/fsm"
)

// The store's RPC is HTTP/1.1 with JSON bodies over connections of the
// store port that start with rpcMagic. A follower sends the leader its
// writes in batches (rpcApplyBatch) and asks it for read indexes
// (rpcReadIndex); a peer about to bootstrap asks the others whether they
// already hold Raft state (rpcState).
const (
	rpcApplyBatch = "/weave/store/v1/apply-batch"
	rpcReadIndex  = "/weave/store/v1/readindex"
	rpcState      = "/weave/store/v1/state"
)

// maxForwardBytes ends a batch once its keys and values reach it; a
// batch holds at least one command, whatever its size.
const maxForwardBytes = 4 << 20

// maxBatchBody bounds a batch's body or answer: the batch's commands with
// a value at the limit beyond maxForwardBytes, JSON-escaped (up to six
// bytes per byte), plus the commands' other fields.
const maxBatchBody = 8*(fsm.MaxValueLen+maxForwardBytes) + maxForwardBatch*4<<10

// rpcReply is the body of every answer. NotLeader asks the caller to find
// the leader again; Error is any other failure.
type rpcReply struct {
	NotLeader bool        `json:"notLeader,omitempty"`
	Error     string      `json:"error,omitempty"`
	Result    *fsm.Result `json:"result,omitempty"`
	Index     uint64      `json:"index,omitempty"`
	HasState  bool        `json:"hasState,omitempty"`
	// Read is the leader's answer to a quorum read that the asking peer
	// had not applied far enough to serve (see readIndexRequest), an
	// fsm.ReadResult, and ReadErr the etcd error it gave.
	Read    json.RawMessage `json:"read,omitempty"`
	ReadErr *fsm.Error      `json:"readErr,omitempty"`
}

// maxLeaderRead bounds a read the leader answers for a follower; a
// larger result (a big recursive listing) is left to the follower, which
// reads it from its own tree once it has applied the index.
const maxLeaderRead = 1 << 20

// readIndexRequest asks the leader for the index a quorum read waits for.
// When Key is set and Applied (the asking peer's last applied Raft index)
// is below that index, the leader also reads Key itself and answers with
// the result: a follower that has not yet heard of the last commit would
// otherwise wait for the leader's next append to tell it.
type readIndexRequest struct {
	Key       string `json:"key,omitempty"`
	Recursive bool   `json:"recursive,omitempty"`
	Sorted    bool   `json:"sorted,omitempty"`
	Applied   uint64 `json:"applied,omitempty"`
}

// startRPC serves the RPC on the mux's second listener.
func (s *Store) startRPC() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+rpcApplyBatch, s.serveApplyBatch)
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

// serveApplyBatch applies a follower's batch: every command is handed to
// Raft before the first answer is awaited, so the batch travels the log
// together.
func (s *Store) serveApplyBatch(w http.ResponseWriter, r *http.Request) {
	var req applyBatchRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBatchBody)).Decode(&req); err != nil {
		writeJSON(w, applyBatchReply{Error: "decode batch: " + err.Error()})
		return
	}
	if n := len(req.Commands); n == 0 || n > maxForwardBatch {
		writeJSON(w, applyBatchReply{Error: fmt.Sprintf("batch of %d commands: want 1 to %d",
			n, maxForwardBatch)})
		return
	}
	pending := make([]raft.ApplyFuture, len(req.Commands))
	rep := applyBatchReply{Answers: make([]rpcReply, len(req.Commands))}
	for i, c := range req.Commands {
		if c == nil {
			rep.Answers[i] = rpcReply{Error: "empty command"}
			continue
		}
		f, err := s.startApply(r.Context(), c)
		if err != nil {
			rep.Answers[i] = replyOf(rpcReply{}, err)
			continue
		}
		pending[i] = f
	}
	for i, f := range pending {
		if f != nil {
			res, err := finishApply(req.Commands[i], f)
			rep.Answers[i] = replyOf(rpcReply{Result: res}, err)
		}
	}
	writeJSON(w, rep)
}

func (s *Store) serveReadIndex(w http.ResponseWriter, r *http.Request) {
	var req readIndexRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil &&
		!errors.Is(err, io.EOF) {
		writeReply(w, rpcReply{Error: "decode read-index request: " + err.Error()})
		return
	}
	index, err := s.leaderReadIndex(r.Context())
	if err != nil || req.Key == "" || req.Applied >= index {
		writeReply(w, replyOf(rpcReply{Index: index}, err))
		return
	}
	res, err := s.readAt(r.Context(), req.Key, index, ReadOptions{Recursive: req.Recursive,
		Sorted: req.Sorted})
	rep := rpcReply{Index: index}
	if e := fsm.AsError(err); e != nil {
		rep.ReadErr = e
	} else if err != nil {
		rep.Error = err.Error()
	} else if b, err := json.Marshal(res); err == nil && len(b) <= maxLeaderRead {
		rep.Read = b
	}
	writeReply(w, rep)
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

func writeReply(w http.ResponseWriter, rep rpcReply) { writeJSON(w, rep) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// call sends one RPC to the peer at addr and decodes the answer.
func (s *Store) call(ctx context.Context, addr, path string, body any) (*rpcReply, error) {
	var rep rpcReply
	if err := s.callInto(ctx, addr, path, body, &rep); err != nil {
		return nil, err
	}
	if rep.NotLeader {
		return nil, errNotLeader
	}
	if rep.Error != "" {
		return nil, fmt.Errorf("rpc %s to %s: %s", path, addr, rep.Error)
	}
	return &rep, nil
}

// callInto sends one RPC, with body as JSON (none: a GET), and decodes
// the answer into out.
func (s *Store) callInto(ctx context.Context, addr, path string, body, out any) error {
	method, reader := http.MethodGet, io.Reader(nil)
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("rpc %s: %w", path, err)
		}
		method, reader = http.MethodPost, bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+addr+path, reader)
	if err != nil {
		return fmt.Errorf("rpc %s: %w", path, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("rpc %s to %s: %w", path, addr, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBatchBody)).Decode(out); err != nil {
		return fmt.Errorf("rpc %s to %s: decode answer: %w", path, addr, err)
	}
	return nil
}
