package mem

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// FuzzSpace runs a program of operations, decoded from the fuzz input, on
// real Spaces and on a model that is trivially correct: each model segment
// holds a private copy of each of its resident pages, with bounds and
// permissions, a model space is a list of model segments, sharing a
// segment is pointer identity and a copy-on-write fork is a deep copy.
// Every read, fault, error and returned permission must agree.
//
// The model also follows what the real code does underneath, exactly:
// which pages are resident (touched and not freed since), which real
// pages are shared copy-on-write between segments (so that Lookup must
// withhold Write from exactly those, and refs must count their holders),
// how many spaces map each segment (Segment.users, moved by Attach,
// Detach, Release and Fork), that a segment no space maps has freed its
// pages, and for a segment duplicated lazily (DupLazy, through forkLazy)
// which pages are still to be copied from its source, at first touch,
// from the source's contents as they are then (recursively, when the
// source is lazy too).
//
// Each space also has a simulated software TLB that caches the pointers
// Lookup returns and drops them when Gen changes, as a CPU does, so a page
// pointer that goes stale without a generation bump shows up as a wrong
// byte, and a store through a cached pointer to a page that is shared
// copy-on-write is caught when it happens.
func FuzzSpace(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, prog []byte) {
		runFuzzProgram(t, prog)
	})
}

// fuzzSeeds are hand-written programs in the encoding runFuzzProgram reads.
var fuzzSeeds = [][]byte{
	// Write across a page boundary and read it back; read past the top.
	fuzzProg(opAttach(1, 2, RW), opWrite(0x1ff0, 0x20, 7), opRead(0x1ff0, 0x20), opRead(0x2ff0, 0x20)),
	// A copy-on-write fork: writes on either side stay private.
	fuzzProg(opAttach(1, 2, RW), opTLB(Write, 0x1010, 1), opFork(0), opTLB(Write, 0x1010, 2),
		opSwitch(0), opTLB(Read, 0x1010, 0), opWrite(0x1000, 0x1800, 3), opSwitch(1), opRead(0x1000, 0x2000)),
	// A segment shared by two spaces is forked copy-on-write from one of
	// them; when the other breaks the sharing by writing, a page pointer
	// the first one cached for reading must not go stale.
	fuzzProg(opAttach(1, 2, RW), opTLB(Write, 0x1010, 1), opFork(1), opFork(0), opSwitch(1),
		opTLB(Read, 0x1010, 0), opSwitch(0), opTLB(Write, 0x1010, 9), opSwitch(1), opTLB(Read, 0x1010, 0)),
	// A read-only segment shared by two spaces is freed by one of them.
	fuzzProg(opAttach(2, 1, RX), opLoad(0, 0x10, 4, 0x40), opFork(1), opTLB(Exec, 0x2010, 0),
		opSwitch(0), opFree(0, 0x1000, 0x1000), opSwitch(1), opTLB(Exec, 0x2010, 0)),
	// The same for a shrink.
	fuzzProg(opAttach(2, 2, RX), opLoad(0, 0x1010, 4, 0x40), opFork(1), opTLB(Read, 0x3010, 0),
		opSwitch(0), opResize(0, 1, 0), opSwitch(1), opTLB(Read, 0x3010, 0)),
	// segfree with a range that wraps past the top of the address space.
	fuzzProg(opAttach(0, 2, RW), opWrite(0, 0x2000, 5), opFree(0, 1, 0x1fff), opRead(0, 0x2000)),
	// Resize, free, detach, strings, lookups.
	fuzzProg(opAttach(0, 1, RX), opAttach(4, 2, RW), opWrite(0x4000, 0x10, 0x41), opResize(1, 1, 0),
		opRead(0x4000, 0x1000), opLookup(0x4000, Read), opFree(1, 0x4000, 0x1000), opReadString(0x4000, 0x100),
		opWrite(0x4000, 0x1000, 1), opReadString(0x4ff0, 0x100), opReadString(0x4000, 0x20), opDetach(0),
		opLookup(0x10, Exec), opResize(1, 3, 0), opResize(0, 2, 0x81), opAttach(5, 1, Read), opResize(1, 3, 0)),
	// Load into a read-only segment, fork, lookups of every kind.
	fuzzProg(opAttach(2, 1, RX), opLoad(0, 0x10, 0x10, 0x33), opFork(0), opLookup(0x2010, Write),
		opLookup(0x2010, Exec), opLookup(0x2010, Read), opReadString(0x2010, 0x100)),
	// Exit after a copy-on-write fork: the child's pages are its own again
	// and its writes copy nothing.
	fuzzProg(opAttach(1, 2, RW), opWrite(0x1ff0, 0x20, 7), opFork(0), opTLB(Read, 0x1ff0, 0),
		opSwitch(0), opRelease(), opSwitch(1), opLookup(0x1000, Write), opTLB(Write, 0x2000, 5)),
	// Detach from a space that shares the segment, then from the last one;
	// detaching a segment the space does not map changes nothing.
	fuzzProg(opAttach(1, 1, RW), opAttach(3, 1, RW), opWrite(0x1000, 0x2800, 2), opFork(1), opDetachAny(1),
		opDetach(0), opSwitch(0), opRead(0x1000, 0x10), opDetach(0), opDetach(0), opRead(0x3000, 0x10)),
	// A lazy fork of a segment shared by two spaces: the child sees the
	// sibling's writes made before it first touches a page, not after.
	fuzzProg(opAttach(1, 2, RW), opWrite(0x1000, 0x2000, 1), opFork(1), opForkLazy(0), opSwitch(1),
		opTLB(Write, 0x1010, 9), opSwitch(2), opRead(0x1000, 0x20), opSwitch(1), opTLB(Write, 0x1010, 8),
		opTLB(Write, 0x2010, 7), opSwitch(2), opTLB(Read, 0x1010, 0), opTLB(Read, 0x2010, 0)),
	// The parent and its sibling exit before the lazy child touches its
	// pages; the child then frees an untouched page, shrinks and regrows
	// over another (both read back as zeros, not as the source's), forks
	// and exits.
	fuzzProg(opAttach(1, 4, RW), opWrite(0x1000, 0x2000, 3), opWrite(0x3000, 0x2000, 4), opFork(1),
		opForkLazy(0), opSwitch(0), opRelease(), opSwitch(1), opRelease(), opSwitch(2), opRead(0x1ff0, 0x10),
		opFree(0, 0x2000, 0x1000), opRead(0x2000, 0x10), opResize(0, 3, 0), opResize(0, 4, 0),
		opRead(0x4000, 0x10), opFork(0), opRead(0x1000, 0x2800), opSwitch(2), opRelease()),
	// The source grows and writes above the lazy child's top; the child
	// grows too, and reads zeros there.
	fuzzProg(opAttach(1, 2, RW), opWrite(0x1000, 0x2000, 3), opFork(1), opForkLazy(0), opSwitch(0),
		opResize(0, 3, 0), opWrite(0x3000, 0x10, 5), opSwitch(2), opResize(0, 3, 0), opRead(0x3000, 0x10)),
	// A chain: a lazy child shares its segment, is forked lazily again, and
	// writes after the grandchild has touched one page but not the other.
	fuzzProg(opAttach(1, 2, RW), opWrite(0x1000, 0x2000, 4), opFork(1), opForkLazy(0), opFork(1),
		opForkLazy(0), opLookup(0x1000, Read), opSwitch(2), opWrite(0x1000, 0x2000, 6), opSwitch(4),
		opRead(0x1000, 0x2000), opReadString(0x1ffe, 0x10), opLoad(0, 0x1000, 0x10, 1)),
}

