package cpu

// Per-element SSE float operations. Each takes the MXCSR value m and the
// operand bits and returns the result bits and the exception flags it
// raised (SDM vol. 1, 11.5.2); the instruction merges the flags of all
// its elements with simdExc before writing any result.
//
// The fast paths use Go's float32/float64 arithmetic, which rounds to
// nearest-even, and apply only when the rounding mode is nearest and the
// operands and the result are normal numbers: then no exception other
// than precision is possible (no NaN or infinity can produce a normal
// result, a normal result is neither an overflow nor tiny, and a normal
// operand is not a denormal one), and FTZ and DAZ change nothing.
// Precision (inexact) is decided exactly, by an error-free transformation:
//
//	add, sub   TwoSum (Knuth): the rounding error of r = x+y is
//	           (x-(r-(r-x))) + (y-(r-x)), exactly, in any binary format
//	           with round to nearest and no overflow
//	mul        the error x*y - r, computed exactly by math.FMA
//	div        the remainder x - r*y, computed exactly by math.FMA
//	sqrt       the remainder x - r*r, computed exactly by math.FMA
//
// An FMA-computed error is only exact (and nonzero whenever the true error
// is) if it cannot underflow, so the mul, div and sqrt fast paths require
// operands or results of at least 2^-959. For float32 the products of
// two float32 numbers are exact in float64, which replaces the FMA. When
// PE is already set and masked the exactness test is skipped altogether:
// it could not change MXCSR.
//
// Everything else (directed rounding, NaN, infinities, zeros, denormals,
// results near the overflow or underflow thresholds) goes to the exact
// soft implementation in sse_soft.go.
//
// The explicit float64()/float32() conversions keep the compiler from
// fusing a multiply and an add on hosts that have FMA instructions.

import "math"

const (
	xexp64Mask = 0x7FF << 52
	xexp32Mask = 0xFF << 23
	xsign64    = 1 << 63
	xsign32    = 1 << 31
	xqnan64    = 1 << 51
	xqnan32    = 1 << 22
)

// xnotDenorm64 reports whether a is not a denormal.
func xnotDenorm64(a uint64) bool { return a&xexp64Mask != 0 || a<<1 == 0 }
func xnotDenorm32(a uint32) bool { return a&xexp32Mask != 0 || a<<1 == 0 }

func xisNaN64(a uint64) bool { return a&^xsign64 > xexp64Mask }
func xisNaN32(a uint32) bool { return a&^xsign32 > xexp32Mask }

// xexp64 and xexp32 return the biased exponent field.
func xexp64(a uint64) uint64 { return a >> 52 & 0x7FF }
func xexp32(a uint32) uint32 { return a >> 23 & 0xFF }

func xadd64(m uint32, a, b uint64) (uint64, uint32) {
	if m&mxRC == mxRN {
		x, y := math.Float64frombits(a), math.Float64frombits(b)
		r := x + y
		rb := math.Float64bits(r)
		if xexp64(rb)-1 < 0x7FE && xnotDenorm64(a) && xnotDenorm64(b) {
			if m&mxPESticky == mxPESticky || xtwoSum64(x, y, r) == 0 {
				return rb, 0
			}
			return rb, mxPE
		}
	}
	return xfmt64.softArith(sfAdd, m, a, b)
}

func xsub64(m uint32, a, b uint64) (uint64, uint32) {
	if m&mxRC == mxRN {
		x, y := math.Float64frombits(a), math.Float64frombits(b)
		r := x - y
		rb := math.Float64bits(r)
		if xexp64(rb)-1 < 0x7FE && xnotDenorm64(a) && xnotDenorm64(b) {
			if m&mxPESticky == mxPESticky || xtwoSum64(x, -y, r) == 0 {
				return rb, 0
			}
			return rb, mxPE
		}
	}
	return xfmt64.softArith(sfSub, m, a, b)
}

// xtwoSum64 returns the rounding error of r = x+y.
func xtwoSum64(x, y, r float64) float64 {
	bb := float64(r - x)
	return float64(x-float64(r-bb)) + float64(y-bb)
}

func xmul64(m uint32, a, b uint64) (uint64, uint32) {
	if m&mxRC == mxRN {
		x, y := math.Float64frombits(a), math.Float64frombits(b)
		r := x * y
		rb := math.Float64bits(r)
		if xexp64(rb)-0x40 < 0x7FF-0x40 && xnotDenorm64(a) && xnotDenorm64(b) {
			if m&mxPESticky == mxPESticky || math.FMA(x, y, -r) == 0 {
				return rb, 0
			}
			return rb, mxPE
		}
	}
	return xfmt64.softArith(sfMul, m, a, b)
}

