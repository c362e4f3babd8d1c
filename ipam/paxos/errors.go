package paxos

import "errors"

// ErrBadMessage is the cause of every error Unmarshal returns.
var ErrBadMessage = errors.New("malformed paxos message")
