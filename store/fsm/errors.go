package fsm

import (
	"errors"
	"fmt"
	"net/http"
)

// Error codes, as etcd's v2 API numbers them. A client reads the number, so
// each keeps etcd's value and meaning.
const (
	// CodeKeyNotFound says the key, or a directory on its path, does not exist.
	CodeKeyNotFound = 100
	// CodeTestFailed says a compare (prevValue, prevIndex) did not hold.
	CodeTestFailed = 101
	// CodeNotFile says a file operation was aimed at a directory.
	CodeNotFile = 102
	// CodeNotDir says a path component that must be a directory is a file.
	CodeNotDir = 104
	// CodeNodeExist says a create found the key already there.
	CodeNodeExist = 105
	// CodeRootReadOnly says the operation would change the root directory.
	CodeRootReadOnly = 107
	// CodeDirNotEmpty says a directory delete without recursive found children.
	CodeDirNotEmpty = 108

	// CodeValueRequired says a POST form lacked its value.
	CodeValueRequired = 200
	// CodePrevValueRequired says prevValue was given empty.
	CodePrevValueRequired = 201
	// CodeTTLNaN says the ttl field is not a non-negative number.
	CodeTTLNaN = 202
	// CodeIndexNaN says an index field (prevIndex, waitIndex) is not a number.
	CodeIndexNaN = 203
	// CodeInvalidField says a field has a value of the wrong kind.
	CodeInvalidField = 209
	// CodeInvalidForm says the query string or the body could not be parsed.
	CodeInvalidForm = 210
	// CodeRefreshValue says a refresh carried a value.
	CodeRefreshValue = 211
	// CodeRefreshTTLRequired says a refresh came without a ttl.
	CodeRefreshTTLRequired = 212

	// CodeRaftInternal says the replication layer failed the request.
	CodeRaftInternal = 300
	// CodeLeaderElect says no leader could take the request.
	CodeLeaderElect = 301

	// CodeWatcherCleared says a watch ended because the state was replaced.
	CodeWatcherCleared = 400
	// CodeEventIndexCleared says waitIndex is older than the kept history.
	CodeEventIndexCleared = 401
)

var messages = map[int]string{
	CodeKeyNotFound:        "Key not found",
	CodeTestFailed:         "Compare failed",
	CodeNotFile:            "Not a file",
	CodeNotDir:             "Not a directory",
	CodeNodeExist:          "Key already exists",
	CodeRootReadOnly:       "Root is read only",
	CodeDirNotEmpty:        "Directory not empty",
	CodeValueRequired:      "Value is Required in POST form",
	CodePrevValueRequired:  "PrevValue is Required in POST form",
	CodeTTLNaN:             "The given TTL in POST form is not a number",
	CodeIndexNaN:           "The given index in POST form is not a number",
	CodeInvalidField:       "Invalid field",
	CodeInvalidForm:        "Invalid POST form",
	CodeRefreshValue:       "Value provided on refresh",
	CodeRefreshTTLRequired: "A TTL must be provided on refresh",
	CodeRaftInternal:       "Raft Internal Error",
	CodeLeaderElect:        "During Leader Election",
	CodeWatcherCleared:     "watcher is cleared due to etcd recovery",
	CodeEventIndexCleared:  "The event in requested index is outdated and cleared",
}

// Error is an etcd v2 error: the code a client acts on, the fixed message
// of that code, the cause (usually the key) and the store index at the time.
// Its JSON form is the body etcd answers with.
type Error struct {
	Code    int    `json:"errorCode"`
	Message string `json:"message"`
	Cause   string `json:"cause,omitempty"`
	Index   uint64 `json:"index"`
}

// NewError returns the error of code with its standard message.
func NewError(code int, cause string, index uint64) *Error {
	return &Error{Code: code, Message: messages[code], Cause: cause, Index: index}
}

// Error returns the message, the cause and the index in one line.
func (e *Error) Error() string {
	return fmt.Sprintf("%d: %s (%s) [%d]", e.Code, e.Message, e.Cause, e.Index)
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, &Error{Code: CodeKeyNotFound}) works through wrapping.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// StatusCode returns the HTTP status etcd pairs with the code.
func (e *Error) StatusCode() int {
	switch e.Code {
	case CodeKeyNotFound:
		return http.StatusNotFound
	case CodeNotFile, CodeDirNotEmpty:
		return http.StatusForbidden
	case CodeTestFailed, CodeNodeExist:
		return http.StatusPreconditionFailed
	case CodeRaftInternal, CodeLeaderElect:
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// AsError returns the *Error inside err, or nil when there is none.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// HasCode reports whether err carries an etcd error of the given code.
func HasCode(err error, code int) bool {
	e := AsError(err)
	return e != nil && e.Code == code
}
