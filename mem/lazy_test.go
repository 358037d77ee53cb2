package mem

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// lazyFixture is a segment mapped in two spaces (a process and its RFMEM
// sibling) and a child forked lazily from the first: src is the shared
// segment, dup the child's lazy duplicate of it. src's first two pages
// hold "page0" and "page1"; its third was never touched.
type lazyFixture struct {
	p, sib, c *Space
	src, dup  *Segment
}

func newLazyFixture(t *testing.T) *lazyFixture {
	t.Helper()
	f := &lazyFixture{p: NewSpace()}
	f.src = mustAttach(t, f.p, Data, 0x1000, 0x4000, RW)
	f.sib = f.p.Fork(func(*Segment) bool { return true })
	mustWrite(t, f.p, 0x1000, "page0")
	mustWrite(t, f.p, 0x2000, "page1")
	f.c = forkLazy(f.p, func(*Segment) bool { return false })
	f.dup = f.c.Find(Data)
	if f.dup == f.src || f.dup.lazy != f.src {
		t.Fatal("forkLazy did not duplicate the shared segment lazily")
	}
	if f.dup.Resident() != 0 || f.src.Resident() != 2 {
		t.Fatalf("after the fork: child resident %d, source %d; want 0, 2", f.dup.Resident(), f.src.Resident())
	}
	wantUsers(t, f.src, 2)
	wantUsers(t, f.dup, 1)
	return f
}

func mustWrite(t *testing.T, s *Space, a Addr, str string) {
	t.Helper()
	if err := s.WriteAt([]byte(str), a); err != nil {
		t.Fatalf("WriteAt(%#x): %v", a, err)
	}
}

func mustRead(t *testing.T, s *Space, a Addr, n int) string {
	t.Helper()
	b := make([]byte, n)
	if err := s.ReadAt(b, a); err != nil {
		t.Fatalf("ReadAt(%#x): %v", a, err)
	}
	return string(b)
}

func wantRead(t *testing.T, who string, s *Space, a Addr, want string) {
	t.Helper()
	if got := mustRead(t, s, a, len(want)); got != want {
		t.Errorf("%s reads %q at %#x, want %q", who, got, a, want)
	}
}

func wantUsers(t *testing.T, g *Segment, n int32) {
	t.Helper()
	if got := g.users.Load(); got != n {
		t.Errorf("segment %#x-%#x has %d users, want %d", g.Base(), g.Top(), got, n)
	}
}

const zero5 = "\x00\x00\x00\x00\x00"

// TestDupLazyFirstTouch: the child's page is the source's page as it is
// when the child first touches it, and from then on the child's own.
func TestDupLazyFirstTouch(t *testing.T) {
	f := newLazyFixture(t)
	mustWrite(t, f.sib, 0x1000, "PAGE0") // after the fork, before the touch
	wantRead(t, "child", f.c, 0x1000, "PAGE0")
	mustWrite(t, f.sib, 0x1000, "later") // after the touch
	wantRead(t, "child", f.c, 0x1000, "PAGE0")
	wantRead(t, "parent", f.p, 0x1000, "later")

	// The child's page is a private copy, not a share of the source's.
	if p, q := f.dup.pages[0], f.src.pages[0]; p == q || p.refs.Load() != 1 || q.refs.Load() != 1 {
		t.Errorf("child's page shared with the source, or refs %d and %d", p.refs.Load(), q.refs.Load())
	}
	// A page the source never had reads as zeros, and stays the child's.
	wantRead(t, "child", f.c, 0x3000, zero5)
	mustWrite(t, f.p, 0x3000, "page2")
	wantRead(t, "child", f.c, 0x3000, zero5)
	// The untouched middle page is still the source's, as it is now.
	mustWrite(t, f.sib, 0x2000, "PAGE1")
	wantRead(t, "child", f.c, 0x2000, "PAGE1")
	// Every page touched: the child lets go of the source.
	if f.dup.lazy != nil || f.src.deps != 0 {
		t.Errorf("all pages copied: lazy link %v, source deps %d", f.dup.lazy != nil, f.src.deps)
	}
}

