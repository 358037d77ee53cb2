package mem

import (
	"bytes"
	"errors"
	"testing"
)

func mustAttach(t testing.TB, s *Space, k Kind, base, top Addr, perm Access) *Segment {
	t.Helper()
	g := NewSegment(k, base, top, perm)
	if err := s.Attach(g); err != nil {
		t.Fatalf("Attach %v %#x-%#x: %v", k, base, top, err)
	}
	return g
}

func wantFault(t *testing.T, err error, a Addr, acc Access) {
	t.Helper()
	var f *Fault
	if !errors.As(err, &f) || f == nil {
		t.Fatalf("got %v, want a fault %v at %#x", err, acc, a)
	}
	if f.Addr != a || f.Access != acc {
		t.Fatalf("got fault %v at %#x, want %v at %#x", f.Access, f.Addr, acc, a)
	}
}

// testSpace is a small 386-like layout: text, data and bss back to back,
// an inaccessible guard segment, and a stack.
func testSpace(t testing.TB) (s *Space, text, data, bss, guard, stack *Segment) {
	s = NewSpace()
	stack = mustAttach(t, s, Stack, 0x10000, 0x12000, RW)
	text = mustAttach(t, s, Text, 0x1000, 0x3000, RX)
	bss = mustAttach(t, s, Bss, 0x4000, 0x5000, RW)
	data = mustAttach(t, s, Data, 0x3000, 0x4000, RW)
	guard = mustAttach(t, s, Data, 0x8000, 0x9000, 0)
	return
}

func TestAttachOrder(t *testing.T) {
	s, text, data, bss, guard, stack := testSpace(t)
	want := []*Segment{text, data, bss, guard, stack}
	got := s.Segments()
	if len(got) != len(want) {
		t.Fatalf("%d segments, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d is %v at %#x, want %v at %#x", i, got[i].Kind, got[i].Base(), want[i].Kind, want[i].Base())
		}
	}
	if s.Find(Stack) != stack || s.Find(Bss) != bss || s.Find(Data) != data || s.Find(Shared) != nil {
		t.Error("Find returned the wrong segment")
	}
	for a, want := range map[Addr]*Segment{0: nil, 0x1000: text, 0x2fff: text, 0x3000: data, 0x4fff: bss, 0x5000: nil, 0x8000: guard, 0x11fff: stack, 0x12000: nil} {
		if got := s.SegmentAt(a); got != want {
			t.Errorf("SegmentAt(%#x) wrong", a)
		}
	}
}

func TestAttachOverlap(t *testing.T) {
	for _, tc := range []struct {
		name      string
		base, top Addr
		overlap   bool
	}{
		{"same", 0x3000, 0x4000, true},
		{"covers start", 0x2000, 0x4000, true},
		{"covers end", 0x4000, 0x6000, true},
		{"inside", 0x1000, 0x2000, true},
		{"around", 0x0, 0x7000, true},
		{"one page in", 0x5000, 0x9000, true},
		{"adjacent below", 0x0, 0x1000, false},
		{"adjacent above", 0x5000, 0x8000, false},
		{"between", 0x9000, 0x10000, false},
		{"above all", 0x12000, 0x20000, false},
		{"empty at a base", 0x3000, 0x3000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, _, _, _, _ := testSpace(t)
			before := s.Segments()
			err := s.Attach(NewSegment(Shared, tc.base, tc.top, RW))
			if tc.overlap {
				if err != ErrOverlap {
					t.Fatalf("Attach = %v, want ErrOverlap", err)
				}
				if len(s.Segments()) != len(before) {
					t.Error("failed Attach changed the segments")
				}
				return
			}
			if err != nil {
				t.Fatalf("Attach = %v", err)
			}
			if len(s.Segments()) != len(before)+1 {
				t.Error("Attach did not add the segment")
			}
		})
	}

	s, _, data, _, _, _ := testSpace(t)
	if err := s.Attach(data); err != ErrOverlap {
		t.Errorf("attaching a segment twice: %v, want ErrOverlap", err)
	}
}

