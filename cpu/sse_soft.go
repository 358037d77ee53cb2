package cpu

// Exact IEEE 754 binary32/binary64 arithmetic for the SSE slow paths: any
// MXCSR rounding mode, flush-to-zero, denormals-are-zero, denormal inputs
// and results, and exact exception flags.
//
// A finite nonzero number is unpacked into a sign, an exponent and a
// 64-bit significand with its leading one in bit 63:
//
//	value = sig × 2^(exp-63), 2^63 <= sig < 2^64
//
// Each operation computes its exact result as such a significand, with
// the bits that do not fit ORed into bit 0 (a "sticky" bit: it is far
// below the rounding position, so it only says "inexact" and breaks
// ties), and round packs it into the destination format. Following x86
// (and SoftFloat's 8086-SSE specialisation), tininess is detected after
// rounding.
//
// The fast paths in sse_fp.go handle the common case (round to nearest,
// normal operands and result) with Go's float arithmetic; everything else
// comes here. No function here allocates.

import "math/bits"

// xfmt describes an IEEE binary interchange format.
type xfmt struct {
	width uint   // 32 or 64
	frac  uint   // fraction bits: 23 or 52
	emax  int    // largest exponent, also the bias: 127 or 1023
	emask uint64 // the exponent field, all ones: 0xFF or 0x7FF
}

var (
	xfmt32 = &xfmt{width: 32, frac: 23, emax: 127, emask: 0xFF}
	xfmt64 = &xfmt{width: 64, frac: 52, emax: 1023, emask: 0x7FF}
)

// Kinds of unpacked numbers.
const (
	xkZero = iota
	xkFinite
	xkInf
	xkQNaN
	xkSNaN
)

// xnum is an unpacked number.
type xnum struct {
	neg  bool
	kind uint8
	exp  int
	sig  uint64
}

func (x *xnum) nan() bool { return x.kind >= xkQNaN }

func xb2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func (f *xfmt) sign(neg bool) uint64 { return xb2u(neg) << (f.width - 1) }
func (f *xfmt) qbit() uint64         { return 1 << (f.frac - 1) }
func (f *xfmt) zero(neg bool) uint64 { return f.sign(neg) }
func (f *xfmt) inf(neg bool) uint64  { return f.sign(neg) | f.emask<<f.frac }

// defaultNaN is the "QNaN floating-point indefinite": negative, quiet,
// zero payload (0xFFC00000, 0xFFF8000000000000).
func (f *xfmt) defaultNaN() uint64 { return f.sign(true) | f.emask<<f.frac | f.qbit() }

// maxFinite returns the largest finite number with the given sign.
func (f *xfmt) maxFinite(neg bool) uint64 {
	return f.sign(neg) | (f.emask-1)<<f.frac | (1<<f.frac - 1)
}

// unpack classifies b. A denormal input is a zero under DAZ (without a
// flag) and otherwise raises the denormal-operand flag, returned in fl.
func (f *xfmt) unpack(b uint64, m uint32) (x xnum, fl uint32) {
	x.neg = b>>(f.width-1)&1 != 0
	e := b >> f.frac & f.emask
	fr := b & (1<<f.frac - 1)
	switch {
	case e == f.emask:
		switch {
		case fr == 0:
			x.kind = xkInf
		case fr&f.qbit() != 0:
			x.kind = xkQNaN
		default:
			x.kind = xkSNaN
		}
	case e == 0:
		if fr == 0 || m&mxDAZ != 0 {
			x.kind = xkZero
			return x, 0
		}
		lz := bits.LeadingZeros64(fr)
		x.kind = xkFinite
		x.sig = fr << uint(lz)
		x.exp = 1 - f.emax - int(f.frac) + 63 - lz
		fl = mxDE
	default:
		x.kind = xkFinite
		x.sig = (fr | 1<<f.frac) << (63 - f.frac)
		x.exp = int(e) - f.emax
	}
	return x, fl
}

// nanResult returns the result of an operation with a NaN operand: the
// first source's NaN if it is one, else the second's, made quiet; an SNaN
// operand raises invalid (SDM vol. 1, table 4-7 and 11.5.2.1).
func (f *xfmt) nanResult(a, b uint64, xa, xb *xnum) (uint64, uint32) {
	var fl uint32
	if xa.kind == xkSNaN || xb.kind == xkSNaN {
		fl = mxIE
	}
	if xa.nan() {
		return a | f.qbit(), fl
	}
	return b | f.qbit(), fl
}