// Encoders for fuzzSeeds; see runFuzzProgram for the meaning of each op.
func fuzzProg(ops ...[]byte) []byte { return slices.Concat(ops...) }
func fuzzU16(x int) []byte          { return []byte{byte(x), byte(x >> 8)} }
func fuzzAccIndex(a Access) byte    { return byte(slices.Index([]Access{Read, Write, Exec}, a)) }
func opAttach(basePage, pages int, perm Access) []byte {
	return []byte{0, byte(basePage), byte(pages), byte(perm)}
}
func opRead(a, n int) []byte { return slices.Concat([]byte{1}, fuzzU16(a), fuzzU16(n)) }
func opWrite(a, n, seed int) []byte {
	return slices.Concat([]byte{2}, fuzzU16(a), fuzzU16(n), []byte{byte(seed)})
}
func opResize(seg, pages, odd int) []byte {
	return []byte{3, byte(seg), byte(pages), byte(odd)}
}
func opFork(mask byte) []byte   { return []byte{4, mask} }
func opSwitch(space int) []byte { return []byte{5, byte(space)} }

// free frees [a, a+n) in the seg'th segment of the current space; a is
// relative to one page below the segment's base.
func opFree(seg, a, n int) []byte { return slices.Concat([]byte{6, byte(seg)}, fuzzU16(a), fuzzU16(n)) }

// detach detaches the seg'th segment of the current space; detachAny
// detaches the i'th segment made so far, mapped in the current space or
// not.
func opDetach(seg int) []byte  { return []byte{7, byte(seg) &^ 0x80} }
func opDetachAny(i int) []byte { return []byte{7, 0x80 | byte(i)} }
func opLookup(a int, acc Access) []byte {
	return slices.Concat([]byte{8}, fuzzU16(a), []byte{fuzzAccIndex(acc)})
}
func opTLB(acc Access, a int, v byte) []byte {
	return slices.Concat([]byte{9 + fuzzAccIndex(acc)}, fuzzU16(a), []byte{v})
}
func opReadString(a, max int) []byte { return slices.Concat([]byte{12, 0}, fuzzU16(a), fuzzU16(max)) }
func opLoad(seg, off, n, seed int) []byte {
	return slices.Concat([]byte{12, 1, byte(seg)}, fuzzU16(off), fuzzU16(n), []byte{byte(seed)})
}
func opRelease() []byte           { return []byte{13} }
func opForkLazy(mask byte) []byte { return []byte{14, mask} }

