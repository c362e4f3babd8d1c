package etcdv2

import (
	"net/http"

	"weave.works/weave/store"
	"weave.works/weave/store/fsm"
)

// serveKeys answers /v2/keys: GET and HEAD read or watch, PUT, POST and
// DELETE write. A request that does not parse changes nothing.
func (s *Server) serveKeys(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete:
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT, POST, DELETE")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	q, perr := parseRequest(r)
	if perr != nil {
		s.writeError(w, r, perr)
		return
	}
	switch {
	case q.Wait:
		s.serveWatch(w, r, q)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.serveRead(w, r, q)
	default:
		s.serveWrite(w, r, q)
	}
}

// serveRead answers a GET; quorum=true makes it linearizable.
func (s *Server) serveRead(w http.ResponseWriter, r *http.Request, q *request) {
	res, err := s.backend.Read(r.Context(), q.Key, store.ReadOptions{
		Recursive: q.Recursive, Sorted: q.Sorted, Quorum: q.Quorum,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeEvent(w, r, res.Event, res.Index, false)
}

// serveWrite commits the request's command and answers with its event.
func (s *Server) serveWrite(w http.ResponseWriter, r *http.Request, q *request) {
	res, err := s.backend.Do(r.Context(), q.command())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e := res.Event()
	if e == nil {
		s.writeError(w, r,
			fsm.NewError(fsm.CodeRaftInternal, "command produced no event", res.Index))
		return
	}
	s.writeEvent(w, r, e, e.Index(), q.NoValue)
}