// TestDupLazyTouch: what counts as a first touch. The source writes
// "after" in the middle of the page once the child has done op; the
// child sees it only if op did not touch the page.
func TestDupLazyTouch(t *testing.T) {
	for _, tc := range []struct {
		name    string
		op      func(f *lazyFixture) // on the page at 0x2000
		touches bool
	}{
		{"nothing", func(f *lazyFixture) {}, false},
		{"Lookup read", func(f *lazyFixture) { f.c.Lookup(0x2000, Read) }, true},
		{"Lookup write", func(f *lazyFixture) { f.c.Lookup(0x2fff, Write) }, true},
		{"Lookup exec faults", func(f *lazyFixture) { f.c.Lookup(0x2000, Exec) }, false},
		{"ReadAt", func(f *lazyFixture) { f.c.ReadAt(make([]byte, 1), 0x2010) }, true},
		{"ReadAt of the page before", func(f *lazyFixture) { f.c.ReadAt(make([]byte, 0x10), 0x1ff0) }, false},
		{"ReadAt into it", func(f *lazyFixture) { f.c.ReadAt(make([]byte, 0x11), 0x1ff0) }, true},
		{"ReadAt that faults further on", func(f *lazyFixture) { f.c.ReadAt(make([]byte, 0x3000), 0x2000) }, true},
		{"WriteAt", func(f *lazyFixture) { f.c.WriteAt([]byte{1}, 0x2010) }, true},
		{"WriteAt that faults", func(f *lazyFixture) { f.c.WriteAt(make([]byte, 0x3000), 0x2000) }, false},
		{"ReadString", func(f *lazyFixture) { f.c.ReadString(0x2000, 10) }, true},
		{"ReadString ending before it", func(f *lazyFixture) { f.c.ReadString(0x1ffc, 4) }, false},
		{"Load", func(f *lazyFixture) { f.dup.Load(0x2010, []byte{1}) }, true},
		{"Load of nothing", func(f *lazyFixture) { f.dup.Load(0x2010, nil) }, false},
		{"Word32", func(f *lazyFixture) { f.c.Word32(0x2010) }, true},
		{"Add32", func(f *lazyFixture) { f.c.Add32(0x2010, 0) }, true},
		{"Check", func(f *lazyFixture) { f.c.Check(0x1000, 0x3000, Write) }, false},
		{"Resident", func(f *lazyFixture) { f.dup.Resident() }, false},
		{"Dup", func(f *lazyFixture) { f.dup.Dup() }, false},
		{"DupLazy", func(f *lazyFixture) { f.dup.DupLazy() }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLazyFixture(t)
			tc.op(f)
			if got := f.dup.pages[1] != nil; got != tc.touches {
				t.Fatalf("page resident %v, want %v", got, tc.touches)
			}
			mustWrite(t, f.sib, 0x2800, "after")
			want := "after"
			if tc.touches {
				want = zero5
			}
			wantRead(t, "child", f.c, 0x2800, want)
			wantRead(t, "child", f.c, 0x2000, "page1")
		})
	}
}

// TestDupLazySourceUnaffected: the child's writes stay in the child, and
// the source's pages are neither copied nor made copy-on-write by the
// fork or by the child.
func TestDupLazySourceUnaffected(t *testing.T) {
	f := newLazyFixture(t)
	before := f.src.pages[0]
	mustWrite(t, f.c, 0x1000, "child")
	mustWrite(t, f.c, 0x3000, "child")
	if f.src.Resident() != 2 {
		t.Errorf("source resident %d, want 2 (copying a page the source lacks gives it none)", f.src.Resident())
	}
	wantRead(t, "parent", f.p, 0x1000, "page0")
	wantRead(t, "sibling", f.sib, 0x1000, "page0")
	wantRead(t, "parent", f.p, 0x3000, zero5)
	gen := f.p.Gen()
	p, perm, _ := f.p.Lookup(0x1000, Write)
	if p != before.b || perm != RW || before.refs.Load() != 1 {
		t.Errorf("source page after the child's write: same %v, perm %v, refs %d; want same, rw-, 1", p == before.b, perm, before.refs.Load())
	}
	if f.p.Gen() != gen {
		t.Error("a write to the source copied its page")
	}
}