func xdiv64(m uint32, a, b uint64) (uint64, uint32) {
	if m&mxRC == mxRN {
		x, y := math.Float64frombits(a), math.Float64frombits(b)
		r := x / y
		rb := math.Float64bits(r)
		if xexp64(rb)-2 < 0x7FF-2 && xexp64(a) >= 0x40 && xnotDenorm64(b) {
			if m&mxPESticky == mxPESticky || math.FMA(r, y, -x) == 0 {
				return rb, 0
			}
			return rb, mxPE
		}
	}
	return xfmt64.softArith(sfDiv, m, a, b)
}

func xsqrt64(m uint32, a uint64) (uint64, uint32) {
	if m&mxRC == mxRN && a>>52-0x40 < 0x7FF-0x40 {
		x := math.Float64frombits(a)
		r := math.Sqrt(x)
		if m&mxPESticky == mxPESticky || math.FMA(r, r, -x) == 0 {
			return math.Float64bits(r), 0
		}
		return math.Float64bits(r), mxPE
	}
	return xfmt64.softSqrt(m, a)
}

func xadd32(m uint32, a, b uint32) (uint32, uint32) {
	if m&mxRC == mxRN {
		x, y := math.Float32frombits(a), math.Float32frombits(b)
		r := x + y
		rb := math.Float32bits(r)
		if xexp32(rb)-1 < 0xFE && xnotDenorm32(a) && xnotDenorm32(b) {
			if m&mxPESticky == mxPESticky || xtwoSum32(x, y, r) == 0 {
				return rb, 0
			}
			return rb, mxPE
		}
	}
	r, fl := xfmt32.softArith(sfAdd, m, uint64(a), uint64(b))
	return uint32(r), fl
}

func xsub32(m uint32, a, b uint32) (uint32, uint32) {
	if m&mxRC == mxRN {
		x, y := math.Float32frombits(a), math.Float32frombits(b)
		r := x - y
		rb := math.Float32bits(r)
		if xexp32(rb)-1 < 0xFE && xnotDenorm32(a) && xnotDenorm32(b) {
			if m&mxPESticky == mxPESticky || xtwoSum32(x, -y, r) == 0 {
				return rb, 0
			}
			return rb, mxPE
		}
	}
	r, fl := xfmt32.softArith(sfSub, m, uint64(a), uint64(b))
	return uint32(r), fl
}

func xtwoSum32(x, y, r float32) float32 {
	bb := float32(r - x)
	return float32(x-float32(r-bb)) + float32(y-bb)
}

func xmul32(m uint32, a, b uint32) (uint32, uint32) {
	if m&mxRC == mxRN {
		x, y := math.Float32frombits(a), math.Float32frombits(b)
		r := x * y
		rb := math.Float32bits(r)
		if xexp32(rb)-2 < 0xFF-2 && xnotDenorm32(a) && xnotDenorm32(b) {
			if m&mxPESticky == mxPESticky || float64(r) == float64(float64(x)*float64(y)) {
				return rb, 0
			}
			return rb, mxPE
		}
	}
	r, fl := xfmt32.softArith(sfMul, m, uint64(a), uint64(b))
	return uint32(r), fl
}

func xdiv32(m uint32, a, b uint32) (uint32, uint32) {
	if m&mxRC == mxRN {
		x, y := math.Float32frombits(a), math.Float32frombits(b)
		r := x / y
		rb := math.Float32bits(r)
		if xexp32(rb)-2 < 0xFF-2 && xnotDenorm32(a) && xnotDenorm32(b) {
			if m&mxPESticky == mxPESticky || float64(float64(r)*float64(y)) == float64(x) {
				return rb, 0
			}
			return rb, mxPE
		}
	}
	r, fl := xfmt32.softArith(sfDiv, m, uint64(a), uint64(b))
	return uint32(r), fl
}

func xsqrt32(m uint32, a uint32) (uint32, uint32) {
	if m&mxRC == mxRN && a>>23-1 < 0xFF-1 {
		x := float64(math.Float32frombits(a))
		// Rounding the float64 root to float32 rounds correctly: 53 >=
		// 2×24+2 makes the double rounding innocuous.
		r := float32(math.Sqrt(x))
		if m&mxPESticky == mxPESticky || float64(float64(r)*float64(r)) == x {
			return math.Float32bits(r), 0
		}
		return math.Float32bits(r), mxPE
	}
	r, fl := xfmt32.softSqrt(m, uint64(a))
	return uint32(r), fl
}