const (
	fuzzPages     = 12 // segments start in the first fuzzPages pages
	fuzzMaxSegLen = 4  // and are at most this many pages long at attach
	fuzzMaxSpaces = 6
	fuzzOps       = 15
)

type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fuzzReader) u16() int { return int(r.byte()) | int(r.byte())<<8 }

// forkLazy is Space.Fork with the policy DupLazy was written for: a
// writable segment mapped in more than one space is duplicated lazily,
// not copy-on-write, so that the CPUs of the other spaces need not be
// stopped. Fork itself stops them (the domain lock) and never duplicates
// lazily; FuzzSpace and the DupLazy tests fork through this to exercise
// DupLazy where it would be used.
func forkLazy(s *Space, share func(*Segment) bool) *Space {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Space{dom: new(domain)}
	var n []*Segment
	for _, g := range *s.segs.Load() {
		switch {
		case share(g):
			g.users.Add(1)
			n = append(n, g)
			c.dom = s.dom
		case g.Perm&Write != 0 && g.users.Load() > 1:
			d := g.DupLazy()
			d.users.Add(1)
			n = append(n, d)
		default:
			d := g.Dup()
			d.users.Add(1)
			n = append(n, d)
		}
	}
	c.segs.Store(&n)
	s.Invalidate()
	return c
}

// A modelPage stands for one real page: resident pages of model segments
// that share a modelPage must share a real page (copy-on-write), and the
// real page's refs must be holders.
type modelPage struct{ holders int }

// A modelRes is a resident page of a model segment: its own bytes, and
// the real page it is in.
type modelRes struct {
	b  [PageSize]byte
	id *modelPage
}

// A modelSeg is the model of one Segment.
type modelSeg struct {
	base, top Addr
	perm      Access
	seg       *Segment           // the real segment it models
	pages     map[Addr]*modelRes // resident pages by address
	users     int                // spaces that map it
	lazy      *modelSeg          // source of the pending pages
	pending   map[Addr]bool      // pages to copy from lazy at first touch
	deps      int                // segments whose lazy is this one
	dead      bool               // mapped nowhere, pages kept for deps
	index     int                // in the program's list of segments
	space     int                // the space it was made in
}

func (g *modelSeg) String() string {
	return fmt.Sprintf("#%d %#x-%#x (made in space %d)", g.index, g.base, g.top, g.space)
}

// at returns the byte at x, inside g, as an access would see it now.
func (g *modelSeg) at(x Addr) byte {
	pg := RoundDown(x, PageSize)
	if r := g.pages[pg]; r != nil {
		return r.b[x&PageMask]
	}
	if g.pending[pg] {
		return g.lazy.source(x)
	}
	return 0
}

// source is at for a lazy duplicate's first touch: an address outside
// the source reads as zero.
func (g *modelSeg) source(x Addr) byte {
	if x < g.base || x >= g.top {
		return 0
	}
	return g.at(x)
}

// page returns the page at pg, inside g, as an access would see it now.
func (g *modelSeg) page(pg Addr) (b [PageSize]byte) {
	if r := g.pages[pg]; r != nil {
		return r.b
	}
	if g.pending[pg] {
		return g.lazy.sourcePage(pg)
	}
	return b
}

// sourcePage is page for a lazy duplicate's first touch.
func (g *modelSeg) sourcePage(pg Addr) (b [PageSize]byte) {
	if pg < g.base || pg >= g.top {
		return b
	}
	return g.page(pg)
}

// touch is Segment.pageLocked: it makes the page at x resident, copying a
// pending page from the lazy source, and for a write gives g its own copy
// of a page shared copy-on-write.
func (g *modelSeg) touch(x Addr, write bool) {
	pg := RoundDown(x, PageSize)
	if r := g.pages[pg]; r != nil {
		if write && r.id.holders > 1 {
			r.id.holders--
			r.id = &modelPage{holders: 1}
		}
		return
	}
	r := &modelRes{id: &modelPage{holders: 1}}
	if g.pending[pg] {
		r.b = g.lazy.sourcePage(pg)
		g.unmark(pg)
	}
	g.pages[pg] = r
}

func (g *modelSeg) unmark(pg Addr) {
	delete(g.pending, pg)
	if len(g.pending) == 0 {
		g.unlink()
	}
}

func (g *modelSeg) unlink() {
	src := g.lazy
	g.lazy, g.pending = nil, nil
	src.deps--
	if src.deps == 0 && src.dead && src.users == 0 {
		src.free()
	}
}

// drop discards the page at pg (segfree, shrink, release).
func (g *modelSeg) drop(pg Addr) {
	if r := g.pages[pg]; r != nil {
		r.id.holders--
		delete(g.pages, pg)
	}
}