// TestDupLazyFork: a lazy child forks in its turn. A copy-on-write
// duplicate shares what the child has copied and copies the rest from the
// same source; a lazy duplicate of the lazy child reads through it to the
// source.
func TestDupLazyFork(t *testing.T) {
	t.Run("copy-on-write", func(t *testing.T) {
		f := newLazyFixture(t)
		wantRead(t, "child", f.c, 0x1000, "page0")
		gc := f.c.Fork(func(*Segment) bool { return false })
		g := gc.Find(Data)
		if g.lazy != f.src || f.src.deps != 2 {
			t.Fatalf("grandchild's lazy source %v, source deps %d; want the source, 2", g.lazy == f.src, f.src.deps)
		}
		if g.pages[0] != f.dup.pages[0] || g.pages[0].refs.Load() != 2 {
			t.Error("the page the child copied is not shared copy-on-write with the grandchild")
		}
		mustWrite(t, f.sib, 0x2000, "PAGE1")
		wantRead(t, "grandchild", gc, 0x2000, "PAGE1")
		mustWrite(t, f.sib, 0x2000, "again")
		wantRead(t, "child", f.c, 0x2000, "again")
		wantRead(t, "grandchild", gc, 0x2000, "PAGE1")
		mustWrite(t, gc, 0x1000, "gchld")
		wantRead(t, "child", f.c, 0x1000, "page0")
	})
	t.Run("lazy", func(t *testing.T) {
		f := newLazyFixture(t)
		wantRead(t, "child", f.c, 0x1000, "page0")
		f.c.Fork(func(*Segment) bool { return true }) // the child's own RFMEM sibling
		gc := forkLazy(f.c, func(*Segment) bool { return false })
		g := gc.Find(Data)
		if g.lazy != f.dup || f.dup.deps != 1 {
			t.Fatalf("grandchild's lazy source is not the child")
		}
		mustWrite(t, f.c, 0x1000, "CHILD")   // the child's page
		mustWrite(t, f.sib, 0x2000, "PAGE1") // the source's, through the child
		wantRead(t, "grandchild", gc, 0x1000, "CHILD")
		wantRead(t, "grandchild", gc, 0x2000, "PAGE1")
		if f.dup.pages[1] != nil {
			t.Error("the grandchild's touch made the child's page resident")
		}
		wantRead(t, "child", f.c, 0x2000, "PAGE1")
	})
}

