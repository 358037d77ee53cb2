//go:build linux

package cpu

// The hardware oracle for the x87 and MMX instructions: the same
// instruction bytes run on the host CPU and in the emulator, from the
// same FPU state (loaded with FRSTOR), flags, RAX and memory operand,
// and the resulting state (stored with FNSAVE, which does not wait, so
// that unmasked exceptions are compared too), flags, RAX and memory must
// be identical. Only the last-instruction pointers (FIP, FDP, FOP, the
// selectors), which hold host addresses, are left out.

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func x87HostCall(code, ctx unsafe.Pointer)

// The context block shared by the host and the emulator runs.
const (
	hcImage = 0   // 108-byte FNSAVE image: state in, state out
	hcFlags = 112 // RFLAGS in and out
	hcRAX   = 120 // RAX in and out
	hcMem   = 256 // the memory operand, at [rsi] (16-byte aligned)
	hcSize  = hcMem + 512
	hcAddr  = 0x20000 // where the emulator keeps the block
)

// hcProlog and hcEpilog surround the instruction under test. DI points
// to the context block.
var hcProlog = []byte{
	0x48, 0x8d, 0xb7, 0x00, 0x01, 0x00, 0x00, // lea rsi, [rdi+256]
	0xdd, 0x27, // frstor [rdi]
	0xff, 0x77, 0x70, // push qword [rdi+112]
	0x9d,                   // popfq
	0x48, 0x8b, 0x47, 0x78, // mov rax, [rdi+120]
}

var hcEpilog = []byte{
	0x9c,             // pushfq
	0x8f, 0x47, 0x70, // pop qword [rdi+112]
	0x48, 0x89, 0x47, 0x78, // mov [rdi+120], rax
	0xdd, 0x37, // fnsave [rdi]
}

func hcCode(insn []byte, last byte) []byte {
	code := append([]byte{}, hcProlog...)
	code = append(code, insn...)
	code = append(code, hcEpilog...)
	return append(code, last)
}

type x87Host struct {
	exec []byte
	buf  []byte
	ctx  []byte // 16-byte aligned view of buf
}