// xdaz64 applies denormals-are-zero to an operand of an instruction that
// does not round (compare, min, max) and returns it with the
// denormal-operand flag it raises.
func xdaz64(m uint32, a uint64) (uint64, uint32) {
	if xnotDenorm64(a) {
		return a, 0
	}
	if m&mxDAZ != 0 {
		return a & xsign64, 0
	}
	return a, mxDE
}

func xdaz32(m uint32, a uint32) (uint32, uint32) {
	if xnotDenorm32(a) {
		return a, 0
	}
	if m&mxDAZ != 0 {
		return a & xsign32, 0
	}
	return a, mxDE
}

// MINSD and MAXSD return the second (source) operand when either is a NaN
// (raising invalid even for a QNaN, and passing an SNaN through unquieted)
// or both are zeros of either sign (SDM: MINSD, MAXSD). Under DAZ a
// denormal source is returned as the zero it is taken for.
func xmin64(m uint32, a, b uint64) (uint64, uint32) {
	a, fa := xdaz64(m, a)
	b, fb := xdaz64(m, b)
	if xisNaN64(a) || xisNaN64(b) {
		return b, mxIE
	}
	if math.Float64frombits(a) < math.Float64frombits(b) {
		return a, fa | fb
	}
	return b, fa | fb
}

func xmax64(m uint32, a, b uint64) (uint64, uint32) {
	a, fa := xdaz64(m, a)
	b, fb := xdaz64(m, b)
	if xisNaN64(a) || xisNaN64(b) {
		return b, mxIE
	}
	if math.Float64frombits(a) > math.Float64frombits(b) {
		return a, fa | fb
	}
	return b, fa | fb
}

func xmin32(m uint32, a, b uint32) (uint32, uint32) {
	a, fa := xdaz32(m, a)
	b, fb := xdaz32(m, b)
	if xisNaN32(a) || xisNaN32(b) {
		return b, mxIE
	}
	if math.Float32frombits(a) < math.Float32frombits(b) {
		return a, fa | fb
	}
	return b, fa | fb
}

func xmax32(m uint32, a, b uint32) (uint32, uint32) {
	a, fa := xdaz32(m, a)
	b, fb := xdaz32(m, b)
	if xisNaN32(a) || xisNaN32(b) {
		return b, mxIE
	}
	if math.Float32frombits(a) > math.Float32frombits(b) {
		return a, fa | fb
	}
	return b, fa | fb
}

// xcmpPred evaluates CMPPS/CMPSS predicate p (imm8 bits 0-2: EQ, LT, LE,
// UNORD, NEQ, NLT, NLE, ORD) given the ordered relations of the operands.
// The signalling predicates LT, LE, NLT and NLE raise invalid for a QNaN
// too (SDM: CMPPS, table 3-1).
func xcmpPred(p uint8, unord, lt, eq bool) bool {
	var r bool
	switch p & 3 {
	case 0:
		r = !unord && eq
	case 1:
		r = !unord && lt
	case 2:
		r = !unord && (lt || eq)
	case 3:
		r = unord
	}
	return r != (p&4 != 0)
}

func xcmpSignals(p uint8) bool { return p&3 == 1 || p&3 == 2 }

func xcmp64(m uint32, a, b uint64, p uint8) (bool, uint32) {
	if xisNaN64(a) || xisNaN64(b) {
		var fl uint32
		if a&xqnan64 == 0 && xisNaN64(a) || b&xqnan64 == 0 && xisNaN64(b) || xcmpSignals(p) {
			fl = mxIE
		}
		return xcmpPred(p, true, false, false), fl
	}
	a, fa := xdaz64(m, a)
	b, fb := xdaz64(m, b)
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	return xcmpPred(p, false, x < y, x == y), fa | fb
}

func xcmp32(m uint32, a, b uint32, p uint8) (bool, uint32) {
	if xisNaN32(a) || xisNaN32(b) {
		var fl uint32
		if a&xqnan32 == 0 && xisNaN32(a) || b&xqnan32 == 0 && xisNaN32(b) || xcmpSignals(p) {
			fl = mxIE
		}
		return xcmpPred(p, true, false, false), fl
	}
	a, fa := xdaz32(m, a)
	b, fb := xdaz32(m, b)
	x, y := math.Float32frombits(a), math.Float32frombits(b)
	return xcmpPred(p, false, x < y, x == y), fa | fb
}