// TestDupLazyResize: a lazy segment's pages cut off by a shrink, freed,
// or above its top at the fork are new memory and read as zeros; a page
// the source no longer has reads as zeros too.
func TestDupLazyResize(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   func(t *testing.T, f *lazyFixture)
		a    Addr
		want string
	}{
		{"shrink and regrow", func(t *testing.T, f *lazyFixture) {
			f.c.Resize(f.dup, 0x2000)
			f.c.Resize(f.dup, 0x4000)
		}, 0x2000, zero5},
		{"shrink and regrow keeps the rest", func(t *testing.T, f *lazyFixture) {
			f.c.Resize(f.dup, 0x3000)
			f.c.Resize(f.dup, 0x4000)
		}, 0x2000, "page1"},
		{"segfree", func(t *testing.T, f *lazyFixture) {
			f.c.Free(f.dup, 0x2000, 0x1000)
		}, 0x2000, zero5},
		{"segfree of part of a page", func(t *testing.T, f *lazyFixture) {
			f.c.Free(f.dup, 0x2000, 0xfff)
		}, 0x2000, "page1"},
		{"grow above the source's old top", func(t *testing.T, f *lazyFixture) {
			if err := f.p.Resize(f.src, 0x5000); err != nil {
				t.Fatal(err)
			}
			mustWrite(t, f.p, 0x4000, "page3")
			if err := f.c.Resize(f.dup, 0x5000); err != nil {
				t.Fatal(err)
			}
		}, 0x4000, zero5},
		{"source shrunk", func(t *testing.T, f *lazyFixture) {
			f.p.Resize(f.src, 0x2000)
		}, 0x2000, zero5},
		{"source shrunk and regrown", func(t *testing.T, f *lazyFixture) {
			f.p.Resize(f.src, 0x2000)
			f.p.Resize(f.src, 0x4000)
			mustWrite(t, f.p, 0x2000, "new_1")
		}, 0x2000, "new_1"},
		{"source freed", func(t *testing.T, f *lazyFixture) {
			f.sib.Free(f.src, 0x2000, 0x1000)
		}, 0x2000, zero5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLazyFixture(t)
			tc.op(t, f)
			wantRead(t, "child", f.c, tc.a, tc.want)
			wantRead(t, "child", f.c, 0x1000, "page0")
		})
	}

	// Cutting off the last page still to be copied drops the link.
	f := newLazyFixture(t)
	wantRead(t, "child", f.c, 0x1000, "page0")
	f.c.Resize(f.dup, 0x2000)
	if f.dup.lazy != nil || f.src.deps != 0 {
		t.Error("nothing left to copy, and the child still holds the source")
	}
	f.c.Resize(f.dup, 0x4000)
	wantRead(t, "child", f.c, 0x2000, zero5)
}

// TestDupLazyRelease: the source's last user goes before the child has
// copied everything. The source keeps its pages, as they were, until the
// child has copied them all or goes itself; then they are freed.
func TestDupLazyRelease(t *testing.T) {
	for _, tc := range []struct {
		name    string
		letGo   func(t *testing.T, f *lazyFixture) // the child lets go of the source
		content bool                               // the child reads the source's pages
	}{
		{"child touches every page", func(t *testing.T, f *lazyFixture) {
			mustRead(t, f.c, 0x1000, 0x3000)
		}, true},
		{"child exits", func(t *testing.T, f *lazyFixture) { f.c.Release() }, false},
		{"child detaches", func(t *testing.T, f *lazyFixture) { f.c.Detach(f.dup) }, false},
		{"child frees", func(t *testing.T, f *lazyFixture) { f.c.Free(f.dup, 0, 0x10000) }, false},
		{"child shrinks to nothing", func(t *testing.T, f *lazyFixture) { f.c.Resize(f.dup, 0x1000) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLazyFixture(t)
			mustWrite(t, f.sib, 0x1000, "last!")
			f.p.Release()
			wantUsers(t, f.src, 1)
			f.sib.Release()
			wantUsers(t, f.src, 0)
			if !f.src.dead || f.src.Resident() != 2 {
				t.Fatalf("source dead %v, resident %d; want kept for the child", f.src.dead, f.src.Resident())
			}
			if tc.content {
				wantRead(t, "child", f.c, 0x1000, "last!")
				wantRead(t, "child", f.c, 0x2000, "page1")
			}
			tc.letGo(t, f)
			if f.src.dead || f.src.Resident() != 0 || f.src.deps != 0 || f.dup.lazy != nil {
				t.Errorf("after the child let go: source dead %v, resident %d, deps %d; child linked %v",
					f.src.dead, f.src.Resident(), f.src.deps, f.dup.lazy != nil)
			}
		})
	}

	// A chain: the child and its sibling exit while the child's own lazy
	// child still needs its segment, which in turn keeps the source.
	f := newLazyFixture(t)
	wantRead(t, "child", f.c, 0x1000, "page0")
	csib := f.c.Fork(func(*Segment) bool { return true })
	gc := forkLazy(f.c, func(*Segment) bool { return false })
	gdata := gc.Find(Data)
	mustWrite(t, f.c, 0x1000, "child")
	mustWrite(t, f.sib, 0x2000, "PAGE1")
	for _, sp := range []*Space{f.p, f.sib, f.c, csib} {
		sp.Release()
	}
	if !f.src.dead || !f.dup.dead || f.dup.Resident() != 1 || f.src.Resident() != 2 {
		t.Fatalf("dead %v and %v, resident %d and %d; want both kept", f.src.dead, f.dup.dead, f.src.Resident(), f.dup.Resident())
	}
	wantRead(t, "grandchild", gc, 0x1000, "child")
	wantRead(t, "grandchild", gc, 0x2000, "PAGE1")
	gc.Release()
	for _, g := range []*Segment{f.src, f.dup, gdata} {
		if g.Resident() != 0 || g.dead || g.deps != 0 || g.lazy != nil {
			t.Errorf("after the grandchild's exit: resident %d, dead %v, deps %d", g.Resident(), g.dead, g.deps)
		}
	}
}