// xroundSig rounds sig to a multiple of 2^drop (0 < drop < 64) in the
// MXCSR rounding mode rc and returns sig>>drop, rounded.
func xroundSig(sig uint64, drop uint, rc uint32, neg bool) (q uint64, inexact bool) {
	q = sig >> drop
	rem := sig & (1<<drop - 1)
	if rem == 0 {
		return q, false
	}
	switch rc {
	case mxRN:
		half := uint64(1) << (drop - 1)
		if rem > half || rem == half && q&1 != 0 {
			q++
		}
	case mxRD:
		if neg {
			q++
		}
	case mxRU:
		if !neg {
			q++
		}
	}
	return q, true
}

// xshiftRightJam shifts x right by n, ORing the bits shifted out into
// bit 0.
func xshiftRightJam(x uint64, n uint) uint64 {
	switch {
	case n == 0:
		return x
	case n >= 64:
		return xb2u(x != 0)
	}
	return x>>n | xb2u(x<<(64-n) != 0)
}

// round rounds the exact value sig × 2^(exp-63) (sig normalised, sticky
// in bit 0) to format f under MXCSR m, returning the result and the
// post-computation flags (overflow, underflow, precision).
func (f *xfmt) round(neg bool, exp int, sig uint64, m uint32) (uint64, uint32) {
	rc := m & mxRC
	drop := 63 - f.frac
	emin := 1 - f.emax
	if exp >= emin {
		q, inexact := xroundSig(sig, drop, rc, neg)
		if q>>(f.frac+1) != 0 {
			q >>= 1
			exp++
		}
		if exp > f.emax {
			if m&(mxOE<<7) == 0 {
				// Unmasked, overflow traps with OE, and PE if the
				// result rounded to full precision (with an unbounded
				// exponent) is inexact (SDM vol. 1, 11.5.2.4).
				if inexact {
					return 0, mxOE | mxPE
				}
				return 0, mxOE
			}
			return f.overflow(neg, m)
		}
		r := f.sign(neg) | uint64(exp+f.emax)<<f.frac | q&(1<<f.frac-1)
		if inexact {
			return r, mxPE
		}
		return r, 0
	}
	// Below the normal range. The result is tiny unless rounding to full
	// precision with an unbounded exponent reaches 2^emin.
	q, inexact := xroundSig(sig, drop, rc, neg)
	tiny := exp < emin-1 || q>>(f.frac+1) == 0
	umasked := m&(mxUE<<7) != 0
	if tiny && !umasked {
		// Unmasked, underflow traps with UE, whether or not the
		// denormal result would be exact, and PE if the result rounded
		// with an unbounded exponent is inexact (SDM vol. 1, 11.5.2.5).
		if inexact {
			return 0, mxUE | mxPE
		}
		return 0, mxUE
	}
	if tiny && m&mxFTZ != 0 {
		return f.zero(neg), mxUE | mxPE
	}
	// q <= 2^frac; q == 2^frac encodes the smallest normal number.
	q, inexact = xroundSig(xshiftRightJam(sig, uint(emin-exp)), drop, rc, neg)
	r := f.sign(neg) | q
	var fl uint32
	if inexact {
		fl = mxPE
	}
	if tiny && inexact {
		fl |= mxUE
	}
	return r, fl
}

// overflow returns the masked response to overflow: infinity or the
// largest finite number, depending on the rounding direction, with OE
// and PE.
func (f *xfmt) overflow(neg bool, m uint32) (uint64, uint32) {
	fl := uint32(mxOE | mxPE)
	switch m & mxRC {
	case mxRZ:
		return f.maxFinite(neg), fl
	case mxRD:
		if !neg {
			return f.maxFinite(false), fl
		}
	case mxRU:
		if neg {
			return f.maxFinite(true), fl
		}
	}
	return f.inf(neg), fl
}

// Soft arithmetic operations.
const (
	sfAdd = iota
	sfSub
	sfMul
	sfDiv
)

// softArith computes a op b exactly rounded, with all flags.
func (f *xfmt) softArith(op int, m uint32, a, b uint64) (uint64, uint32) {
	xa, fa := f.unpack(a, m)
	xb, fb := f.unpack(b, m)
	if xa.nan() || xb.nan() {
		return f.nanResult(a, b, &xa, &xb)
	}
	var r uint64
	var fl uint32
	switch op {
	case sfAdd:
		r, fl = f.add(&xa, &xb, m)
	case sfSub:
		xb.neg = !xb.neg
		r, fl = f.add(&xa, &xb, m)
	case sfMul:
		r, fl = f.mul(&xa, &xb, m)
	default:
		r, fl = f.div(&xa, &xb, m)
	}
	if fl&(mxIE|mxZE) != 0 {
		// Invalid and divide-by-zero take precedence over a denormal
		// operand (SDM vol. 1, 4.9.2).
		return r, fl
	}
	return r, fl | fa | fb
}

