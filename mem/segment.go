package mem

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// Kind is a segment's type, named as Plan 9's /proc/N/segment names it.
type Kind uint8

const (
	Text Kind = iota
	Data
	Bss
	Stack
	Shared
	Phys
	Fixed
	Sticky
)

var kindNames = [...]string{"Text", "Data", "Bss", "Stack", "Shared", "Phys", "Fixed", "Sticky"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// A page is one guest page. refs counts the segments that hold it; a page
// held by more than one segment is copy-on-write. shared records that it
// ever was. The bytes are a separate object of exactly one host allocation
// size class: kept in the struct, the counts would push every page into
// the next class up (4864 bytes), a sixth more memory, and into spans
// that the host's allocator fragments.
type page struct {
	b      *[PageSize]byte
	refs   atomic.Int32
	shared atomic.Bool
}

// freePages holds pages of segments that went away, for reuse: a process
// that ends hands its memory to the next one without a trip through the
// host's allocator and garbage collector (a fork-and-exec loop would
// otherwise churn tens of MiB per child). The pool empties itself at
// garbage collections, so it holds nothing for long.
var freePages sync.Pool

func newPage() *page {
	if v := freePages.Get(); v != nil {
		p := v.(*page)
		clear(p.b[:])
		p.refs.Store(1)
		return p
	}
	p := &page{b: new([PageSize]byte)}
	p.refs.Store(1)
	return p
}

// recycle drops one segment's hold on p, the last hold that any segment
// had, when the segment is mapped in no space. A page that was never
// shared can have been reached only through that segment, so no TLB of a
// running CPU can still point at it and it may be reused at once; a page
// that was shared is left to the garbage collector, since the other side
// may have let go of it only a moment ago.
func recycle(p *page) {
	if p.refs.Add(-1) == 0 && !p.shared.Load() {
		freePages.Put(p)
	}
}

// A Segment is a contiguous, page-aligned range of guest memory with one
// set of permissions. Its pages are allocated on first touch. A Segment
// may be mapped in several Spaces at once.
type Segment struct {
	Kind Kind
	Perm Access

	// Code is owned by the user of the segment's instructions (the CPU's
	// decode cache hangs here, so every process that shares the segment
	// shares decoded code). mem never looks at it.
	Code atomic.Pointer[any]

	// users counts the Spaces the segment is mapped in.
	users atomic.Int32

	mu    sync.Mutex
	base  Addr
	top   Addr
	pages []*page // index (addr-base)>>PageShift; nil means not yet touched

	// lazy, when set, supplies the contents of the pages marked in
	// pending (parallel to pages; npending counts the marks): each is
	// copied from lazy's page at the same address on first access (see
	// DupLazy). A page freed, or cut off by a shrink, loses its mark and
	// reads back as zeros like any other; pages above the top at the
	// time of the DupLazy have none. The link is dropped when no marks
	// are left.
	lazy     *Segment
	pending  []bool
	npending int

	// deps counts the segments whose lazy is s. If s's last user goes
	// while deps > 0, s is dead: it keeps its pages (nobody can change
	// them any more) until the last of those segments lets go of it.
	deps int
	dead bool

	// budget, if set, is charged the segment's size (charged bytes)
	// while it has pages.
	budget  *Budget
	charged int64
}

// NewSegment returns a segment covering [base, top), both page aligned.
func NewSegment(kind Kind, base, top Addr, perm Access) *Segment {
	if base&PageMask != 0 || top&PageMask != 0 || top < base {
		panic(fmt.Sprintf("mem: bad segment bounds %#x-%#x", base, top))
	}
	return &Segment{Kind: kind, Perm: perm, base: base, top: top,
		pages: make([]*page, (top-base)>>PageShift)}
}

// Base returns the lowest address of the segment.
func (s *Segment) Base() Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base
}

// Top returns the address just above the segment.
func (s *Segment) Top() Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.top
}

// Bounds returns base and top together.
func (s *Segment) Bounds() (base, top Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base, s.top
}

// Contains reports whether a lies inside the segment.
func (s *Segment) Contains(a Addr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return a >= s.base && a < s.top
}

