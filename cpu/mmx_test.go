package cpu

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// MMX tests: the aliasing with the x87 registers, Go's 64-bit atomic
// load and store sequence, and every element-wise operation against a
// lane-by-lane reference written with plain integers.

// mmRun runs code (then INT3) with MM0 = a and MM1 = b.
func mmRun(t *testing.T, m Mode, code []byte, a, b uint64) *CPU {
	t.Helper()
	c := newTest(t, m, append(append([]byte{}, code...), 0xCC))
	c.mmSet(0, a)
	c.mmSet(1, b)
	if x := c.Run(10); x != ExitTrap || c.Fault.Trap != TrapBreakpoint {
		t.Fatalf("% x: exit %v %v", code, x, c.Fault.String())
	}
	return c
}

func TestMMXAliasing(t *testing.T) {
	code := fpCat(
		[]byte{0xD9, 0xE8}, // FLD1
		[]byte{0x0F, 0x6F, 0x0C, 0x25, 0x00, 0x00, 0x02, 0x00}, // MOVQ mm1, [mem]
	)
	c := newTest(t, Mode32, append(code, 0xCC))
	c.WriteMem(x87Mem, fpI64(0x1122334455667788))
	if x := c.Run(10); x != ExitTrap || c.Fault.Trap != TrapBreakpoint {
		t.Fatalf("exit %v %v", x, c.Fault.String())
	}
	f := &c.FPU
	if f.top() != 0 || f.Tag != 0xFF {
		t.Errorf("after MOVQ: TOP %d tags %#x, want 0 and all valid", f.top(), f.Tag)
	}
	if f.R[1] != (F80{0x1122334455667788, 0xFFFF}) {
		t.Errorf("R1 = %04x_%016x", f.R[1].SE, f.R[1].Mant)
	}
	if f.R[7] != (F80{1 << 63, 0x3FFF}) {
		t.Errorf("FLD1's register was changed: %04x_%016x", f.R[7].SE, f.R[7].Mant)
	}
	// EMMS empties the stack.
	c = newTest(t, Mode32, []byte{0x0F, 0x6F, 0xC1, 0x0F, 0x77, 0xCC})
	c.Run(10)
	if c.FPU.Tag != 0 {
		t.Errorf("after EMMS tags %#x", c.FPU.Tag)
	}
}

// TestMMXGoAtomic runs the Go 386 runtime's 64-bit atomic load/store:
// MOVQ m64 -> mm0, MOVQ mm0 -> m64, EMMS.
func TestMMXGoAtomic(t *testing.T) {
	code := fpCat(
		[]byte{0x0F, 0x6F, 0x04, 0x25, 0x00, 0x00, 0x02, 0x00}, // MOVQ mm0, [mem]
		[]byte{0x0F, 0x7F, 0x04, 0x25, 0x08, 0x00, 0x02, 0x00}, // MOVQ [mem+8], mm0
		[]byte{0x0F, 0x77}, // EMMS
	)
	for _, m := range []Mode{Mode32, Mode64} {
		c := newTest(t, m, append(code, 0xCC))
		c.WriteMem(x87Mem, fpI64(-2))
		if x := c.Run(10); x != ExitTrap || c.Fault.Trap != TrapBreakpoint {
			t.Fatalf("exit %v %v", x, c.Fault.String())
		}
		got := make([]byte, 8)
		c.ReadMem(x87Mem+8, got)
		if int64(binary.LittleEndian.Uint64(got)) != -2 || c.FPU.Tag != 0 {
			t.Errorf("mode %d: stored % x, tags %#x", m, got, c.FPU.Tag)
		}
	}
}

