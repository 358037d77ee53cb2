package mem

import (
	"bytes"
	"testing"
)

func TestNewSegmentBounds(t *testing.T) {
	g := NewSegment(Data, 0x3000, 0x5000, RW)
	if b, tp := g.Bounds(); b != 0x3000 || tp != 0x5000 {
		t.Errorf("Bounds() = %#x, %#x", b, tp)
	}
	if g.Base() != 0x3000 || g.Top() != 0x5000 {
		t.Errorf("Base, Top = %#x, %#x", g.Base(), g.Top())
	}
	for _, tc := range []struct {
		a    Addr
		want bool
	}{{0x2fff, false}, {0x3000, true}, {0x4fff, true}, {0x5000, false}} {
		if got := g.Contains(tc.a); got != tc.want {
			t.Errorf("Contains(%#x) = %v", tc.a, got)
		}
	}
	if g.Kind != Data || g.Perm != RW || g.Resident() != 0 {
		t.Errorf("new segment: kind %v perm %v resident %d", g.Kind, g.Perm, g.Resident())
	}

	empty := NewSegment(Bss, 0x6000, 0x6000, RW)
	if empty.Contains(0x6000) {
		t.Error("empty segment contains its base")
	}

	for _, tc := range []struct{ base, top Addr }{
		{0x1001, 0x2000}, {0x1000, 0x2001}, {0x2000, 0x1000},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewSegment(%#x, %#x) did not panic", tc.base, tc.top)
				}
			}()
			NewSegment(Data, tc.base, tc.top, RW)
		}()
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Text: "Text", Stack: "Stack", Sticky: "Sticky", 42: "Kind(42)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

// TestLoad checks that Load ignores permissions, spans pages, and refuses
// ranges outside the segment.
func TestLoad(t *testing.T) {
	s := NewSpace()
	g := mustAttach(t, s, Text, 0x1000, 0x3000, Read|Exec)
	text := bytes.Repeat([]byte{0x90}, 0x20)
	if err := g.Load(0x1ff0, text); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 0x30)
	if err := s.ReadAt(got, 0x1fe8); err != nil {
		t.Fatal(err)
	}
	want := append(make([]byte, 8), text...)
	want = append(want, make([]byte, 8)...)
	if !bytes.Equal(got, want) {
		t.Errorf("read back % x", got)
	}
	if g.Resident() != 2 {
		t.Errorf("Resident() = %d, want 2", g.Resident())
	}
	for _, tc := range []struct {
		a Addr
		n int
	}{{0xff0, 0x20}, {0x2ff0, 0x11}, {0x3000, 1}, {^Addr(0) - 2, 4}} {
		if err := g.Load(tc.a, make([]byte, tc.n)); err == nil {
			t.Errorf("Load(%#x, %d bytes) succeeded", tc.a, tc.n)
		}
	}
	if err := g.Load(0x2ff0, make([]byte, 0x10)); err != nil {
		t.Errorf("Load up to the top: %v", err)
	}
}

// TestLoadCOW checks that Load into a page shared copy-on-write gives the
// loading segment its own copy.
func TestLoadCOW(t *testing.T) {
	g := NewSegment(Text, 0x1000, 0x2000, RX)
	if err := g.Load(0x1000, []byte("old")); err != nil {
		t.Fatal(err)
	}
	d := g.Dup()
	if err := d.Load(0x1000, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got := string(g.pages[0].b[:3]); got != "old" {
		t.Errorf("original reads %q after Load into its copy", got)
	}
	if got := string(d.pages[0].b[:3]); got != "new" {
		t.Errorf("copy reads %q", got)
	}
	if g.pages[0].refs.Load() != 1 || d.pages[0].refs.Load() != 1 {
		t.Errorf("refs %d and %d, want 1 and 1", g.pages[0].refs.Load(), d.pages[0].refs.Load())
	}
}

func TestDup(t *testing.T) {
	g := NewSegment(Data, 0x1000, 0x4000, RW)
	g.Load(0x1000, []byte{1})
	g.Load(0x3000, []byte{3})
	var code any = "decoded"
	g.Code.Store(&code)
	d := g.Dup()
	if d == g || d.Kind != Data || d.Perm != RW {
		t.Fatalf("Dup = %+v", d)
	}
	if b, tp := d.Bounds(); b != 0x1000 || tp != 0x4000 {
		t.Errorf("Dup bounds %#x-%#x", b, tp)
	}
	if d.Resident() != 2 {
		t.Errorf("Dup resident %d, want 2", d.Resident())
	}
	for i, p := range g.pages {
		if d.pages[i] != p {
			t.Errorf("page %d not shared", i)
		}
		if p != nil && p.refs.Load() != 2 {
			t.Errorf("page %d refs %d, want 2", i, p.refs.Load())
		}
	}
	if d.Code.Load() != nil {
		t.Error("Dup of a writable segment kept its decoded code")
	}

	txt := NewSegment(Text, 0x1000, 0x2000, RX)
	txt.Code.Store(&code)
	if txt.Dup().Code.Load() != &code {
		t.Error("Dup of a read-only segment dropped its decoded code")
	}
}

// TestSegmentFree checks segfree: only whole pages inside the range are
// discarded, clipped to the segment, and they read back as zeros.
func TestSegmentFree(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a, n  Addr
		freed []int // page indices freed, of 4 pages at 0x10000
	}{
		{"one page", 0x11000, 0x1000, []int{1}},
		{"partial pages kept", 0x10001, 0x2fff, []int{1, 2}},
		{"less than a page", 0x11001, 0xffe, nil},
		{"empty", 0x11000, 0, nil},
		{"clipped below", 0x0, 0x12000, []int{0, 1}},
		{"clipped above", 0x12000, 0x100000, []int{2, 3}},
		{"all", 0x10000, 0x4000, []int{0, 1, 2, 3}},
		{"outside", 0x20000, 0x4000, nil},
		{"wraps", ^Addr(0) - 0xfff, 0x12000, nil},
		{"last page", ^Addr(0) - 5, 3, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewSegment(Data, 0x10000, 0x14000, RW)
			for i := range 4 {
				g.Load(0x10000+Addr(i)*PageSize+8, []byte{byte(i + 1)})
			}
			g.Free(tc.a, tc.n)
			if got, want := g.Resident(), 4-len(tc.freed); got != want {
				t.Errorf("Resident() = %d, want %d", got, want)
			}
			for i := range 4 {
				freed := false
				for _, j := range tc.freed {
					freed = freed || i == j
				}
				if (g.pages[i] == nil) != freed {
					t.Errorf("page %d: freed %v, want %v", i, g.pages[i] == nil, freed)
				}
			}
		})
	}
}

func TestResident(t *testing.T) {
	s := NewSpace()
	g := mustAttach(t, s, Bss, 0x10000, 0x20000, RW)
	if g.Resident() != 0 {
		t.Fatalf("fresh segment resident %d", g.Resident())
	}
	s.Lookup(0x10000, Read)
	s.Lookup(0x10fff, Write)
	s.Lookup(0x1f000, Read)
	if g.Resident() != 2 {
		t.Errorf("Resident() = %d, want 2", g.Resident())
	}
	s.WriteAt(make([]byte, 3*PageSize), 0x12000)
	if g.Resident() != 5 {
		t.Errorf("Resident() = %d, want 5", g.Resident())
	}
	s.Lookup(0x20000, Read) // outside: faults, touches nothing
	if g.Resident() != 5 {
		t.Errorf("Resident() = %d after a fault, want 5", g.Resident())
	}
}