func newX87Host(t testing.TB) *x87Host {
	exec, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE|syscall.PROT_EXEC,
		syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Skipf("no executable memory for the host oracle: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(exec) })
	h := &x87Host{exec: exec, buf: make([]byte, hcSize+16)}
	off := int(-uintptr(unsafe.Pointer(&h.buf[0])) & 15)
	h.ctx = h.buf[off : off+hcSize]
	return h
}

// run executes insn natively from the context in and returns the
// context after it.
func (h *x87Host) run(insn []byte, in []byte) []byte {
	copy(h.exec, hcCode(insn, 0xC3))
	copy(h.ctx, in)
	x87HostCall(unsafe.Pointer(&h.exec[0]), unsafe.Pointer(&h.ctx[0]))
	return append([]byte{}, h.ctx...)
}

type x87Emu struct {
	t testing.TB
	c *CPU
}

func newX87Emu(t testing.TB, insn []byte) *x87Emu {
	return &x87Emu{t: t, c: newTest(t, Mode64, hcCode(insn, 0xCC))}
}

func (e *x87Emu) run(in []byte) ([]byte, error) {
	c := e.c
	if err := c.WriteMem(hcAddr, in); err != nil {
		e.t.Fatal(err)
	}
	c.R[RDI] = hcAddr
	c.R[RSP] = 0x100000
	c.PC = 0x1000
	c.FPU.reset()
	if x := c.Run(100); x != ExitTrap || c.Fault.Trap != TrapBreakpoint {
		return nil, fmt.Errorf("exit %v: %v", x, c.Fault.String())
	}
	out := make([]byte, hcSize)
	if err := c.ReadMem(hcAddr, out); err != nil {
		e.t.Fatal(err)
	}
	return out, nil
}

// Operand kinds of the memory operand.
const (
	mkNone = iota
	mkF32
	mkF64
	mkF80
	mkI16
	mkI32
	mkI64
	mkBCD
	mkCW
	mkEnv  // 28-byte environment
	mkSave // 108-byte FNSAVE image
	mkMM   // 64-bit MMX operand
	mkFX   // 512-byte FXSAVE area (stored, not loaded)
	mkFXR  // 512-byte FXSAVE image to load
)

type hostOp struct {
	name string
	insn []byte
	mem  int
	mmx  bool // registers hold MMX values
}

// hostOps lists the instruction forms under test; memory operands are
// at [rsi] (ModRM mod 00, r/m 110).
func hostOps() []hostOp {
	var ops []hostOp
	add := func(name string, mem int, b ...byte) {
		ops = append(ops, hostOp{name: name, insn: b, mem: mem})
	}
	m := func(op byte, reg byte) []byte { return []byte{op, reg<<3 | 6} }
	arith := []string{"FADD", "FMUL", "FCOM", "FCOMP", "FSUB", "FSUBR", "FDIV", "FDIVR"}
	for r, n := range arith {
		add(n+" m32", mkF32, m(0xD8, byte(r))...)
		add(n+" m64", mkF64, m(0xDC, byte(r))...)
		add("FI"+n[1:]+" m32", mkI32, m(0xDA, byte(r))...)
		add("FI"+n[1:]+" m16", mkI16, m(0xDE, byte(r))...)
	}
	for _, i := range []byte{0, 1, 2, 7} {
		for r, n := range arith {
			add(fmt.Sprintf("%s ST0,ST%d", n, i), mkNone, 0xD8, 0xC0|byte(r)<<3|i)
		}
		for r, n := range []string{"FADD", "FMUL", "", "", "FSUBR", "FSUB", "FDIVR", "FDIV"} {
			if n != "" {
				add(fmt.Sprintf("%s ST%d,ST0", n, i), mkNone, 0xDC, 0xC0|byte(r)<<3|i)
				add(fmt.Sprintf("%sP ST%d,ST0", n, i), mkNone, 0xDE, 0xC0|byte(r)<<3|i)
			}
		}
		add(fmt.Sprintf("FLD ST%d", i), mkNone, 0xD9, 0xC0|i)
		add(fmt.Sprintf("FXCH ST%d", i), mkNone, 0xD9, 0xC8|i)
		add(fmt.Sprintf("FST ST%d", i), mkNone, 0xDD, 0xD0|i)
		add(fmt.Sprintf("FSTP ST%d", i), mkNone, 0xDD, 0xD8|i)
		add(fmt.Sprintf("FUCOM ST%d", i), mkNone, 0xDD, 0xE0|i)
		add(fmt.Sprintf("FUCOMP ST%d", i), mkNone, 0xDD, 0xE8|i)
		add(fmt.Sprintf("FFREE ST%d", i), mkNone, 0xDD, 0xC0|i)
		add(fmt.Sprintf("FFREEP ST%d", i), mkNone, 0xDF, 0xC0|i)
		add(fmt.Sprintf("FUCOMI ST%d", i), mkNone, 0xDB, 0xE8|i)
		add(fmt.Sprintf("FCOMI ST%d", i), mkNone, 0xDB, 0xF0|i)
		add(fmt.Sprintf("FUCOMIP ST%d", i), mkNone, 0xDF, 0xE8|i)
		add(fmt.Sprintf("FCOMIP ST%d", i), mkNone, 0xDF, 0xF0|i)
		for cc, n := range []string{"B", "E", "BE", "U"} {
			add(fmt.Sprintf("FCMOV%s ST%d", n, i), mkNone, 0xDA, 0xC0|byte(cc)<<3|i)
			add(fmt.Sprintf("FCMOVN%s ST%d", n, i), mkNone, 0xDB, 0xC0|byte(cc)<<3|i)
		}
	}
	add("FCOMPP", mkNone, 0xDE, 0xD9)
	add("FUCOMPP", mkNone, 0xDA, 0xE9)
	add("FLD m32", mkF32, m(0xD9, 0)...)
	add("FST m32", mkNone, m(0xD9, 2)...)
	add("FSTP m32", mkNone, m(0xD9, 3)...)
	add("FLD m64", mkF64, m(0xDD, 0)...)
	add("FST m64", mkNone, m(0xDD, 2)...)
	add("FSTP m64", mkNone, m(0xDD, 3)...)
	add("FLD m80", mkF80, m(0xDB, 5)...)
	add("FSTP m80", mkNone, m(0xDB, 7)...)
	add("FILD m16", mkI16, m(0xDF, 0)...)
	add("FILD m32", mkI32, m(0xDB, 0)...)
	add("FILD m64", mkI64, m(0xDF, 5)...)
	add("FIST m16", mkNone, m(0xDF, 2)...)
	add("FISTP m16", mkNone, m(0xDF, 3)...)
	add("FIST m32", mkNone, m(0xDB, 2)...)
	add("FISTP m32", mkNone, m(0xDB, 3)...)
	add("FISTP m64", mkNone, m(0xDF, 7)...)
	add("FISTTP m16", mkNone, m(0xDF, 1)...)
	add("FISTTP m32", mkNone, m(0xDB, 1)...)
	add("FISTTP m64", mkNone, m(0xDD, 1)...)
	add("FBLD", mkBCD, m(0xDF, 4)...)
	add("FBSTP", mkNone, m(0xDF, 6)...)
	for i, n := range []string{"FLD1", "FLDL2T", "FLDL2E", "FLDPI", "FLDLG2", "FLDLN2", "FLDZ"} {
		add(n, mkNone, 0xD9, 0xE8+byte(i))
	}
	for _, o := range []struct {
		n string
		b byte
	}{{"FCHS", 0xE0}, {"FABS", 0xE1}, {"FTST", 0xE4}, {"FXAM", 0xE5}, {"FXTRACT", 0xF4},
		{"FPREM1", 0xF5}, {"FDECSTP", 0xF6}, {"FINCSTP", 0xF7}, {"FPREM", 0xF8},
		{"FSQRT", 0xFA}, {"FRNDINT", 0xFC}, {"FSCALE", 0xFD}, {"FNOP", 0xD0}} {
		add(o.n, mkNone, 0xD9, o.b)
	}
	add("FNCLEX", mkNone, 0xDB, 0xE2)
	add("FNINIT", mkNone, 0xDB, 0xE3)
	add("FNSTSW AX", mkNone, 0xDF, 0xE0)
	add("FNSTSW m16", mkNone, m(0xDD, 7)...)
	add("FNSTCW", mkNone, m(0xD9, 7)...)
	add("FLDCW", mkCW, m(0xD9, 5)...)
	add("FNSTENV", mkNone, m(0xD9, 6)...)
	add("FLDENV", mkEnv, m(0xD9, 4)...)
	add("FNSAVE", mkNone, m(0xDD, 6)...)
	add("FRSTOR", mkSave, m(0xDD, 4)...)
	add("FXSAVE", mkFX, 0x0F, 0xAE, 0x06)
	add("FXRSTOR", mkFXR, 0x0F, 0xAE, 0x0E)
	add("FWAIT", mkNone, 0x9B)
	return ops
}

// hostMMXOps lists MMX forms: mm0 op= mm1, and mm0 op= [rsi].
func hostMMXOps() []hostOp {
	var ops []hostOp
	add := func(name string, mem int, b ...byte) {
		ops = append(ops, hostOp{name: name, insn: b, mem: mem, mmx: true})
	}
	bin := map[string]byte{
		"PADDB": 0xFC, "PADDW": 0xFD, "PADDD": 0xFE, "PADDQ": 0xD4, "PADDSB": 0xEC, "PADDSW": 0xED,
		"PADDUSB": 0xDC, "PADDUSW": 0xDD, "PSUBB": 0xF8, "PSUBW": 0xF9, "PSUBD": 0xFA, "PSUBQ": 0xFB,
		"PSUBSB": 0xE8, "PSUBSW": 0xE9, "PSUBUSB": 0xD8, "PSUBUSW": 0xD9, "PAND": 0xDB, "PANDN": 0xDF,
		"POR": 0xEB, "PXOR": 0xEF, "PCMPEQB": 0x74, "PCMPEQW": 0x75, "PCMPEQD": 0x76, "PCMPGTB": 0x64,
		"PCMPGTW": 0x65, "PCMPGTD": 0x66, "PMULLW": 0xD5, "PMULHW": 0xE5, "PMULHUW": 0xE4,
		"PMADDWD": 0xF5, "PMULUDQ": 0xF4, "PAVGB": 0xE0, "PAVGW": 0xE3, "PMINUB": 0xDA, "PMAXUB": 0xDE,
		"PMINSW": 0xEA, "PMAXSW": 0xEE, "PSADBW": 0xF6, "PACKSSWB": 0x63, "PACKSSDW": 0x6B,
		"PACKUSWB": 0x67, "PUNPCKLBW": 0x60, "PUNPCKLWD": 0x61, "PUNPCKLDQ": 0x62, "PUNPCKHBW": 0x68,
		"PUNPCKHWD": 0x69, "PUNPCKHDQ": 0x6A, "PSLLW": 0xF1, "PSLLD": 0xF2, "PSLLQ": 0xF3,
		"PSRLW": 0xD1, "PSRLD": 0xD2, "PSRLQ": 0xD3, "PSRAW": 0xE1, "PSRAD": 0xE2, "MOVQ": 0x6F,
	}
	for n, b := range bin {
		add(n+" mm0,mm1", mkNone, 0x0F, b, 0xC1)
		add(n+" mm0,m64", mkMM, 0x0F, b, 0x06)
	}
	ssse3 := map[string]byte{"PSHUFB": 0x00, "PHADDW": 0x01, "PHADDD": 0x02, "PHADDSW": 0x03,
		"PMADDUBSW": 0x04, "PHSUBW": 0x05, "PHSUBD": 0x06, "PHSUBSW": 0x07, "PSIGNB": 0x08,
		"PSIGNW": 0x09, "PSIGND": 0x0A, "PMULHRSW": 0x0B, "PABSB": 0x1C, "PABSW": 0x1D, "PABSD": 0x1E}
	for n, b := range ssse3 {
		add(n+" mm0,mm1", mkNone, 0x0F, 0x38, b, 0xC1)
	}
	for _, sh := range []struct {
		n     string
		op, r byte
	}{{"PSRLW", 0x71, 2}, {"PSRAW", 0x71, 4}, {"PSLLW", 0x71, 6}, {"PSRLD", 0x72, 2},
		{"PSRAD", 0x72, 4}, {"PSLLD", 0x72, 6}, {"PSRLQ", 0x73, 2}, {"PSLLQ", 0x73, 6}} {
		for _, n := range []byte{0, 1, 7, 15, 16, 31, 33, 63, 64, 200} {
			add(fmt.Sprintf("%s mm2,%d", sh.n, n), mkNone, 0x0F, sh.op, 0xC2|sh.r<<3, n)
		}
	}
	for _, imm := range []byte{0x1B, 0xE4, 0x00, 0x93} {
		add(fmt.Sprintf("PSHUFW mm0,mm1,%#x", imm), mkNone, 0x0F, 0x70, 0xC1, imm)
	}
	for _, imm := range []byte{0, 3, 8, 13, 16, 17} {
		add(fmt.Sprintf("PALIGNR mm0,mm1,%d", imm), mkNone, 0x0F, 0x3A, 0x0F, 0xC1, imm)
	}
	add("MOVD mm0,eax", mkNone, 0x0F, 0x6E, 0xC0)
	add("MOVQ mm0,rax", mkNone, 0x48, 0x0F, 0x6E, 0xC0)
	add("MOVD eax,mm1", mkNone, 0x0F, 0x7E, 0xC8)
	add("MOVQ rax,mm1", mkNone, 0x48, 0x0F, 0x7E, 0xC8)
	add("MOVD mm0,m32", mkMM, 0x0F, 0x6E, 0x06)
	add("MOVD m32,mm1", mkNone, 0x0F, 0x7E, 0x0E)
	add("MOVQ m64,mm1", mkNone, 0x0F, 0x7F, 0x0E)
	add("MOVNTQ m64,mm1", mkNone, 0x0F, 0xE7, 0x0E)
	add("PEXTRW eax,mm1,2", mkNone, 0x0F, 0xC5, 0xC1, 2)
	add("PINSRW mm0,eax,3", mkNone, 0x0F, 0xC4, 0xC0, 3)
	add("PINSRW mm0,m16,1", mkMM, 0x0F, 0xC4, 0x06, 1)
	add("PMOVMSKB eax,mm1", mkNone, 0x0F, 0xD7, 0xC1)
	add("EMMS", mkNone, 0x0F, 0x77)
	return ops
}

// fpGen generates operands: mostly edge cases, some random.
type fpGen struct{ r *rand.Rand }

func (g fpGen) sig() uint64 {
	switch g.r.IntN(10) {
	case 0:
		return 1 << 63
	case 1:
		return ^uint64(0)
	case 2:
		return 1<<63 | 1
	case 3: // a double-precision significand, possibly with a halfway tail
		m := 1<<63 | g.r.Uint64()&^(1<<11-1)
		if g.r.IntN(2) == 0 {
			m |= 1 << 10
		}
		return m
	case 4: // a single-precision significand with a tail at bit 39
		m := 1<<63 | g.r.Uint64()&^(1<<40-1)
		if g.r.IntN(2) == 0 {
			m |= 1 << 39
		}
		return m
	case 5:
		return 1<<63 | g.r.Uint64()>>g.r.IntN(64)
	}
	return 1<<63 | g.r.Uint64()
}

func (g fpGen) exp() uint16 {
	e := []uint16{0x3FFF, 0x3FFE, 0x4000, 1, 2, 0x7FFE, 0x7FFD, 0x3C00, 0x3C01, 0x3BFF,
		0x43FE, 0x43FF, 0x3BCC, 0x3BCD, 0x3F80, 0x3F81, 0x407E, 0x407F, 0x3F6A, 0x403E, 0x403D,
		0x401D, 0x401E, 0x400E, 0x400F, 0x5FFF, 0x2000, 0x3FBF}
	switch g.r.IntN(4) {
	case 0:
		return uint16(1 + g.r.IntN(0x7FFE))
	case 1:
		return uint16(0x3FFF - 70 + g.r.IntN(140))
	}
	return e[g.r.IntN(len(e))] + uint16(g.r.IntN(3)) - 1
}

func (g fpGen) f80() F80 {
	s := uint16(g.r.IntN(2)) << 15
	switch g.r.IntN(40) {
	case 0:
		return F80{SE: s}
	case 1:
		return F80{Mant: 1 << 63, SE: s | 0x7FFF} // infinity
	case 2:
		return F80{Mant: 0xC000000000000000 | g.r.Uint64()>>g.r.IntN(64)>>2, SE: s | 0x7FFF} // QNaN
	case 3:
		return F80{Mant: 0x8000000000000000 | 1 + g.r.Uint64()>>g.r.IntN(64)>>2, SE: s | 0x7FFF} // SNaN
	case 4:
		return F80{Mant: g.r.Uint64() >> g.r.IntN(64) >> 1, SE: s} // denormal
	case 5:
		return F80{Mant: 1<<63 | g.r.Uint64()>>g.r.IntN(64), SE: s} // pseudo-denormal
	case 6:
		return F80{Mant: g.r.Uint64() >> 1, SE: s | uint16(1+g.r.IntN(0x7FFF))} // unnormal, pseudo-NaN
	case 7:
		return f80Indefinite()
	case 8: // an integer, possibly with a half
		v := g.r.Int64N(1<<uint(1+g.r.IntN(62))) - g.r.Int64N(1<<20)
		f := f80FromInt(v)
		if g.r.IntN(2) == 0 && f.class() == clsNormal {
			f, _ = f80Add(f, F80{Mant: 1 << 63, SE: 0x3FFE}, false, f80RndExt(0x37F))
		}
		return f
	}
	return F80{Mant: g.sig(), SE: s | g.exp()}
}

func (g fpGen) f64() uint64 {
	s := uint64(g.r.IntN(2)) << 63
	switch g.r.IntN(12) {
	case 0:
		return s
	case 1:
		return s | 0x7FF<<52
	case 2:
		return s | 0x7FF<<52 | 1<<51 | g.r.Uint64()>>13 // QNaN
	case 3:
		return s | 0x7FF<<52 | 1 + g.r.Uint64()>>14 // SNaN
	case 4:
		return s | g.r.Uint64()>>12>>g.r.IntN(52) // denormal
	case 5:
		return s | uint64(1+g.r.IntN(2046))<<52 | g.r.Uint64()>>12
	case 6:
		return math.Float64bits(float64(g.r.IntN(1000) - 500))
	}
	f := g.f80()
	if f.class() != clsNormal {
		f = F80{Mant: g.sig(), SE: uint16(0x3FFF - 1100 + g.r.IntN(2200))}
	}
	v, _, _ := f80ToMem(f, 0x7F|uint16(g.r.IntN(4))<<10, false)
	return v
}

func (g fpGen) f32() uint32 {
	s := uint32(g.r.IntN(2)) << 31
	switch g.r.IntN(10) {
	case 0:
		return s
	case 1:
		return s | 0xFF<<23
	case 2:
		return s | 0xFF<<23 | 1<<22 | g.r.Uint32()>>10
	case 3:
		return s | 0xFF<<23 | 1 + g.r.Uint32()>>11
	case 4:
		return s | g.r.Uint32()>>9>>g.r.IntN(23)
	case 5:
		return math.Float32bits(float32(g.r.IntN(1000) - 500))
	}
	return s | uint32(1+g.r.IntN(254))<<23 | g.r.Uint32()>>9
}

func (g fpGen) int64() uint64 {
	switch g.r.IntN(6) {
	case 0:
		return uint64(g.r.IntN(7)) - 3
	case 1:
		return 1<<63 + uint64(g.r.IntN(3))
	case 2:
		return 1<<63 - 1 - uint64(g.r.IntN(3))
	}
	return g.r.Uint64() >> g.r.IntN(64)
}

func (g fpGen) bcd() []byte {
	b := make([]byte, 10)
	for i := 0; i < 9; i++ {
		b[i] = byte(g.r.IntN(10)<<4 | g.r.IntN(10))
	}
	b[9] = byte(g.r.IntN(2)) << 7
	return b
}

// cw returns a control word: every precision and rounding control, the
// masks mostly all set, or Plan 9's (invalid, zero divide and overflow
// unmasked), or random.
func (g fpGen) cw() uint16 {
	pc := uint16(g.r.IntN(4))
	rc := uint16(g.r.IntN(4))
	var masks uint16
	switch g.r.IntN(4) {
	case 0, 1:
		masks = 0x3F
	case 2:
		masks = 0x32
	default:
		masks = uint16(g.r.IntN(64))
	}
	return 0x40 | pc<<8 | rc<<10 | masks
}

// image builds an FNSAVE image: the control word, a status word with
// only masked exception flags (so that nothing is pending), random tags
// and registers (in stack order).
func (g fpGen) image(mmx bool) []byte {
	b := make([]byte, 108)
	cw := g.cw()
	top := uint16(g.r.IntN(8))
	if mmx {
		top = 0
	}
	sw := top<<11 | uint16(g.r.IntN(16))&0x4700&^swC0 | uint16(g.r.IntN(64))&cw&0x3F
	if g.r.IntN(2) == 0 {
		sw &^= 0x3F
	}
	var tw uint16
	for p := 0; p < 8; p++ {
		if g.r.IntN(6) == 0 && !mmx {
			tw |= 3 << (2 * p)
		}
	}
	binary.LittleEndian.PutUint32(b[0:], 0xFFFF0000|uint32(cw))
	binary.LittleEndian.PutUint32(b[4:], 0xFFFF0000|uint32(sw))
	binary.LittleEndian.PutUint32(b[8:], 0xFFFF0000|uint32(tw))
	for i := 0; i < 8; i++ {
		v := g.f80()
		if mmx {
			v = F80{Mant: g.r.Uint64(), SE: 0xFFFF}
			if g.r.IntN(4) == 0 {
				v.Mant = 0x8000800080008000 >> g.r.IntN(4) * uint64(g.r.IntN(3))
			}
		}
		binary.LittleEndian.PutUint64(b[28+10*i:], v.Mant)
		binary.LittleEndian.PutUint16(b[36+10*i:], v.SE)
	}
	return b
}

// near returns a value close to v: the same or a nearby exponent, the
// significand moved by a few units in some place, to make cancellations,
// exact results and rounding ties likely.
func (g fpGen) near(v F80) F80 {
	if v.class() != clsNormal {
		return g.f80()
	}
	v.SE ^= uint16(g.r.IntN(2)) << 15
	v.SE += uint16(g.r.IntN(5)) - 2
	if v.SE&f80ExpMax == 0 || v.SE&f80ExpMax == f80ExpMax {
		v.SE -= 2
	}
	shift := []uint{0, 10, 11, 12, 39, 40, 41, 63}[g.r.IntN(8)]
	d := uint64(g.r.IntN(5)) << shift
	if g.r.IntN(2) == 0 {
		v.Mant += d
	} else {
		v.Mant -= d
	}
	v.Mant |= f80IntBit
	return v
}

// context builds the whole context block for op.
func (g fpGen) context(op hostOp) []byte {
	ctx := make([]byte, hcSize)
	copy(ctx, g.image(op.mmx))
	st := func(i int) F80 {
		return F80{Mant: binary.LittleEndian.Uint64(ctx[28+10*i:]), SE: binary.LittleEndian.Uint16(ctx[36+10*i:])}
	}
	if !op.mmx && g.r.IntN(3) == 0 {
		// Make the other operands close to ST(0).
		for i := 1; i < 8; i++ {
			if g.r.IntN(2) == 0 {
				v := g.near(st(0))
				binary.LittleEndian.PutUint64(ctx[28+10*i:], v.Mant)
				binary.LittleEndian.PutUint16(ctx[36+10*i:], v.SE)
			}
		}
	}
	flags := uint64(g.r.IntN(256)) & (FlagCF | FlagPF | FlagAF | FlagZF | FlagSF)
	binary.LittleEndian.PutUint64(ctx[hcFlags:], flags|2)
	binary.LittleEndian.PutUint64(ctx[hcRAX:], g.r.Uint64())
	mem := ctx[hcMem:]
	for i := range mem[:64] {
		mem[i] = byte(g.r.IntN(256))
	}
	nearST0 := g.r.IntN(3) == 0
	switch op.mem {
	case mkF32:
		binary.LittleEndian.PutUint32(mem, g.f32())
		if nearST0 {
			v, _, _ := f80ToMem(g.near(st(0)), 0x7F|uint16(g.r.IntN(4))<<10, true)
			binary.LittleEndian.PutUint32(mem, uint32(v))
		}
	case mkF64:
		binary.LittleEndian.PutUint64(mem, g.f64())
		if nearST0 {
			v, _, _ := f80ToMem(g.near(st(0)), 0x7F|uint16(g.r.IntN(4))<<10, false)
			binary.LittleEndian.PutUint64(mem, v)
		}
	case mkF80:
		v := g.f80()
		binary.LittleEndian.PutUint64(mem, v.Mant)
		binary.LittleEndian.PutUint16(mem[8:], v.SE)
	case mkI16, mkI32, mkI64:
		binary.LittleEndian.PutUint64(mem, g.int64())
	case mkBCD:
		copy(mem, g.bcd())
	case mkCW:
		binary.LittleEndian.PutUint16(mem, g.cw()^uint16(g.r.IntN(2))<<uint(g.r.IntN(16)))
	case mkEnv, mkSave:
		img := g.image(false)
		// Let the loaded status word have pending exceptions too.
		binary.LittleEndian.PutUint16(img[4:], binary.LittleEndian.Uint16(img[4:])|uint16(g.r.IntN(256)))
		copy(mem, img)
	case mkMM:
		binary.LittleEndian.PutUint64(mem, g.r.Uint64())
	case mkFXR:
		// An FXSAVE image: x87 state from a random FNSAVE image, an
		// abridged tag byte, MXCSR as Go keeps it, random XMM values.
		img := g.image(false)
		binary.LittleEndian.PutUint16(mem[0:], binary.LittleEndian.Uint16(img[0:]))
		binary.LittleEndian.PutUint16(mem[2:], binary.LittleEndian.Uint16(img[4:])|uint16(g.r.IntN(256)))
		mem[4] = byte(g.r.IntN(256))
		binary.LittleEndian.PutUint32(mem[24:], 0x1F80)
		for i := 0; i < 8; i++ {
			copy(mem[32+16*i:], img[28+10*i:38+10*i])
		}
		for i := 160; i < 512; i++ {
			mem[i] = byte(g.r.IntN(256))
		}
	}
	return ctx
}

// hcMasks returns the context bytes that are not compared: the
// last-instruction pointers in FNSAVE images, and for FXSAVE the host's
// MXCSR, MXCSR_MASK and XMM registers.
func hcMasks(op hostOp) [][2]int {
	m := [][2]int{{hcImage + 12, hcImage + 28}, {hcFlags + 8, hcMem}}
	switch {
	case strings.HasPrefix(op.name, "FNSTENV"), strings.HasPrefix(op.name, "FNSAVE"):
		m = append(m, [2]int{hcMem + 12, hcMem + 28})
	case strings.HasPrefix(op.name, "FXSAVE"):
		m = append(m, [2]int{hcMem + 6, hcMem + 32}, [2]int{hcMem + 160, hcSize})
	}
	return m
}

func hcEqual(a, b []byte, masks [][2]int) bool {
	a, b = append([]byte{}, a...), append([]byte{}, b...)
	for _, m := range masks {
		clear(a[m[0]:m[1]])
		clear(b[m[0]:m[1]])
	}
	// Only the arithmetic flags are compared.
	fa := binary.LittleEndian.Uint64(a[hcFlags:]) & flagsArith
	fb := binary.LittleEndian.Uint64(b[hcFlags:]) & flagsArith
	clear(a[hcFlags : hcFlags+8])
	clear(b[hcFlags : hcFlags+8])
	return fa == fb && string(a) == string(b)
}

// hcDescribe formats a context block for a failure message.
func hcDescribe(ctx []byte) string {
	var sb strings.Builder
	img := ctx[hcImage:]
	sw := binary.LittleEndian.Uint16(img[4:])
	fmt.Fprintf(&sb, "CW=%04x SW=%04x(top %d) TW=%04x flags=%03x rax=%x\n",
		binary.LittleEndian.Uint16(img), sw, sw>>11&7, binary.LittleEndian.Uint16(img[8:]),
		binary.LittleEndian.Uint64(ctx[hcFlags:])&flagsArith, binary.LittleEndian.Uint64(ctx[hcRAX:]))
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&sb, "  ST%d=%04x_%016x", i, binary.LittleEndian.Uint16(img[36+10*i:]),
			binary.LittleEndian.Uint64(img[28+10*i:]))
		if i%4 == 3 {
			sb.WriteByte('\n')
		}
	}
	fmt.Fprintf(&sb, "  mem=% x", ctx[hcMem:hcMem+32])
	return sb.String()
}