// TestDupLazyEmpty: a lazy duplicate of an empty segment has nothing to
// copy, and no link.
func TestDupLazyEmpty(t *testing.T) {
	g := NewSegment(Bss, 0x5000, 0x5000, RW)
	d := g.DupLazy()
	if d.lazy != nil || g.deps != 0 {
		t.Error("lazy duplicate of an empty segment linked to it")
	}
	s := NewSpace()
	if err := s.Attach(d); err != nil {
		t.Fatal(err)
	}
	s.Resize(d, 0x6000)
	if p, _, f := s.Lookup(0x5000, Read); f != nil || *p != [PageSize]byte{} {
		t.Errorf("grown page: %v", f)
	}
}

// TestRelease: Release and Detach count the spaces that map a segment and
// free its pages with the last; pages it shared copy-on-write are then
// private to the other holder, whose writes copy nothing.
func TestRelease(t *testing.T) {
	for _, tc := range []struct {
		name   string
		gone   func(c *Space, cdata *Segment) // how the child lets go
		parent bool                           // or the parent exits instead
	}{
		{"child exits", func(c *Space, _ *Segment) { c.Release() }, false},
		{"child detaches", func(c *Space, g *Segment) { c.Detach(g) }, false},
		{"parent exits", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, text, data, _, _, _ := testSpace(t)
			mustWrite(t, s, 0x3000, "data!")
			text.Load(0x1000, []byte("text!"))
			c := s.Fork(func(g *Segment) bool { return g == text })
			cdata := c.Find(Data)
			wantUsers(t, text, 2)
			wantUsers(t, data, 1)
			wantUsers(t, cdata, 1)
			if data.pages[0].refs.Load() != 2 {
				t.Fatal("data page not shared after the fork")
			}
			stay, stayData, goneData := s, data, cdata
			if tc.parent {
				s.Release()
				stay, stayData, goneData = c, cdata, data
				wantUsers(t, text, 1)
			} else {
				tc.gone(c, cdata)
			}
			wantUsers(t, goneData, 0)
			if goneData.Resident() != 0 {
				t.Errorf("released segment still holds %d pages", goneData.Resident())
			}
			p := stayData.pages[0]
			if p.refs.Load() != 1 {
				t.Errorf("remaining page refs %d, want 1", p.refs.Load())
			}
			gen := stay.Gen()
			q, perm, _ := stay.Lookup(0x3000, Write)
			if q != p.b || perm != RW || stay.Gen() != gen {
				t.Errorf("write after the other side went: copied %v, perm %v, generation moved %v", q != p.b, perm, stay.Gen() != gen)
			}
			wantRead(t, "remaining space", stay, 0x3000, "data!")
			wantRead(t, "remaining space", stay, 0x1000, "text!")
			if text.Resident() != 1 {
				t.Error("shared text freed while still mapped")
			}
		})
	}

	// Counting: Attach, Detach of a segment mapped here and of one that
	// is not, Release of an emptied space, release with the last.
	s := NewSpace()
	g := mustAttach(t, s, Shared, 0x1000, 0x2000, RW)
	wantUsers(t, g, 1)
	other := NewSpace()
	other.Detach(g) // not mapped there: nothing changes
	wantUsers(t, g, 1)
	if err := other.Attach(g); err != nil {
		t.Fatal(err)
	}
	wantUsers(t, g, 2)
	if err := other.Attach(g); err != ErrOverlap {
		t.Fatalf("second Attach in one space: %v", err)
	}
	wantUsers(t, g, 2)
	mustWrite(t, other, 0x1000, "x")
	other.Release()
	other.Release() // nothing left to release
	wantUsers(t, g, 1)
	wantRead(t, "space", s, 0x1000, "x")
	gen := s.Gen()
	s.Release()
	if s.Gen() == gen || len(s.Segments()) != 0 {
		t.Error("Release did not unmap and bump the generation")
	}
	wantFault(t, s.ReadAt(make([]byte, 1), 0x1000), 0x1000, Read)
	wantUsers(t, g, 0)
	if g.Resident() != 0 {
		t.Error("last Release kept the pages")
	}
}

