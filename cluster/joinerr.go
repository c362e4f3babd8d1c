package cluster

import (
	"errors"
	"strings"
)

// multiError is the shape of the go-multierror error memberlist's Join
// returns, one error per address tried.
type multiError interface {
	WrappedErrors() []error
}

// joinedErrors holds several errors on one line, for logs and callers.
type joinedErrors []error

// Error joins the messages with "; ".
func (j joinedErrors) Error() string {
	msgs := make([]string, len(j))
	for i, err := range j {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (j joinedErrors) Unwrap() []error {
	return j
}

// flatten turns memberlist's multi-line error list into one line.
func flatten(err error) error {
	var m multiError
	if errors.As(err, &m) {
		if errs := m.WrappedErrors(); len(errs) > 0 {
			return joinedErrors(errs)
		}
	}
	return err
}