func x87HostCases(t *testing.T) int {
	if testing.Short() {
		return 100
	}
	if os.Getenv("X87HOST_CASES") != "" {
		var n int
		fmt.Sscan(os.Getenv("X87HOST_CASES"), &n)
		return n
	}
	return 1000
}

// runHostDiff runs every op in ops against the host.
func runHostDiff(t *testing.T, ops []hostOp, seed uint64) {
	h := newX87Host(t)
	n := x87HostCases(t)
	fails := map[string]int{}
	shown := 0
	var total int
	only := os.Getenv("X87HOST_ONLY")
	for _, op := range ops {
		if only != "" && !strings.Contains(op.name, only) {
			continue
		}
		g := fpGen{rand.New(rand.NewPCG(seed, uint64(len(op.name))*7919+uint64(op.insn[len(op.insn)-1])))}
		e := newX87Emu(t, op.insn)
		masks := hcMasks(op)
		for i := 0; i < n; i++ {
			in := g.context(op)
			want := h.run(op.insn, in)
			got, err := e.run(in)
			total++
			if err == nil && hcEqual(got, want, masks) {
				continue
			}
			fails[op.name]++
			if fails[op.name] <= 2 && shown < 60 || only != "" && shown < 12 {
				shown++
				if err != nil {
					t.Errorf("%s: %v\nin:   %s", op.name, err, hcDescribe(in))
					continue
				}
				t.Errorf("%s:\nin:   %s\nhost: %s\nemu:  %s", op.name, hcDescribe(in), hcDescribe(want), hcDescribe(got))
			}
		}
	}
	if len(fails) > 0 {
		var names []string
		for k := range fails {
			names = append(names, k)
		}
		sort.Strings(names)
		var sb strings.Builder
		for _, k := range names {
			fmt.Fprintf(&sb, " %s:%d", k, fails[k])
		}
		t.Errorf("mismatches by form (of %d cases each):%s", n, sb.String())
	}
	t.Logf("%d forms, %d cases compared with the host", len(ops), total)
}