// release is what happens when the last space that maps g lets it go.
func (g *modelSeg) release() {
	if g.deps > 0 {
		g.dead = true
		return
	}
	g.free()
}

func (g *modelSeg) free() {
	g.dead = false
	for pg := range g.pages {
		g.drop(pg)
	}
	if g.lazy != nil {
		g.unlink()
	}
}

// dup is Segment.Dup: the resident pages are shared, pending ones stay
// pending on the same source.
func (g *modelSeg) dup(seg *Segment) *modelSeg {
	n := &modelSeg{base: g.base, top: g.top, perm: g.perm, seg: seg, pages: map[Addr]*modelRes{}, users: 1}
	for pg, r := range g.pages {
		r.id.holders++
		n.pages[pg] = &modelRes{b: r.b, id: r.id}
	}
	if g.lazy != nil {
		n.lazy = g.lazy
		n.pending = make(map[Addr]bool, len(g.pending))
		for pg := range g.pending {
			n.pending[pg] = true
		}
		g.lazy.deps++
	}
	return n
}

// dupLazy is Segment.DupLazy: every page is pending on g.
func (g *modelSeg) dupLazy(seg *Segment) *modelSeg {
	n := &modelSeg{base: g.base, top: g.top, perm: g.perm, seg: seg, pages: map[Addr]*modelRes{}, users: 1}
	if g.top > g.base {
		n.lazy, n.pending = g, map[Addr]bool{}
		for pg := g.base; pg < g.top; pg += PageSize {
			n.pending[pg] = true
		}
		g.deps++
	}
	return n
}

type fuzzTLBEntry struct {
	p    *[PageSize]byte
	perm Access
}

// A modelSpace is the model of one Space, plus its simulated TLB.
type modelSpace struct {
	sp   *Space
	segs []*modelSeg // in no particular order
	tlb  map[Addr]fuzzTLBEntry
	gen  uint64
}

func newModelSpace(sp *Space) *modelSpace {
	return &modelSpace{sp: sp, tlb: map[Addr]fuzzTLBEntry{}, gen: sp.Gen()}
}

func (m *modelSpace) find(a Addr) *modelSeg {
	for _, g := range m.segs {
		if a >= g.base && a < g.top {
			return g
		}
	}
	return nil
}

func (m *modelSpace) holds(g *modelSeg) bool { return slices.Contains(m.segs, g) }

func (m *modelSpace) overlaps(base, top Addr, except *modelSeg) bool {
	for _, g := range m.segs {
		if g != except && base < g.top && g.base < top {
			return true
		}
	}
	return false
}

// check returns the first address in [a, a+n) that does not allow acc.
func (m *modelSpace) check(a Addr, n int, acc Access) (bad Addr, ok bool) {
	for i := 0; i < n; {
		x := a + Addr(i)
		g := m.find(x)
		if g == nil || g.perm&acc != acc {
			return x, false
		}
		i += int(g.top - x)
	}
	return 0, true
}

// touch touches every page with a byte in [a, end), all mapped, as
// ReadAt and WriteAt do.
func (m *modelSpace) touch(a, end Addr, write bool) {
	for x := a; x < end; x = RoundDown(x, PageSize) + PageSize {
		m.find(x).touch(x, write)
	}
}

// write stores b at a; the range must be mapped and touched for writing.
func (m *modelSpace) write(a Addr, b []byte) {
	for i, c := range b {
		x := a + Addr(i)
		m.find(x).pages[RoundDown(x, PageSize)].b[x&PageMask] = c
	}
}

// lookupPerm is the permission Lookup must return for the resident page
// at a in g: Write only if the page is not shared.
func lookupPerm(g *modelSeg, a Addr) Access {
	if g.pages[RoundDown(a, PageSize)].id.holders > 1 {
		return g.perm &^ Write
	}
	return g.perm
}

// sync drops the TLB if the space's generation has moved.
func (m *modelSpace) sync() {
	if g := m.sp.Gen(); g != m.gen {
		clear(m.tlb)
		m.gen = g
	}
}

// tlbLookup is a CPU's memory access path: the TLB, then Lookup. hit
// reports that the TLB answered.
func (m *modelSpace) tlbLookup(a Addr, acc Access) (p *[PageSize]byte, perm Access, hit bool, f *Fault) {
	m.sync()
	pa := RoundDown(a, PageSize)
	if e, ok := m.tlb[pa]; ok && e.perm&acc == acc {
		return e.p, e.perm, true, nil
	}
	p, perm, f = m.sp.Lookup(a, acc)
	if f != nil {
		return nil, 0, false, f
	}
	m.tlb[pa] = fuzzTLBEntry{p, perm}
	return p, perm, false, nil
}

func fuzzPattern(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)*3
	}
	return b
}

