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
// is a map[Addr]byte with bounds and permissions, a model space is a list
// of model segments, sharing is pointer identity and a copy-on-write fork
// is a deep copy. Every read, fault, error and returned permission must
// agree. Each space also has a simulated software TLB that caches the
// pointers Lookup returns and drops them when Gen changes, as a CPU does,
// so a page pointer that goes stale without a generation bump shows up as
// a wrong byte.
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
func opDetach(seg int) []byte     { return []byte{7, byte(seg)} }
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

const (
	fuzzPages     = 12 // segments start in the first fuzzPages pages
	fuzzMaxSegLen = 4  // and are at most this many pages long at attach
	fuzzMaxSpaces = 6
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

// A modelSeg is the model of one Segment.
type modelSeg struct {
	base, top Addr
	perm      Access
	data      map[Addr]byte // absent means zero
	seg       *Segment      // the real segment it models
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

// write stores b at a; the range must be mapped.
func (m *modelSpace) write(a Addr, b []byte) {
	for i, c := range b {
		x := a + Addr(i)
		m.find(x).data[x] = c
	}
}

// sync drops the TLB if the space's generation has moved.
func (m *modelSpace) sync() {
	if g := m.sp.Gen(); g != m.gen {
		clear(m.tlb)
		m.gen = g
	}
}

// tlbLookup is a CPU's memory access path: the TLB, then Lookup.
func (m *modelSpace) tlbLookup(a Addr, acc Access) (*[PageSize]byte, *Fault) {
	m.sync()
	pa := RoundDown(a, PageSize)
	if e, ok := m.tlb[pa]; ok && e.perm&acc == acc {
		return e.p, nil
	}
	p, perm, f := m.sp.Lookup(a, acc)
	if f != nil {
		return nil, f
	}
	m.tlb[pa] = fuzzTLBEntry{p, perm}
	return p, nil
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
	var all []*Segment // every real segment ever made, for the refcount check
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
	accs := [...]Access{Read, Write, Exec}

	for steps := 0; len(r.b) > 0 && steps < 200; steps++ {
		op := r.byte() % 13
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
				break
			}
			if err != nil {
				fail("attach: %v", err)
			}
			all = append(all, g)
			cur.segs = append(cur.segs, &modelSeg{base: base, top: top, perm: perm, data: map[Addr]byte{}, seg: g})

		case 1: // ReadAt
			a, n := Addr(r.u16()), r.u16()%(3*PageSize)
			trace = append(trace, fmt.Sprintf("read %#x+%#x", a, n))
			b := make([]byte, n)
			err := cur.sp.ReadAt(b, a)
			if bad, ok := cur.check(a, n, Read); !ok {
				wantFault(err, bad, Read)
				break
			}
			if err != nil {
				fail("read: %v", err)
			}
			for i, c := range b {
				x := a + Addr(i)
				if want := cur.find(x).data[x]; c != want {
					fail("read: byte at %#x is %#x, want %#x", x, c, want)
				}
			}

		case 2: // WriteAt
			a, n, seed := Addr(r.u16()), r.u16()%(3*PageSize), r.byte()
			trace = append(trace, fmt.Sprintf("write %#x+%#x seed %#x", a, n, seed))
			b := fuzzPattern(seed, n)
			err := cur.sp.WriteAt(b, a)
			if bad, ok := cur.check(a, n, Write); !ok {
				wantFault(err, bad, Write)
				break
			}
			if err != nil {
				fail("write: %v", err)
			}
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
			trace = append(trace, fmt.Sprintf("resize %#x-%#x to %#x", g.base, g.top, top))
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
				for x := range g.data {
					if x >= top {
						delete(g.data, x)
					}
				}
				g.top = top
			}

		case 4: // Fork and switch to the child
			mask := r.byte()
			if len(spaces) >= fuzzMaxSpaces {
				break
			}
			trace = append(trace, fmt.Sprintf("fork share %08b", mask))
			shared := map[*Segment]bool{}
			for i, g := range cur.segs {
				if mask>>(i%8)&1 != 0 {
					shared[g.seg] = true
				}
			}
			c := cur.sp.Fork(func(g *Segment) bool { return shared[g] })
			child := newModelSpace(c)
			real := c.Segments()
			if len(real) != len(cur.segs) {
				fail("fork: child has %d segments, want %d", len(real), len(cur.segs))
			}
			used := map[*Segment]bool{}
			for _, g := range cur.segs {
				if shared[g.seg] {
					if !slices.Contains(real, g.seg) {
						fail("fork: shared segment %#x-%#x missing from child", g.base, g.top)
					}
					used[g.seg] = true
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
					fail("fork: no copy of segment %#x-%#x in child", g.base, g.top)
				}
				used[dup] = true
				all = append(all, dup)
				child.segs = append(child.segs, &modelSeg{base: g.base, top: g.top, perm: g.perm, data: cloneBytes(g.data), seg: dup})
			}
			spaces = append(spaces, child)
			cur = child

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
			trace = append(trace, fmt.Sprintf("free %#x+%#x in %#x-%#x", a, n, g.base, g.top))
			cur.sp.Free(g.seg, a, n)
			for x := range g.data {
				pg := RoundDown(x, PageSize)
				if pg >= a && pg-a <= n && n-(pg-a) >= PageSize {
					delete(g.data, x)
				}
			}

		case 7: // Detach
			g := pick()
			if g == nil {
				break
			}
			trace = append(trace, fmt.Sprintf("detach %#x-%#x", g.base, g.top))
			cur.sp.Detach(g.seg)
			cur.segs = slices.DeleteFunc(cur.segs, func(x *modelSeg) bool { return x == g })

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
			switch {
			case perm&acc != acc, perm&^g.perm != 0, perm&^Write != g.perm&^Write:
				fail("lookup %#x %v: perm %v in a %v segment", a, acc, perm, g.perm)
			case acc&Write != 0 && perm&Write == 0:
				fail("lookup %#x for write: perm %v lacks write", a, perm)
			}
			if got, want := p[a&PageMask], g.data[a]; got != want {
				fail("lookup %#x: byte %#x, want %#x", a, got, want)
			}
			cur.tlb[RoundDown(a, PageSize)] = fuzzTLBEntry{p, perm}

		case 9, 10, 11: // one-byte access through the TLB: read, write, exec
			a := Addr(r.u16())
			acc := accs[op-9]
			v := r.byte()
			trace = append(trace, fmt.Sprintf("tlb %v %#x (%#x)", acc, a, v))
			p, f := cur.tlbLookup(a, acc)
			if g := cur.find(a); g == nil || g.perm&acc != acc {
				wantFault(f, a, acc)
				break
			}
			if f != nil {
				fail("tlb %v %#x: %v", acc, a, f)
			}
			if acc == Write {
				p[a&PageMask] = v
				cur.find(a).data[a] = v
				break
			}
			if got, want := p[a&PageMask], cur.find(a).data[a]; got != want {
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
					if c := g.data[x]; c == 0 {
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
			trace = append(trace, fmt.Sprintf("load %#x+%#x into %#x-%#x", g.base+off, n, g.base, g.top))
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
			for i, c := range b {
				g.data[g.base+off+Addr(i)] = c
			}
		}
		checkSegments(t, cur, fail)
	}

	for _, m := range spaces {
		checkSegments(t, m, fail)
		checkContents(m, fail)
	}
	checkRefs(all, fail)
}

func cloneBytes(m map[Addr]byte) map[Addr]byte {
	n := make(map[Addr]byte, len(m))
	for k, v := range m {
		n[k] = v
	}
	return n
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
			fail("segment %#x-%#x missing", g.base, g.top)
		}
		if b, tp := g.seg.Bounds(); b != g.base || tp != g.top {
			fail("segment %#x-%#x has bounds %#x-%#x", g.base, g.top, b, tp)
		}
	}
}

