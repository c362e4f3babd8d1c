package etcdv2

import (
	"encoding/json"
	"net/http"
)

// serveWatch answers wait=true: the headers at once (so the client knows
// the watch started, at which index), then the first matching event, or
// every one with stream=true. The answer ends without a body if the
// watcher is dropped (it fell behind, or the tree was restored); etcd's
// clients then watch again.
func (s *Server) serveWatch(w http.ResponseWriter, r *http.Request, q *request) {
	wa, err := s.backend.WatchEvents(q.Key, q.Recursive, q.Stream, q.WaitIndex)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer wa.Close()
	s.headers(w, wa.StartIndex)
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	enc := json.NewEncoder(w)
	for {
		select {
		case <-r.Context().Done():
			return
		case e, ok := <-wa.Events():
			if !ok {
				return
			}
			if err := enc.Encode(e); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
			if !q.Stream {
				return
			}
		}
	}
}
