package mem

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// ErrOverlap is returned when a segment would overlap another.
var ErrOverlap = errors.New("segments overlap")

// A Space is a guest address space: a sorted set of segments.
type Space struct {
	mu   sync.Mutex                 // serialises changes to segs
	segs atomic.Pointer[[]*Segment] // sorted by base; replaced, never edited
	dom  *domain                    // shared by Spaces that share segments
}

// A domain is what Spaces that share segments have in common: the
// generation of their mappings, and the lock that makes marking pages
// copy-on-write safe while other CPUs run. A CPU holds the lock for
// reading while it runs guest code through cached page pointers (Enter,
// Leave); Fork holds it for writing while it marks pages copy-on-write,
// so no CPU can store through a pointer to a page that has just become
// shared: this is the TLB shootdown of a real kernel.
type domain struct {
	gen atomic.Uint64
	mu  sync.RWMutex
}

// NewSpace returns an empty address space.
func NewSpace() *Space {
	s := &Space{dom: new(domain)}
	s.segs.Store(&[]*Segment{})
	return s
}

// Gen returns the mapping generation. It changes whenever a page pointer
// obtained from Lookup may have become stale.
func (s *Space) Gen() uint64 { return s.dom.gen.Load() }

// GenWord returns the generation counter itself, for CPUs that check it
// on their fast path. It is fixed for the life of the Space.
func (s *Space) GenWord() *atomic.Uint64 { return &s.dom.gen }

// Invalidate bumps the generation, so that CPUs drop their TLBs.
func (s *Space) Invalidate() { s.dom.gen.Add(1) }

// Enter and Leave bracket a period during which the caller stores
// through page pointers it keeps (a CPU running guest code, a kernel
// copying into guest memory). They must not be held while blocking: Fork
// waits for every holder in its domain to Leave. Callers that run guest
// code must be made to Leave when asked (sys9 interrupts the CPUs of a
// process's siblings before forking it).
func (s *Space) Enter() { s.dom.mu.RLock() }

// SameDomain reports whether s and o share a domain (and so a Fork of one
// must stop the CPUs of the other).
func (s *Space) SameDomain(o *Space) bool { return s.dom == o.dom }
func (s *Space) Leave()                   { s.dom.mu.RUnlock() }

// Segments returns the segments in address order. The slice must not be
// modified.
func (s *Space) Segments() []*Segment { return *s.segs.Load() }

// SegmentAt returns the segment containing a, or nil.
func (s *Space) SegmentAt(a Addr) *Segment {
	for _, g := range *s.segs.Load() {
		if g.Contains(a) {
			return g
		}
	}
	return nil
}

// Find returns the first segment of the given kind, or nil.
func (s *Space) Find(k Kind) *Segment {
	for _, g := range *s.segs.Load() {
		if g.Kind == k {
			return g
		}
	}
	return nil
}

func (s *Space) overlaps(base, top Addr, except *Segment) bool {
	for _, g := range *s.segs.Load() {
		if g == except {
			continue
		}
		b, t := g.Bounds()
		if base < t && b < top {
			return true
		}
	}
	return false
}

// Attach maps g into the space; it fails with ErrOverlap if g would
// overlap a segment already there.
func (s *Space) Attach(g *Segment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, t := g.Bounds()
	if s.overlaps(b, t, nil) {
		return ErrOverlap
	}
	old := *s.segs.Load()
	n := append(slices.Clone(old), g)
	slices.SortFunc(n, func(x, y *Segment) int {
		bx, by := x.Base(), y.Base()
		if bx < by {
			return -1
		}
		if bx > by {
			return 1
		}
		return 0
	})
	g.revive()
	s.segs.Store(&n)
	g.users.Add(1)
	return nil
}

// Detach removes g from the space.
func (s *Space) Detach(g *Segment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.segs.Load()
	found := false
	n := slices.DeleteFunc(slices.Clone(old), func(x *Segment) bool {
		if x == g {
			found = true
		}
		return x == g
	})
	s.segs.Store(&n)
	s.Invalidate()
	if found && g.users.Add(-1) == 0 {
		g.release()
	}
}

// Release detaches every segment, as at exit or exec; a segment's pages
// are freed when no other space maps it.
func (s *Space) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.segs.Load()
	s.segs.Store(&[]*Segment{})
	s.Invalidate()
	for _, g := range old {
		if g.users.Add(-1) == 0 {
			g.release()
		}
	}
}

// Resize moves the top of g, a segment of this space, to top (page
// aligned). Growing fails with ErrOverlap if it would run into another
// segment, and with ErrBudget if g's budget has not the room.
func (s *Space) Resize(g *Segment, top Addr) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if top&PageMask != 0 {
		return fmt.Errorf("mem: unaligned segment top %#x", top)
	}
	b, t := g.Bounds()
	if top < b {
		return fmt.Errorf("mem: segment top %#x below base %#x", top, b)
	}
	if top > t && s.overlaps(t, top, g) {
		return ErrOverlap
	}
	if err := g.setTop(top); err != nil {
		return err
	}
	if top < t {
		s.Invalidate()
	}
	return nil
}