// checkContents compares every byte of every segment with the model,
// looking at the pages directly so that permissions do not matter.
func checkContents(m *modelSpace, fail func(string, ...any)) {
	for _, g := range m.segs {
		s := g.seg
		s.mu.Lock()
		if len(s.pages) != int(g.top-g.base)>>PageShift {
			s.mu.Unlock()
			fail("segment %#x-%#x has %d pages", g.base, g.top, len(s.pages))
		}
		for x := g.base; x < g.top; x++ {
			var c byte
			if p := s.pages[(x-g.base)>>PageShift]; p != nil {
				c = p.b[x&PageMask]
			}
			if c != g.data[x] {
				s.mu.Unlock()
				fail("final contents: byte at %#x is %#x, want %#x", x, c, g.data[x])
			}
		}
		s.mu.Unlock()
	}
}

// checkRefs checks that every page's reference count is the number of
// segments that hold it.
func checkRefs(all []*Segment, fail func(string, ...any)) {
	holders := map[*page]int32{}
	for _, s := range all {
		s.mu.Lock()
		for _, p := range s.pages {
			if p != nil {
				holders[p]++
			}
		}
		s.mu.Unlock()
	}
	for p, n := range holders {
		if r := p.refs.Load(); r != n {
			fail("page held by %d segments has refs %d", n, r)
		}
	}
}