// TestX87Host compares every x87 form with the host CPU.
func TestX87Host(t *testing.T) {
	runHostDiff(t, hostOps(), 1)
}

// TestMMXHost compares the MMX forms with the host CPU.
func TestMMXHost(t *testing.T) {
	runHostDiff(t, hostMMXOps(), 2)
}

// FuzzX87Host runs fuzzer-chosen operands through the x87 forms on the
// host and in the emulator: ST(0) = a, ST(1) = b, the memory operand m,
// control word cw (any masks, precision and rounding).
func FuzzX87Host(f *testing.F) {
	f.Add(uint8(0), uint16(0x037F), uint64(1<<63), uint16(0x3FFF), uint64(0xC000000000000000), uint16(0x4000), uint64(0x3FF8000000000000))
	f.Add(uint8(7), uint16(0x0232), uint64(1), uint16(0), uint64(0), uint16(0), uint64(0))
	f.Add(uint8(200), uint16(0x0E7F), uint64(^uint64(0)), uint16(0x7FFE), uint64(1<<63), uint16(0x3FFE), uint64(1))
	ops := hostOps()
	h := newX87Host(f)
	f.Fuzz(func(t *testing.T, op uint8, cw uint16, am uint64, ae uint16, bm uint64, be uint16, m uint64) {
		o := ops[int(op)%len(ops)]
		if o.mem == mkEnv || o.mem == mkSave || o.mem == mkFXR {
			// Random environments are the table test's business (and a
			// random FXRSTOR image would unmask SSE exceptions in the
			// host's MXCSR).
			return
		}
		ctx := make([]byte, hcSize)
		cw = cw&0x0F3F | 0x40
		binary.LittleEndian.PutUint32(ctx[0:], 0xFFFF0000|uint32(cw))
		binary.LittleEndian.PutUint32(ctx[4:], 0xFFFF0000|6<<11)
		binary.LittleEndian.PutUint32(ctx[8:], 0xFFFF0FFF) // ST0, ST1 (R6, R7) in use
		binary.LittleEndian.PutUint64(ctx[28:], am)
		binary.LittleEndian.PutUint16(ctx[36:], ae)
		binary.LittleEndian.PutUint64(ctx[38:], bm)
		binary.LittleEndian.PutUint16(ctx[46:], be)
		binary.LittleEndian.PutUint64(ctx[hcFlags:], 2)
		binary.LittleEndian.PutUint64(ctx[hcMem:], m)
		want := h.run(o.insn, ctx)
		got, err := newX87Emu(t, o.insn).run(ctx)
		if err != nil {
			t.Fatalf("%s: %v", o.name, err)
		}
		if !hcEqual(got, want, hcMasks(o)) {
			t.Fatalf("%s:\nin:   %s\nhost: %s\nemu:  %s", o.name, hcDescribe(ctx), hcDescribe(want), hcDescribe(got))
		}
	})
}

