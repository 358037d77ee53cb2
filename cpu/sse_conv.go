package cpu

// SSE/SSE2 conversions: integer to float (CVTSI2SS/SD, CVTDQ2PS/PD,
// CVTPI2PS/PD from memory), float to integer (CVT(T)SS2SI, CVT(T)SD2SI,
// CVT(T)PS2DQ, CVT(T)PD2DQ), and between single and double precision.
// The forms with an MM register operand belong to mmx.go.

import (
	"math"

	"golang.org/x/arch/x86/x86asm"
)

func init() {
	register(lowerXCvtI2F, x86asm.CVTSI2SS, x86asm.CVTSI2SD)
	register(lowerXCvtF2I, x86asm.CVTSS2SI, x86asm.CVTTSS2SI, x86asm.CVTSD2SI, x86asm.CVTTSD2SI)
	registerSSE(
		sseOp{x86asm.CVTSS2SD, sfXX32, opCvtss2sd}, sseOp{x86asm.CVTSD2SS, sfXX64, opCvtsd2ss},
		sseOp{x86asm.CVTPS2PD, sfXX64, opCvtps2pd}, sseOp{x86asm.CVTPD2PS, sfXX, opCvtpd2ps},
		sseOp{x86asm.CVTDQ2PS, sfXX, opCvtdq2ps}, sseOp{x86asm.CVTDQ2PD, sfXX64, opCvtdq2pd},
		sseOp{x86asm.CVTPS2DQ, sfXX, opCvtps2dq}, sseOp{x86asm.CVTTPS2DQ, sfXX, opCvttps2dq},
		sseOp{x86asm.CVTPD2DQ, sfXX, opCvtpd2dq}, sseOp{x86asm.CVTTPD2DQ, sfXX, opCvttpd2dq},
	)
	register(lowerSSEMMX, x86asm.CVTPI2PS, x86asm.CVTPI2PD, x86asm.CVTPS2PI, x86asm.CVTTPS2PI,
		x86asm.CVTPD2PI, x86asm.CVTTPD2PI, x86asm.MOVQ2DQ, x86asm.MOVDQ2Q)
}

// lowerXCvtI2F: CVTSI2SS/SD xmm, r/m32 or r/m64. in.s is the general
// register, in.size the integer's size.
func lowerXCvtI2F(l *lw) bool {
	if l.nargs() != 2 {
		return false
	}
	d, ok := l.xmm(0)
	if !ok {
		return false
	}
	l.in.d = d
	if s, sz, ok := l.reg(1); ok {
		if sz < 4 {
			return false
		}
		l.in.s, l.in.size = s, sz
	} else if l.mem(1) {
		l.in.size = uint8(l.x.MemBytes)
	} else {
		return false
	}
	if l.in.size != 4 && l.in.size != 8 {
		return false
	}
	if l.x.Op == x86asm.CVTSI2SS {
		l.in.fn = opCvtsi2ss
	} else {
		l.in.fn = opCvtsi2sd
	}
	return true
}

// lowerXCvtF2I: CVT(T)SS2SI/CVT(T)SD2SI r32/r64, xmm/m. in.d is the
// general register, in.size its size.
func lowerXCvtF2I(l *lw) bool {
	if l.nargs() != 2 {
		return false
	}
	d, sz, ok := l.reg(0)
	if !ok || sz < 4 {
		return false
	}
	l.in.d, l.in.size = d, sz
	if s, ok := l.xmm(1); ok {
		l.in.s = s
	} else if !l.mem(1) {
		return false
	}
	switch l.x.Op {
	case x86asm.CVTSS2SI:
		l.in.fn = opCvtss2si
	case x86asm.CVTTSS2SI:
		l.in.fn = opCvttss2si
	case x86asm.CVTSD2SI:
		l.in.fn = opCvtsd2si
	case x86asm.CVTTSD2SI:
		l.in.fn = opCvttsd2si
	}
	return true
}

// xintSrc returns the signed integer source of CVTSI2SS/SD.
func (c *CPU) xintSrc(in *inst) int64 {
	var v uint64
	if in.flags&iMem != 0 {
		v = c.rdN(c.ea(in), in.size)
	} else {
		v = c.R[in.s&15]
	}
	if in.size == 4 {
		return int64(int32(v))
	}
	return int64(v)
}

// xcvtI2F64 converts an integer; those of at most 53 bits are exact.
func xcvtI2F64(m uint32, v int64) (uint64, uint32) {
	if v >= -1<<53 && v <= 1<<53 {
		return math.Float64bits(float64(v)), 0
	}
	return xsoftCvtFromInt(xfmt64, m, v)
}