// runFuzzProgram is FuzzSpace's body: it decodes and runs one program.
func runFuzzProgram(t *testing.T, prog []byte) {
	r := &fuzzReader{b: prog}
	spaces := []*modelSpace{newModelSpace(NewSpace())}
	cur := spaces[0]
	var all []*modelSeg // every segment ever made
	// Every segment is charged to one budget, too big to refuse anything:
	// it must always hold the sizes of the segments that have pages.
	budget := NewBudget(1 << 60)
	var trace []string
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s\nops:\n\t%s", fmt.Sprintf(format, args...), strings.Join(trace, "\n\t"))
	}
	wantFault := func(err error, a Addr, acc Access) {
		t.Helper()
		var f *Fault
		if !errors.As(err, &f) || f == nil {
			fail("got error %v, want fault %v at %#x", err, acc, a)
		}
		if f.Addr != a || f.Access != acc {
			fail("got fault %v at %#x, want %v at %#x", f.Access, f.Addr, acc, a)
		}
	}
	pick := func() *modelSeg {
		i := int(r.byte())
		if len(cur.segs) == 0 {
			return nil
		}
		return cur.segs[i%len(cur.segs)]
	}
	made := func(g *modelSeg) {
		g.index, g.space = len(all), slices.Index(spaces, cur)
		all = append(all, g)
	}
	accs := [...]Access{Read, Write, Exec}

	for steps := 0; len(r.b) > 0 && steps < 200; steps++ {
		op := r.byte() % fuzzOps
		switch op {
		case 0: // attach
			base := Addr(r.byte()%fuzzPages) * PageSize
			top := base + Addr(r.byte()%(fuzzMaxSegLen+1))*PageSize
			perm := Access(r.byte() % 8)
			trace = append(trace, fmt.Sprintf("attach %#x-%#x %v", base, top, perm))
			g := NewSegment(Data, base, top, perm)
			err := cur.sp.Attach(g)
			if cur.overlaps(base, top, nil) {
				if err != ErrOverlap {
					fail("attach: got %v, want ErrOverlap", err)
				}
				if n := g.users.Load(); n != 0 {
					fail("failed attach: users %d", n)
				}
				break
			}
			if err != nil {
				fail("attach: %v", err)
			}
			if err := g.Charge(budget); err != nil {
				fail("charge: %v", err)
			}
			mg := &modelSeg{base: base, top: top, perm: perm, seg: g, pages: map[Addr]*modelRes{}, users: 1}
			made(mg)
			cur.segs = append(cur.segs, mg)

		case 1: // ReadAt
			a, n := Addr(r.u16()), r.u16()%(3*PageSize)
			trace = append(trace, fmt.Sprintf("read %#x+%#x", a, n))
			b := make([]byte, n)
			err := cur.sp.ReadAt(b, a)
			bad, ok := cur.check(a, n, Read)
			if !ok {
				wantFault(err, bad, Read)
				cur.touch(a, bad, false) // the pages before the fault were read
				break
			}
			if err != nil {
				fail("read: %v", err)
			}
			cur.touch(a, a+Addr(n), false)
			for i, c := range b {
				x := a + Addr(i)
				if want := cur.find(x).at(x); c != want {
					fail("read: byte at %#x is %#x, want %#x", x, c, want)
				}
			}

		case 2: // WriteAt
			a, n, seed := Addr(r.u16()), r.u16()%(3*PageSize), r.byte()
			trace = append(trace, fmt.Sprintf("write %#x+%#x seed %#x", a, n, seed))
			b := fuzzPattern(seed, n)
			err := cur.sp.WriteAt(b, a)
			if bad, ok := cur.check(a, n, Write); !ok {
				wantFault(err, bad, Write) // and nothing touched
				break
			}
			if err != nil {
				fail("write: %v", err)
			}
			cur.touch(a, a+Addr(n), true)
			cur.write(a, b)

		case 3: // Resize
			g := pick()
			npg, odd := r.byte(), r.byte()
			if g == nil {
				break
			}
			top := g.base + Addr(npg%(fuzzMaxSegLen+2))*PageSize
			if odd&0x80 != 0 {
				top += Addr(odd & 0x7f)
			}
			trace = append(trace, fmt.Sprintf("resize %v to %#x", g, top))
			if top&PageMask == 0 && top > g.top {
				// Growing a segment shared with another space into a
				// segment of that space leaves it with overlapping
				// segments; mem checks only the space asked (as Plan 9's
				// ibrk does), and the model has no answer for which one
				// wins, so such programs are not run.
				clash := false
				for _, o := range spaces {
					if o != cur && o.holds(g) && o.overlaps(g.top, top, g) {
						clash = true
					}
				}
				if clash && !cur.overlaps(g.top, top, g) {
					trace[len(trace)-1] += " (skipped)"
					break
				}
			}
			err := cur.sp.Resize(g.seg, top)
			if top&PageMask != 0 {
				if err == nil || err == ErrOverlap {
					fail("resize to unaligned %#x: got %v", top, err)
				}
			} else if top > g.top && cur.overlaps(g.top, top, g) {
				if err != ErrOverlap {
					fail("resize: got %v, want ErrOverlap", err)
				}
			} else {
				if err != nil {
					fail("resize: %v", err)
				}
				for pg := range g.pages {
					if pg >= top {
						g.drop(pg)
					}
				}
				for pg := range g.pending {
					if pg >= top {
						delete(g.pending, pg)
					}
				}
				g.top = top
				if g.lazy != nil && len(g.pending) == 0 {
					g.unlink()
				}
			}

		case 4, 14: // Fork (or forkLazy) and switch to the child
			mask := r.byte()
			if len(spaces) >= fuzzMaxSpaces {
				break
			}
			lazily := op == 14
			trace = append(trace, fmt.Sprintf("fork share %08b lazy %v", mask, lazily))
			shared := map[*Segment]bool{}
			for i, g := range cur.segs {
				if mask>>(i%8)&1 != 0 {
					shared[g.seg] = true
				}
			}
			share := func(g *Segment) bool { return shared[g] }
			var c *Space
			if lazily {
				c = forkLazy(cur.sp, share)
			} else {
				c = cur.sp.Fork(share)
			}
			child := newModelSpace(c)
			parent := cur
			cur = child
			spaces = append(spaces, child)
			real := c.Segments()
			if len(real) != len(parent.segs) {
				fail("fork: child has %d segments, want %d", len(real), len(parent.segs))
			}
			used := map[*Segment]bool{}
			for _, g := range parent.segs {
				if shared[g.seg] {
					if !slices.Contains(real, g.seg) {
						fail("fork: shared segment %v missing from child", g)
					}
					used[g.seg] = true
					g.users++
					child.segs = append(child.segs, g)
					continue
				}
				var dup *Segment
				for _, x := range real {
					b, tp := x.Bounds()
					if !used[x] && !shared[x] && x != g.seg && b == g.base && tp == g.top && x.Perm == g.perm {
						dup = x
						break
					}
				}
				if dup == nil {
					fail("fork: no copy of segment %v in child", g)
				}
				used[dup] = true
				// Fork duplicates lazily exactly when forkLazy does so.
				var n *modelSeg
				if lazily && g.perm&Write != 0 && g.users > 1 {
					n = g.dupLazy(dup)
				} else {
					n = g.dup(dup)
				}
				made(n)
				child.segs = append(child.segs, n)
			}

		case 5: // switch to another space
			cur = spaces[int(r.byte())%len(spaces)]
			trace = append(trace, fmt.Sprintf("switch to space %d", slices.Index(spaces, cur)))

		case 6: // Free (segfree)
			g := pick()
			a, n := Addr(r.u16()), Addr(r.u16())
			if g == nil {
				break
			}
			a += g.base - PageSize // may wrap below zero: that is tested too
			trace = append(trace, fmt.Sprintf("free %#x+%#x in %v", a, n, g))
			cur.sp.Free(g.seg, a, n)
			for pg := g.base; pg < g.top; pg += PageSize {
				if pg >= a && pg-a <= n && n-(pg-a) >= PageSize {
					g.drop(pg)
					if g.pending[pg] {
						g.unmark(pg)
					}
				}
			}

		case 7: // Detach
			sel := r.byte()
			var g *modelSeg
			if sel&0x80 == 0 && len(cur.segs) > 0 {
				g = cur.segs[int(sel)%len(cur.segs)]
			} else if sel&0x80 != 0 && len(all) > 0 {
				g = all[int(sel&0x7f)%len(all)]
			}
			if g == nil {
				break
			}
			held := cur.holds(g)
			trace = append(trace, fmt.Sprintf("detach %v (mapped here: %v)", g, held))
			cur.sp.Detach(g.seg)
			if held {
				cur.segs = slices.DeleteFunc(cur.segs, func(x *modelSeg) bool { return x == g })
				if g.users--; g.users == 0 {
					g.release()
				}
			}

		case 8: // Lookup, filling the TLB as a CPU would
			a, acc := Addr(r.u16()), accs[r.byte()%3]
			trace = append(trace, fmt.Sprintf("lookup %#x %v", a, acc))
			cur.sync()
			p, perm, f := cur.sp.Lookup(a, acc)
			g := cur.find(a)
			if g == nil || g.perm&acc != acc {
				wantFault(f, a, acc)
				if p != nil || perm != 0 {
					fail("lookup: fault with page %p perm %v", p, perm)
				}
				break
			}
			if f != nil {
				fail("lookup %#x %v: %v", a, acc, f)
			}
			g.touch(a, acc == Write)
			if want := lookupPerm(g, a); perm != want {
				fail("lookup %#x %v: perm %v, want %v", a, acc, perm, want)
			}
			if *p != g.pages[RoundDown(a, PageSize)].b {
				fail("lookup %#x: page contents differ from the model's", a)
			}
			cur.tlb[RoundDown(a, PageSize)] = fuzzTLBEntry{p, perm}

		case 9, 10, 11: // one-byte access through the TLB: read, write, exec
			a := Addr(r.u16())
			acc := accs[op-9]
			v := r.byte()
			trace = append(trace, fmt.Sprintf("tlb %v %#x (%#x)", acc, a, v))
			p, perm, hit, f := cur.tlbLookup(a, acc)
			g := cur.find(a)
			if g == nil || g.perm&acc != acc {
				wantFault(f, a, acc)
				break
			}
			if f != nil {
				fail("tlb %v %#x: %v", acc, a, f)
			}
			pg := RoundDown(a, PageSize)
			if hit {
				// A cached pointer is only ever to a page the segment
				// holds, and one that may be written is not shared.
				if g.pages[pg] == nil {
					fail("tlb %v %#x: cached page is not resident in %v", acc, a, g)
				}
				if acc == Write && g.pages[pg].id.holders > 1 {
					fail("tlb write %#x: cached writable pointer to a page shared by %d segments", a, g.pages[pg].id.holders)
				}
			} else {
				g.touch(a, acc == Write)
				if want := lookupPerm(g, a); perm != want {
					fail("tlb %v %#x: perm %v, want %v", acc, a, perm, want)
				}
			}
			if acc == Write {
				p[a&PageMask] = v
				g.pages[pg].b[a&PageMask] = v
				break
			}
			if got, want := p[a&PageMask], g.at(a); got != want {
				fail("tlb %v %#x: byte %#x, want %#x", acc, a, got, want)
			}

		case 12: // ReadString or Load
			if r.byte()&1 == 0 {
				a, max := Addr(r.u16()), r.u16()%(2*PageSize)
				trace = append(trace, fmt.Sprintf("readstring %#x max %#x", a, max))
				s, ok, err := cur.sp.ReadString(a, max)
				var want []byte
				wantOK, bad, faulted := false, Addr(0), false
				for i := 0; i < max; i++ {
					x := a + Addr(i)
					g := cur.find(x)
					if g == nil || g.perm&Read == 0 {
						bad, faulted = x, true
						break
					}
					if i == 0 || x&PageMask == 0 {
						g.touch(x, false) // ReadString looks up each page it reaches
					}
					if c := g.at(x); c == 0 {
						wantOK = true
						break
					} else {
						want = append(want, c)
					}
				}
				if faulted {
					wantFault(err, bad, Read)
					break
				}
				if err != nil || ok != wantOK || s != string(want) {
					fail("readstring %#x max %#x: got %q, %v, %v; want %q, %v", a, max, s, ok, err, want, wantOK)
				}
				break
			}
			g := pick()
			off, n, seed := Addr(r.u16()), r.u16()%(2*PageSize), r.byte()
			if g == nil {
				break
			}
			off %= g.top - g.base + 2
			trace = append(trace, fmt.Sprintf("load %#x+%#x into %v", g.base+off, n, g))
			b := fuzzPattern(seed, n)
			err := g.seg.Load(g.base+off, b)
			if g.base+off+Addr(n) > g.top {
				if err == nil {
					fail("load past the segment's top succeeded")
				}
				break
			}
			if err != nil {
				fail("load: %v", err)
			}
			// Load is image set-up and does not know the spaces the
			// segment is in; a user that loads into a live segment must
			// invalidate, as sys9 would.
			cur.sp.Invalidate()
			a := g.base + off
			for x := a; x < a+Addr(n); x = RoundDown(x, PageSize) + PageSize {
				g.touch(x, true)
			}
			for i, c := range b {
				x := a + Addr(i)
				g.pages[RoundDown(x, PageSize)].b[x&PageMask] = c
			}

		case 13: // Release (exit, exec)
			trace = append(trace, "release")
			cur.sp.Release()
			for _, g := range cur.segs {
				if g.users--; g.users == 0 {
					g.release()
				}
			}
			cur.segs = nil
		}
		checkSegments(t, cur, fail)
		checkState(all, fail)
		checkBudget(budget, all, fail)
	}

	for _, m := range spaces {
		checkSegments(t, m, fail)
	}
	checkContents(all, fail)
}

