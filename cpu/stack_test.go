package cpu

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestEnterNested runs ENTER natively and in the emulator at every
// nesting level (and levels taken modulo 32), with 64- and 16-bit operand
// sizes, with the old frame pointer above, at, misaligned against and
// just below the stack pointer (where the old frame overlaps the new one
// and the copies read what the instruction has just pushed).
func TestEnterNested(t *testing.T) {
	h := hostOracle(t)
	rng := rand.New(rand.NewPCG(4, 4))
	var in oracleState
	for i := range in.R {
		in.R[i] = rng.Uint64()
	}
	for i := 0; i < len(in.Mem); i += 8 {
		binary.LittleEndian.PutUint64(in.Mem[i:], rng.Uint64())
	}
	in.MXCSR = 0x1f80
	in.Flags = 0x202
	sp := uint64(hkData + 0x2000)
	n := 0
	for _, prefix := range [][]byte{nil, {0x66}} {
		for _, size := range []uint16{0, 8, 0x30, 0x101} {
			for _, level := range []int{0, 1, 2, 3, 4, 7, 8, 15, 16, 30, 31, 32, 33, 34, 63, 64, 65, 255} {
				code := append(append([]byte{}, prefix...), 0xc8, byte(size), byte(size>>8), byte(level))
				var e emuOracle
				bps := []uint64{sp + 0x400, sp + 0x40, sp, sp + 3, sp - 8, sp - 0x18, sp - 0x81}
				if level%32 < 2 {
					// No copies are read: the old frame pointer can be
					// anything, and its upper bits show how much of it
					// a 16-bit ENTER replaces.
					bps = append(bps, 0x123456789abcdef0)
				}
				for _, bp := range bps {
					in.R[RSP], in.R[RBP] = sp, bp
					n++
					if d := hostDiff(h, &e, code, &in); d != "" {
						t.Fatalf("%x (%s) rsp=%#x rbp=%#x:%s", code, disasm(code), sp, bp, d)
					}
				}
			}
		}
	}
	t.Logf("%d cases", n)
}

// TestEnterNested32 checks ENTER with a nesting level in 32-bit mode,
// which the host cannot run, against the SDM's pseudo-code: push EBP,
// copy level-1 frame pointers from below the old EBP, push the new frame
// pointer, then allocate.
func TestEnterNested32(t *testing.T) {
	for _, o16 := range []bool{false, true} {
		for _, level := range []int{0, 1, 2, 3, 5, 31, 32, 33} {
			const sp, bp, size = 0x80000, 0x90000, 0x24
			code := []byte{0xc8, size, 0, byte(level), 0xcc}
			n := uint64(4)
			if o16 {
				code = append([]byte{0x66}, code...)
				n = 2
			}
			c := newTest(t, Mode32, code)
			c.R[RSP], c.R[RBP] = sp, bp
			// The old frame's pointers, and junk where the new frame goes.
			var old [256]byte
			for i := range old {
				old[i] = byte(i*7 + 1)
			}
			if err := c.WriteMem(bp-256, old[:]); err != nil {
				t.Fatal(err)
			}
			if err := c.WriteMem(sp-256, old[:]); err != nil {
				t.Fatal(err)
			}
			if e := c.Run(1); e != ExitLimit {
				t.Fatalf("exit %v (%s)", e, c.Fault.String())
			}
			// What the pseudo-code does.
			l := uint64(level % 32)
			want := map[uint64]uint64{sp - n: bp & (1<<(8*n) - 1)}
			a := sp - n
			if l > 0 {
				for i := uint64(1); i < l; i++ {
					a -= n
					o := 256 - i*n
					v := uint64(old[o]) | uint64(old[o+1])<<8
					if n == 4 {
						v |= uint64(old[o+2])<<16 | uint64(old[o+3])<<24
					}
					want[a] = v
				}
				a -= n
				want[a] = (sp - n) & (1<<(8*n) - 1)
			}
			name := fmt.Sprintf("o%d enter %#x, %d", 8*n, size, level)
			wantBP := uint64(sp - n)
			if n == 2 {
				wantBP = bp&^0xffff | wantBP&0xffff // BP only
			}
			if c.R[RBP] != wantBP || c.R[RSP] != a-size {
				t.Errorf("%s: ebp %#x esp %#x, want %#x and %#x", name, c.R[RBP], c.R[RSP], wantBP, a-size)
			}
			for addr, v := range want {
				b := make([]byte, n)
				if err := c.ReadMem(addr, b); err != nil {
					t.Fatal(err)
				}
				got := uint64(b[0]) | uint64(b[1])<<8
				if n == 4 {
					got |= uint64(b[2])<<16 | uint64(b[3])<<24
				}
				if got != v {
					t.Errorf("%s: [%#x] = %#x, want %#x", name, addr, got, v)
				}
			}
		}
	}
}

// TestEnterNestedFault: a nested ENTER whose old frame cannot be read,
// whose new frame cannot be written all the way down, or whose final stack
// pointer cannot be written at (TestEnterProbe), faults at that access
// with nothing changed.
func TestEnterNestedFault(t *testing.T) {
	for _, m := range []Mode{Mode32, Mode64} {
		w := uint64(8)
		if m == Mode32 {
			w = 4
		}
		for _, tc := range []struct {
			name       string
			level      byte
			size       uint64
			rsp, rbp   uint64
			addr       uint64 // the fault address
			write      bool
			firstWrite uint64 // a slot a partial ENTER would have written
		}{
			{"old frame unreadable", 3, 0, 0x80000, 0x10000 + w, 0x10000 - w, false, 0x80000 - w},
			{"new frame unwritable", 4, 0, 0x10000 + 2*w, 0x90000, 0x10000 - w, true, 0x10000 + w},
			{"final stack pointer", 2, 0x1000, 0x10800, 0x90000, 0x10800 - 3*w - 0x1000, true, 0x10800 - w},
		} {
			c := newTest(t, m, []byte{0xc8, byte(tc.size), byte(tc.size >> 8), tc.level})
			c.R[RSP], c.R[RBP] = tc.rsp, tc.rbp
			before := c.R
			var b [8]byte
			if err := c.ReadMem(tc.firstWrite, b[:]); err != nil {
				t.Fatal(err)
			}
			e := c.Run(1)
			if e != ExitFault || c.Fault.Addr != tc.addr || (c.Fault.Code&2 != 0) != tc.write || c.PC != 0x1000 {
				t.Errorf("mode %d, %s: exit %v fault %v pc %#x, want a fault at %#x", m, tc.name, e, &c.Fault, c.PC, tc.addr)
			}
			var after [8]byte
			if err := c.ReadMem(tc.firstWrite, after[:]); err != nil {
				t.Fatal(err)
			}
			if c.R != before || after != b {
				t.Errorf("mode %d, %s: a faulting ENTER changed registers or memory", m, tc.name)
			}
		}
	}
}