func xcvtI2F32(m uint32, v int64) (uint32, uint32) {
	if v >= -1<<24 && v <= 1<<24 {
		return math.Float32bits(float32(v)), 0
	}
	r, fl := xsoftCvtFromInt(xfmt32, m, v)
	return uint32(r), fl
}

func opCvtsi2sd(c *CPU, in *inst) {
	r, fl := xcvtI2F64(c.MXCSR, c.xintSrc(in))
	c.simdExc(fl)
	c.X[in.d&15][0] = r
}

func opCvtsi2ss(c *CPU, in *inst) {
	r, fl := xcvtI2F32(c.MXCSR, c.xintSrc(in))
	c.simdExc(fl)
	d := &c.X[in.d&15]
	d[0] = d[0]&^0xFFFFFFFF | uint64(r)
}

// xcvtF64toI converts to an integer of size bytes, truncating or rounding
// per MXCSR; numbers well inside the int32 range with round to nearest
// or truncation take Go's conversion.
func xcvtF64toI(m uint32, a uint64, size uint8, trunc bool) (uint64, uint32) {
	x := math.Float64frombits(a)
	if (trunc || m&mxRC == mxRN) && math.Abs(x) < 1<<31-1 && xnotDenorm64(a) {
		var r float64
		if trunc {
			r = math.Trunc(x)
		} else {
			r = math.RoundToEven(x)
		}
		v := uint64(int64(r)) & sizeMask(size)
		if r != x {
			return v, mxPE
		}
		return v, 0
	}
	return xsoftCvtI(xfmt64, m, a, size, trunc)
}

func xcvtF32toI(m uint32, a uint32, size uint8, trunc bool) (uint64, uint32) {
	if xnotDenorm32(a) && !xisNaN32(a) {
		// float32 to float64 is exact; the rest is the same.
		x := float64(math.Float32frombits(a))
		if (trunc || m&mxRC == mxRN) && math.Abs(x) < 1<<31-1 {
			var r float64
			if trunc {
				r = math.Trunc(x)
			} else {
				r = math.RoundToEven(x)
			}
			v := uint64(int64(r)) & sizeMask(size)
			if r != x {
				return v, mxPE
			}
			return v, 0
		}
	}
	return xsoftCvtI(xfmt32, m, uint64(a), size, trunc)
}

func (c *CPU) xcvtToGPR(in *inst, v uint64, fl uint32) {
	c.simdExc(fl)
	c.R[in.d&15] = v
}

func opCvtsd2si(c *CPU, in *inst) {
	v, fl := xcvtF64toI(c.MXCSR, c.xsrc64(in), in.size, false)
	c.xcvtToGPR(in, v, fl)
}

func opCvttsd2si(c *CPU, in *inst) {
	v, fl := xcvtF64toI(c.MXCSR, c.xsrc64(in), in.size, true)
	c.xcvtToGPR(in, v, fl)
}

func opCvtss2si(c *CPU, in *inst) {
	v, fl := xcvtF32toI(c.MXCSR, c.xsrc32(in), in.size, false)
	c.xcvtToGPR(in, v, fl)
}

func opCvttss2si(c *CPU, in *inst) {
	v, fl := xcvtF32toI(c.MXCSR, c.xsrc32(in), in.size, true)
	c.xcvtToGPR(in, v, fl)
}

// xcvtS2D widens a float; only NaNs and denormals need care.
func xcvtS2D(m uint32, a uint32) (uint64, uint32) {
	if xexp32(a)-1 < 0xFE {
		return math.Float64bits(float64(math.Float32frombits(a))), 0
	}
	return xsoftCvtF(xfmt32, xfmt64, m, uint64(a))
}

// xcvtD2S narrows a double; a normal result with round to nearest is
// Go's conversion, inexact when it does not convert back.
func xcvtD2S(m uint32, a uint64) (uint32, uint32) {
	if m&mxRC == mxRN {
		x := math.Float64frombits(a)
		r := float32(x)
		rb := math.Float32bits(r)
		if xexp32(rb)-2 < 0xFF-2 {
			if m&mxPESticky == mxPESticky || float64(r) == x {
				return rb, 0
			}
			return rb, mxPE
		}
	}
	r, fl := xsoftCvtF(xfmt64, xfmt32, m, a)
	return uint32(r), fl
}