func TestMMXMoves(t *testing.T) {
	const a = 0x8877665544332211
	c := mmRun(t, Mode32, []byte{0x0F, 0x7E, 0xC0}, a, 0) // MOVD eax, mm0
	if c.R[RAX] != 0x44332211 {
		t.Errorf("MOVD eax, mm0: %#x", c.R[RAX])
	}
	c = mmRun(t, Mode64, []byte{0x48, 0x0F, 0x7E, 0xC0}, a, 0) // MOVQ rax, mm0
	if c.R[RAX] != a {
		t.Errorf("MOVQ rax, mm0: %#x", c.R[RAX])
	}
	c = newTest(t, Mode64, []byte{0x0F, 0x6E, 0xC0, 0xCC}) // MOVD mm0, eax
	c.R[RAX] = 0xFFFFFFFF_12345678
	c.Run(10)
	if c.mmGet(0) != 0x12345678 {
		t.Errorf("MOVD mm0, eax: %#x", c.mmGet(0))
	}
	c = mmRun(t, Mode32, []byte{0x0F, 0x7E, 0x0C, 0x25, 0x00, 0x00, 0x02, 0x00}, 0, a) // MOVD [mem], mm1
	got := make([]byte, 8)
	c.ReadMem(x87Mem, got)
	if binary.LittleEndian.Uint64(got) != 0x44332211 {
		t.Errorf("MOVD m32, mm1: % x", got)
	}
	c = mmRun(t, Mode32, []byte{0x0F, 0xC5, 0xC0, 0x03}, a, 0) // PEXTRW eax, mm0, 3
	if c.R[RAX] != 0x8877 {
		t.Errorf("PEXTRW: %#x", c.R[RAX])
	}
	c = mmRun(t, Mode32, []byte{0x0F, 0xD7, 0xC0}, a, 0) // PMOVMSKB eax, mm0
	if c.R[RAX] != 0x80 {
		t.Errorf("PMOVMSKB: %#x", c.R[RAX])
	}
	c = newTest(t, Mode32, []byte{0x0F, 0xC4, 0xC0, 0x01, 0xCC}) // PINSRW mm0, eax, 1
	c.mmSet(0, a)
	c.R[RAX] = 0xABCD
	c.Run(10)
	if c.mmGet(0) != 0x88776655ABCD2211 {
		t.Errorf("PINSRW: %#x", c.mmGet(0))
	}
	c = mmRun(t, Mode32, []byte{0x0F, 0x70, 0xC1, 0x1B}, 0, a) // PSHUFW mm0, mm1, 0x1b (reverse)
	if c.mmGet(0) != 0x2211443366558877 {
		t.Errorf("PSHUFW: %#x", c.mmGet(0))
	}
	c = newTest(t, Mode32, []byte{0x0F, 0xF7, 0xC1, 0xCC}) // MASKMOVQ mm0, mm1
	c.mmSet(0, a)
	c.mmSet(1, 0x80000000000080FF)
	c.R[RDI] = x87Mem
	c.WriteMem(x87Mem, make([]byte, 8))
	c.Run(10)
	c.ReadMem(x87Mem, got)
	if binary.LittleEndian.Uint64(got) != 0x8800000000002211 {
		t.Errorf("MASKMOVQ: % x", got)
	}
}

// Lane reference: unpack into signed or unsigned mmLanes, apply a per-lane
// function on int64s, saturate or wrap, mmPack.
func mmLanes(v uint64, w uint, signed bool) []int64 {
	n := 64 / w
	r := make([]int64, n)
	for i := uint(0); i < n; i++ {
		x := v >> (i * w) & (1<<w - 1)
		if signed && x>>(w-1) != 0 {
			r[i] = int64(x) - 1<<w
		} else {
			r[i] = int64(x)
		}
	}
	return r
}

func mmPack(l []int64, w uint, sat int) uint64 {
	var r uint64
	for i, x := range l {
		switch sat {
		case 1: // signed
			x = min(max(x, -1<<(w-1)), 1<<(w-1)-1)
		case 2: // unsigned
			x = min(max(x, 0), 1<<w-1)
		}
		r |= uint64(x) & (1<<w - 1) << (uint(i) * w)
	}
	return r
}

func mmLanewise(a, b uint64, w uint, signed bool, sat int, f func(x, y int64) int64) uint64 {
	la, lb := mmLanes(a, w, signed), mmLanes(b, w, signed)
	for i := range la {
		la[i] = f(la[i], lb[i])
	}
	return mmPack(la, w, sat)
}