// setTop moves the top of the segment (brk). Pages above a lower top are
// released. Growing fails with ErrBudget if the segment's budget has not
// the room. The caller checks for overlap with other segments.
func (s *Segment) setTop(top Addr) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.budget != nil && s.pages != nil {
		d := int64(top-s.base) - s.charged
		if d > 0 && !s.budget.take(d) {
			return ErrBudget
		}
		if d < 0 {
			s.budget.used.Add(d)
		}
		s.charged += d
	}
	n := int((top - s.base) >> PageShift)
	if s.lazy != nil {
		if n <= len(s.pending) {
			for i := n; i < len(s.pending); i++ {
				if s.pending[i] {
					s.npending--
				}
			}
			s.pending = s.pending[:n:n]
		} else {
			s.pending = append(s.pending, make([]bool, n-len(s.pending))...)
		}
	}
	if n <= len(s.pages) {
		for i := n; i < len(s.pages); i++ {
			if p := s.pages[i]; p != nil {
				p.refs.Add(-1)
				s.pages[i] = nil
			}
		}
		s.pages = s.pages[:n:n]
	} else if n <= cap(s.pages) {
		s.pages = s.pages[:n]
	} else {
		np := make([]*page, n, n+n/4)
		copy(np, s.pages)
		s.pages = np
	}
	s.top = top
	if s.lazy != nil && s.npending == 0 {
		s.unlinkLocked()
	}
	return nil
}

// Load copies b into the segment at address a, regardless of permissions.
// It is how an image's text and data are filled in. It does not bump any
// generation: a Load into a live segment that shares pages copy-on-write
// leaves stale pointers in TLBs, so follow it with Space.Invalidate.
func (s *Segment) Load(a Addr, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pages == nil {
		return fmt.Errorf("mem: load into a freed segment")
	}
	if a < s.base || a+Addr(len(b)) > s.top || a+Addr(len(b)) < a {
		return fmt.Errorf("mem: load of %d bytes at %#x outside segment %#x-%#x", len(b), a, s.base, s.top)
	}
	for len(b) > 0 {
		p, _ := s.pageLocked(a, true)
		n := copy(p.b[a&PageMask:], b)
		b = b[n:]
		a += Addr(n)
	}
	return nil
}

// pageLocked returns the page holding a, which must lie inside the
// segment, allocating it if needed; for writes a shared page is copied
// first, and copied reports that it was: pointers to the old page that
// anyone cached for reading are stale from then on. s.mu is held.
func (s *Segment) pageLocked(a Addr, write bool) (p *page, copied bool) {
	i := (a - s.base) >> PageShift
	p = s.pages[i]
	if p == nil {
		p = newPage()
		if s.lazy != nil && s.pending[i] {
			s.lazy.copyPage(a, p.b)
			s.unmarkLocked(int(i))
		}
		s.pages[i] = p
		return p, false
	}
	if write && p.refs.Load() > 1 {
		np := newPage()
		*np.b = *p.b
		p.refs.Add(-1)
		s.pages[i] = np
		return np, true
	}
	return p, false
}

// copyPage copies the current contents of the page at a, if s has it,
// into b. Other processes may be writing the page meanwhile: that is
// their business, as it would be on hardware.
func (s *Segment) copyPage(a Addr, b *[PageSize]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a < s.base || a >= s.top || s.pages == nil {
		return
	}
	i := (a - s.base) >> PageShift
	p := s.pages[i]
	if p == nil {
		if s.lazy != nil && s.pending[i] {
			s.lazy.copyPage(a, b)
		}
		return
	}
	copyBytes(b, p.b)
}

// unmarkLocked clears the pending mark of page i, which is set, and
// drops the lazy link when it was the last. s.mu is held.
func (s *Segment) unmarkLocked(i int) {
	s.pending[i] = false
	s.npending--
	if s.npending == 0 {
		s.unlinkLocked()
	}
}

// unlinkLocked drops s's lazy link. s.mu is held; the source's is taken
// after it, as everywhere (a lazy link always points to an older
// segment, so there is no cycle).
func (s *Segment) unlinkLocked() {
	src := s.lazy
	s.lazy, s.pending, s.npending = nil, nil, 0
	src.mu.Lock()
	defer src.mu.Unlock()
	src.deps--
	if src.deps == 0 && src.dead && src.users.Load() == 0 {
		src.freeLocked()
	}
}

//go:norace
func copyBytes(dst, src *[PageSize]byte) { *dst = *src }

