package cpu

// SSE/SSE2/SSE3/SSE4.1 float instructions: arithmetic, square root,
// min/max, compares, COMISS and friends, bitwise logic, the SSE3
// horizontal and alternating forms, DPPS/DPPD and ROUNDxx, and the
// reciprocal approximations.

import (
	"math"

	"golang.org/x/arch/x86/x86asm"
)

func init() {
	registerSSE(
		sseOp{x86asm.ADDPS, sfXX, opAddps}, sseOp{x86asm.ADDPD, sfXX, opAddpd},
		sseOp{x86asm.ADDSS, sfXX32, opAddss}, sseOp{x86asm.ADDSD, sfXX64, opAddsd},
		sseOp{x86asm.SUBPS, sfXX, opSubps}, sseOp{x86asm.SUBPD, sfXX, opSubpd},
		sseOp{x86asm.SUBSS, sfXX32, opSubss}, sseOp{x86asm.SUBSD, sfXX64, opSubsd},
		sseOp{x86asm.MULPS, sfXX, opMulps}, sseOp{x86asm.MULPD, sfXX, opMulpd},
		sseOp{x86asm.MULSS, sfXX32, opMulss}, sseOp{x86asm.MULSD, sfXX64, opMulsd},
		sseOp{x86asm.DIVPS, sfXX, opDivps}, sseOp{x86asm.DIVPD, sfXX, opDivpd},
		sseOp{x86asm.DIVSS, sfXX32, opDivss}, sseOp{x86asm.DIVSD, sfXX64, opDivsd},
		sseOp{x86asm.MINPS, sfXX, opMinps}, sseOp{x86asm.MINPD, sfXX, opMinpd},
		sseOp{x86asm.MINSS, sfXX32, opMinss}, sseOp{x86asm.MINSD, sfXX64, opMinsd},
		sseOp{x86asm.MAXPS, sfXX, opMaxps}, sseOp{x86asm.MAXPD, sfXX, opMaxpd},
		sseOp{x86asm.MAXSS, sfXX32, opMaxss}, sseOp{x86asm.MAXSD, sfXX64, opMaxsd},
		sseOp{x86asm.SQRTPS, sfXX, opSqrtps}, sseOp{x86asm.SQRTPD, sfXX, opSqrtpd},
		sseOp{x86asm.SQRTSS, sfXX32, opSqrtss}, sseOp{x86asm.SQRTSD, sfXX64, opSqrtsd},
		sseOp{x86asm.RCPPS, sfXX, opRcpps}, sseOp{x86asm.RCPSS, sfXX32, opRcpss},
		sseOp{x86asm.RSQRTPS, sfXX, opRsqrtps}, sseOp{x86asm.RSQRTSS, sfXX32, opRsqrtss},
		sseOp{x86asm.CMPPS, sfXXI, opCmpps}, sseOp{x86asm.CMPPD, sfXXI, opCmppd},
		sseOp{x86asm.CMPSS, sfXX32I, opCmpss}, sseOp{x86asm.CMPSD_XMM, sfXX64I, opCmpsd},
		sseOp{x86asm.COMISS, sfXX32, opComiss}, sseOp{x86asm.UCOMISS, sfXX32, opUcomiss},
		sseOp{x86asm.COMISD, sfXX64, opComisd}, sseOp{x86asm.UCOMISD, sfXX64, opUcomisd},
		sseOp{x86asm.ANDPS, sfXX, opXPand}, sseOp{x86asm.ANDPD, sfXX, opXPand},
		sseOp{x86asm.ANDNPS, sfXX, opXPandn}, sseOp{x86asm.ANDNPD, sfXX, opXPandn},
		sseOp{x86asm.ORPS, sfXX, opXPor}, sseOp{x86asm.ORPD, sfXX, opXPor},
		sseOp{x86asm.XORPS, sfXX, opXPxor}, sseOp{x86asm.XORPD, sfXX, opXPxor},
		// SSE3
		sseOp{x86asm.HADDPS, sfXX, opHaddps}, sseOp{x86asm.HADDPD, sfXX, opHaddpd},
		sseOp{x86asm.HSUBPS, sfXX, opHsubps}, sseOp{x86asm.HSUBPD, sfXX, opHsubpd},
		sseOp{x86asm.ADDSUBPS, sfXX, opAddsubps}, sseOp{x86asm.ADDSUBPD, sfXX, opAddsubpd},
		// SSE4.1
		sseOp{x86asm.DPPS, sfXXI, opDpps}, sseOp{x86asm.DPPD, sfXXI, opDppd},
		sseOp{x86asm.ROUNDPS, sfXXI, opRoundps}, sseOp{x86asm.ROUNDPD, sfXXI, opRoundpd},
		sseOp{x86asm.ROUNDSS, sfXX32I, opRoundss}, sseOp{x86asm.ROUNDSD, sfXX64I, opRoundsd},
	)
}