func TestLookup(t *testing.T) {
	s, text, _, _, _, _ := testSpace(t)
	text.Load(0x1234, []byte{0xcc})
	for _, tc := range []struct {
		a     Addr
		acc   Access
		fault bool
		perm  Access
	}{
		{0x0, Read, true, 0},
		{0xfff, Exec, true, 0},
		{0x1000, Read, false, RX},
		{0x1234, Exec, false, RX},
		{0x1234, Write, true, 0}, // write to read-only text
		{0x2fff, Read | Write, true, 0},
		{0x3000, Exec, true, 0}, // exec of data
		{0x3000, Write, false, RW},
		{0x3fff, Read, false, RW},
		{0x4000, Write, false, RW},
		{0x5000, Read, true, 0},
		{0x8000, Read, true, 0}, // guard: no access at all
		{0x8fff, Write, true, 0},
		{0x11fff, Write, false, RW},
		{0x12000, Write, true, 0},
		{^Addr(0), Read, true, 0},
	} {
		p, perm, f := s.Lookup(tc.a, tc.acc)
		if tc.fault {
			if f == nil {
				t.Errorf("Lookup(%#x, %v) did not fault", tc.a, tc.acc)
				continue
			}
			if f.Addr != tc.a || f.Access != tc.acc {
				t.Errorf("Lookup(%#x, %v) = fault %v at %#x", tc.a, tc.acc, f.Access, f.Addr)
			}
			if p != nil || perm != 0 {
				t.Errorf("Lookup(%#x, %v) faulted with page %p perm %v", tc.a, tc.acc, p, perm)
			}
			continue
		}
		if f != nil {
			t.Errorf("Lookup(%#x, %v): %v", tc.a, tc.acc, f)
			continue
		}
		if perm != tc.perm {
			t.Errorf("Lookup(%#x, %v) perm %v, want %v", tc.a, tc.acc, perm, tc.perm)
		}
	}
	p, _, _ := s.Lookup(0x1000, Exec)
	if p[0x234] != 0xcc {
		t.Errorf("text byte %#x, want 0xcc", p[0x234])
	}
	q, _, _ := s.Lookup(0x1fff, Read)
	if p != q {
		t.Error("two lookups in one page returned different pages")
	}
}

func TestZeroOnFirstTouch(t *testing.T) {
	s, _, _, bss, _, _ := testSpace(t)
	p, _, f := s.Lookup(0x4abc, Read)
	if f != nil {
		t.Fatal(f)
	}
	if *p != [PageSize]byte{} {
		t.Error("fresh page is not zero")
	}
	if bss.Resident() != 1 {
		t.Errorf("Resident() = %d, want 1", bss.Resident())
	}
	p[5] = 7
	q, _, _ := s.Lookup(0x4005, Write)
	if q != p || q[5] != 7 {
		t.Error("second lookup of a touched page did not return it")
	}
}

