package store

import (
	"encoding/binary"
	"fmt"

	"weave.works/weave/store/fsm"
)

// The kinds of the store's RPC (package rpc). A follower sends the leader
// its writes in batches (kindApplyBatch) and asks it for read indexes
// (kindReadIndex); a peer about to bootstrap asks the others whether they
// already hold Raft state (kindState).
const (
	kindApplyBatch byte = 1 + iota
	kindReadIndex
	kindState
)

// rpcReply is one answer: to a read index, a state check, or one command
// of a batch. NotLeader asks the caller to find the leader again; Error is
// any other failure. Index is the read index, or the Raft index of a
// command's entry.
type rpcReply struct {
	NotLeader bool
	Error     string
	Result    *fsm.Result
	Index     uint64
	HasState  bool
	// Read is the leader's answer to a quorum read that the asking peer
	// had not applied far enough to serve (see readIndexRequest), and
	// ReadErr the etcd error it gave.
	Read    *fsm.ReadResult
	ReadErr *fsm.Error
}

// The flags of an encoded rpcReply say which fields follow the index.
const (
	replyNotLeader = 1 << iota
	replyError
	replyResult
	replyHasState
	replyRead
	replyReadEvent
	replyReadErr
)

func appendReply(b []byte, r rpcReply) []byte {
	var flags byte
	for _, f := range []struct {
		on  bool
		bit byte
	}{{r.NotLeader, replyNotLeader}, {r.Error != "", replyError}, {r.Result != nil, replyResult},
		{r.HasState, replyHasState}, {r.Read != nil, replyRead},
		{r.Read != nil && r.Read.Event != nil, replyReadEvent}, {r.ReadErr != nil, replyReadErr}} {
		if f.on {
			flags |= f.bit
		}
	}
	b = binary.AppendUvarint(append(b, flags), r.Index)
	if r.Error != "" {
		b = appendString(b, r.Error)
	}
	if r.Result != nil {
		b = fsm.AppendResult(b, r.Result)
	}
	if r.Read != nil {
		b = binary.AppendUvarint(binary.AppendUvarint(b, r.Read.Index), r.Read.Applied)
		if r.Read.Event != nil {
			b = fsm.AppendEvent(b, r.Read.Event)
		}
	}
	if r.ReadErr != nil {
		b = fsm.AppendError(b, r.ReadErr)
	}
	return b
}

func decodeReply(d *fsm.Decoder) rpcReply {
	flags := d.Byte()
	r := rpcReply{Index: d.Uvarint(), NotLeader: flags&replyNotLeader != 0,
		HasState: flags&replyHasState != 0}
	if flags&replyError != 0 {
		r.Error = d.Str()
	}
	if flags&replyResult != 0 {
		r.Result = d.Result()
	}
	if flags&replyRead != 0 {
		r.Read = &fsm.ReadResult{Index: d.Uvarint(), Applied: d.Uvarint()}
		if flags&replyReadEvent != 0 {
			r.Read.Event = d.Event()
		}
	}
	if flags&replyReadErr != 0 {
		r.ReadErr = d.EtcdError()
	}
	return r
}

// applyBatchRequest and applyBatchReply are the batch RPC's bodies. Every
// command has an answer at its position: a result, NotLeader (the leader
// refused it before appending it: safe to send again) or an error. The
// leader refuses a malformed batch as a whole, applying none of it.
type applyBatchRequest struct {
	Commands []*fsm.Command
}

type applyBatchReply struct {
	Answers []rpcReply
}

func (q applyBatchRequest) encode() ([]byte, error) {
	b := binary.AppendUvarint(nil, uint64(len(q.Commands)))
	for _, c := range q.Commands {
		enc, err := c.Encode()
		if err != nil {
			return nil, err
		}
		b = appendBytes(b, enc)
	}
	return b, nil
}

// decodeApplyBatch reads a batch. A command that does not decode is
// nil, to be answered with its error; the error list has its message.
func decodeApplyBatch(p []byte) (applyBatchRequest, []error, error) {
	d := fsm.NewDecoder(p)
	n := d.Count(1)
	q := applyBatchRequest{Commands: make([]*fsm.Command, n)}
	errs := make([]error, n)
	for i := range n {
		q.Commands[i], errs[i] = fsm.DecodeCommand(d.Bytes())
	}
	if err := d.Finish(); err != nil {
		return q, nil, fmt.Errorf("decode batch: %w", err)
	}
	return q, errs, nil
}

func (r applyBatchReply) encode() []byte {
	b := binary.AppendUvarint(nil, uint64(len(r.Answers)))
	for _, a := range r.Answers {
		b = appendReply(b, a)
	}
	return b
}

func decodeApplyBatchReply(p []byte) (applyBatchReply, error) {
	d := fsm.NewDecoder(p)
	r := applyBatchReply{Answers: make([]rpcReply, d.Count(2))}
	for i := range r.Answers {
		r.Answers[i] = decodeReply(d)
	}
	if err := d.Finish(); err != nil {
		return applyBatchReply{}, fmt.Errorf("decode batch answers: %w", err)
	}
	return r, nil
}

// readIndexRequest asks the leader for the index a quorum read waits for.
// When Key is set and Applied (the asking peer's last applied Raft index)
// is below that index, the leader also reads Key itself and answers with
// the result: a follower that has not yet heard of the last commit would
// otherwise wait for the leader's next append to tell it.
type readIndexRequest struct {
	Key       string
	Recursive bool
	Sorted    bool
	Applied   uint64
}

// The flags of an encoded readIndexRequest.
const (
	readRecursive = 1 << iota
	readSorted
)

func (q readIndexRequest) encode() []byte {
	var flags byte
	if q.Recursive {
		flags |= readRecursive
	}
	if q.Sorted {
		flags |= readSorted
	}
	return binary.AppendUvarint(appendString(append([]byte(nil), flags), q.Key), q.Applied)
}

func decodeReadIndex(p []byte) (readIndexRequest, error) {
	d := fsm.NewDecoder(p)
	flags := d.Byte()
	q := readIndexRequest{Recursive: flags&readRecursive != 0, Sorted: flags&readSorted != 0,
		Key: d.Str(), Applied: d.Uvarint()}
	if err := d.Finish(); err != nil {
		return readIndexRequest{}, fmt.Errorf("decode read-index request: %w", err)
	}
	return q, nil
}

// decodeOneReply reads an answer that is a lone rpcReply.
func decodeOneReply(p []byte) (rpcReply, error) {
	d := fsm.NewDecoder(p)
	r := decodeReply(d)
	if err := d.Finish(); err != nil {
		return rpcReply{}, fmt.Errorf("decode answer: %w", err)
	}
	return r, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendBytes(b, s []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}
