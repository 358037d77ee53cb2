package mem

import (
	"encoding/binary"
	"sync/atomic"
	"testing"
)

func TestWord32(t *testing.T) {
	s, _, _, _, _, _ := testSpace(t)
	w, err := s.Word32(0x3ffc)
	if err != nil {
		t.Fatal(err)
	}
	atomic.AddUint32(w, 0x01020304)
	b := make([]byte, 4)
	s.ReadAt(b, 0x3ffc)
	if got := binary.LittleEndian.Uint32(b); got != *w || got != 0x01020304 {
		t.Errorf("word reads %#x through ReadAt, %#x through the pointer", got, *w)
	}

	// Shared with an RFMEM child: one word for both.
	c := s.Fork(func(g *Segment) bool { return g.Kind != Stack })
	cw, err := c.Word32(0x3ffc)
	if err != nil || cw != w {
		t.Errorf("child's word is not the parent's: %v", err)
	}

	wantFault(t, errOf(s.Word32(0x3ffe)), 0x3ffe, Write) // unaligned
	wantFault(t, errOf(s.Word32(0x1000)), 0x1000, Write) // read-only text
	wantFault(t, errOf(s.Word32(0x7000)), 0x7000, Write) // unmapped
}

func errOf(_ *uint32, err error) error { return err }