// Element operations with the signature the generic handlers take.
type (
	xop32 func(m, a, b uint32) (uint32, uint32)
	xop64 func(m uint32, a, b uint64) (uint64, uint32)
)

// xpacked32 applies op to the four single-precision elements of the
// destination and source.
func (c *CPU) xpacked32(in *inst, op xop32) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	m := c.MXCSR
	r0, f0 := op(m, uint32(d[0]), uint32(lo))
	r1, f1 := op(m, uint32(d[0]>>32), uint32(lo>>32))
	r2, f2 := op(m, uint32(d[1]), uint32(hi))
	r3, f3 := op(m, uint32(d[1]>>32), uint32(hi>>32))
	c.simdExc(f0 | f1 | f2 | f3)
	d[0] = uint64(r0) | uint64(r1)<<32
	d[1] = uint64(r2) | uint64(r3)<<32
}

func (c *CPU) xpacked64(in *inst, op xop64) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	m := c.MXCSR
	r0, f0 := op(m, d[0], lo)
	r1, f1 := op(m, d[1], hi)
	c.simdExc(f0 | f1)
	d[0], d[1] = r0, r1
}

// xscalar32 and xscalar64 operate on the low element; the others are kept.
func (c *CPU) xscalar32(in *inst, op xop32) {
	b := c.xsrc32(in)
	d := &c.X[in.d&15]
	r, fl := op(c.MXCSR, uint32(d[0]), b)
	c.simdExc(fl)
	d[0] = d[0]&^0xFFFFFFFF | uint64(r)
}

func (c *CPU) xscalar64(in *inst, op xop64) {
	b := c.xsrc64(in)
	d := &c.X[in.d&15]
	r, fl := op(c.MXCSR, d[0], b)
	c.simdExc(fl)
	d[0] = r
}

func opAddps(c *CPU, in *inst) { c.xpacked32(in, xadd32) }
func opAddpd(c *CPU, in *inst) { c.xpacked64(in, xadd64) }
func opAddss(c *CPU, in *inst) { c.xscalar32(in, xadd32) }
func opSubps(c *CPU, in *inst) { c.xpacked32(in, xsub32) }
func opSubpd(c *CPU, in *inst) { c.xpacked64(in, xsub64) }
func opSubss(c *CPU, in *inst) { c.xscalar32(in, xsub32) }
func opMulps(c *CPU, in *inst) { c.xpacked32(in, xmul32) }
func opMulpd(c *CPU, in *inst) { c.xpacked64(in, xmul64) }
func opMulss(c *CPU, in *inst) { c.xscalar32(in, xmul32) }
func opDivps(c *CPU, in *inst) { c.xpacked32(in, xdiv32) }
func opDivpd(c *CPU, in *inst) { c.xpacked64(in, xdiv64) }
func opDivss(c *CPU, in *inst) { c.xscalar32(in, xdiv32) }
func opMinps(c *CPU, in *inst) { c.xpacked32(in, xmin32) }
func opMinpd(c *CPU, in *inst) { c.xpacked64(in, xmin64) }
func opMinss(c *CPU, in *inst) { c.xscalar32(in, xmin32) }
func opMinsd(c *CPU, in *inst) { c.xscalar64(in, xmin64) }
func opMaxps(c *CPU, in *inst) { c.xpacked32(in, xmax32) }
func opMaxpd(c *CPU, in *inst) { c.xpacked64(in, xmax64) }
func opMaxss(c *CPU, in *inst) { c.xscalar32(in, xmax32) }
func opMaxsd(c *CPU, in *inst) { c.xscalar64(in, xmax64) }

// The scalar double operations are what C and Go code mostly use; they
// are written out so that the fast path is inlined.

func opAddsd(c *CPU, in *inst) {
	b := c.xsrc64(in)
	d := &c.X[in.d&15]
	r, fl := xadd64(c.MXCSR, d[0], b)
	if fl != 0 {
		c.simdExcSlow(fl)
	}
	d[0] = r
}