// TestX87HostTranscendental compares the approximate transcendental
// instructions with the host on normal operands of moderate magnitude
// (|x| < 16) and the special operands: the same status word (but for
// PE and C1, which depend on the last bits), the same stack and tags,
// and values within 2^-48 relative (special values exactly).
func TestX87HostTranscendental(t *testing.T) {
	h := newX87Host(t)
	n := x87HostCases(t)
	for _, o := range []hostOp{
		{name: "FSIN", insn: []byte{0xD9, 0xFE}}, {name: "FCOS", insn: []byte{0xD9, 0xFF}},
		{name: "FPTAN", insn: []byte{0xD9, 0xF2}}, {name: "FSINCOS", insn: []byte{0xD9, 0xFB}},
		{name: "F2XM1", insn: []byte{0xD9, 0xF0}}, {name: "FYL2X", insn: []byte{0xD9, 0xF1}},
		{name: "FYL2XP1", insn: []byte{0xD9, 0xF9}}, {name: "FPATAN", insn: []byte{0xD9, 0xF3}},
	} {
		g := fpGen{rand.New(rand.NewPCG(9, uint64(o.insn[1])))}
		e := newX87Emu(t, o.insn)
		bad := 0
		for i := 0; i < n && bad < 3; i++ {
			in := g.context(o)
			// Keep the operands where the instructions are defined and
			// float64 can follow: moderate magnitudes, masks set.
			binary.LittleEndian.PutUint16(in[0:], binary.LittleEndian.Uint16(in[0:])|0x3F)
			for r := 0; r < 2; r++ {
				v := g.f80()
				switch v.class() {
				case clsDenormal:
					v.SE |= 0x3FFF
					v.Mant |= f80IntBit
					fallthrough
				case clsNormal:
					v.SE = v.SE&0x8000 | uint16(0x3FFF-20+g.r.IntN(24))
					if o.name == "F2XM1" || o.name == "FYL2XP1" {
						v.SE = v.SE&0x8000 | uint16(0x3FFE-g.r.IntN(20))
					}
				}
				binary.LittleEndian.PutUint64(in[28+10*r:], v.Mant)
				binary.LittleEndian.PutUint16(in[36+10*r:], v.SE)
			}
			want := h.run(o.insn, in)
			got, err := e.run(in)
			if err != nil {
				t.Fatalf("%s: %v", o.name, err)
			}
			if !transClose(got, want) {
				bad++
				t.Errorf("%s:\nin:   %s\nhost: %s\nemu:  %s", o.name, hcDescribe(in), hcDescribe(want), hcDescribe(got))
			}
		}
	}
}