func TestReadWriteAt(t *testing.T) {
	s, text, _, _, _, stack := testSpace(t)
	text.Load(0x2ff8, []byte("abcdefgh"))

	// Across a page boundary inside a segment, and across the adjacent
	// data and bss segments.
	msg := []byte("0123456789abcdefghijklmnopqrstuv")
	for _, a := range []Addr{0x3ff0, 0x3000, 0x4fe0} {
		if err := s.WriteAt(msg, a); err != nil {
			t.Fatalf("WriteAt(%#x): %v", a, err)
		}
		got := make([]byte, len(msg))
		if err := s.ReadAt(got, a); err != nil {
			t.Fatalf("ReadAt(%#x): %v", a, err)
		}
		if !bytes.Equal(got, msg) {
			t.Errorf("ReadAt(%#x) = %q", a, got)
		}
	}
	// Across read-only text into data.
	got := make([]byte, 12)
	if err := s.ReadAt(got, 0x2ff8); err != nil {
		t.Fatal(err)
	}
	if string(got) != "abcdefgh0123" {
		t.Errorf("ReadAt across text and data = %q", got)
	}
	// Across two pages of the stack, and three pages of three segments.
	big := bytes.Repeat([]byte{0xa5}, PageSize)
	if err := s.WriteAt(big, 0x10fff); err != nil {
		t.Fatal(err)
	}
	if stack.Resident() != 2 {
		t.Errorf("stack Resident() = %d", stack.Resident())
	}
	got = make([]byte, PageSize+2)
	if err := s.ReadAt(got, 0x10ffe); err != nil {
		t.Fatal(err)
	}
	if got[0] != 0 || got[1] != 0xa5 || got[PageSize] != 0xa5 || got[PageSize+1] != 0 {
		t.Errorf("big read: % x ... % x", got[:3], got[PageSize-1:])
	}
	got = make([]byte, 0x2000)
	if err := s.ReadAt(got, 0x2800); err != nil {
		t.Fatal(err)
	}
	if string(got[0x7f8:0x804]) != "abcdefgh0123" || string(got[0x17f0:0x1810]) != string(msg) {
		t.Errorf("three-page read: %q, %q", got[0x7f8:0x804], got[0x17f0:0x1810])
	}

	// Reads fault at the first unreadable byte.
	wantFault(t, s.ReadAt(make([]byte, 0x20), 0x4ff0), 0x5000, Read)
	wantFault(t, s.ReadAt(make([]byte, 1), 0x7fff), 0x7fff, Read)
	wantFault(t, s.ReadAt(make([]byte, 0x20), 0x7ff0), 0x7ff0, Read)
	wantFault(t, s.ReadAt(make([]byte, 0x2000), 0x11800), 0x12000, Read)
	if err := s.ReadAt(nil, 0x7000); err != nil {
		t.Errorf("empty ReadAt of unmapped memory: %v", err)
	}

	// Writes fault at the first unwritable byte and write nothing.
	for _, tc := range []struct {
		a, bad Addr
		n      int
	}{
		{0x2ff0, 0x2ff0, 0x20},   // starts in text
		{0x4ff0, 0x5000, 0x20},   // runs off bss
		{0x3ff0, 0x5000, 0x2000}, // data and bss fine, then the hole
		{0x11000, 0x12000, 0x1001},
		{0x8000, 0x8000, 1},
	} {
		before := stack.Resident()
		err := s.WriteAt(bytes.Repeat([]byte{0xee}, tc.n), tc.a)
		wantFault(t, err, tc.bad, Write)
		got := make([]byte, tc.bad-tc.a)
		s.ReadAt(got, tc.a)
		if bytes.IndexByte(got, 0xee) >= 0 {
			t.Errorf("failed WriteAt(%#x, %d bytes) wrote % x", tc.a, tc.n, got)
		}
		if stack.Resident() != before {
			t.Errorf("failed WriteAt(%#x) touched stack pages", tc.a)
		}
	}
}

func TestCheck(t *testing.T) {
	s, _, _, _, _, _ := testSpace(t)
	for _, tc := range []struct {
		a, n Addr
		acc  Access
		bad  Addr // 0: no fault
	}{
		{0x1000, 0x4000, Read, 0},
		{0x1000, 0x4001, Read, 0x5000},
		{0x1000, 0x2000, Exec, 0},
		{0x1000, 0x2001, Exec, 0x3000},
		{0x2fff, 2, Write, 0x2fff},
		{0x3000, 0x2000, Write, 0},
		{0x7000, 0, Write, 0},
		{0x7000, 1, Read, 0x7000},
		{0x11000, ^Addr(0), Read, 0x12000},
	} {
		err := s.Check(tc.a, tc.n, tc.acc)
		if tc.bad == 0 {
			if err != nil {
				t.Errorf("Check(%#x, %#x, %v) = %v", tc.a, tc.n, tc.acc, err)
			}
			continue
		}
		wantFault(t, err, tc.bad, tc.acc)
	}
	if s.Find(Stack).Resident() != 0 {
		t.Error("Check touched pages")
	}

	// A segment at the very top of the address space: a range that wraps
	// faults at the first address past it, not at its start.
	hi := NewSpace()
	mustAttach(t, hi, Data, ^Addr(0)-0x2fff, ^Addr(0)-0xfff, RW)
	wantFault(t, hi.Check(^Addr(0)-0x2fff, 0x4000, Write), ^Addr(0)-0xfff, Write)
	wantFault(t, hi.WriteAt(make([]byte, 0x4000), ^Addr(0)-0x2fff), ^Addr(0)-0xfff, Write)
	wantFault(t, hi.ReadAt(make([]byte, 0x4000), ^Addr(0)-0x2fff), ^Addr(0)-0xfff, Read)
	if err := hi.WriteAt(make([]byte, 0x2000), ^Addr(0)-0x2fff); err != nil {
		t.Errorf("WriteAt of the whole top segment: %v", err)
	}
}