// checkSegments checks that the space holds exactly the model's segments,
// sorted by base, with the model's bounds.
func checkSegments(t *testing.T, m *modelSpace, fail func(string, ...any)) {
	t.Helper()
	real := m.sp.Segments()
	if len(real) != len(m.segs) {
		fail("space has %d segments, model %d", len(real), len(m.segs))
	}
	for i, g := range real {
		if i > 0 && real[i-1].Base() > g.Base() {
			fail("segments out of order: %#x before %#x", real[i-1].Base(), g.Base())
		}
	}
	for _, g := range m.segs {
		if !slices.Contains(real, g.seg) {
			fail("segment %v missing", g)
		}
		if b, tp := g.seg.Bounds(); b != g.base || tp != g.top {
			fail("segment %v has bounds %#x-%#x", g, b, tp)
		}
	}
}

// checkState checks the bookkeeping of every segment ever made against
// the model: users, which pages are resident and which shared (the same
// real page exactly where the model shares a modelPage, with refs the
// number of holders: a page copied from a lazy source is new, with refs
// 1), the lazy links and pending pages, and that a segment no space maps
// holds no pages unless it is kept for a lazy duplicate (nor, once freed,
// a page table).
func checkState(all []*modelSeg, fail func(string, ...any)) {
	real := map[*modelPage]*page{}
	model := map[*page]*modelPage{}
	for _, g := range all {
		s := g.seg
		if n := s.users.Load(); int(n) != g.users {
			fail("segment %v: users %d, want %d", g, n, g.users)
		}
		if g.users == 0 && !g.dead && len(g.pages) > 0 {
			fail("model: segment %v is mapped nowhere and still holds %d pages", g, len(g.pages))
		}
		s.mu.Lock()
		err := func() string {
			// A segment freed when its last user went has no page
			// table until it is attached again.
			freed := len(s.pages) == 0 && g.users == 0 && !g.dead
			if len(s.pages) != int(g.top-g.base)>>PageShift && !freed {
				return fmt.Sprintf("%d pages", len(s.pages))
			}
			if s.deps != g.deps || s.dead != g.dead {
				return fmt.Sprintf("deps %d dead %v, want %d, %v", s.deps, s.dead, g.deps, g.dead)
			}
			var wantLazy *Segment
			if g.lazy != nil {
				wantLazy = g.lazy.seg
			}
			if s.lazy != wantLazy {
				return fmt.Sprintf("lazy link %p, want %p", s.lazy, wantLazy)
			}
			if s.lazy != nil && (len(s.pending) != len(s.pages) || s.npending != len(g.pending)) {
				return fmt.Sprintf("%d pending of %d, want %d of %d", s.npending, len(s.pending), len(g.pending), len(s.pages))
			}
			if s.lazy == nil && (s.pending != nil || s.npending != 0) {
				return "pending pages without a lazy link"
			}
			for i, p := range s.pages {
				pg := g.base + Addr(i)<<PageShift
				if s.lazy != nil && s.pending[i] != g.pending[pg] {
					return fmt.Sprintf("page %#x pending %v", pg, s.pending[i])
				}
				r := g.pages[pg]
				if (p != nil) != (r != nil) {
					return fmt.Sprintf("page %#x resident %v, want %v", pg, p != nil, r != nil)
				}
				if p == nil {
					continue
				}
				if q, ok := real[r.id]; ok && q != p {
					return fmt.Sprintf("page %#x should be shared copy-on-write and is not", pg)
				}
				if q, ok := model[p]; ok && q != r.id {
					return fmt.Sprintf("page %#x is shared and should not be", pg)
				}
				real[r.id], model[p] = p, r.id
				if n := p.refs.Load(); int(n) != r.id.holders {
					return fmt.Sprintf("page %#x has refs %d, held by %d segments", pg, n, r.id.holders)
				}
			}
			return ""
		}()
		s.mu.Unlock()
		if err != "" {
			fail("segment %v: %s", g, err)
		}
	}
}