func (f *xfmt) add(xa, xb *xnum, m uint32) (uint64, uint32) {
	switch {
	case xa.kind == xkInf && xb.kind == xkInf:
		if xa.neg != xb.neg {
			return f.defaultNaN(), mxIE
		}
		return f.inf(xa.neg), 0
	case xa.kind == xkInf:
		return f.inf(xa.neg), 0
	case xb.kind == xkInf:
		return f.inf(xb.neg), 0
	case xa.kind == xkZero && xb.kind == xkZero:
		if xa.neg != xb.neg {
			return f.zero(m&mxRC == mxRD), 0
		}
		return f.zero(xa.neg), 0
	case xa.kind == xkZero:
		return f.round(xb.neg, xb.exp, xb.sig, m)
	case xb.kind == xkZero:
		return f.round(xa.neg, xa.exp, xa.sig, m)
	}
	if xa.exp < xb.exp || xa.exp == xb.exp && xa.sig < xb.sig {
		xa, xb = xb, xa // now |a| >= |b|
	}
	// In 128 bits, value = (hi:lo) × 2^(a.exp-126): a shifted right once
	// to leave room for a carry, b aligned to it.
	ahi, alo := xa.sig>>1, xa.sig<<63
	bhi, blo := xshr128Jam(xb.sig, 0, uint(xa.exp-xb.exp)+1)
	var hi, lo, c uint64
	if xa.neg == xb.neg {
		lo, c = bits.Add64(alo, blo, 0)
		hi, _ = bits.Add64(ahi, bhi, c)
	} else {
		lo, c = bits.Sub64(alo, blo, 0)
		hi, _ = bits.Sub64(ahi, bhi, c)
		if hi|lo == 0 {
			return f.zero(m&mxRC == mxRD), 0
		}
	}
	lz := xlz128(hi, lo)
	hi, lo = xshl128(hi, lo, lz)
	return f.round(xa.neg, xa.exp+1-int(lz), hi|xb2u(lo != 0), m)
}

func (f *xfmt) mul(xa, xb *xnum, m uint32) (uint64, uint32) {
	neg := xa.neg != xb.neg
	switch {
	case xa.kind == xkInf && xb.kind == xkZero, xa.kind == xkZero && xb.kind == xkInf:
		return f.defaultNaN(), mxIE
	case xa.kind == xkInf || xb.kind == xkInf:
		return f.inf(neg), 0
	case xa.kind == xkZero || xb.kind == xkZero:
		return f.zero(neg), 0
	}
	hi, lo := bits.Mul64(xa.sig, xb.sig)
	exp := xa.exp + xb.exp + 1
	if hi>>63 == 0 {
		hi = hi<<1 | lo>>63
		lo <<= 1
		exp--
	}
	return f.round(neg, exp, hi|xb2u(lo != 0), m)
}

func (f *xfmt) div(xa, xb *xnum, m uint32) (uint64, uint32) {
	neg := xa.neg != xb.neg
	switch {
	case xa.kind == xkInf && xb.kind == xkInf, xa.kind == xkZero && xb.kind == xkZero:
		return f.defaultNaN(), mxIE
	case xa.kind == xkInf:
		return f.inf(neg), 0
	case xb.kind == xkInf, xa.kind == xkZero:
		return f.zero(neg), 0
	case xb.kind == xkZero:
		return f.inf(neg), mxZE
	}
	exp := xa.exp - xb.exp
	var q, r uint64
	if xa.sig >= xb.sig {
		q, r = bits.Div64(xa.sig>>1, xa.sig<<63, xb.sig)
	} else {
		q, r = bits.Div64(xa.sig, 0, xb.sig)
		exp--
	}
	return f.round(neg, exp, q|xb2u(r != 0), m)
}

// softSqrt computes the square root exactly rounded.
func (f *xfmt) softSqrt(m uint32, a uint64) (uint64, uint32) {
	x, fl := f.unpack(a, m)
	switch {
	case x.kind == xkSNaN:
		return a | f.qbit(), mxIE
	case x.kind == xkQNaN:
		return a, 0
	case x.kind == xkZero:
		return f.zero(x.neg), 0
	case x.neg:
		return f.defaultNaN(), mxIE // invalid takes precedence over denormal
	case x.kind == xkInf:
		return a, 0
	}
	// value = M × 2^k with M = sig×2^64 or sig×2^63 so that k is even;
	// sqrt = isqrt(M) × 2^(k/2), and isqrt(M) has its top bit in bit 63.
	hi, lo, k := x.sig, uint64(0), x.exp-127
	if k&1 != 0 {
		hi, lo, k = x.sig>>1, x.sig<<63, k+1
	}
	s, exact := xisqrt128(hi, lo)
	r, fr := f.round(false, k/2+63, s|xb2u(!exact), m)
	return r, fr | fl
}