func TestMMXOps(t *testing.T) {
	add := func(x, y int64) int64 { return x + y }
	sub := func(x, y int64) int64 { return x - y }
	eq := func(x, y int64) int64 {
		if x == y {
			return -1
		}
		return 0
	}
	gt := func(x, y int64) int64 {
		if x > y {
			return -1
		}
		return 0
	}
	ref := map[string]func(a, b uint64) uint64{
		"PADDB":   func(a, b uint64) uint64 { return mmLanewise(a, b, 8, false, 0, add) },
		"PADDW":   func(a, b uint64) uint64 { return mmLanewise(a, b, 16, false, 0, add) },
		"PADDD":   func(a, b uint64) uint64 { return mmLanewise(a, b, 32, false, 0, add) },
		"PADDQ":   func(a, b uint64) uint64 { return a + b },
		"PADDSB":  func(a, b uint64) uint64 { return mmLanewise(a, b, 8, true, 1, add) },
		"PADDSW":  func(a, b uint64) uint64 { return mmLanewise(a, b, 16, true, 1, add) },
		"PADDUSB": func(a, b uint64) uint64 { return mmLanewise(a, b, 8, false, 2, add) },
		"PADDUSW": func(a, b uint64) uint64 { return mmLanewise(a, b, 16, false, 2, add) },
		"PSUBB":   func(a, b uint64) uint64 { return mmLanewise(a, b, 8, false, 0, sub) },
		"PSUBW":   func(a, b uint64) uint64 { return mmLanewise(a, b, 16, false, 0, sub) },
		"PSUBD":   func(a, b uint64) uint64 { return mmLanewise(a, b, 32, false, 0, sub) },
		"PSUBQ":   func(a, b uint64) uint64 { return a - b },
		"PSUBSB":  func(a, b uint64) uint64 { return mmLanewise(a, b, 8, true, 1, sub) },
		"PSUBSW":  func(a, b uint64) uint64 { return mmLanewise(a, b, 16, true, 1, sub) },
		"PSUBUSB": func(a, b uint64) uint64 { return mmLanewise(a, b, 8, false, 2, sub) },
		"PSUBUSW": func(a, b uint64) uint64 { return mmLanewise(a, b, 16, false, 2, sub) },
		"PAND":    func(a, b uint64) uint64 { return a & b },
		"PANDN":   func(a, b uint64) uint64 { return ^a & b },
		"POR":     func(a, b uint64) uint64 { return a | b },
		"PXOR":    func(a, b uint64) uint64 { return a ^ b },
		"PCMPEQB": func(a, b uint64) uint64 { return mmLanewise(a, b, 8, false, 0, eq) },
		"PCMPEQW": func(a, b uint64) uint64 { return mmLanewise(a, b, 16, false, 0, eq) },
		"PCMPEQD": func(a, b uint64) uint64 { return mmLanewise(a, b, 32, false, 0, eq) },
		"PCMPGTB": func(a, b uint64) uint64 { return mmLanewise(a, b, 8, true, 0, gt) },
		"PCMPGTW": func(a, b uint64) uint64 { return mmLanewise(a, b, 16, true, 0, gt) },
		"PCMPGTD": func(a, b uint64) uint64 { return mmLanewise(a, b, 32, true, 0, gt) },
		"PMULLW": func(a, b uint64) uint64 {
			return mmLanewise(a, b, 16, true, 0, func(x, y int64) int64 { return x * y })
		},
		"PMULHW": func(a, b uint64) uint64 {
			return mmLanewise(a, b, 16, true, 0, func(x, y int64) int64 { return x * y >> 16 })
		},
		"PMULHUW": func(a, b uint64) uint64 {
			return mmLanewise(a, b, 16, false, 0, func(x, y int64) int64 { return x * y >> 16 })
		},
		"PMULUDQ": func(a, b uint64) uint64 { return uint64(uint32(a)) * uint64(uint32(b)) },
		"PMADDWD": func(a, b uint64) uint64 {
			la, lb := mmLanes(a, 16, true), mmLanes(b, 16, true)
			return mmPack([]int64{la[0]*lb[0] + la[1]*lb[1], la[2]*lb[2] + la[3]*lb[3]}, 32, 0)
		},
		"PAVGB": func(a, b uint64) uint64 {
			return mmLanewise(a, b, 8, false, 0, func(x, y int64) int64 { return (x + y + 1) / 2 })
		},
		"PAVGW": func(a, b uint64) uint64 {
			return mmLanewise(a, b, 16, false, 0, func(x, y int64) int64 { return (x + y + 1) / 2 })
		},
		"PMINUB": func(a, b uint64) uint64 {
			return mmLanewise(a, b, 8, false, 0, func(x, y int64) int64 { return min(x, y) })
		},
		"PMAXUB": func(a, b uint64) uint64 {
			return mmLanewise(a, b, 8, false, 0, func(x, y int64) int64 { return max(x, y) })
		},
		"PMINSW": func(a, b uint64) uint64 {
			return mmLanewise(a, b, 16, true, 0, func(x, y int64) int64 { return min(x, y) })
		},
		"PMAXSW": func(a, b uint64) uint64 {
			return mmLanewise(a, b, 16, true, 0, func(x, y int64) int64 { return max(x, y) })
		},
		"PSADBW": func(a, b uint64) uint64 {
			var s int64
			la, lb := mmLanes(a, 8, false), mmLanes(b, 8, false)
			for i := range la {
				s += max(la[i]-lb[i], lb[i]-la[i])
			}
			return uint64(s)
		},
		"PACKSSWB": func(a, b uint64) uint64 { return mmPack(append(mmLanes(a, 16, true), mmLanes(b, 16, true)...), 8, 1) },
		"PACKSSDW": func(a, b uint64) uint64 { return mmPack(append(mmLanes(a, 32, true), mmLanes(b, 32, true)...), 16, 1) },
		"PACKUSWB": func(a, b uint64) uint64 { return mmPack(append(mmLanes(a, 16, true), mmLanes(b, 16, true)...), 8, 2) },
	}
	unpack := func(w uint, hi bool) func(a, b uint64) uint64 {
		return func(a, b uint64) uint64 {
			la, lb := mmLanes(a, w, false), mmLanes(b, w, false)
			n := len(la) / 2
			var r []int64
			for i := 0; i < n; i++ {
				if hi {
					r = append(r, la[n+i], lb[n+i])
				} else {
					r = append(r, la[i], lb[i])
				}
			}
			return mmPack(r, w, 0)
		}
	}
	ref["PUNPCKLBW"], ref["PUNPCKHBW"] = unpack(8, false), unpack(8, true)
	ref["PUNPCKLWD"], ref["PUNPCKHWD"] = unpack(16, false), unpack(16, true)
	ref["PUNPCKLDQ"], ref["PUNPCKHDQ"] = unpack(32, false), unpack(32, true)
	opcodes := map[string]byte{
		"PADDB": 0xFC, "PADDW": 0xFD, "PADDD": 0xFE, "PADDQ": 0xD4, "PADDSB": 0xEC, "PADDSW": 0xED,
		"PADDUSB": 0xDC, "PADDUSW": 0xDD, "PSUBB": 0xF8, "PSUBW": 0xF9, "PSUBD": 0xFA, "PSUBQ": 0xFB,
		"PSUBSB": 0xE8, "PSUBSW": 0xE9, "PSUBUSB": 0xD8, "PSUBUSW": 0xD9, "PAND": 0xDB, "PANDN": 0xDF,
		"POR": 0xEB, "PXOR": 0xEF, "PCMPEQB": 0x74, "PCMPEQW": 0x75, "PCMPEQD": 0x76, "PCMPGTB": 0x64,
		"PCMPGTW": 0x65, "PCMPGTD": 0x66, "PMULLW": 0xD5, "PMULHW": 0xE5, "PMULHUW": 0xE4,
		"PMADDWD": 0xF5, "PMULUDQ": 0xF4, "PAVGB": 0xE0, "PAVGW": 0xE3, "PMINUB": 0xDA, "PMAXUB": 0xDE,
		"PMINSW": 0xEA, "PMAXSW": 0xEE, "PSADBW": 0xF6, "PACKSSWB": 0x63, "PACKSSDW": 0x6B,
		"PACKUSWB": 0x67, "PUNPCKLBW": 0x60, "PUNPCKLWD": 0x61, "PUNPCKLDQ": 0x62, "PUNPCKHBW": 0x68,
		"PUNPCKHWD": 0x69, "PUNPCKHDQ": 0x6A,
	}
	r := rand.New(rand.NewPCG(7, 8))
	vals := []uint64{0, ^uint64(0), 0x8000800080008000, 0x7FFF7FFF7FFF7FFF, 0x0102030405060708, 0x80FF7F0180FF7F01}
	for name, opc := range opcodes {
		f := ref[name]
		if f == nil {
			t.Fatalf("no reference for %s", name)
		}
		var cr, cm [2]*CPU
		for j, m := range []Mode{Mode32, Mode64} {
			cr[j] = newTest(t, m, []byte{0x0F, opc, 0xC1, 0xCC})
			// The memory form (m32 for the PUNPCKL forms).
			cm[j] = newTest(t, m, []byte{0x0F, opc, 0x04, 0x25, 0x00, 0x00, 0x02, 0x00, 0xCC})
		}
		for i := 0; i < 300; i++ {
			a, b := r.Uint64(), r.Uint64()
			if i < len(vals)*len(vals) {
				a, b = vals[i%len(vals)], vals[i/len(vals)]
			}
			c := cr[i%2]
			c.PC = 0x1000
			c.mmSet(0, a)
			c.mmSet(1, b)
			c.Run(10)
			if got, want := c.mmGet(0), f(a, b); got != want {
				t.Errorf("%s(%#x, %#x) = %#x, want %#x", name, a, b, got, want)
				break
			}
			c = cm[i%2]
			c.PC = 0x1000
			c.mmSet(0, a)
			c.WriteMem(x87Mem, fpI64(int64(b)))
			c.Run(10)
			wb := b
			if name == "PUNPCKLBW" || name == "PUNPCKLWD" || name == "PUNPCKLDQ" {
				wb = uint64(uint32(b))
			}
			if got, want := c.mmGet(0), f(a, wb); got != want {
				t.Errorf("%s(%#x, m64 %#x) = %#x, want %#x", name, a, b, got, want)
				break
			}
		}
	}
}