// checkContents compares every byte of every segment ever made with the
// model, looking at the pages directly so that permissions do not matter
// and nothing is touched: a page still to be copied from a lazy source is
// read from the source as the first touch would copy it.
func checkContents(all []*modelSeg, fail func(string, ...any)) {
	for _, g := range all {
		s := g.seg
		s.mu.Lock()
		for i, p := range s.pages {
			pg := g.base + Addr(i)<<PageShift
			var b [PageSize]byte
			if p != nil {
				b = *p.b
			} else if s.lazy != nil && s.pending[i] {
				s.lazy.copyPage(pg, &b)
			}
			if want := g.page(pg); b != want {
				s.mu.Unlock()
				j := 0
				for b[j] == want[j] {
					j++
				}
				fail("final contents of %v: byte at %#x is %#x, want %#x", g, pg+Addr(j), b[j], want[j])
			}
		}
		s.mu.Unlock()
	}
}

// checkBudget checks that the budget holds the sizes of exactly the
// segments that have pages (a segment no space maps, and no lazy copy
// needs, has freed them).
func checkBudget(b *Budget, all []*modelSeg, fail func(string, ...any)) {
	seen := map[*Segment]bool{}
	var want int64
	for _, g := range all {
		s := g.seg
		if seen[s] {
			continue
		}
		seen[s] = true
		s.mu.Lock()
		if s.pages != nil {
			want += int64(s.top - s.base)
			if s.charged != int64(s.top-s.base) {
				fail("segment %#x-%#x charged %d", s.base, s.top, s.charged)
			}
		}
		s.mu.Unlock()
	}
	if got := b.Used(); got != want {
		fail("budget holds %d bytes, the segments with pages %d", got, want)
	}
}