// TestDupUsers: Dup and DupLazy return segments mapped nowhere, as
// NewSegment does, so that attaching one counts one user and detaching it
// frees it.
func TestDupUsers(t *testing.T) {
	s := NewSpace()
	g := mustAttach(t, s, Data, 0x1000, 0x2000, RW)
	mustWrite(t, s, 0x1000, "orig")
	for _, dup := range []func() *Segment{g.Dup, g.DupLazy} {
		d := dup()
		wantUsers(t, d, 0)
		o := NewSpace()
		if err := o.Attach(d); err != nil {
			t.Fatal(err)
		}
		wantUsers(t, d, 1)
		wantRead(t, "duplicate", o, 0x1000, "orig")
		o.Detach(d)
		wantUsers(t, d, 0)
		if d.Resident() != 0 || g.pages[0].refs.Load() != 1 || g.deps != 0 {
			t.Errorf("detached duplicate: resident %d, original's page refs %d, deps %d", d.Resident(), g.pages[0].refs.Load(), g.deps)
		}
	}
	wantUsers(t, g, 1)
}

// TestDomain: Fork waits for the CPUs of its domain to leave, and a
// space in another domain does not hold it up.
func TestDomain(t *testing.T) {
	s, _, data, _, _, _ := testSpace(t)
	sib := s.Fork(func(g *Segment) bool { return g == data })
	other := s.Fork(func(*Segment) bool { return false })
	if !s.SameDomain(sib) || s.SameDomain(other) {
		t.Fatal("domains: a sharing fork must share, a copying one not")
	}
	other.Enter()
	sib.Enter()
	done := make(chan *Space)
	go func() { done <- s.Fork(func(*Segment) bool { return false }) }()
	select {
	case <-done:
		t.Fatal("Fork ran while a CPU of its domain was inside")
	case <-time.After(50 * time.Millisecond):
	}
	sib.Leave()
	c := <-done
	other.Leave()
	if c.SameDomain(s) {
		t.Error("a copying fork shares the domain")
	}
}