// xisqrt128 returns floor(sqrt(hi:lo)) and whether it is exact, bit by
// bit (slow, but only the slow path uses it).
func xisqrt128(hi, lo uint64) (uint64, bool) {
	var r uint64
	for bit := 63; bit >= 0; bit-- {
		t := r | 1<<uint(bit)
		sh, sl := bits.Mul64(t, t)
		if sh < hi || sh == hi && sl <= lo {
			r = t
		}
	}
	sh, sl := bits.Mul64(r, r)
	return r, sh == hi && sl == lo
}

func xshr128Jam(hi, lo uint64, n uint) (uint64, uint64) {
	switch {
	case n == 0:
		return hi, lo
	case n < 64:
		sticky := xb2u(lo<<(64-n) != 0)
		return hi >> n, lo>>n | hi<<(64-n) | sticky
	case n < 128:
		sticky := xb2u(lo != 0 || hi<<(128-n) != 0)
		return 0, hi>>(n-64) | sticky
	}
	return 0, xb2u(hi|lo != 0)
}

func xshl128(hi, lo uint64, n uint) (uint64, uint64) {
	switch {
	case n == 0:
		return hi, lo
	case n >= 64:
		return lo << (n - 64), 0
	}
	return hi<<n | lo>>(64-n), lo << n
}

func xlz128(hi, lo uint64) uint {
	if hi != 0 {
		return uint(bits.LeadingZeros64(hi))
	}
	return 64 + uint(bits.LeadingZeros64(lo))
}

// xsoftCvtF converts between the formats from and to. An SNaN raises
// invalid and is made quiet; a NaN keeps its sign and the top of its
// payload.
func xsoftCvtF(from, to *xfmt, m uint32, a uint64) (uint64, uint32) {
	x, fl := from.unpack(a, m)
	switch x.kind {
	case xkQNaN, xkSNaN:
		if x.kind == xkSNaN {
			fl |= mxIE
		}
		payload := a & (1<<from.frac - 1)
		if to.frac > from.frac {
			payload <<= to.frac - from.frac
		} else {
			payload >>= from.frac - to.frac
		}
		return to.sign(x.neg) | to.emask<<to.frac | to.qbit() | payload, fl
	case xkInf:
		return to.inf(x.neg), 0
	case xkZero:
		return to.zero(x.neg), 0
	}
	r, fr := to.round(x.neg, x.exp, x.sig, m)
	return r, fr | fl
}

// xsoftCvtI converts a to a signed integer of size 4 or 8 bytes, rounding
// in the MXCSR mode or, if trunc, toward zero. A NaN, an infinity or a
// value out of range gives the "integer indefinite" (the most negative
// integer) and invalid. Conversions to integer signal no denormal-operand
// exception (SDM: CVTSD2SI raises only invalid and precision).
func xsoftCvtI(f *xfmt, m uint32, a uint64, size uint8, trunc bool) (uint64, uint32) {
	indef := uint64(1) << (size*8 - 1)
	x, _ := f.unpack(a, m)
	switch x.kind {
	case xkZero:
		return 0, 0
	case xkFinite:
	default:
		return indef, mxIE
	}
	rc := m & mxRC
	if trunc {
		rc = mxRZ
	}
	if x.exp > 63 {
		return indef, mxIE
	}
	q, inexact := x.sig, false // exp 63: an integer, in range only if -2^63
	if x.exp < 63 {
		sig, drop := x.sig, uint(63-x.exp)
		if drop > 63 {
			sig, drop = xshiftRightJam(sig, drop-63), 63
		}
		q, inexact = xroundSig(sig, drop, rc, x.neg)
	}
	if q > indef || q == indef && !x.neg {
		return indef, mxIE
	}
	if x.neg {
		q = -q
	}
	if inexact {
		return q & sizeMask(size), mxPE
	}
	return q & sizeMask(size), 0
}

// xsoftCvtFromInt converts the signed integer v to format f.
func xsoftCvtFromInt(f *xfmt, m uint32, v int64) (uint64, uint32) {
	if v == 0 {
		return 0, 0
	}
	neg := v < 0
	mag := uint64(v)
	if neg {
		mag = -mag
	}
	lz := bits.LeadingZeros64(mag)
	return f.round(neg, 63-lz, mag<<uint(lz), m)
}
