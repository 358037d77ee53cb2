package cpu

// SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 on the XMM registers.
//
// The files:
//
//	sse.go        MXCSR, SIMD exceptions, operand access, lowering tables
//	sse_soft.go   exact IEEE arithmetic for the slow paths (any rounding
//	              mode, FTZ, DAZ, denormals, exact exception flags)
//	sse_fp.go     per-element float operations: a fast path in plain Go
//	              float arithmetic and the dispatch to sse_soft.go
//	sse_arith.go  float instructions: arithmetic, compares, min/max, logic
//	sse_conv.go   conversions between floats and integers
//	sse_move.go   moves, loads and stores, MOVMSK, LDMXCSR/STMXCSR
//	sse_shuf.go   shuffles, unpacks, inserts and extracts, blends
//	sse_int.go    packed integer arithmetic, compares and shifts
//	sse_str.go    SSE4.2: PCMPxSTRx, CRC32
//	sse_aes.go    AES-NI and PCLMULQDQ
//
// Operations that x86asm decodes with one Op for an MMX and an XMM form
// (PADDD mm, mm/m64 and PADDD xmm, xmm/m128) are registered here; when an
// operand is an MM register the lowering is handed to lowerMMX (mmx.go).
// The conversions and moves between XMM and MM registers (CVTPI2PS,
// MOVQ2DQ...) are implemented here with mmx.go's helpers.
//
// The floating-point semantics (rounding, FTZ, DAZ, NaN propagation, the
// exception flags and their priorities, masked and unmasked) are checked
// instruction by instruction against the host CPU by
// ssehost_linux_amd64_test.go; testdata/sse_golden.txt carries
// hardware-computed cases for every form to hosts that cannot run it.
// Where the SDM is vague the hardware decided, for instance: an unmasked
// overflow or underflow traps with PE only if the result rounded with an
// unbounded exponent is inexact; invalid and divide-by-zero hide a
// denormal operand; MINSD/MAXSD return a DAZ-flushed source; DPPS and
// DPPD take their exceptions multiply stage by add stage.

import (
	"golang.org/x/arch/x86/x86asm"
)

// MXCSR bits (SDM vol. 1, 10.2.3).
const (
	mxIE  = 1 << 0 // invalid operation
	mxDE  = 1 << 1 // denormal operand
	mxZE  = 1 << 2 // divide by zero
	mxOE  = 1 << 3 // overflow
	mxUE  = 1 << 4 // underflow
	mxPE  = 1 << 5 // precision (inexact)
	mxDAZ = 1 << 6 // denormals are zero
	mxIM  = 1 << 7 // exception masks: the flag bit << 7
	mxPM  = 1 << 12
	mxRC  = 3 << 13 // rounding control
	mxFTZ = 1 << 15 // flush to zero

	mxFlags = 0x3F
	mxPre   = mxIE | mxDE | mxZE // pre-computation exceptions
	mxRN    = 0 << 13
	mxRD    = 1 << 13
	mxRU    = 2 << 13
	mxRZ    = 3 << 13

	// mxcsrValid are the bits LDMXCSR accepts; setting any other bit is
	// a general-protection fault (the MXCSR_MASK of an Intel CPU with
	// DAZ is 0xFFFF).
	mxcsrValid = 0xFFFF

	// mxPESticky: when PE is already set and masked, whether an operation
	// is exact cannot change MXCSR, so the fast paths skip that test.
	mxPESticky = mxPE | mxPM
)

// simdExc merges the exception flags raised by one instruction into MXCSR
// and traps if any of them is unmasked, as the SDM (vol. 1, 11.5.3)
// orders it: pre-computation exceptions (invalid, denormal, divide by
// zero) of all elements are looked at first; if one is unmasked, only
// those flags are set and the instruction traps without computing.
// Otherwise the post-computation flags (overflow, underflow, precision)
// are added and an unmasked one traps. The destination is written by the
// caller only after simdExc returns.
func (c *CPU) simdExc(fl uint32) {
	if fl != 0 {
		c.simdExcSlow(fl)
	}
}

func (c *CPU) simdExcSlow(fl uint32) {
	unmasked := ^(c.MXCSR >> 7) & mxFlags
	if pre := fl & mxPre; pre&unmasked != 0 {
		c.MXCSR |= pre
		c.simdTrap()
	}
	c.MXCSR |= fl
	if fl&unmasked != 0 {
		c.simdTrap()
	}
}

// simdTrap raises #XM (vector 19) for the current instruction.
func (c *CPU) simdTrap() {
	c.Fault = Fault{Trap: TrapSIMD, FPStatus: c.MXCSR & mxFlags, FPPC: c.pcOf()}
	c.raise(ExitTrap)
}

// xgpFault raises #GP(0): misaligned 16-byte SSE operands, reserved MXCSR
// bits.
func (c *CPU) xgpFault() {
	c.Fault = Fault{Trap: TrapGP}
	c.raise(ExitTrap)
}

// in.aux2 bits for SSE instructions.
const (
	sseAlign = 1 << 0 // the 16-byte memory operand must be 16-byte aligned
)