func opCvtss2sd(c *CPU, in *inst) {
	r, fl := xcvtS2D(c.MXCSR, c.xsrc32(in))
	c.simdExc(fl)
	c.X[in.d&15][0] = r
}

func opCvtsd2ss(c *CPU, in *inst) {
	r, fl := xcvtD2S(c.MXCSR, c.xsrc64(in))
	c.simdExc(fl)
	d := &c.X[in.d&15]
	d[0] = d[0]&^0xFFFFFFFF | uint64(r)
}

func opCvtps2pd(c *CPU, in *inst) {
	s := c.xsrc64(in)
	m := c.MXCSR
	r0, f0 := xcvtS2D(m, uint32(s))
	r1, f1 := xcvtS2D(m, uint32(s>>32))
	c.simdExc(f0 | f1)
	d := &c.X[in.d&15]
	d[0], d[1] = r0, r1
}

func opCvtpd2ps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	m := c.MXCSR
	r0, f0 := xcvtD2S(m, lo)
	r1, f1 := xcvtD2S(m, hi)
	c.simdExc(f0 | f1)
	d := &c.X[in.d&15]
	d[0], d[1] = uint64(r0)|uint64(r1)<<32, 0
}

func opCvtdq2ps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	m := c.MXCSR
	r0, f0 := xcvtI2F32(m, int64(int32(lo)))
	r1, f1 := xcvtI2F32(m, int64(int32(lo>>32)))
	r2, f2 := xcvtI2F32(m, int64(int32(hi)))
	r3, f3 := xcvtI2F32(m, int64(int32(hi>>32)))
	c.simdExc(f0 | f1 | f2 | f3)
	d := &c.X[in.d&15]
	d[0] = uint64(r0) | uint64(r1)<<32
	d[1] = uint64(r2) | uint64(r3)<<32
}

// CVTDQ2PD is exact.
func opCvtdq2pd(c *CPU, in *inst) {
	s := c.xsrc64(in)
	d := &c.X[in.d&15]
	d[0] = math.Float64bits(float64(int32(s)))
	d[1] = math.Float64bits(float64(int32(s >> 32)))
}

func (c *CPU) xcvtps2dq(in *inst, trunc bool) {
	lo, hi := c.xsrc(in)
	m := c.MXCSR
	r0, f0 := xcvtF32toI(m, uint32(lo), 4, trunc)
	r1, f1 := xcvtF32toI(m, uint32(lo>>32), 4, trunc)
	r2, f2 := xcvtF32toI(m, uint32(hi), 4, trunc)
	r3, f3 := xcvtF32toI(m, uint32(hi>>32), 4, trunc)
	c.simdExc(f0 | f1 | f2 | f3)
	d := &c.X[in.d&15]
	d[0] = r0 | r1<<32
	d[1] = r2 | r3<<32
}

func opCvtps2dq(c *CPU, in *inst)  { c.xcvtps2dq(in, false) }
func opCvttps2dq(c *CPU, in *inst) { c.xcvtps2dq(in, true) }

func (c *CPU) xcvtpd2dq(in *inst, trunc bool) {
	lo, hi := c.xsrc(in)
	m := c.MXCSR
	r0, f0 := xcvtF64toI(m, lo, 4, trunc)
	r1, f1 := xcvtF64toI(m, hi, 4, trunc)
	c.simdExc(f0 | f1)
	d := &c.X[in.d&15]
	d[0], d[1] = r0|r1<<32, 0
}

func opCvtpd2dq(c *CPU, in *inst)  { c.xcvtpd2dq(in, false) }
func opCvttpd2dq(c *CPU, in *inst) { c.xcvtpd2dq(in, true) }