// Free discards the pages of g, a segment of this space, that lie wholly
// inside [a, a+n); they read back as zeros (segfree(2)). Like Plan 9's
// syssegfree it flushes the TLBs: the generation is bumped.
func (s *Space) Free(g *Segment, a, n Addr) {
	g.Free(a, n)
	s.Invalidate()
}

// Fork returns a new space for a child process. Segments for which share
// reports true are shared (the same Segment in both spaces); the others
// are duplicated copy-on-write. If any segment is shared, the two spaces
// share their generation counter from then on, so that copy-on-write
// marking, shrinking or freeing in one is seen by the other's CPUs (a
// shared read-only segment can be shrunk or freed too).
func (s *Space) Fork(share func(*Segment) bool) *Space {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dom.mu.Lock()
	defer s.dom.mu.Unlock()
	c := &Space{dom: new(domain)}
	var n []*Segment
	for _, g := range *s.segs.Load() {
		switch {
		case share(g):
			g.users.Add(1)
			n = append(n, g)
			c.dom = s.dom
		default:
			d := g.Dup()
			d.users.Add(1)
			n = append(n, d)
		}
	}
	c.segs.Store(&n)
	s.Invalidate() // writable pages of s may now be copy-on-write
	return c
}

// Lookup returns the page holding a for an access of kind acc, and the
// accesses that a cache may allow on that page pointer without asking
// again: Write is included only when the page is private to this segment.
// A write access breaks copy-on-write sharing first.
func (s *Space) Lookup(a Addr, acc Access) (*[PageSize]byte, Access, *Fault) {
	for _, g := range *s.segs.Load() {
		g.mu.Lock()
		if a < g.base || a >= g.top || g.pages == nil { // nil: freed
			g.mu.Unlock()
			continue
		}
		if g.Perm&acc != acc {
			g.mu.Unlock()
			return nil, 0, &Fault{Addr: a, Access: acc}
		}
		p, copied := g.pageLocked(a, acc&Write != 0)
		perm := g.Perm
		if p.refs.Load() > 1 {
			perm &^= Write
		}
		g.mu.Unlock()
		if copied {
			// Other CPUs of this space, and of spaces sharing g, may
			// hold the old page for reading.
			s.Invalidate()
		}
		return p.b, perm, nil
	}
	return nil, 0, &Fault{Addr: a, Access: acc}
}

// Untouched reports whether the page holding a lies in a writable
// segment and has never been touched, so that it reads as zeros and no
// memory holds it: storing zeros over the whole of it can be skipped.
func (s *Space) Untouched(a Addr) bool {
	for _, g := range *s.segs.Load() {
		g.mu.Lock()
		if a < g.base || a >= g.top || g.pages == nil { // nil: freed
			g.mu.Unlock()
			continue
		}
		i := (a - g.base) >> PageShift
		ok := g.Perm&Write != 0 && g.pages[i] == nil && (g.lazy == nil || !g.pending[i])
		g.mu.Unlock()
		return ok
	}
	return false
}

// ReadAt copies guest memory at a into b; every byte must be readable.
func (s *Space) ReadAt(b []byte, a Addr) error {
	for len(b) > 0 {
		p, _, f := s.Lookup(a, Read)
		if f != nil {
			return f
		}
		n := copy(b, p[a&PageMask:])
		b = b[n:]
		a += Addr(n)
	}
	return nil
}

// WriteAt copies b into guest memory at a; every byte must be writable.
// Nothing is written unless all of the range is writable.
func (s *Space) WriteAt(b []byte, a Addr) error {
	if err := s.Check(a, Addr(len(b)), Write); err != nil {
		return err
	}
	for len(b) > 0 {
		p, _, f := s.Lookup(a, Write)
		if f != nil {
			return f
		}
		n := copy(p[a&PageMask:], b)
		b = b[n:]
		a += Addr(n)
	}
	return nil
}

// Check reports a fault for the first address in [a, a+n) that does not
// allow acc, without touching any page.
func (s *Space) Check(a, n Addr, acc Access) error {
	// Count down n rather than compare with a+n, which may wrap: the
	// fault is then at the first address past the last segment, not at a.
	for n > 0 {
		g := s.SegmentAt(a)
		if g == nil || g.Perm&acc != acc {
			return &Fault{Addr: a, Access: acc}
		}
		t := g.Top()
		if t <= a {
			continue // g shrank under us; look again
		}
		if t-a >= n {
			return nil
		}
		n -= t - a
		a = t
	}
	return nil
}

// ReadString reads a NUL-terminated string of at most max bytes at a.
// It fails if the string is unreadable; a string with no NUL within max
// bytes is returned truncated, with ok false.
func (s *Space) ReadString(a Addr, max int) (str string, ok bool, err error) {
	var buf []byte
	for len(buf) < max {
		p, _, f := s.Lookup(a, Read)
		if f != nil {
			return "", false, f
		}
		chunk := p[a&PageMask:]
		if len(chunk) > max-len(buf) {
			chunk = chunk[:max-len(buf)]
		}
		for i, c := range chunk {
			if c == 0 {
				return string(append(buf, chunk[:i]...)), true, nil
			}
		}
		buf = append(buf, chunk...)
		a += Addr(len(chunk))
	}
	return string(buf), false, nil
}