// TestAtomicWords: Load32, Add32 and CompareAndSwap32 work on the word
// in guest memory, fault like Word32, and see a page copied on write.
func TestAtomicWords(t *testing.T) {
	s, _, _, _, _, _ := testSpace(t)
	if v, err := s.Add32(0x3ff8, 5); v != 5 || err != nil {
		t.Fatalf("Add32 = %d, %v", v, err)
	}
	if v, err := s.Add32(0x3ff8, -7); v != ^uint32(1) || err != nil {
		t.Errorf("Add32 of a negative = %#x, %v", v, err)
	}
	if ok, err := s.CompareAndSwap32(0x3ff8, 1, 9); ok || err != nil {
		t.Errorf("CompareAndSwap32 of the wrong old value = %v, %v", ok, err)
	}
	if ok, err := s.CompareAndSwap32(0x3ff8, ^uint32(1), 9); !ok || err != nil {
		t.Errorf("CompareAndSwap32 = %v, %v", ok, err)
	}
	if v, err := s.Load32(0x3ff8); v != 9 || err != nil {
		t.Errorf("Load32 = %d, %v", v, err)
	}
	if b := []byte(mustRead(t, s, 0x3ff8, 4)); !bytes.Equal(b, []byte{9, 0, 0, 0}) {
		t.Errorf("word in memory % x", b)
	}
	c := s.Fork(func(*Segment) bool { return false })
	s.Add32(0x3ff8, 1)
	if v, _ := c.Load32(0x3ff8); v != 9 {
		t.Errorf("child's word %d after the parent's add, want 9", v)
	}
	for _, a := range []Addr{0x3ffa, 0x1000, 0x7000} { // unaligned, read-only, unmapped
		if _, err := s.Load32(a); err == nil {
			t.Errorf("Load32(%#x) succeeded", a)
		}
		if _, err := s.Add32(a, 1); err == nil {
			t.Errorf("Add32(%#x) succeeded", a)
		}
		if _, err := s.CompareAndSwap32(a, 0, 1); err == nil {
			t.Errorf("CompareAndSwap32(%#x) succeeded", a)
		}
	}
}

// TestDupLazyConcurrent runs, under -race, lazy children that touch,
// fork and exit while CPUs of the source's spaces store into it and
// finally exit too: the bookkeeping of lazy links and dead sources must
// be race- and deadlock-free, and every page freed in the end.
func TestDupLazyConcurrent(t *testing.T) {
	const (
		pages    = 4
		children = 200
	)
	p := NewSpace()
	src := mustAttach(t, p, Data, 0x10000, 0x10000+pages*PageSize, RW)
	sib := p.Fork(func(*Segment) bool { return true })
	var all []*Segment
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w, sp := range []*Space{p, sib} {
		wg.Go(func() { // a CPU storing through cached page pointers
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				a := src.Base() + Addr((i+w)%pages)*PageSize + Addr(w)
				if pg, _, f := sp.Lookup(a, Write); f == nil {
					storeByte(pg, int(a&PageMask), byte(i))
				}
			}
		})
	}
	wg.Go(func() { // the forker
		defer close(stop)
		var live []*Space
		for i := range children {
			c := forkLazy(p, func(*Segment) bool { return false })
			c.ReadAt(make([]byte, 1), src.Base()+Addr(i%pages)*PageSize)
			switch i % 4 {
			case 0: // a sibling and a lazy grandchild
				live = append(live, c.Fork(func(*Segment) bool { return true }))
				live = append(live, forkLazy(c, func(*Segment) bool { return false }))
			case 1: // a copy-on-write grandchild
				live = append(live, c.Fork(func(*Segment) bool { return false }))
			}
			for _, sp := range append([]*Space{c}, live...) {
				all = append(all, sp.Segments()...) // read after wg.Wait
			}
			live = append(live, c)
			if len(live) > 8 {
				live[0].Release()
				live = live[1:]
			}
		}
		p.Release()
		sib.Release()
		for _, sp := range live {
			sp.ReadAt(make([]byte, pages*PageSize), src.Base())
			sp.Release()
		}
	})
	wg.Wait()
	for _, g := range append(all, src) {
		if g.users.Load() == 0 && (g.Resident() != 0 || g.deps != 0 || g.lazy != nil) {
			t.Fatalf("segment mapped nowhere: resident %d, deps %d, linked %v", g.Resident(), g.deps, g.lazy != nil)
		}
	}
}

// storeByte is a guest store: guest memory is not synchronised.
//
//go:norace
func storeByte(p *[PageSize]byte, i int, v byte) { p[i] = v }