func TestReadString(t *testing.T) {
	s, _, _, _, _, _ := testSpace(t)
	s.WriteAt([]byte("hello\x00world\x00"), 0x3ffd) // across data/bss and a page
	s.WriteAt(bytes.Repeat([]byte{'x'}, 0x10), 0x4ff0)
	s.WriteAt([]byte("ab\x00"), 0x11ffd)
	for _, tc := range []struct {
		a   Addr
		max int
		str string
		ok  bool
		bad Addr // 0: no fault
	}{
		{0x3ffd, 100, "hello", true, 0},
		{0x4003, 100, "world", true, 0},
		{0x3ffd, 5, "hello", false, 0}, // NUL just past max
		{0x3ffd, 6, "hello", true, 0},
		{0x3ffd, 3, "hel", false, 0},
		{0x3ffd, 0, "", false, 0},
		{0x4009, 100, "", true, 0},
		{0x11ffd, 100, "ab", true, 0}, // NUL in the last byte but one of the stack
		{0x4ff0, 0x10, "xxxxxxxxxxxxxxxx", false, 0},
		{0x4ff0, 0x11, "", false, 0x5000}, // runs off the end of bss
		{0x7000, 10, "", false, 0x7000},
		{0x8000, 10, "", false, 0x8000}, // unreadable guard
	} {
		str, ok, err := s.ReadString(tc.a, tc.max)
		if tc.bad != 0 {
			wantFault(t, err, tc.bad, Read)
			continue
		}
		if err != nil || str != tc.str || ok != tc.ok {
			t.Errorf("ReadString(%#x, %d) = %q, %v, %v; want %q, %v", tc.a, tc.max, str, ok, err, tc.str, tc.ok)
		}
	}
}

func TestResize(t *testing.T) {
	s := NewSpace()
	heap := mustAttach(t, s, Bss, 0x4000, 0x6000, RW)
	above := mustAttach(t, s, Stack, 0x9000, 0xa000, RW)
	s.WriteAt([]byte{1}, 0x4000)
	s.WriteAt([]byte{2}, 0x5000)

	// Grow.
	if err := s.Resize(heap, 0x8000); err != nil {
		t.Fatal(err)
	}
	if heap.Top() != 0x8000 {
		t.Errorf("Top() = %#x after growing", heap.Top())
	}
	if err := s.WriteAt([]byte{3}, 0x7fff); err != nil {
		t.Errorf("write in grown part: %v", err)
	}

	// Grow into the next segment; up to it is fine.
	for _, top := range []Addr{0xa000, 0x9001&^PageMask + PageSize, 0x10000} {
		if err := s.Resize(heap, top); err != ErrOverlap {
			t.Errorf("Resize to %#x = %v, want ErrOverlap", top, err)
		}
	}
	if heap.Top() != 0x8000 || above.Base() != 0x9000 {
		t.Errorf("failed Resize moved top to %#x", heap.Top())
	}
	if err := s.Resize(heap, 0x9000); err != nil {
		t.Errorf("Resize up to the next segment: %v", err)
	}

	// Bad tops.
	if err := s.Resize(heap, 0x6800); err == nil || err == ErrOverlap {
		t.Errorf("unaligned Resize = %v", err)
	}
	if err := s.Resize(heap, 0x3000); err == nil || err == ErrOverlap {
		t.Errorf("Resize below base = %v", err)
	}

	// Shrink: bumps the generation, releases pages, faults above.
	if heap.Resident() != 3 {
		t.Fatalf("Resident() = %d, want 3", heap.Resident())
	}
	gen := s.Gen()
	if err := s.Resize(heap, 0x5000); err != nil {
		t.Fatal(err)
	}
	if s.Gen() == gen {
		t.Error("shrink did not bump the generation")
	}
	if heap.Resident() != 1 {
		t.Errorf("Resident() = %d after shrink, want 1", heap.Resident())
	}
	wantFault(t, s.ReadAt(make([]byte, 1), 0x5000), 0x5000, Read)

	// Grow back: the released pages read as zeros.
	if err := s.Resize(heap, 0x9000); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 0x5000)
	if err := s.ReadAt(b, 0x4000); err != nil {
		t.Fatal(err)
	}
	if b[0] != 1 || bytes.Count(b, []byte{0}) != len(b)-1 {
		t.Errorf("after shrink and grow: first byte %d, %d non-zero", b[0], len(b)-bytes.Count(b, []byte{0}))
	}

	// To nothing and back.
	if err := s.Resize(heap, 0x4000); err != nil {
		t.Fatal(err)
	}
	if s.SegmentAt(0x4000) != nil || heap.Resident() != 0 {
		t.Error("empty segment still maps its base")
	}
	if err := s.Resize(heap, 0x5000); err != nil {
		t.Fatal(err)
	}
	if p, _, f := s.Lookup(0x4000, Read); f != nil || p[0] != 0 {
		t.Errorf("regrown page: %v", f)
	}

	// Many small growths, each touched, then a shrink and a regrowth.
	for top := Addr(0x5000); top < 0x9000; top += PageSize {
		if err := s.Resize(heap, top+PageSize); err != nil {
			t.Fatal(err)
		}
		s.WriteAt([]byte{0xff}, top)
	}
	s.Resize(heap, 0x5000)
	s.Resize(heap, 0x9000)
	for a := Addr(0x5000); a < 0x9000; a += PageSize {
		if p, _, _ := s.Lookup(a, Read); p[0] != 0 {
			t.Errorf("page %#x not zero after shrink and regrowth", a)
		}
	}
}