func TestMMXShifts(t *testing.T) {
	const a = 0x8001_7FFF_0102_FF80
	for _, tc := range []struct {
		name string
		code []byte
		want uint64
	}{
		{"PSLLW 4", []byte{0x0F, 0x71, 0xF0, 4}, 0x0010_FFF0_1020_F800},
		{"PSRLW 4", []byte{0x0F, 0x71, 0xD0, 4}, 0x0800_07FF_0010_0FF8},
		{"PSRAW 4", []byte{0x0F, 0x71, 0xE0, 4}, 0xF800_07FF_0010_FFF8},
		{"PSRAW 16", []byte{0x0F, 0x71, 0xE0, 16}, 0xFFFF_0000_0000_FFFF},
		{"PSLLD 8", []byte{0x0F, 0x72, 0xF0, 8}, 0x017F_FF00_02FF_8000},
		{"PSRAD 31", []byte{0x0F, 0x72, 0xE0, 31}, 0xFFFF_FFFF_0000_0000},
		{"PSRLQ 60", []byte{0x0F, 0x73, 0xD0, 60}, 8},
		{"PSLLQ 64", []byte{0x0F, 0x73, 0xF0, 64}, 0},
		{"PSRLW mm1", []byte{0x0F, 0xD1, 0xC1}, 0x4000_3FFF_0081_7FC0},
		{"PSLLQ mm1", []byte{0x0F, 0xF3, 0xC1}, 0x0002_FFFE_0205_FF00},
	} {
		if got := mmRun(t, Mode32, tc.code, a, 1).mmGet(0); got != tc.want {
			t.Errorf("%s: %#x, want %#x", tc.name, got, tc.want)
		}
	}
}
