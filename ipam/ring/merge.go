package ring

import (
	"fmt"
)

// Merge joins o into r: for every token of either ring it keeps the entry
// with the higher version. It is commutative, associative and idempotent
// over the entries, so replicas converge whatever the order of gossip.
//
// Merge refuses, and leaves r unchanged, when o is not valid, when the rings
// come from different seeds (ErrDifferentRing), when the rings hold different
// entries with one token and version (ErrConflict), and when o changes what
// r's own peer owns (ErrOwnRangeChanged). An empty ring without identity takes
// o's identity.
func (r *Ring) Merge(o *Ring) error {
	if err := o.Validate(); err != nil {
		return fmt.Errorf("merge ring: %w", err)
	}
	if r.prefix != o.prefix {
		return fmt.Errorf("merge ring over %s into ring over %s: %w", o.prefix, r.prefix,
			ErrDifferentRing)
	}
	id := r.id
	switch {
	case o.id.IsZero():
		// An empty ring without identity is the bottom element.
		return nil
	case id.IsZero():
		id = o.id
	case id != o.id:
		return fmt.Errorf("merge ring of seed %s into ring of seed %s: %w", o.id, r.id,
			ErrDifferentRing)
	}

	merged, err := r.join(o)
	if err != nil {
		return err
	}
	next := &Ring{prefix: r.prefix, all: r.all, self: r.self, id: id, entries: merged}
	if err := next.Validate(); err != nil {
		return fmt.Errorf("merge ring: result: %w", err)
	}
	*r = *next
	return nil
}

// join returns the union of both entry lists, the newer entry winning for a
// token they share. Entries that would change what r.self owns are refused.
func (r *Ring) join(o *Ring) ([]entry, error) {
	a, b := r.entries, o.entries
	out := make([]entry, 0, max(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].token < b[j].token):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j].token < a[i].token:
			if err := r.checkNewToken(b[j]); err != nil {
				return nil, err
			}
			out = append(out, b[j])
			j++
		default:
			e, err := r.pick(a[i], b[j])
			if err != nil {
				return nil, err
			}
			out = append(out, e)
			i++
			j++
		}
	}
	return out, nil
}

// pick chooses between our entry mine and the received entry theirs for the
// same token.
func (r *Ring) pick(mine, theirs entry) (entry, error) {
	switch {
	case mine == theirs || mine.version > theirs.version:
		return mine, nil
	case mine.version == theirs.version:
		return entry{}, fmt.Errorf("merge ring: token %s version %d: %s vs %s: %w",
			toAddr(mine.token), mine.version, mine.describe(), theirs.describe(), ErrConflict)
	case r.self != "" && mine.peer == r.self:
		return entry{}, fmt.Errorf("merge ring: token %s: version %d from %q replaces our %d: %w",
			toAddr(mine.token), theirs.version, theirs.peer, mine.version, ErrOwnRangeChanged)
	}
	return theirs, nil
}

// checkNewToken refuses a received token that falls inside addresses r.self
// owns: only the owner adds tokens to its own space.
func (r *Ring) checkNewToken(theirs entry) error {
	if r.self == "" || len(r.entries) == 0 {
		return nil
	}
	if owner := r.entries[r.cover(theirs.token)].peer; owner == r.self {
		return fmt.Errorf("merge ring: new token %s for %q inside our addresses: %w",
			toAddr(theirs.token), theirs.peer, ErrOwnRangeChanged)
	}
	return nil
}

// describe names an entry's owner and free count for error messages.
func (e entry) describe() string {
	return fmt.Sprintf("%q (free %d)", e.peer, e.free)
}