// The conversions and moves between XMM and MM registers. An MM operand
// makes the instruction an MMX one: a pending x87 exception is taken
// first, and the x87 unit enters MMX mode (mmxEnter in mmx.go). With a
// memory source CVTPI2PS and CVTPI2PD are plain SSE instructions.
//
//	CVTPI2PS xmm, mm/m64     CVTPI2PD xmm, mm/m64
//	CVT(T)PS2PI mm, xmm/m64  CVT(T)PD2PI mm, xmm/m128
//	MOVQ2DQ xmm, mm          MOVDQ2Q mm, xmm
func lowerSSEMMX(l *lw) bool {
	in := &l.in
	if l.nargs() != 2 {
		return false
	}
	if d, ok := l.xmm(0); ok {
		// CVTPI2PS, CVTPI2PD, MOVQ2DQ: the source is an MM register or,
		// for the conversions, memory.
		in.d = d
		if s, ok := l.mmx(1); ok {
			in.s = s
			in.aux = 1
		} else if l.x.Op == x86asm.MOVQ2DQ || !l.mem(1) {
			return false
		}
		switch l.x.Op {
		case x86asm.CVTPI2PS:
			in.fn = opCvtpi2ps
		case x86asm.CVTPI2PD:
			in.fn = opCvtpi2pd
		case x86asm.MOVQ2DQ:
			in.fn = opMovq2dq
		default:
			return false
		}
		return true
	}
	d, ok := l.mmx(0)
	if !ok {
		return false
	}
	in.d = d
	if s, ok := l.xmm(1); ok {
		in.s = s
	} else if l.x.Op == x86asm.MOVDQ2Q || !l.mem(1) {
		return false
	}
	switch l.x.Op {
	case x86asm.CVTPS2PI:
		in.fn = opCvtps2pi
	case x86asm.CVTTPS2PI:
		in.fn = opCvttps2pi
	case x86asm.CVTPD2PI:
		in.aux2 |= sseAlign
		in.fn = opCvtpd2pi
	case x86asm.CVTTPD2PI:
		in.aux2 |= sseAlign
		in.fn = opCvttpd2pi
	case x86asm.MOVDQ2Q:
		in.fn = opMovdq2q
	default:
		return false
	}
	return true
}

// xmmOrMem returns the 64-bit source of CVTPI2PS/PD: an MM register
// (in.aux set; a pending x87 exception traps first) or memory.
func (c *CPU) xmmOrMem(in *inst) uint64 {
	if in.aux != 0 {
		c.fpWait()
		return c.mmGet(in.s)
	}
	return c.rd64(c.ea(in))
}

// CVTPI2PS converts into the low two elements and keeps the high two.
// The x87 unit enters MMX mode only once no SIMD exception can stop the
// instruction.
func opCvtpi2ps(c *CPU, in *inst) {
	s := c.xmmOrMem(in)
	m := c.MXCSR
	r0, f0 := xcvtI2F32(m, int64(int32(s)))
	r1, f1 := xcvtI2F32(m, int64(int32(s>>32)))
	c.simdExc(f0 | f1)
	if in.aux != 0 {
		c.mmxEnter()
	}
	c.X[in.d&15][0] = uint64(r0) | uint64(r1)<<32
}

// CVTPI2PD is exact.
func opCvtpi2pd(c *CPU, in *inst) {
	s := c.xmmOrMem(in)
	if in.aux != 0 {
		c.mmxEnter()
	}
	d := &c.X[in.d&15]
	d[0] = math.Float64bits(float64(int32(s)))
	d[1] = math.Float64bits(float64(int32(s >> 32)))
}

func opMovq2dq(c *CPU, in *inst) {
	c.mmxEnter()
	d := &c.X[in.d&15]
	d[0], d[1] = c.mmGet(in.s), 0
}

func opMovdq2q(c *CPU, in *inst) {
	c.mmxEnter()
	c.mmSet(in.d, c.X[in.s&15][0])
}

// xtoMM finishes a conversion into an MM register: the SIMD exception (if
// any) is raised before the x87 state changes.
func (c *CPU) xtoMM(in *inst, v uint64, fl uint32) {
	c.simdExc(fl)
	c.mmxEnter()
	c.mmSet(in.d, v)
}

func (c *CPU) xcvtps2pi(in *inst, trunc bool) {
	c.fpWait()
	s := c.xsrc64(in)
	m := c.MXCSR
	r0, f0 := xcvtF32toI(m, uint32(s), 4, trunc)
	r1, f1 := xcvtF32toI(m, uint32(s>>32), 4, trunc)
	c.xtoMM(in, r0|r1<<32, f0|f1)
}

func (c *CPU) xcvtpd2pi(in *inst, trunc bool) {
	c.fpWait()
	lo, hi := c.xsrc(in)
	m := c.MXCSR
	r0, f0 := xcvtF64toI(m, lo, 4, trunc)
	r1, f1 := xcvtF64toI(m, hi, 4, trunc)
	c.xtoMM(in, r0|r1<<32, f0|f1)
}

func opCvtps2pi(c *CPU, in *inst)  { c.xcvtps2pi(in, false) }
func opCvttps2pi(c *CPU, in *inst) { c.xcvtps2pi(in, true) }
func opCvtpd2pi(c *CPU, in *inst)  { c.xcvtpd2pi(in, false) }
func opCvttpd2pi(c *CPU, in *inst) { c.xcvtpd2pi(in, true) }