// DupLazy returns a duplicate of s whose pages are copied from s when the
// duplicate first touches them, while s's own pages stay as they are.
// It is for forking from a segment that other CPUs may be writing right
// now: copy-on-write would need them all stopped first (a TLB shootdown),
// or their stores through cached page pointers could be lost. The
// duplicate sees the source as it is at first touch rather than as it was
// at the fork, which is what a child that soon execs (a multi-threaded
// program's fork) can tell no difference from.
//
// If s's last user goes before the duplicate has touched every page, s
// keeps its pages for it (see release). Like Dup, DupLazy returns a
// segment mapped in no space.
func (s *Segment) DupLazy() *Segment {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := &Segment{Kind: s.Kind, Perm: s.Perm, base: s.base, top: s.top,
		pages: make([]*page, len(s.pages))}
	s.chargeCopyLocked(n)
	if len(s.pages) > 0 {
		n.lazy, n.npending = s, len(s.pages)
		n.pending = make([]bool, len(s.pages))
		for i := range n.pending {
			n.pending[i] = true
		}
		s.deps++
	}
	return n
}

// release drops the segment's pages (its last user is gone), unless a
// lazy duplicate may still copy them: then it is dead, and the last
// such duplicate to let go of it frees them.
func (s *Segment) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deps > 0 {
		s.dead = true
		return
	}
	s.freeLocked()
}

// freeLocked drops all the pages, the page table and the lazy link: the
// segment is mapped nowhere and nothing copies from it any more. Its
// bounds stay, for whoever still looks at it (a record of an ended
// process), and it has no pages. s.mu is held.
func (s *Segment) freeLocked() {
	s.dead = false
	for _, p := range s.pages {
		if p != nil {
			recycle(p)
		}
	}
	s.pages = nil
	if s.lazy != nil {
		s.unlinkLocked()
	}
	if s.budget != nil {
		s.budget.used.Add(-s.charged)
		s.charged = 0
	}
}

// revive gives a segment whose pages were freed (its last user went) an
// empty page table again, for a space that maps it anew: its pages read
// as zeros.
func (s *Segment) revive() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pages == nil {
		s.pages = make([]*page, (s.top-s.base)>>PageShift)
		if s.budget != nil {
			s.charged = int64(s.top - s.base)
			s.budget.used.Add(s.charged)
		}
	}
}

// Dup returns a copy-on-write duplicate of s, mapped in no space: the
// pages are shared until either side writes them. Users of s must drop
// cached writable page pointers (Space.Fork bumps the generation for
// this). The pages s has yet to copy from a lazy source the duplicate
// copies from the same source.
func (s *Segment) Dup() *Segment {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := &Segment{Kind: s.Kind, Perm: s.Perm, base: s.base, top: s.top,
		pages: make([]*page, len(s.pages))}
	s.chargeCopyLocked(n)
	if s.lazy != nil {
		n.lazy, n.npending = s.lazy, s.npending
		n.pending = slices.Clone(s.pending)
		s.lazy.mu.Lock()
		s.lazy.deps++
		s.lazy.mu.Unlock()
	}
	for i, p := range s.pages {
		if p != nil {
			p.shared.Store(true)
			p.refs.Add(1)
			n.pages[i] = p
		}
	}
	if c := s.Code.Load(); c != nil && s.Perm&Write == 0 {
		n.Code.Store(c) // read-only code stays valid in the copy
	}
	return n
}

// Free discards the pages in [a, a+n) that lie in the segment; they read
// back as zeros (segfree). Page pointers cached from the segment become
// stale: use Space.Free, which bumps the generation, on a live segment.
func (s *Segment) Free(a, n Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pages == nil {
		return // freed
	}
	end := a + n
	if end < a {
		end = ^Addr(0) // the range runs off the top of the address space
	}
	lo := RoundUp(a, PageSize)
	if lo < a {
		return // a is in the last page, which no segment can hold whole
	}
	lo = max(lo, s.base)
	hi := min(RoundDown(end, PageSize), s.top)
	for x := lo; x < hi; x += PageSize {
		i := (x - s.base) >> PageShift
		if p := s.pages[i]; p != nil {
			p.refs.Add(-1)
			s.pages[i] = nil
		}
		if s.lazy != nil && s.pending[i] {
			s.unmarkLocked(int(i))
		}
	}
}

// Resident returns the number of pages that have been touched.
func (s *Segment) Resident() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.pages {
		if p != nil {
			n++
		}
	}
	return n
}