func TestDetach(t *testing.T) {
	s, _, data, _, _, _ := testSpace(t)
	s.WriteAt([]byte{1}, 0x3000)
	gen := s.Gen()
	s.Detach(data)
	if s.Gen() == gen {
		t.Error("Detach did not bump the generation")
	}
	if s.SegmentAt(0x3000) != nil || len(s.Segments()) != 4 {
		t.Error("Detach left the segment mapped")
	}
	if _, _, f := s.Lookup(0x3000, Read); f == nil {
		t.Error("Lookup in a detached segment succeeded")
	}
	if _, _, f := s.Lookup(0x4000, Read); f != nil {
		t.Errorf("neighbour faulted after Detach: %v", f)
	}
	// It was mapped nowhere else: its pages are gone.
	if data.Resident() != 0 || data.users.Load() != 0 {
		t.Errorf("detached segment: resident %d, users %d", data.Resident(), data.users.Load())
	}

	// A segment mapped in another space too keeps its contents there.
	c := s.Fork(func(g *Segment) bool { return g.Kind == Bss })
	s.WriteAt([]byte{2}, 0x4000)
	bss := s.Find(Bss)
	s.Detach(bss)
	if b := make([]byte, 1); c.ReadAt(b, 0x4000) != nil || b[0] != 2 {
		t.Error("segment detached from one space lost its contents in the other")
	}
	if bss.users.Load() != 1 || bss.Resident() != 1 {
		t.Errorf("users %d, resident %d after detaching from one of two spaces", bss.users.Load(), bss.Resident())
	}
}

func TestSpaceFree(t *testing.T) {
	s, _, _, _, _, stack := testSpace(t)
	s.WriteAt(bytes.Repeat([]byte{9}, 0x2000), 0x10000)
	gen := s.Gen()
	s.Free(stack, 0x10800, 0x1800) // only the second page is whole
	if s.Gen() == gen {
		t.Error("Free did not bump the generation")
	}
	if stack.Resident() != 1 {
		t.Errorf("Resident() = %d, want 1", stack.Resident())
	}
	b := make([]byte, 0x2000)
	s.ReadAt(b, 0x10000)
	if bytes.Count(b[:0x1000], []byte{9}) != 0x1000 || bytes.Count(b[0x1000:], []byte{0}) != 0x1000 {
		t.Error("Free discarded the wrong bytes")
	}
	// A freed page is still mapped and writable.
	if err := s.WriteAt([]byte{5}, 0x11000); err != nil {
		t.Error(err)
	}
}

