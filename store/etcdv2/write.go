package etcdv2

import (
	"encoding/json"
	"net/http"
	"strconv"

	"weave.works/weave/store/fsm"
)

// headers sets what etcd puts on every keys API answer: the content type,
// the cluster ID, the store index and Raft's applied index and term.
func (s *Server) headers(w http.ResponseWriter, index uint64) {
	st := s.backend.Status()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Etcd-Cluster-Id", s.clusterID)
	h.Set("X-Etcd-Index", strconv.FormatUint(index, 10))
	h.Set("X-Raft-Index", strconv.FormatUint(st.RaftIndex, 10))
	h.Set("X-Raft-Term", strconv.FormatUint(st.Term, 10))
}

// writeEvent answers with an event: 201 for a node that did not exist
// before (create, or set with no previous node), 200 otherwise.
func (s *Server) writeEvent(w http.ResponseWriter, r *http.Request, e *fsm.Event, index uint64,
	noValue bool) {
	s.headers(w, index)
	status := http.StatusOK
	if e.Action == fsm.ActionCreate || e.Action == fsm.ActionSet && e.PrevNode == nil {
		status = http.StatusCreated
	}
	if noValue && e.Action != fsm.ActionGet && e.Action != fsm.ActionDelete &&
		e.Action != fsm.ActionCompareAndDelete && e.Action != fsm.ActionExpire {
		e = &fsm.Event{Action: e.Action}
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_ = json.NewEncoder(w).Encode(e)
	}
}

// writeError answers with an etcd error body and the status etcd pairs
// with its code. Errors that are not etcd's (no leader, a timeout) become
// a Raft internal error, as etcd reports its own.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := fsm.AsError(err)
	if e == nil {
		e = fsm.NewError(fsm.CodeRaftInternal, err.Error(), 0)
		s.log.Warn("keys request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.headers(w, e.Index)
	w.WriteHeader(e.StatusCode())
	if r.Method != http.MethodHead {
		_ = json.NewEncoder(w).Encode(e)
	}
}