// xsrc returns the 128-bit source operand: XMM register in.s, or memory
// (aligned if the instruction requires it).
func (c *CPU) xsrc(in *inst) (lo, hi uint64) {
	if in.flags&iMem == 0 {
		x := &c.X[in.s&15]
		return x[0], x[1]
	}
	return c.xload(in)
}

// xload reads the 16-byte memory operand.
func (c *CPU) xload(in *inst) (lo, hi uint64) {
	a := c.ea(in)
	if in.aux2&sseAlign != 0 && a&15 != 0 {
		c.xgpFault()
	}
	return c.rd128(a)
}

// xstore writes the 16-byte memory operand.
func (c *CPU) xstore(in *inst, lo, hi uint64) {
	a := c.ea(in)
	if in.aux2&sseAlign != 0 && a&15 != 0 {
		c.xgpFault()
	}
	c.wr128(a, lo, hi)
}

// xsrc64 returns the low quadword of XMM register in.s or the 64-bit
// memory operand.
func (c *CPU) xsrc64(in *inst) uint64 {
	if in.flags&iMem == 0 {
		return c.X[in.s&15][0]
	}
	return c.rd64(c.ea(in))
}

// xsrc32 returns the low doubleword of XMM register in.s or the 32-bit
// memory operand.
func (c *CPU) xsrc32(in *inst) uint32 {
	if in.flags&iMem == 0 {
		return uint32(c.X[in.s&15][0])
	}
	return c.rd32(c.ea(in))
}

// xsrc16 returns the low word of XMM register in.s or the 16-bit memory
// operand.
func (c *CPU) xsrc16(in *inst) uint16 {
	if in.flags&iMem == 0 {
		return uint16(c.X[in.s&15][0])
	}
	return c.rd16(c.ea(in))
}

// Lowering.

// Operand forms of the table-driven SSE instructions. The destination
// is always an XMM register (in.d); the source is an XMM register (in.s)
// or memory of the size the form names, which the handler reads with
// xsrc, xsrc64, xsrc32 or xsrc16. "I" forms take an imm8 (in.imm).
const (
	sfXX    = iota // xmm, xmm/m128, aligned memory (#GP otherwise)
	sfXX64         // xmm, xmm/m64
	sfXX32         // xmm, xmm/m32
	sfXX16         // xmm, xmm/m16
	sfXXI          // xmm, xmm/m128 (aligned), imm8
	sfXXUI         // xmm, xmm/m128 (any alignment), imm8
	sfXX64I        // xmm, xmm/m64, imm8
	sfXX32I        // xmm, xmm/m32, imm8
	sfXI           // xmm, imm8
	sfXX0          // xmm, xmm/m128 (aligned), <XMM0>: BLENDVPS & co.
)

// sseOp describes one table-driven operation.
type sseOp struct {
	op   x86asm.Op
	form uint8
	fn   handler
}

// lowerSSE lowers the table-driven operations (see sseTable).
func lowerSSE(l *lw) bool {
	if sseHasMM(l) {
		return lowerMMX(l)
	}
	e, ok := sseTable[l.x.Op]
	if !ok {
		return false
	}
	return lowerSSEForm(l, e.form, e.fn)
}

// sseHasMM reports whether any operand is an MM register.
func sseHasMM(l *lw) bool {
	for i := 0; i < l.nargs(); i++ {
		if _, ok := l.mmx(i); ok {
			return true
		}
	}
	return false
}

func lowerSSEForm(l *lw, form uint8, fn handler) bool {
	in := &l.in
	want := 2
	switch form {
	case sfXXI, sfXXUI, sfXX64I, sfXX32I, sfXX0:
		want = 3
	}
	if l.nargs() != want {
		return false
	}
	d, ok := l.xmm(0)
	if !ok {
		return false
	}
	in.d = d
	switch {
	case form == sfXI:
		v, ok := l.imm(1, 1)
		if !ok {
			return false
		}
		in.imm, in.fn = v, fn
		return true
	case form == sfXX0:
		// x86asm lists the implicit XMM0 as the third operand.
		if r, ok := l.arg(2).(x86asm.Reg); !ok || r != x86asm.X0 {
			return false
		}
	case want == 3:
		v, ok := l.imm(2, 1)
		if !ok {
			return false
		}
		in.imm = v
	}
	if s, ok := l.xmm(1); ok {
		in.s = s
	} else {
		if !l.mem(1) {
			return false
		}
		if form == sfXX || form == sfXXI || form == sfXX0 {
			in.aux2 |= sseAlign
		}
	}
	in.fn = fn
	return true
}

// sseTable holds the table-driven operations; it is filled by the init
// functions of the sse files and read-only afterwards.
var sseTable = map[x86asm.Op]sseOp{}

// registerSSE adds table-driven operations.
func registerSSE(ops ...sseOp) {
	for _, o := range ops {
		if _, dup := sseTable[o.op]; dup {
			panic("cpu: duplicate SSE table entry for " + o.op.String())
		}
		sseTable[o.op] = o
		register(lowerSSE, o.op)
	}
}