// TestForkShared is rfork(RFPROC|RFMEM): text, data and bss are shared,
// the stack is copied.
func TestForkShared(t *testing.T) {
	s, text, data, bss, _, stack := testSpace(t)
	s.WriteAt([]byte("parent"), 0x3000)
	s.WriteAt([]byte("pstack"), 0x11000)
	gen := s.Gen()
	c := s.Fork(func(g *Segment) bool { return g.Kind != Stack })
	if s.Gen() == gen {
		t.Error("Fork did not bump the generation")
	}
	cs := c.Segments()
	if len(cs) != 5 || cs[0] != text || cs[1] != data || cs[2] != bss || cs[4] == stack {
		t.Fatal("child segments are not the parent's, stack copied")
	}
	if c.Find(Stack).Kind != Stack || c.Find(Stack).Base() != 0x10000 {
		t.Fatal("child stack has the wrong kind or place")
	}

	// Data written on either side is seen by the other.
	c.WriteAt([]byte("child!"), 0x3000)
	b := make([]byte, 6)
	s.ReadAt(b, 0x3000)
	if string(b) != "child!" {
		t.Errorf("parent reads %q from shared data", b)
	}
	s.WriteAt([]byte("bss"), 0x4000)
	c.ReadAt(b[:3], 0x4000)
	if string(b[:3]) != "bss" {
		t.Errorf("child reads %q from shared bss", b[:3])
	}
	if _, perm, _ := c.Lookup(0x3000, Read); perm != RW {
		t.Errorf("shared data page perm %v, want rw-", perm)
	}

	// The stack is private on both sides.
	c.ReadAt(b, 0x11000)
	if string(b) != "pstack" {
		t.Errorf("child stack starts as %q", b)
	}
	c.WriteAt([]byte("cstack"), 0x11000)
	s.ReadAt(b, 0x11000)
	if string(b) != "pstack" {
		t.Errorf("parent stack reads %q after the child wrote its own", b)
	}
	s.WriteAt([]byte("parent"), 0x11000)
	c.ReadAt(b, 0x11000)
	if string(b) != "cstack" {
		t.Errorf("child stack reads %q after the parent wrote its own", b)
	}

	// A writable segment is shared, so the generation is too.
	g := c.Gen()
	s.Invalidate()
	if c.Gen() == g {
		t.Error("parent's invalidation not seen by the child")
	}
	g = s.Gen()
	c.Resize(bss, 0x4000)
	if s.Gen() == g {
		t.Error("child's shrink of shared bss not seen by the parent's generation")
	}
	if s.SegmentAt(0x4000) != nil {
		t.Error("child's shrink of shared bss not seen by the parent")
	}
}

// TestForkCOW is rfork(RFPROC) without RFMEM: everything is copied on
// write.
func TestForkCOW(t *testing.T) {
	s, _, data, _, _, _ := testSpace(t)
	for _, a := range []Addr{0x3000, 0x4000, 0x10000, 0x11000} {
		s.WriteAt([]byte("before"), a)
	}
	c := s.Fork(func(*Segment) bool { return false })
	for i, g := range c.Segments() {
		if g == s.Segments()[i] {
			t.Fatalf("segment %d shared", i)
		}
		if g.Resident() != s.Segments()[i].Resident() {
			t.Errorf("segment %d: child resident %d, parent %d", i, g.Resident(), s.Segments()[i].Resident())
		}
	}
	cdata := c.Find(Data)

	// Before any write every touched page is shared read-only.
	for _, sp := range []*Space{s, c} {
		for _, a := range []Addr{0x3000, 0x4000, 0x10000, 0x11000} {
			p, perm, f := sp.Lookup(a, Read)
			if f != nil || perm != Read {
				t.Errorf("Lookup(%#x, read) after fork: perm %v, %v; want r--", a, perm, f)
			}
			if string(p[:6]) != "before" {
				t.Errorf("page %#x reads %q after fork", a, p[:6])
			}
		}
	}
	if data.pages[0] != cdata.pages[0] || data.pages[0].refs.Load() != 2 {
		t.Fatal("data page not shared with refs 2")
	}

	// 0x3000 is written by both: two private pages.
	gen := s.Gen()
	s.WriteAt([]byte("parent"), 0x3000)
	if s.Gen() == gen {
		t.Error("breaking copy-on-write did not bump the generation")
	}
	c.WriteAt([]byte("child!"), 0x3000)
	pp, pperm, _ := s.Lookup(0x3000, Read)
	cp, cperm, _ := c.Lookup(0x3000, Read)
	if pp == cp || string(pp[:6]) != "parent" || string(cp[:6]) != "child!" {
		t.Errorf("after both wrote: parent %q, child %q", pp[:6], cp[:6])
	}
	if pperm != RW || cperm != RW {
		t.Errorf("private pages have perms %v and %v, want rw-", pperm, cperm)
	}
	if data.pages[0].refs.Load() != 1 || cdata.pages[0].refs.Load() != 1 {
		t.Errorf("refs %d and %d, want 1 and 1", data.pages[0].refs.Load(), cdata.pages[0].refs.Load())
	}

	// 0x10000 is written by the child only: the parent's page is then
	// private, and Lookup says so without copying it.
	old, _, _ := s.Lookup(0x10000, Read)
	c.WriteAt([]byte("child!"), 0x10000)
	p, perm, _ := s.Lookup(0x10000, Read)
	if p != old || perm != RW {
		t.Errorf("parent page after the child's write: same %v, perm %v; want same, rw-", p == old, perm)
	}
	if string(p[:6]) != "before" {
		t.Errorf("parent reads %q after the child's write", p[:6])
	}
	if q, _, _ := s.Lookup(0x10000, Write); q != old {
		t.Error("write to a page private again copied it")
	}

	// 0x4000 is written by the parent only.
	s.WriteAt([]byte("parent"), 0x4000)
	b := make([]byte, 6)
	c.ReadAt(b, 0x4000)
	if string(b) != "before" {
		t.Errorf("child reads %q after the parent's write", b)
	}
	if _, perm, _ := c.Lookup(0x4000, Read); perm != RW {
		t.Errorf("child's page perm %v after the parent copied, want rw-", perm)
	}

	// Untouched pages stay separate.
	s.WriteAt([]byte{1}, 0x3800)
	if _, _, f := c.Lookup(0x3800, Read); f != nil {
		t.Fatal(f)
	}

	// Nothing writable shared: the generations are independent.
	g := c.Gen()
	s.Invalidate()
	if c.Gen() != g {
		t.Error("the generation is shared after a fork that shares nothing")
	}
}