func opSubsd(c *CPU, in *inst) {
	b := c.xsrc64(in)
	d := &c.X[in.d&15]
	r, fl := xsub64(c.MXCSR, d[0], b)
	if fl != 0 {
		c.simdExcSlow(fl)
	}
	d[0] = r
}

func opMulsd(c *CPU, in *inst) {
	b := c.xsrc64(in)
	d := &c.X[in.d&15]
	r, fl := xmul64(c.MXCSR, d[0], b)
	if fl != 0 {
		c.simdExcSlow(fl)
	}
	d[0] = r
}

func opDivsd(c *CPU, in *inst) {
	b := c.xsrc64(in)
	d := &c.X[in.d&15]
	r, fl := xdiv64(c.MXCSR, d[0], b)
	if fl != 0 {
		c.simdExcSlow(fl)
	}
	d[0] = r
}

// Square roots take one operand: the source.
func opSqrtps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	m := c.MXCSR
	r0, f0 := xsqrt32(m, uint32(lo))
	r1, f1 := xsqrt32(m, uint32(lo>>32))
	r2, f2 := xsqrt32(m, uint32(hi))
	r3, f3 := xsqrt32(m, uint32(hi>>32))
	c.simdExc(f0 | f1 | f2 | f3)
	d := &c.X[in.d&15]
	d[0] = uint64(r0) | uint64(r1)<<32
	d[1] = uint64(r2) | uint64(r3)<<32
}

func opSqrtpd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	m := c.MXCSR
	r0, f0 := xsqrt64(m, lo)
	r1, f1 := xsqrt64(m, hi)
	c.simdExc(f0 | f1)
	d := &c.X[in.d&15]
	d[0], d[1] = r0, r1
}

func opSqrtss(c *CPU, in *inst) {
	r, fl := xsqrt32(c.MXCSR, c.xsrc32(in))
	c.simdExc(fl)
	d := &c.X[in.d&15]
	d[0] = d[0]&^0xFFFFFFFF | uint64(r)
}

func opSqrtsd(c *CPU, in *inst) {
	r, fl := xsqrt64(c.MXCSR, c.xsrc64(in))
	c.simdExc(fl)
	c.X[in.d&15][0] = r
}

// RCPPS and RSQRTPS return approximations with a relative error of at
// most 1.5×2^-12 (SDM: RCPPS). Processors compute them from tables that
// differ between vendors and generations and are not published; 9emu
// returns the exact value rounded to 12 fraction bits, which is within
// the bound. The special cases follow the SDM: a zero or denormal gives
// an infinity of the same sign, an infinity a zero, a result below the
// normal range is flushed to zero, a NaN is made quiet, and RSQRT of a
// negative number is the default NaN. Neither raises any exception.
func xrcp32(a uint32) uint32 {
	switch {
	case xisNaN32(a):
		return a | xqnan32
	case a&xexp32Mask == 0:
		return a&xsign32 | xexp32Mask
	case a&^xsign32 == xexp32Mask:
		return a & xsign32
	}
	r := 1 / float64(math.Float32frombits(a))
	return xapprox12(a&xsign32, r)
}

func xrsqrt32(a uint32) uint32 {
	switch {
	case xisNaN32(a):
		return a | xqnan32
	case a&xexp32Mask == 0:
		return a&xsign32 | xexp32Mask
	case a&xsign32 != 0:
		return uint32(xfmt32.defaultNaN())
	case a == xexp32Mask:
		return 0
	}
	r := 1 / math.Sqrt(float64(math.Float32frombits(a)))
	return xapprox12(0, r)
}

// xapprox12 rounds |r| to 12 fraction bits as a float32, flushing results
// below the normal range to zero.
func xapprox12(sign uint32, r float64) uint32 {
	b := math.Float64bits(math.Abs(r))
	b = (b + 1<<40) &^ (1<<41 - 1)
	f := math.Float64frombits(b)
	if f < 0x1p-126 {
		return sign
	}
	return sign | math.Float32bits(float32(f))
}

func opRcpps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = uint64(xrcp32(uint32(lo))) | uint64(xrcp32(uint32(lo>>32)))<<32
	d[1] = uint64(xrcp32(uint32(hi))) | uint64(xrcp32(uint32(hi>>32)))<<32
}

func opRcpss(c *CPU, in *inst) {
	d := &c.X[in.d&15]
	d[0] = d[0]&^0xFFFFFFFF | uint64(xrcp32(c.xsrc32(in)))
}

