package cluster

import "errors"

// ErrInvalidConfig is wrapped by every error Config.Validate returns. The
// message names the field and its value.
var ErrInvalidConfig = errors.New("invalid cluster config")

// ErrShutdown is returned by calls made after Shutdown.
var ErrShutdown = errors.New("cluster is shut down")

// ErrUnknownPeer is returned by Send when no peer of that name was ever seen.
var ErrUnknownPeer = errors.New("unknown peer")

// ErrPeerNotAlive is returned by Send when the named peer is dead or has left.
var ErrPeerNotAlive = errors.New("peer is not alive")

// ErrSendToSelf is returned by Send when the named peer is this one: messages
// to ourselves do not go through the network, the caller handles them.
var ErrSendToSelf = errors.New("cannot send to self")

// ErrMalformed is wrapped by the errors returned for a message, a state
// bundle or node metadata that cannot be decoded.
var ErrMalformed = errors.New("malformed cluster data")

// ErrBadAddress is wrapped by the errors returned for a peer address that
// cannot be parsed.
var ErrBadAddress = errors.New("bad peer address")
