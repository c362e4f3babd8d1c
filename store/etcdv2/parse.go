package etcdv2

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"weave.works/weave/store/fsm"
)

// keysPrefix is the path of the keys API; the key follows it.
const keysPrefix = "/v2/keys"

// maxBody bounds a form body: a value at the limit, fully percent-encoded,
// and room for the other fields.
const maxBody = 3*fsm.MaxValueLen + 64<<10

// request is a keys API request after parsing: every field etcd reads
// from the query string and the form body, typed.
type request struct {
	Method    string
	Key       string
	Value     string
	Dir       bool
	TTL       *int64
	PrevExist *bool
	PrevValue string
	PrevIndex uint64
	Recursive bool
	Sorted    bool
	Quorum    bool
	Wait      bool
	WaitIndex uint64
	Stream    bool
	Refresh   bool
	NoValue   bool // noValueOnSuccess
}

// parseRequest reads a keys API request the way etcd does, field by field
// in etcd's order, so that a request with several faults gets the error
// etcd gives. Body values take precedence over query values.
func parseRequest(r *http.Request) (*request, *fsm.Error) {
	if err := r.ParseForm(); err != nil {
		return nil, fsm.NewError(fsm.CodeInvalidForm, formCause(err), 0)
	}
	key, err := fsm.ParseKey(strings.TrimPrefix(r.URL.Path, keysPrefix))
	if err != nil {
		return nil, fsm.NewError(fsm.CodeInvalidField, err.Error(), 0)
	}
	f := r.Form
	q := &request{Method: r.Method, Key: key}
	var e *fsm.Error
	u64 := func(dst *uint64, name string) {
		if e == nil {
			e = parseUint(f, name, dst)
		}
	}
	flag := func(dst *bool, name string) {
		if _, ok := f[name]; ok && e == nil {
			e = parseBool(f, name, dst, fmt.Sprintf("invalid value for %q", name))
		}
	}
	u64(&q.PrevIndex, "prevIndex")
	u64(&q.WaitIndex, "waitIndex")
	flag(&q.Recursive, "recursive")
	flag(&q.Sorted, "sorted")
	flag(&q.Wait, "wait")
	flag(&q.Dir, "dir")
	flag(&q.Quorum, "quorum")
	flag(&q.Stream, "stream")
	if e != nil {
		return nil, e
	}
	if q.Wait && r.Method != http.MethodGet {
		return nil, fsm.NewError(fsm.CodeInvalidField,
			`"wait" can only be used with GET requests`, 0)
	}
	q.PrevValue = f.Get("prevValue")
	if _, ok := f["prevValue"]; ok && q.PrevValue == "" {
		return nil, fsm.NewError(fsm.CodePrevValueRequired, `"prevValue" cannot be empty`, 0)
	}
	flag(&q.NoValue, "noValueOnSuccess")
	if e != nil {
		return nil, e
	}
	if e := parseTTL(f, q); e != nil {
		return nil, e
	}
	if _, ok := f["prevExist"]; ok {
		var b bool
		if e := parseBool(f, "prevExist", &b, "invalid value for prevExist"); e != nil {
			return nil, e
		}
		q.PrevExist = &b
	}
	if e := parseRefresh(f, q); e != nil {
		return nil, e
	}
	q.Value = f.Get("value")
	if len(q.Value) > fsm.MaxValueLen {
		cause := fmt.Sprintf(`"value" is larger than %d bytes`, fsm.MaxValueLen)
		return nil, fsm.NewError(fsm.CodeInvalidField, cause, 0)
	}
	return q, nil
}

// parseTTL reads ttl: absent or empty means none, anything else must be a
// whole number of seconds.
func parseTTL(f url.Values, q *request) *fsm.Error {
	if f.Get("ttl") == "" {
		return nil
	}
	n, err := strconv.ParseUint(f["ttl"][0], 10, 64)
	if err != nil || n > fsm.MaxTTL {
		return fsm.NewError(fsm.CodeTTLNaN, `invalid value for "ttl"`, 0)
	}
	ttl := int64(n)
	q.TTL = &ttl
	return nil
}

// parseRefresh reads refresh; a refresh takes a ttl and no value.
func parseRefresh(f url.Values, q *request) *fsm.Error {
	if _, ok := f["refresh"]; !ok {
		return nil
	}
	if e := parseBool(f, "refresh", &q.Refresh, "invalid value for refresh"); e != nil {
		return e
	}
	if !q.Refresh {
		return nil
	}
	if _, ok := f["value"]; ok && f.Get("value") != "" {
		return fsm.NewError(fsm.CodeRefreshValue, "A value was provided on a refresh", 0)
	}
	if q.TTL == nil {
		return fsm.NewError(fsm.CodeRefreshTTLRequired, "No TTL value set", 0)
	}
	return nil
}

// parseUint reads an index field; present but not a number fails.
func parseUint(f url.Values, name string, dst *uint64) *fsm.Error {
	v, ok := f[name]
	if !ok {
		return nil
	}
	n, err := strconv.ParseUint(v[0], 10, 64)
	if err != nil {
		return fsm.NewError(fsm.CodeIndexNaN, fmt.Sprintf("invalid value for %q", name), 0)
	}
	*dst = n
	return nil
}

// parseBool reads a boolean field as strconv.ParseBool does; present but
// not a boolean fails with cause.
func parseBool(f url.Values, name string, dst *bool, cause string) *fsm.Error {
	v, ok := f[name]
	if !ok {
		return nil
	}
	b, err := strconv.ParseBool(v[0])
	if err != nil {
		return fsm.NewError(fsm.CodeInvalidField, cause, 0)
	}
	*dst = b
	return nil
}

// formCause words a form parsing failure as etcd does: for a bad escape,
// the url package's own message (`invalid URL escape "%zz"`).
func formCause(err error) string {
	var ee url.EscapeError
	if errors.As(err, &ee) {
		return ee.Error()
	}
	return err.Error()
}