// transClose compares two FNSAVE images loosely (see
// TestX87HostTranscendental).
func transClose(a, b []byte) bool {
	swa := binary.LittleEndian.Uint16(a[4:]) &^ (exPE | swC1)
	swb := binary.LittleEndian.Uint16(b[4:]) &^ (exPE | swC1)
	if swa != swb || binary.LittleEndian.Uint16(a[0:]) != binary.LittleEndian.Uint16(b[0:]) {
		return false
	}
	for i := 0; i < 8; i++ {
		x := F80{binary.LittleEndian.Uint64(a[28+10*i:]), binary.LittleEndian.Uint16(a[36+10*i:])}
		y := F80{binary.LittleEndian.Uint64(b[28+10*i:]), binary.LittleEndian.Uint16(b[36+10*i:])}
		if x == y {
			continue
		}
		if x.class() != clsNormal || y.class() != clsNormal {
			return false
		}
		// |x-y| <= 2^-48 |y| + 2^-62: the hardware reduces trigonometric
		// arguments with a 66-bit pi, which shows near the zeros.
		d, _ := f80Add(x, y, true, f80RndExt(0x037F))
		if d.class() != clsZero {
			de, _ := d.norm()
			ye, _ := y.norm()
			if de > ye-48 && de > f80Bias-62 {
				return false
			}
		}
	}
	// Tags: empty or not.
	ta, tb := binary.LittleEndian.Uint16(a[8:]), binary.LittleEndian.Uint16(b[8:])
	for p := 0; p < 8; p++ {
		if (ta>>(2*p)&3 == 3) != (tb>>(2*p)&3 == 3) {
			return false
		}
	}
	return math.Abs(0) == 0
}