func opRsqrtps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = uint64(xrsqrt32(uint32(lo))) | uint64(xrsqrt32(uint32(lo>>32)))<<32
	d[1] = uint64(xrsqrt32(uint32(hi))) | uint64(xrsqrt32(uint32(hi>>32)))<<32
}

func opRsqrtss(c *CPU, in *inst) {
	d := &c.X[in.d&15]
	d[0] = d[0]&^0xFFFFFFFF | uint64(xrsqrt32(c.xsrc32(in)))
}

// Compares: an all-ones or all-zeros element per predicate (imm8 bits
// 0-2; legacy SSE ignores the other bits).

func xmask32(b bool) uint64 {
	if b {
		return 0xFFFFFFFF
	}
	return 0
}

func xmask64(b bool) uint64 {
	if b {
		return ^uint64(0)
	}
	return 0
}

func opCmpps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	m, p := c.MXCSR, uint8(in.imm&7)
	r0, f0 := xcmp32(m, uint32(d[0]), uint32(lo), p)
	r1, f1 := xcmp32(m, uint32(d[0]>>32), uint32(lo>>32), p)
	r2, f2 := xcmp32(m, uint32(d[1]), uint32(hi), p)
	r3, f3 := xcmp32(m, uint32(d[1]>>32), uint32(hi>>32), p)
	c.simdExc(f0 | f1 | f2 | f3)
	d[0] = xmask32(r0) | xmask32(r1)<<32
	d[1] = xmask32(r2) | xmask32(r3)<<32
}

func opCmppd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	m, p := c.MXCSR, uint8(in.imm&7)
	r0, f0 := xcmp64(m, d[0], lo, p)
	r1, f1 := xcmp64(m, d[1], hi, p)
	c.simdExc(f0 | f1)
	d[0], d[1] = xmask64(r0), xmask64(r1)
}

func opCmpss(c *CPU, in *inst) {
	b := c.xsrc32(in)
	d := &c.X[in.d&15]
	r, fl := xcmp32(c.MXCSR, uint32(d[0]), b, uint8(in.imm&7))
	c.simdExc(fl)
	d[0] = d[0]&^0xFFFFFFFF | xmask32(r)
}

func opCmpsd(c *CPU, in *inst) {
	b := c.xsrc64(in)
	d := &c.X[in.d&15]
	r, fl := xcmp64(c.MXCSR, d[0], b, uint8(in.imm&7))
	c.simdExc(fl)
	d[0] = xmask64(r)
}

// COMISS/UCOMISS and the SD forms set ZF, PF and CF (unordered 111,
// less 001, equal 100, greater 000) and clear OF, SF and AF. COMIS
// signals invalid for any NaN, UCOMIS only for an SNaN. On an unmasked
// exception EFLAGS are left unchanged.
func (c *CPU) xcomiFlags(unord, lt, eq bool) {
	f := c.flags &^ flagsArith
	switch {
	case unord:
		f |= FlagZF | FlagPF | FlagCF
	case lt:
		f |= FlagCF
	case eq:
		f |= FlagZF
	}
	c.lz = lzNone
	c.flags = f
}

func xcomi64(m uint32, a, b uint64, quiet bool) (unord, lt, eq bool, fl uint32) {
	if xisNaN64(a) || xisNaN64(b) {
		if !quiet || a&xqnan64 == 0 && xisNaN64(a) || b&xqnan64 == 0 && xisNaN64(b) {
			fl = mxIE
		}
		return true, false, false, fl
	}
	a, fa := xdaz64(m, a)
	b, fb := xdaz64(m, b)
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	return false, x < y, x == y, fa | fb
}

func xcomi32(m uint32, a, b uint32, quiet bool) (unord, lt, eq bool, fl uint32) {
	if xisNaN32(a) || xisNaN32(b) {
		if !quiet || a&xqnan32 == 0 && xisNaN32(a) || b&xqnan32 == 0 && xisNaN32(b) {
			fl = mxIE
		}
		return true, false, false, fl
	}
	a, fa := xdaz32(m, a)
	b, fb := xdaz32(m, b)
	x, y := math.Float32frombits(a), math.Float32frombits(b)
	return false, x < y, x == y, fa | fb
}

func opComiss(c *CPU, in *inst) {
	u, lt, eq, fl := xcomi32(c.MXCSR, uint32(c.X[in.d&15][0]), c.xsrc32(in), false)
	c.simdExc(fl)
	c.xcomiFlags(u, lt, eq)
}

