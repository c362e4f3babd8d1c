package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/docker/go-plugins-helpers/sdk"
)

// maxBody bounds a request body: Docker's largest requests are a few kilobytes.
const maxBody = 1 << 20

// router registers typed handlers on an sdk.Handler.
type router struct {
	h   sdk.Handler
	log *slog.Logger
}

// errorBody is what Docker reads from a failed call.
type errorBody struct {
	Err string
}

// handle registers fn for path: the body is decoded into a fresh Req, and fn's answer, or
// its error, is encoded the way Docker expects.
func handle[Req any, Resp any](r router, path string, fn func(*Req) (Resp, error)) {
	r.h.HandleFunc(path, func(w http.ResponseWriter, hr *http.Request) {
		req := new(Req)
		if err := decode(hr, req); err != nil {
			r.fail(w, path, http.StatusBadRequest, err)
			return
		}
		resp, err := fn(req)
		if err != nil {
			r.fail(w, path, http.StatusInternalServerError, err)
			return
		}
		sdk.EncodeResponse(w, resp, false)
	})
}

// decode reads one JSON object. An empty body counts as an empty object: Docker sends none
// for calls without arguments.
func decode(hr *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(hr.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	if len(body) > maxBody {
		return fmt.Errorf("request body is over %d bytes", maxBody)
	}
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fmt.Errorf("request field %q must be %s, not %s",
				typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return fmt.Errorf("request body is not valid JSON: %w", err)
	}
	return nil
}

func (r router) fail(w http.ResponseWriter, path string, status int, err error) {
	r.log.Warn("plugin request failed", "call", path, "err", err)
	w.Header().Set("Content-Type", sdk.DefaultContentTypeV1_1)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Err: err.Error()})
}

// fallback answers every path no driver registered, so that a typo or a call from a newer
// Docker gets a JSON error instead of Go's plain-text 404.
func (r router) fallback() {
	r.h.HandleFunc("/", func(w http.ResponseWriter, hr *http.Request) {
		r.fail(w, hr.URL.Path, http.StatusNotFound,
			fmt.Errorf("%s is not a call this plugin serves", hr.URL.Path))
	})
}