// TestForkSharedReadOnly: a shared read-only segment also shares the
// generation, so that shrinking or freeing it in one space is seen by the
// TLBs of the other.
func TestForkSharedReadOnly(t *testing.T) {
	s, text, _, _, _, _ := testSpace(t)
	c := s.Fork(func(g *Segment) bool { return g == text })
	g := c.Gen()
	s.Free(text, 0x1000, 0x1000)
	if c.Gen() == g {
		t.Error("freeing in a shared text segment did not bump the other space's generation")
	}
}

// TestForkFree checks segfree of a page shared copy-on-write: the other
// side's page is private again.
func TestForkFree(t *testing.T) {
	s, _, data, _, _, _ := testSpace(t)
	s.WriteAt([]byte("x"), 0x3000)
	c := s.Fork(func(*Segment) bool { return false })
	c.Free(c.Find(Data), 0x3000, 0x1000)
	if b := make([]byte, 1); c.ReadAt(b, 0x3000) != nil || b[0] != 0 {
		t.Errorf("freed page reads %q", b)
	}
	if _, perm, _ := s.Lookup(0x3000, Read); perm != RW {
		t.Errorf("parent page perm %v after the child freed its copy, want rw-", perm)
	}
	if data.pages[0].refs.Load() != 1 {
		t.Errorf("refs %d", data.pages[0].refs.Load())
	}
}

// TestRecycledPagesAreZero checks that the pages of a space that went
// away, which newPage reuses, come back zeroed, and that a page that was
// ever shared copy-on-write is not reused while the other side holds it.
func TestRecycledPagesAreZero(t *testing.T) {
	for round := 0; round < 4; round++ {
		s := NewSpace()
		mustAttach(t, s, Bss, 0x10000, 0x10000+64*PageSize, RW)
		for a := Addr(0x10000); a < 0x10000+64*PageSize; a += PageSize {
			p, _, f := s.Lookup(a, Write)
			if f != nil {
				t.Fatal(f)
			}
			if *p != [PageSize]byte{} {
				t.Fatalf("round %d: page at %#x is not zero on first touch", round, a)
			}
			for i := range p {
				p[i] = 0xA5
			}
		}
		s.Release()
	}

	parent := NewSpace()
	mustAttach(t, parent, Bss, 0x10000, 0x10000+8*PageSize, RW)
	if err := parent.WriteAt(bytes.Repeat([]byte{0x5A}, 8*PageSize), 0x10000); err != nil {
		t.Fatal(err)
	}
	child := parent.Fork(func(*Segment) bool { return false })
	parent.Release() // the child's pages are the parent's, shared
	for i := 0; i < 16; i++ {
		s := NewSpace()
		mustAttach(t, s, Bss, 0x10000, 0x10000+8*PageSize, RW)
		if err := s.WriteAt(make([]byte, 8*PageSize), 0x10000); err != nil {
			t.Fatal(err)
		}
		s.Release()
	}
	got := make([]byte, 8*PageSize)
	if err := child.ReadAt(got, 0x10000); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.Repeat([]byte{0x5A}, 8*PageSize)) {
		t.Error("the child's copy-on-write pages changed after the parent went away")
	}
}
