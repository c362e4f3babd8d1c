package ring

import (
	"fmt"
)

// Validate checks the invariants of r: an IPv4 range, an identity whenever
// there are entries, tokens inside the range in strictly increasing order,
// peer names of 1 to MaxPeerName bytes, versions of at least 1, and free
// counts no larger than the entry's share. The error names the first bad
// entry by index and token.
func (r *Ring) Validate() error {
	if !r.prefix.IsValid() || !r.prefix.Addr().Is4() {
		return fmt.Errorf("%w: range %s: %w", ErrInvalid, r.prefix, ErrNotIPv4)
	}
	if r.prefix != r.prefix.Masked() {
		return fmt.Errorf("%w: range %s has host bits set", ErrInvalid, r.prefix)
	}
	if r.all != spanOf(r.prefix) {
		return fmt.Errorf("%w: range %s: internal bounds out of step", ErrInvalid, r.prefix)
	}
	if len(r.entries) > 0 && r.id.IsZero() {
		return fmt.Errorf("%w: %d entries but no identity", ErrInvalid, len(r.entries))
	}
	// Order comes first: the share of an entry, used by the field checks,
	// is only defined once the tokens are sorted.
	for i, e := range r.entries {
		if err := r.checkToken(i, e); err != nil {
			return err
		}
	}
	for i, e := range r.entries {
		if err := r.checkFields(i, e); err != nil {
			return err
		}
	}
	return nil
}

func entryError(i int, e entry, format string, args ...any) error {
	return &EntryError{Index: i, Token: toAddr(e.token), Reason: fmt.Sprintf(format, args...)}
}

func (r *Ring) checkToken(i int, e entry) error {
	bad := func(format string, args ...any) error { return entryError(i, e, format, args...) }
	if e.token < r.all.lo || e.token > r.all.hi {
		return bad("token outside range %s", r.prefix)
	}
	if i > 0 {
		switch prev := r.entries[i-1].token; {
		case prev == e.token:
			return bad("duplicate token")
		case prev > e.token:
			return bad("token below the previous token %s", toAddr(prev))
		}
	}
	return nil
}

func (r *Ring) checkFields(i int, e entry) error {
	bad := func(format string, args ...any) error { return entryError(i, e, format, args...) }
	if err := checkPeerName(e.peer); err != nil {
		return bad("%v", err)
	}
	if e.version == 0 {
		return bad("version 0")
	}
	if size := r.size(i); e.free > size {
		return bad("free count %d above its %d addresses", e.free, size)
	}
	return nil
}
