package mem

import (
	"bytes"
	"sync"
	"testing"
)

// TestConcurrent runs workers that Lookup and write their own pages of a
// shared data segment, and read shared text, while one goroutine forks
// (sharing text and data, copying the stack and heap) and another resizes
// the heap and attaches and detaches a segment. Run it with -race: mem's
// own bookkeeping must be race-free. Page bytes are guest memory and are
// not synchronised, so each goroutine writes only pages nobody else
// touches.
func TestConcurrent(t *testing.T) {
	const (
		workers = 4
		iters   = 2000
		forks   = 200
		resizes = 500
	)
	s := NewSpace()
	text := mustAttach(t, s, Text, 0x1000, 0x2000, RX)
	text.Load(0x1000, []byte("text"))
	data := mustAttach(t, s, Data, 0x10000, 0x10000+workers*PageSize, RW)
	heap := mustAttach(t, s, Bss, 0x100000, 0x101000, RW)
	stack := mustAttach(t, s, Stack, 0x200000, 0x202000, RW)
	share := func(g *Segment) bool { return g == text || g == data }

	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			page := data.Base() + Addr(w)*PageSize
			buf := make([]byte, 64)
			lastGen := s.Gen()
			for i := range iters {
				// The CPU path: Lookup for write, store through the page.
				p, perm, f := s.Lookup(page+8, Write)
				if f != nil || perm != RW {
					t.Errorf("worker %d: Lookup for write: perm %v, %v", w, perm, f)
					return
				}
				p[8] = byte(i)
				// The copy path.
				want := bytes.Repeat([]byte{byte(w), byte(i)}, 32)
				if err := s.WriteAt(want, page+16); err != nil {
					t.Errorf("worker %d: WriteAt: %v", w, err)
					return
				}
				if err := s.ReadAt(buf, page+16); err != nil || !bytes.Equal(buf, want) {
					t.Errorf("worker %d: ReadAt = % x, %v", w, buf[:4], err)
					return
				}
				if err := s.ReadAt(buf[:1], page+8); err != nil || buf[0] != byte(i) {
					t.Errorf("worker %d: byte stored through Lookup reads %d, %v", w, buf[0], err)
					return
				}
				if str, ok, err := s.ReadString(0x1000, 4); str != "text" || ok || err != nil {
					t.Errorf("worker %d: ReadString of text = %q, %v, %v", w, str, ok, err)
					return
				}
				// The heap's first page is never resized away.
				if _, _, f := s.Lookup(0x100000, Read); f != nil {
					t.Errorf("worker %d: heap base: %v", w, f)
					return
				}
				// Above it, the answer depends on the resizer: either is fine.
				s.Lookup(0x100000+Addr(1+i%8)*PageSize, Read)
				if g := s.Gen(); g < lastGen {
					t.Errorf("worker %d: generation went back from %d to %d", w, lastGen, g)
					return
				} else {
					lastGen = g
				}
			}
		})
	}

	wg.Go(func() { // the forker owns the stack
		for i := range forks {
			s.WriteAt([]byte{byte(i)}, 0x201000)
			gen := s.Gen()
			c := s.Fork(share)
			if s.Gen() <= gen {
				t.Errorf("fork %d: generation did not move", i)
				return
			}
			if c.SegmentAt(0x10000) != data || c.SegmentAt(0x1000) != text {
				t.Errorf("fork %d: text or data not shared", i)
				return
			}
			cs := c.Find(Stack)
			if cs == stack || c.Find(Bss) == heap {
				t.Errorf("fork %d: stack or heap shared", i)
				return
			}
			// The child's stack is a copy-on-write copy of the parent's.
			b := make([]byte, 1)
			if err := c.ReadAt(b, 0x201000); err != nil || b[0] != byte(i) {
				t.Errorf("fork %d: child stack reads %d, %v", i, b[0], err)
				return
			}
			c.WriteAt([]byte{0xff}, 0x201000)
			if s.ReadAt(b, 0x201000); b[0] != byte(i) {
				t.Errorf("fork %d: child's stack write seen by the parent", i)
				return
			}
			// Sharing data means sharing the generation.
			gen = s.Gen()
			c.Invalidate()
			if s.Gen() <= gen {
				t.Errorf("fork %d: child's Invalidate not seen by the parent", i)
				return
			}
			// The child goes away: it drops its copies.
			c.Detach(cs)
			c.Detach(c.Find(Bss))
		}
	})

	wg.Go(func() { // the resizer
		extra := NewSegment(Shared, 0x300000, 0x301000, RW)
		for i := range resizes {
			top := Addr(0x101000 + (i%8)*PageSize)
			gen := s.Gen()
			if err := s.Resize(heap, top); err != nil {
				t.Errorf("Resize(%#x): %v", top, err)
				return
			}
			if i%8 == 0 && i > 0 && s.Gen() <= gen {
				t.Errorf("shrink to %#x did not bump the generation", top)
				return
			}
			s.WriteAt([]byte{1}, top-1)
			if i%2 == 0 {
				if err := s.Attach(extra); err != nil {
					t.Errorf("Attach: %v", err)
					return
				}
				s.Lookup(0x300000, Write)
			} else {
				s.Detach(extra)
			}
		}
	})
	wg.Wait()

	for w := range workers {
		b := make([]byte, 2)
		s.ReadAt(b, data.Base()+Addr(w)*PageSize+16)
		if b[0] != byte(w) || b[1] != byte((iters-1)%256) {
			t.Errorf("worker %d's page ends as % x", w, b)
		}
	}
}
