package cpu

import (
	"bytes"
	"testing"

	"9emu/mem"
)

// TestRepStosZeroUntouched checks REP STOS over whole pages: zeros stored
// over pages never touched leave them untouched (they read as zeros and
// hold no memory), while pages already touched, and any nonzero value,
// are really written.
func TestRepStosZeroUntouched(t *testing.T) {
	// rep stosq; int3 (the REX.W prefix only in 64-bit mode: rep stosd there)
	for _, m := range []Mode{Mode32, Mode64} {
		code := []byte{0xf3, 0x48, 0xab, 0xcc}
		sz := uint64(8)
		if m == Mode32 {
			code = []byte{0xf3, 0xab, 0xcc}
			sz = 4
		}
		for _, v := range []uint64{0, 0x0101010101010101} {
			c := newTest(t, m, code)
			data := c.Mem.SegmentAt(0x10000)
			// Touch the second of four pages with a pattern.
			if err := c.Mem.WriteAt(bytes.Repeat([]byte{0xEE}, mem.PageSize), 0x21000); err != nil {
				t.Fatal(err)
			}
			before := data.Resident()
			c.R[RDI] = 0x20000
			c.R[RCX] = 4 * mem.PageSize / sz
			c.R[RAX] = v
			if e := c.Run(0); e != ExitTrap || c.Fault.Trap != TrapBreakpoint {
				t.Fatalf("mode %d: exit %v %v", m, e, c.Fault)
			}
			if c.R[RCX] != 0 || c.R[RDI] != 0x20000+4*mem.PageSize {
				t.Errorf("mode %d: RCX %#x RDI %#x after the fill", m, c.R[RCX], c.R[RDI])
			}
			want := 0 // the touched page is rewritten; the others stay untouched
			if v != 0 {
				want = 3
			}
			if got := data.Resident() - before; got != want {
				t.Errorf("mode %d value %#x: %d more pages resident, want %d", m, v, got, want)
			}
			got := make([]byte, 4*mem.PageSize)
			if err := c.Mem.ReadAt(got, 0x20000); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, bytes.Repeat([]byte{byte(v)}, len(got))) {
				t.Errorf("mode %d value %#x: memory not filled", m, v)
			}
		}
	}
}
