package mem

import (
	"errors"
	"testing"
)

// A budget counts charged segments' sizes: growth past the limit fails,
// shrinking and freeing give memory back, and fork copies count too.
func TestBudget(t *testing.T) {
	b := NewBudget(10 * PageSize)
	s := NewSpace()
	g := NewSegment(Bss, 0x10000, 0x10000+4*PageSize, RW)
	if err := s.Attach(g); err != nil {
		t.Fatal(err)
	}
	if err := g.Charge(b); err != nil || b.Used() != 4*PageSize {
		t.Fatalf("charge: %v, used %d", err, b.Used())
	}
	if err := s.Resize(g, 0x10000+8*PageSize); err != nil || b.Used() != 8*PageSize {
		t.Fatalf("grow within: %v, used %d", err, b.Used())
	}
	if err := s.Resize(g, 0x10000+12*PageSize); !errors.Is(err, ErrBudget) {
		t.Fatalf("grow past the limit: %v", err)
	}
	if g.Top() != 0x10000+8*PageSize || b.Used() != 8*PageSize {
		t.Fatalf("failed grow left top %#x, used %d", g.Top(), b.Used())
	}
	if err := s.Resize(g, 0x10000+2*PageSize); err != nil || b.Used() != 2*PageSize {
		t.Fatalf("shrink: %v, used %d", err, b.Used())
	}
	if err := NewSegment(Bss, 0, 9*PageSize, RW).Charge(b); !errors.Is(err, ErrBudget) || b.Used() != 2*PageSize {
		t.Fatalf("charge past the limit: %v, used %d", err, b.Used())
	}
	c := s.Fork(func(*Segment) bool { return false })
	if b.Used() != 4*PageSize {
		t.Fatalf("after fork used %d, want the copy counted", b.Used())
	}
	c.Release()
	s.Release()
	if b.Used() != 0 {
		t.Fatalf("after release used %d", b.Used())
	}
}