func opUcomiss(c *CPU, in *inst) {
	u, lt, eq, fl := xcomi32(c.MXCSR, uint32(c.X[in.d&15][0]), c.xsrc32(in), true)
	c.simdExc(fl)
	c.xcomiFlags(u, lt, eq)
}

func opComisd(c *CPU, in *inst) {
	u, lt, eq, fl := xcomi64(c.MXCSR, c.X[in.d&15][0], c.xsrc64(in), false)
	c.simdExc(fl)
	c.xcomiFlags(u, lt, eq)
}

func opUcomisd(c *CPU, in *inst) {
	u, lt, eq, fl := xcomi64(c.MXCSR, c.X[in.d&15][0], c.xsrc64(in), true)
	c.simdExc(fl)
	c.xcomiFlags(u, lt, eq)
}

// Bitwise logic, shared by the PS, PD and integer forms.

func opXPand(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] &= lo
	d[1] &= hi
}

func opXPandn(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = ^d[0] & lo
	d[1] = ^d[1] & hi
}

func opXPor(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] |= lo
	d[1] |= hi
}

func opXPxor(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] ^= lo
	d[1] ^= hi
}

// SSE3: horizontal and alternating add/subtract. HADDPS gives
// (a0+a1, a2+a3, b0+b1, b2+b3) for destination a and source b.

func opHaddps(c *CPU, in *inst) { c.xhoriz32(in, xadd32) }
func opHsubps(c *CPU, in *inst) { c.xhoriz32(in, xsub32) }
func opHaddpd(c *CPU, in *inst) { c.xhoriz64(in, xadd64) }
func opHsubpd(c *CPU, in *inst) { c.xhoriz64(in, xsub64) }

func (c *CPU) xhoriz32(in *inst, op xop32) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	m := c.MXCSR
	r0, f0 := op(m, uint32(d[0]), uint32(d[0]>>32))
	r1, f1 := op(m, uint32(d[1]), uint32(d[1]>>32))
	r2, f2 := op(m, uint32(lo), uint32(lo>>32))
	r3, f3 := op(m, uint32(hi), uint32(hi>>32))
	c.simdExc(f0 | f1 | f2 | f3)
	d[0] = uint64(r0) | uint64(r1)<<32
	d[1] = uint64(r2) | uint64(r3)<<32
}

func (c *CPU) xhoriz64(in *inst, op xop64) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	m := c.MXCSR
	r0, f0 := op(m, d[0], d[1])
	r1, f1 := op(m, lo, hi)
	c.simdExc(f0 | f1)
	d[0], d[1] = r0, r1
}

// ADDSUBPS subtracts in the even elements and adds in the odd ones.
func opAddsubps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	m := c.MXCSR
	r0, f0 := xsub32(m, uint32(d[0]), uint32(lo))
	r1, f1 := xadd32(m, uint32(d[0]>>32), uint32(lo>>32))
	r2, f2 := xsub32(m, uint32(d[1]), uint32(hi))
	r3, f3 := xadd32(m, uint32(d[1]>>32), uint32(hi>>32))
	c.simdExc(f0 | f1 | f2 | f3)
	d[0] = uint64(r0) | uint64(r1)<<32
	d[1] = uint64(r2) | uint64(r3)<<32
}

func opAddsubpd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	m := c.MXCSR
	r0, f0 := xsub64(m, d[0], lo)
	r1, f1 := xadd64(m, d[1], hi)
	c.simdExc(f0 | f1)
	d[0], d[1] = r0, r1
}

// DPPS: the products selected by imm8 bits 4-7 (others +0.0), summed as
// (p0+p1)+(p2+p3), each step rounded, stored in the elements selected by
// bits 0-3 (others +0.0) (SDM: DPPS). The multiplies, the first two adds
// and the last add are three operations in a row as far as exceptions go:
// each one's flags are merged (and may trap) before the next one runs,
// so an unmasked exception in a product stops the sums, and a denormal
// product is a denormal operand of the add.
func opDpps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	m, imm := c.MXCSR, uint8(in.imm)
	a := [4]uint32{uint32(d[0]), uint32(d[0] >> 32), uint32(d[1]), uint32(d[1] >> 32)}
	b := [4]uint32{uint32(lo), uint32(lo >> 32), uint32(hi), uint32(hi >> 32)}
	var p [4]uint32
	var fl uint32
	for i := range 4 {
		if imm>>(4+i)&1 != 0 {
			r, f := xmul32(m, a[i], b[i])
			p[i] = r
			fl |= f
		}
	}
	c.simdExc(fl)
	t1, f1 := xadd32(m, p[0], p[1])
	t2, f2 := xadd32(m, p[2], p[3])
	c.simdExc(f1 | f2)
	s, f3 := xadd32(m, t1, t2)
	c.simdExc(f3)
	var r [4]uint64
	for i := range 4 {
		if imm>>i&1 != 0 {
			r[i] = uint64(s)
		}
	}
	d[0] = r[0] | r[1]<<32
	d[1] = r[2] | r[3]<<32
}

