package mem

import (
	"errors"
	"sync/atomic"
)

// ErrBudget is returned when growing a segment would take its budget
// over the limit.
var ErrBudget = errors.New("mem: memory limit reached")

// A Budget bounds the total size of the segments charged to it (see
// Segment.Charge): the growable memory of all the processes of one
// machine. A segment's whole size counts, touched or not, from the time
// it is charged until its pages are freed.
type Budget struct {
	limit int64
	used  atomic.Int64
}

// NewBudget returns a budget of limit bytes.
func NewBudget(limit int64) *Budget { return &Budget{limit: limit} }

// Used returns the bytes charged now.
func (b *Budget) Used() int64 { return b.used.Load() }

// take charges n bytes, or reports false if that would pass the limit.
func (b *Budget) take(n int64) bool {
	for {
		u := b.used.Load()
		if u+n > b.limit {
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

// Charge makes the segment count against b, with its present size, and
// from then on its growth and the copies made of it; it fails with
// ErrBudget if that passes b's limit.
func (s *Segment) Charge(b *Budget) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := int64(s.top - s.base)
	if !b.take(n) {
		return ErrBudget
	}
	s.budget, s.charged = b, n
	return nil
}

// chargeCopyLocked makes n, a copy of s, count against s's budget. A copy
// is made at a fork, which the budget does not refuse: the copy shares
// its pages until written, and a child usually execs soon. s.mu is held.
func (s *Segment) chargeCopyLocked(n *Segment) {
	if s.budget != nil {
		n.budget, n.charged = s.budget, int64(n.top-n.base)
		s.budget.used.Add(n.charged)
	}
}