// DPPD: the same for two double elements (imm8 bits 4-5 and 0-1).
func opDppd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	m, imm := c.MXCSR, uint8(in.imm)
	var p0, p1 uint64
	var fl uint32
	if imm&0x10 != 0 {
		p0, fl = xmul64(m, d[0], lo)
	}
	if imm&0x20 != 0 {
		var f uint32
		p1, f = xmul64(m, d[1], hi)
		fl |= f
	}
	c.simdExc(fl)
	s, f := xadd64(m, p0, p1)
	c.simdExc(f)
	d[0], d[1] = 0, 0
	if imm&1 != 0 {
		d[0] = s
	}
	if imm&2 != 0 {
		d[1] = s
	}
}

// ROUNDxx rounds to an integral value: imm8 bits 0-1 are the rounding
// mode unless bit 2 says to use MXCSR.RC; bit 3 suppresses the precision
// exception. An SNaN raises invalid (SDM: ROUNDPS).
func xroundRC(m uint32, imm uint8) uint32 {
	if imm&4 != 0 {
		return m & mxRC
	}
	return uint32(imm&3) << 13
}

func xroundF(x float64, rc uint32) float64 {
	switch rc {
	case mxRN:
		return math.RoundToEven(x)
	case mxRD:
		return math.Floor(x)
	case mxRU:
		return math.Ceil(x)
	}
	return math.Trunc(x)
}

func xround64(m uint32, a uint64, imm uint8) (uint64, uint32) {
	if xisNaN64(a) {
		if a&xqnan64 == 0 {
			return a | xqnan64, mxIE
		}
		return a, 0
	}
	if !xnotDenorm64(a) && m&mxDAZ != 0 {
		a &= xsign64
	}
	x := math.Float64frombits(a)
	r := xroundF(x, xroundRC(m, imm))
	if r != x && imm&8 == 0 {
		return math.Float64bits(r), mxPE
	}
	return math.Float64bits(r), 0
}

func xround32(m uint32, a uint32, imm uint8) (uint32, uint32) {
	if xisNaN32(a) {
		if a&xqnan32 == 0 {
			return a | xqnan32, mxIE
		}
		return a, 0
	}
	if !xnotDenorm32(a) && m&mxDAZ != 0 {
		a &= xsign32
	}
	x := float64(math.Float32frombits(a))
	r := xroundF(x, xroundRC(m, imm))
	if r != x && imm&8 == 0 {
		return math.Float32bits(float32(r)), mxPE
	}
	return math.Float32bits(float32(r)), 0
}

func opRoundps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	m, imm := c.MXCSR, uint8(in.imm)
	r0, f0 := xround32(m, uint32(lo), imm)
	r1, f1 := xround32(m, uint32(lo>>32), imm)
	r2, f2 := xround32(m, uint32(hi), imm)
	r3, f3 := xround32(m, uint32(hi>>32), imm)
	c.simdExc(f0 | f1 | f2 | f3)
	d := &c.X[in.d&15]
	d[0] = uint64(r0) | uint64(r1)<<32
	d[1] = uint64(r2) | uint64(r3)<<32
}

func opRoundpd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	m, imm := c.MXCSR, uint8(in.imm)
	r0, f0 := xround64(m, lo, imm)
	r1, f1 := xround64(m, hi, imm)
	c.simdExc(f0 | f1)
	d := &c.X[in.d&15]
	d[0], d[1] = r0, r1
}

func opRoundss(c *CPU, in *inst) {
	r, fl := xround32(c.MXCSR, c.xsrc32(in), uint8(in.imm))
	c.simdExc(fl)
	d := &c.X[in.d&15]
	d[0] = d[0]&^0xFFFFFFFF | uint64(r)
}

func opRoundsd(c *CPU, in *inst) {
	r, fl := xround64(c.MXCSR, c.xsrc64(in), uint8(in.imm))
	c.simdExc(fl)
	c.X[in.d&15][0] = r
}
