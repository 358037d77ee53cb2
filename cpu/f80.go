package cpu

import "math/bits"

// Exact software arithmetic on the x87 double extended-precision format,
// written to give the results real x87 hardware gives under every
// precision and rounding control: the operations compute the exact
// result (or enough of it: a 64-bit significand plus 64 guard bits with a
// sticky bit) and round once, with the x87's conventions for tininess
// (detected after rounding), NaN propagation (SDM vol. 1, 4.8.3.5) and
// the bias-adjusted results of unmasked overflow and underflow
// (SDM vol. 1, 8.5.4 and 8.5.5).

// F80 is an x87 double extended-precision value as it is stored in a
// register or in an m80 operand: Mant holds bytes 0-7 (the significand,
// with the integer bit explicit in bit 63), SE bytes 8-9 (the sign in
// bit 15 and the exponent, biased by 16383, in bits 0-14).
type F80 struct {
	Mant uint64
	SE   uint16
}

const (
	f80Bias     = 16383
	f80ExpMax   = 0x7FFF
	f80QuietBit = 1 << 62
	f80IntBit   = 1 << 63
)

// Exception flags, in the bit positions of the status word. exC1 is not
// an exception: it carries the C1 condition bit (the result was rounded
// up in magnitude, or a stack fault was an overflow).
const (
	exIE = 1 << 0 // invalid operation
	exDE = 1 << 1 // denormal operand
	exZE = 1 << 2 // zero divide
	exOE = 1 << 3 // overflow
	exUE = 1 << 4 // underflow
	exPE = 1 << 5 // precision (inexact)
	exSF = 1 << 6 // stack fault
	exC1 = 1 << 9
)

// f80Indefinite is the "real indefinite" QNaN that masked invalid
// operations deliver.
func f80Indefinite() F80 { return F80{Mant: 0xC000000000000000, SE: 0xFFFF} }

func f80Zero(neg bool) F80 { return F80{SE: signSE(neg)} }

func f80Inf(neg bool) F80 { return F80{Mant: f80IntBit, SE: signSE(neg) | f80ExpMax} }

func signSE(neg bool) uint16 {
	if neg {
		return 0x8000
	}
	return 0
}

func (f F80) neg() bool   { return f.SE&0x8000 != 0 }
func (f F80) bexp() int32 { return int32(f.SE & f80ExpMax) }

// Classes of F80 values.
const (
	clsZero = iota
	clsNormal
	clsDenormal // exponent 0, significand nonzero; includes pseudo-denormals
	clsInf
	clsQNaN
	clsSNaN
	clsUnsupported // unnormals, pseudo-NaNs and pseudo-infinities
)

func (f F80) class() int {
	e := f.SE & f80ExpMax
	switch {
	case e == 0:
		if f.Mant == 0 {
			return clsZero
		}
		return clsDenormal
	case f.Mant&f80IntBit == 0:
		return clsUnsupported
	case e != f80ExpMax:
		return clsNormal
	case f.Mant<<1 == 0:
		return clsInf
	case f.Mant&f80QuietBit != 0:
		return clsQNaN
	}
	return clsSNaN
}

func (f F80) isNaN() bool {
	return f.SE&f80ExpMax == f80ExpMax && f.Mant&f80IntBit != 0 && f.Mant<<1 != 0
}

// norm returns the biased exponent and the normalized significand of a
// finite nonzero value (normal or denormal); the exponent of a denormal
// may be below 1.
func (f F80) norm() (int32, uint64) {
	e := int32(f.SE & f80ExpMax)
	if e == 0 {
		e = 1 // denormals and pseudo-denormals have the exponent of 2^-16382
	}
	n := bits.LeadingZeros64(f.Mant)
	return e - int32(n), f.Mant << uint(n)
}

// f80Rnd describes how a result is rounded: the significand bits kept, the
// rounding control, and the destination's exponent range.
type f80Rnd struct {
	shift uint   // significand bits rounded off: 64 - precision
	rc    uint16 // rounding control: 0 nearest even, 1 down, 2 up, 3 toward zero
	minE  int32  // smallest normal biased exponent of the destination (in extended bias)
	maxE  int32  // largest finite biased exponent of the destination
	omask bool   // overflow masked
	umask bool   // underflow masked
	wrap  bool   // register destination: unmasked overflow/underflow deliver a bias-adjusted result
}

// Rounding controls.
const (
	rcNear = 0
	rcDown = 1
	rcUp   = 2
	rcZero = 3
)

// Exponent ranges (extended bias) of the memory formats.
const (
	f80DblMinE = f80Bias - 1022
	f80DblMaxE = f80Bias + 1023
	f80SglMinE = f80Bias - 126
	f80SglMaxE = f80Bias + 127
)

// f80BiasAdjust is the exponent adjustment of x87 results that overflow or
// underflow with the exception unmasked (SDM vol. 1, 8.5.4).
const f80BiasAdjust = 24576

// f80RndExt is the rounding of arithmetic results into a register under
// control word cw: the precision control applies.
func f80RndExt(cw uint16) f80Rnd {
	r := f80Rnd{rc: cw >> 10 & 3, minE: 1, maxE: f80ExpMax - 1,
		omask: cw&exOE != 0, umask: cw&exUE != 0, wrap: true}
	switch cw >> 8 & 3 {
	case 0:
		r.shift = 40
	case 2:
		r.shift = 11
	}
	return r
}

// f80RndExt64 rounds to full extended precision (operations that ignore the
// precision control: FSCALE, FPREM, FXTRACT, loads).
func f80RndExt64(cw uint16) f80Rnd {
	r := f80RndExt(cw)
	r.shift = 0
	return r
}

// f80RndMem is the rounding of a store to an m32 (single) or m64 operand.
func f80RndMem(cw uint16, single bool) f80Rnd {
	r := f80Rnd{rc: cw >> 10 & 3, shift: 11, minE: f80DblMinE, maxE: f80DblMaxE,
		omask: cw&exOE != 0, umask: cw&exUE != 0}
	if single {
		r.shift, r.minE, r.maxE = 40, f80SglMinE, f80SglMaxE
	}
	return r
}

// f80RoundSig rounds the 128-bit significand m:lo to its top 64-shift bits.
// q is the rounded significand (with the low shift bits clear); carry
// reports that rounding up overflowed m (q is then 0 and stands for
// 2^64); up reports that the magnitude was rounded up.
func f80RoundSig(m, lo uint64, shift uint, rc uint16, neg bool) (q uint64, carry, inexact, up bool) {
	// rest is the part rounded off, as a 64-bit binary fraction of one
	// unit in the last kept place, with lower nonzero bits folded into
	// its least significant bit. (Go shifts of 64 or more give 0.)
	rest := m<<(64-shift) | lo>>shift
	if lo<<(64-shift) != 0 {
		rest |= 1
	}
	q = m &^ (1<<shift - 1)
	if rest == 0 {
		return q, false, false, false
	}
	switch rc {
	case rcNear:
		up = rest > 1<<63 || rest == 1<<63 && q&(1<<shift) != 0
	case rcDown:
		up = neg
	case rcUp:
		up = !neg
	}
	if up {
		q += 1 << shift
		carry = q == 0
	}
	return q, carry, true, up
}

// f80Shr shifts hi:lo right by d bits, folding the bits shifted out into
// the least significant bit (a sticky bit).
func f80Shr(hi, lo uint64, d uint) (uint64, uint64) {
	var s bool
	switch {
	case d == 0:
		return hi, lo
	case d < 64:
		s = lo<<(64-d) != 0
		lo = hi<<(64-d) | lo>>d
		hi >>= d
	case d < 128:
		s = lo != 0 || hi<<(128-d) != 0
		lo = hi >> (d - 64)
		hi = 0
	default:
		s = hi|lo != 0
		hi, lo = 0, 0
	}
	if s {
		lo |= 1
	}
	return hi, lo
}

// f80RoundPack rounds (-1)^neg × m.lo × 2^(e-16383-63), where m is
// normalized (bit 63 set) and lo holds further bits, to the destination
// r. It returns the biased exponent (extended bias) and significand of
// the result, and the exceptions. A denormal or zero result has exponent
// r.minE-1 and bit 63 of the significand clear; an infinity has exponent
// r.maxE+1. When OE or UE is returned unmasked and r.wrap is false, the
// value is meaningless (the caller stores nothing).
func f80RoundPack(neg bool, e int32, m, lo uint64, r f80Rnd) (int32, uint64, uint16) {
	var fl uint16
	if e < r.minE {
		// x87 detects tininess after rounding: the result is tiny unless
		// rounding with an unbounded exponent carries it up to the
		// smallest normal number (SDM vol. 1, 4.9.1.5).
		tiny := true
		if e == r.minE-1 {
			if _, carry, _, _ := f80RoundSig(m, lo, r.shift, r.rc, neg); carry {
				tiny = false
			}
		}
		if tiny {
			if !r.umask {
				// Unmasked underflow: a memory destination is left
				// alone; a register gets the result scaled by 2^24576
				// (or, if even that is tiny, a signed zero).
				if !r.wrap {
					return e, m, exUE
				}
				e += f80BiasAdjust
				if e < r.minE {
					return r.minE - 1, 0, exUE | exPE
				}
				q, carry, inexact, up := f80RoundSig(m, lo, r.shift, r.rc, neg)
				if carry {
					q = f80IntBit
					e++
				}
				fl = exUE
				if inexact {
					fl |= exPE
					if up {
						fl |= exC1
					}
				}
				return e, q, fl
			} else {
				m, lo = f80Shr(m, lo, uint(r.minE-e))
				q, _, inexact, up := f80RoundSig(m, lo, r.shift, r.rc, neg)
				e = r.minE - 1
				if q&f80IntBit != 0 {
					e = r.minE
				}
				if inexact {
					fl |= exUE | exPE
					if up {
						fl |= exC1
					}
				}
				return e, q, fl
			}
		}
	}
	q, carry, inexact, up := f80RoundSig(m, lo, r.shift, r.rc, neg)
	if carry {
		q = f80IntBit
		e++
	}
	if inexact {
		fl |= exPE
		if up {
			fl |= exC1
		}
	}
	if e > r.maxE {
		fl |= exOE
		if !r.omask {
			// Unmasked overflow: a memory destination is left alone; a
			// register gets the result scaled by 2^-24576, or, if even
			// that is too large (FSCALE), an infinity.
			if !r.wrap {
				return e, q, exOE
			}
			e -= f80BiasAdjust
			if e > r.maxE {
				return r.maxE + 1, f80IntBit, exOE | exPE | exC1
			}
			return e, q, fl
		}
		// Masked overflow: infinity or the largest finite number,
		// whichever the rounding direction points to.
		fl |= exPE
		if r.rc == rcNear || r.rc == rcDown && neg || r.rc == rcUp && !neg {
			return r.maxE + 1, f80IntBit, fl | exC1
		}
		return r.maxE, ^uint64(0) << r.shift, fl &^ exC1
	}
	return e, q, fl
}

// f80Pack makes an F80 from f80RoundPack's extended-range result.
func f80Pack(neg bool, e int32, m uint64) F80 {
	if e < 0 || e > f80ExpMax {
		e &= f80ExpMax // only reachable through extreme bias-adjusted results
	}
	return F80{Mant: m, SE: signSE(neg) | uint16(e)}
}

// f80Round rounds a normalized exact value into a register.
func f80Round(neg bool, e int32, m, lo uint64, r f80Rnd) (F80, uint16) {
	e, m, fl := f80RoundPack(neg, e, m, lo, r)
	if e == r.minE-1 && r.minE == 1 {
		e = 0
	}
	return f80Pack(neg, e, m), fl
}

// f80NaN returns the result of an arithmetic operation on a and b
// when at least one is a NaN (SDM vol. 1, table 4-7, x87 column): a
// signaling NaN raises IE and is quieted; with two NaNs of the same kind
// the one with the larger significand wins (on a tie, the positive one);
// a QNaN wins over an SNaN.
func f80NaN(a, b F80) (F80, uint16) {
	ca, cb := a.class(), b.class()
	var fl uint16
	if ca == clsSNaN || cb == clsSNaN {
		fl = exIE
	}
	aNaN := ca == clsQNaN || ca == clsSNaN
	bNaN := cb == clsQNaN || cb == clsSNaN
	r := b
	switch {
	case aNaN && bNaN:
		if ca != cb {
			if ca == clsQNaN {
				r = a
			}
		} else if a.Mant > b.Mant || a.Mant == b.Mant && !a.neg() {
			r = a
		}
	case aNaN:
		r = a
	}
	r.Mant |= f80QuietBit
	return r, fl
}

// f80Special handles the operand checks common to the arithmetic
// operations: unsupported formats and NaNs. done reports that res is the
// result. Otherwise fl carries DE if an operand is denormal.
func f80Special(a, b F80, ca, cb int) (res F80, fl uint16, done bool) {
	if ca == clsUnsupported || cb == clsUnsupported {
		return f80Indefinite(), exIE, true
	}
	if ca >= clsQNaN || cb >= clsQNaN {
		r, fl := f80NaN(a, b)
		return r, fl, true
	}
	if ca == clsDenormal || cb == clsDenormal {
		fl = exDE
	}
	return F80{}, fl, false
}

// f80Add returns a+b (or a-b when sub is set) rounded by r.
func f80Add(a, b F80, sub bool, r f80Rnd) (F80, uint16) {
	ca, cb := a.class(), b.class()
	var fl uint16
	if ca != clsNormal || cb != clsNormal {
		res, f, done := f80Special(a, b, ca, cb)
		if done {
			return res, f
		}
		fl = f
	}
	an, bn := a.neg(), b.neg() != sub
	switch {
	case ca == clsInf && cb == clsInf:
		if an != bn {
			return f80Indefinite(), fl | exIE
		}
		return a, fl
	case ca == clsInf:
		return a, fl
	case cb == clsInf:
		return f80Inf(bn), fl
	case cb == clsZero:
		if ca == clsZero {
			return f80Zero(f80ZeroSign(an, bn, r.rc)), fl
		}
		ea, ma := a.norm()
		res, f := f80Round(an, ea, ma, 0, r)
		return res, fl | f
	case ca == clsZero:
		eb, mb := b.norm()
		res, f := f80Round(bn, eb, mb, 0, r)
		return res, fl | f
	}
	ea, ma := a.norm()
	eb, mb := b.norm()
	if ea < eb || ea == eb && ma < mb {
		an, bn, ea, eb, ma, mb = bn, an, eb, ea, mb, ma
	}
	bh, bl := f80Shr(mb, 0, uint(ea-eb))
	var hi, lo uint64
	if an == bn {
		var c uint64
		lo = 0 + bl
		hi, c = bits.Add64(ma, bh, 0)
		if c != 0 {
			hi, lo = f80Shr(hi, lo, 1)
			hi |= f80IntBit
			ea++
		}
	} else {
		var bw uint64
		lo, bw = bits.Sub64(0, bl, 0)
		hi, _ = bits.Sub64(ma, bh, bw)
		if hi|lo == 0 {
			return f80Zero(r.rc == rcDown), fl
		}
		n := bits.LeadingZeros64(hi)
		if hi == 0 {
			n = 64 + bits.LeadingZeros64(lo)
		}
		hi, lo = f80Shl(hi, lo, uint(n))
		ea -= int32(n)
	}
	res, f := f80Round(an, ea, hi, lo, r)
	return res, fl | f
}

// f80ZeroSign is the sign of an exact zero sum: negative only for
// -0 + -0, or for opposite signs when rounding down (IEEE 754, 6.3).
func f80ZeroSign(an, bn bool, rc uint16) bool {
	if an == bn {
		return an
	}
	return rc == rcDown
}

func f80Shl(hi, lo uint64, n uint) (uint64, uint64) {
	switch {
	case n == 0:
		return hi, lo
	case n < 64:
		return hi<<n | lo>>(64-n), lo << n
	}
	return lo << (n - 64), 0
}

// f80Mul returns a×b rounded by r.
func f80Mul(a, b F80, r f80Rnd) (F80, uint16) {
	ca, cb := a.class(), b.class()
	var fl uint16
	neg := a.neg() != b.neg()
	if ca != clsNormal || cb != clsNormal {
		res, f, done := f80Special(a, b, ca, cb)
		if done {
			return res, f
		}
		fl = f
		switch {
		case ca == clsInf || cb == clsInf:
			if ca == clsZero || cb == clsZero {
				return f80Indefinite(), fl | exIE
			}
			return f80Inf(neg), fl
		case ca == clsZero || cb == clsZero:
			return f80Zero(neg), fl
		}
	}
	ea, ma := a.norm()
	eb, mb := b.norm()
	hi, lo := bits.Mul64(ma, mb)
	e := ea + eb - f80Bias + 1
	if hi&f80IntBit == 0 {
		hi, lo = f80Shl(hi, lo, 1)
		e--
	}
	res, f := f80Round(neg, e, hi, lo, r)
	return res, fl | f
}

// f80Div returns a/b rounded by r.
func f80Div(a, b F80, r f80Rnd) (F80, uint16) {
	ca, cb := a.class(), b.class()
	var fl uint16
	neg := a.neg() != b.neg()
	if ca != clsNormal || cb != clsNormal {
		res, f, done := f80Special(a, b, ca, cb)
		if done {
			return res, f
		}
		fl = f
		switch {
		case ca == clsInf && cb == clsInf, ca == clsZero && cb == clsZero:
			return f80Indefinite(), fl | exIE
		case ca == clsInf:
			return f80Inf(neg), fl
		case cb == clsInf:
			return f80Zero(neg), fl
		case cb == clsZero:
			return f80Inf(neg), exZE // a denormal dividend raises no DE
		case ca == clsZero:
			return f80Zero(neg), fl
		}
	}
	ea, ma := a.norm()
	eb, mb := b.norm()
	e := ea - eb + f80Bias - 1
	var hi, lo uint64 = ma, 0
	if ma >= mb {
		hi, lo = ma>>1, ma<<63
		e++
	}
	q, rem := bits.Div64(hi, lo, mb)
	res, f := f80Round(neg, e, q, f80RemBits(rem, mb), r)
	return res, fl | f
}

// f80RemBits encodes a division remainder rem (< d) as the guard bits
// below the quotient: the round bit and a sticky bit.
func f80RemBits(rem, d uint64) uint64 {
	switch {
	case rem == 0:
		return 0
	case rem > d-rem:
		return 0xC000000000000000
	case rem == d-rem:
		return 0x8000000000000000
	}
	return 1
}

// f80Sqrt returns the square root of a rounded by r.
func f80Sqrt(a F80, r f80Rnd) (F80, uint16) {
	switch a.class() {
	case clsUnsupported:
		return f80Indefinite(), exIE
	case clsSNaN:
		a.Mant |= f80QuietBit
		return a, exIE
	case clsQNaN, clsZero:
		return a, 0
	case clsInf:
		if a.neg() {
			return f80Indefinite(), exIE
		}
		return a, 0
	}
	if a.neg() {
		return f80Indefinite(), exIE
	}
	var fl uint16
	if a.SE&f80ExpMax == 0 {
		fl = exDE
	}
	e, m := a.norm()
	// a = m × 2^(e-bias-63). Make the radicand N = m × 2^63 or m × 2^64
	// so that the unbiased exponent left over is even; sqrt(N) is then
	// in [2^63, 2^64).
	u := e - f80Bias
	var nh, nl uint64
	if u&1 == 0 {
		nh, nl = m>>1, m<<63
	} else {
		nh, nl = m, 0
		u--
	}
	root, rem, remHi := f80Isqrt(nh, nl)
	// The exact root is root+δ, 0 <= δ < 1; δ >= 1/2 exactly when
	// rem > root, and δ is never exactly 1/2.
	var lo uint64
	switch {
	case remHi != 0 || rem > root:
		lo = 0xC000000000000000
	case rem != 0:
		lo = 1
	}
	res, f := f80Round(false, u>>1+f80Bias, root, lo, r)
	return res, fl | f
}

// f80Isqrt returns the integer square root of the 128-bit nh:nl and the
// remainder nh:nl - root², which is at most 2×root (65 bits, its top bit
// in remHi).
func f80Isqrt(nh, nl uint64) (root, rem uint64, remHi uint64) {
	// Restoring digit-by-digit square root, two radicand bits per step.
	var rh, rl uint64 // remainder, up to 66 bits
	for i := 0; i < 64; i++ {
		top := nh >> 62
		nh = nh<<2 | nl>>62
		nl <<= 2
		rh = rh<<2 | rl>>62
		rl = rl<<2 | top
		// trial = 4×root + 1, up to 66 bits
		th := root >> 62
		tl := root<<2 | 1
		if rh > th || rh == th && rl >= tl {
			var b uint64
			rl, b = bits.Sub64(rl, tl, 0)
			rh -= th + b
			root = root<<1 | 1
		} else {
			root <<= 1
		}
	}
	return root, rl, rh
}

// Comparison results, as x87 condition codes C3 C2 C0 expect them.
const (
	fcmpLess      = -1
	fcmpEqual     = 0
	fcmpGreater   = 1
	fcmpUnordered = 2
)

// f80Compare compares a and b. quiet selects the FUCOM rule (only SNaNs
// raise IE) over the FCOM rule (any NaN raises IE).
func f80Compare(a, b F80, quiet bool) (int, uint16) {
	ca, cb := a.class(), b.class()
	var fl uint16
	if ca == clsUnsupported || cb == clsUnsupported {
		return fcmpUnordered, exIE
	}
	if ca >= clsQNaN || cb >= clsQNaN {
		if !quiet || ca == clsSNaN || cb == clsSNaN {
			fl = exIE
		}
		return fcmpUnordered, fl
	}
	if ca == clsDenormal || cb == clsDenormal {
		fl = exDE
	}
	return f80Order(a, b, ca, cb), fl
}

// f80Order orders two non-NaN values.
func f80Order(a, b F80, ca, cb int) int {
	if ca == clsZero && cb == clsZero {
		return fcmpEqual
	}
	an, bn := a.neg(), b.neg()
	if ca == clsZero {
		if bn {
			return fcmpGreater
		}
		return fcmpLess
	}
	if cb == clsZero || an != bn {
		if an {
			return fcmpLess
		}
		return fcmpGreater
	}
	// Same sign, both nonzero: compare magnitudes.
	var ea, eb int32
	var ma, mb uint64
	if ca == clsInf {
		ea, ma = f80ExpMax, f80IntBit
	} else {
		ea, ma = a.norm()
	}
	if cb == clsInf {
		eb, mb = f80ExpMax, f80IntBit
	} else {
		eb, mb = b.norm()
	}
	c := fcmpEqual
	switch {
	case ea > eb || ea == eb && ma > mb:
		c = fcmpGreater
	case ea < eb || ea == eb && ma < mb:
		c = fcmpLess
	}
	if an {
		c = -c
	}
	return c
}

// Conversions from the memory formats. These are exact; a signaling NaN
// stays signaling (the operation that uses it raises IE), and the
// denormal flag reports a denormal source.

// f80FromF64 converts the bits of an m64 operand.
func f80FromF64(v uint64) (F80, uint16) {
	se := uint16(v>>48) & 0x8000
	exp := int32(v >> 52 & 0x7FF)
	frac := v & (1<<52 - 1)
	switch exp {
	case 0:
		if frac == 0 {
			return F80{SE: se}, 0
		}
		n := bits.LeadingZeros64(frac)
		return F80{Mant: frac << uint(n), SE: se | uint16(f80Bias+63-1074-n)}, exDE
	case 0x7FF:
		return F80{Mant: f80IntBit | frac<<11, SE: se | f80ExpMax}, 0
	}
	return F80{Mant: f80IntBit | frac<<11, SE: se | uint16(exp+f80Bias-1023)}, 0
}

// f80FromF32 converts the bits of an m32 operand.
func f80FromF32(v uint32) (F80, uint16) {
	se := uint16(v>>16) & 0x8000
	exp := int32(v >> 23 & 0xFF)
	frac := uint64(v & (1<<23 - 1))
	switch exp {
	case 0:
		if frac == 0 {
			return F80{SE: se}, 0
		}
		n := bits.LeadingZeros64(frac)
		return F80{Mant: frac << uint(n), SE: se | uint16(f80Bias+63-149-n)}, exDE
	case 0xFF:
		return F80{Mant: f80IntBit | frac<<40, SE: se | f80ExpMax}, 0
	}
	return F80{Mant: f80IntBit | frac<<40, SE: se | uint16(exp+f80Bias-127)}, 0
}

// f80FromInt converts a signed integer exactly.
func f80FromInt(v int64) F80 {
	if v < 0 {
		return f80FromUint(true, -uint64(v))
	}
	return f80FromUint(false, uint64(v))
}

// f80FromUint converts the magnitude m with sign neg exactly (a zero
// keeps its sign).
func f80FromUint(neg bool, m uint64) F80 {
	if m == 0 {
		return f80Zero(neg)
	}
	n := bits.LeadingZeros64(m)
	return F80{Mant: m << uint(n), SE: signSE(neg) | uint16(f80Bias+63-n)}
}

// f80ToMem converts a to an m64 (or, with single, m32) operand under
// control word cw (FST: the rounding control applies, the precision
// control does not, and no denormal-operand exception is raised). store
// is false when an unmasked exception forbids the store.
func f80ToMem(a F80, cw uint16, single bool) (v uint64, fl uint16, store bool) {
	fracBits, expBits, minE := uint(52), uint(11), int32(f80DblMinE)
	if single {
		fracBits, expBits, minE = 23, 8, f80SglMinE
	}
	sign := uint64(a.SE>>15) << (fracBits + expBits)
	expAll := (uint64(1)<<expBits - 1) << fracBits
	quiet := uint64(1) << (fracBits - 1)
	switch a.class() {
	case clsZero:
		return sign, 0, true
	case clsInf:
		return sign | expAll, 0, true
	case clsQNaN:
		return sign | expAll | a.Mant<<1>>(64-fracBits), 0, true
	case clsSNaN:
		return sign | expAll | a.Mant<<1>>(64-fracBits) | quiet, exIE, cw&exIE != 0
	case clsUnsupported:
		return 1<<(fracBits+expBits) | expAll | quiet, exIE, cw&exIE != 0
	}
	neg := a.neg()
	e, m := a.norm()
	e, m, fl = f80RoundPack(neg, e, m, 0, f80RndMem(cw, single))
	if fl&(exOE|exUE)&^cw != 0 {
		return 0, fl, false
	}
	var be uint64
	if e >= minE {
		be = uint64(e-minE+1) << fracBits
	}
	return sign | be | m<<1>>(64-fracBits), fl, true
}

// f80IntMag rounds the finite nonzero value m × 2^(e-16383-63) (m
// normalized) to an integer by rc. It returns the magnitude; big reports
// a magnitude of 2^64 or more.
func f80IntMag(neg bool, e int32, m uint64, rc uint16) (v uint64, big, inexact, up bool) {
	k := e - f80Bias - 63
	switch {
	case k > 0:
		return 0, true, false, false
	case k == 0:
		return m, false, false, false
	}
	hi, lo := f80Shr(m, 0, uint(-k))
	q, _, inexact, up := f80RoundSig(hi, lo, 0, rc, neg) // hi < 2^63: no carry
	return q, false, inexact, up
}

// f80RoundInt rounds a to an integral value by rc (FRNDINT; the
// precision control does not apply).
func f80RoundInt(a F80, rc uint16) (F80, uint16) {
	var fl uint16
	switch a.class() {
	case clsUnsupported:
		return f80Indefinite(), exIE
	case clsSNaN:
		a.Mant |= f80QuietBit
		return a, exIE
	case clsQNaN, clsZero, clsInf:
		return a, 0
	case clsDenormal:
		fl = exDE
	}
	neg := a.neg()
	e, m := a.norm()
	if e >= f80Bias+63 {
		return a, fl
	}
	v, _, inexact, up := f80IntMag(neg, e, m, rc)
	if inexact {
		fl |= exPE
		if up {
			fl |= exC1
		}
	}
	return f80FromUint(neg, v), fl
}

// f80ToInt converts a to a signed integer of size bytes, rounding by rc
// (FIST, FISTP; FISTTP passes rcZero). Out-of-range values, NaNs and
// infinities give IE and the integer indefinite (the most negative
// number).
func f80ToInt(a F80, rc uint16, size uint8) (uint64, uint16) {
	indef := uint64(1) << (size*8 - 1)
	switch a.class() {
	case clsZero:
		return 0, 0
	case clsNormal, clsDenormal:
	default:
		return indef, exIE
	}
	neg := a.neg()
	e, m := a.norm()
	v, big, inexact, up := f80IntMag(neg, e, m, rc)
	if big || v > indef || v == indef && !neg {
		return indef, exIE
	}
	var fl uint16
	if inexact {
		fl = exPE
		if up {
			fl |= exC1
		}
	}
	if neg {
		v = -v
	}
	return v & sizeMask(size), fl
}

// f80Rem computes the partial remainder of a by b: FPREM (truncated
// quotient) or, with ieee, FPREM1 (quotient rounded to nearest even). q
// holds the low three bits of the quotient. When the exponents differ by
// 64 or more only a partial reduction is done (partial is set): the
// quotient has n = 32 + (difference mod 32) bits, as AMD documents and
// the AMD hardware oracle confirms (Intel documents an
// implementation-dependent n between 32 and 63).
func f80Rem(a, b F80, ieee bool, cw uint16) (res F80, q uint64, partial bool, fl uint16) {
	ca, cb := a.class(), b.class()
	if ca != clsNormal || cb != clsNormal {
		r, f, done := f80Special(a, b, ca, cb)
		if done {
			return r, 0, false, f
		}
		fl = f
		switch {
		case ca == clsInf || cb == clsZero:
			return f80Indefinite(), 0, false, exIE
		case ca == clsZero:
			return a, 0, false, fl
		case cb == clsInf:
			if ca == clsDenormal {
				// The dividend comes back through rounding: normalized
				// if it can be, bias-adjusted if underflow is unmasked.
				e, m := a.norm()
				r, f := f80Round(a.neg(), e, m, 0, f80RndExt64(cw))
				return r, 0, false, fl | f
			}
			return a, 0, false, fl
		}
	}
	neg := a.neg()
	ea, ma := a.norm()
	eb, mb := b.norm()
	d := ea - eb
	re := eb // exponent (scale) of the remainder's significand
	var r uint64
	switch {
	case d < 0:
		r, re = ma, ea
		if ieee && d == -1 && ma > mb {
			// |a| > |b|/2: the nearest quotient is 1. In a's scale,
			// |b| is 2×mb.
			r = 2*mb - ma // no overflow: mb < ma, so 2mb-ma < mb
			q = 1
			neg = !neg
		}
	default:
		n := d
		if d >= 64 {
			n = 32 + d%32
			partial = true
			re = ea - n
		}
		r = ma
		if r >= mb {
			r -= mb
			q = 1
		}
		for i := int32(0); i < n; i++ {
			top := r >> 63
			r <<= 1
			q <<= 1
			if top != 0 || r >= mb {
				r -= mb
				q |= 1
			}
		}
		if ieee && !partial && (r > mb-r || r == mb-r && q&1 != 0) {
			r = mb - r
			q++
			neg = !neg
		}
	}
	if r == 0 {
		return f80Zero(a.neg()), q & 7, partial, fl
	}
	n := bits.LeadingZeros64(r)
	res, f := f80Round(neg, re-int32(n), r<<uint(n), 0, f80RndExt64(cw))
	return res, q & 7, partial, fl | f
}

// f80Scale computes a × 2^trunc(b) (FSCALE).
func f80Scale(a, b F80, cw uint16) (F80, uint16) {
	ca, cb := a.class(), b.class()
	var fl uint16
	if ca != clsNormal || cb != clsNormal {
		r, f, done := f80Special(a, b, ca, cb)
		if done {
			return r, f
		}
		fl = f
		if cb == clsInf {
			switch {
			case b.neg() && ca == clsInf, !b.neg() && ca == clsZero:
				return f80Indefinite(), fl | exIE
			case b.neg():
				return f80Zero(a.neg()), fl
			}
			return f80Inf(a.neg()), fl
		}
		if ca == clsZero || ca == clsInf {
			return a, fl
		}
	}
	var n int32
	if cb != clsZero {
		eb, mb := b.norm()
		k := eb - f80Bias // b = mb/2^63 × 2^k
		switch {
		case k < 0:
			n = 0
		case k > 20:
			n = 1 << 20 // far beyond any result's range
		default:
			n = int32(mb >> uint(63-k))
		}
		if b.neg() {
			n = -n
		}
	}
	e, m := a.norm()
	res, f := f80Round(a.neg(), e+n, m, 0, f80RndExt64(cw))
	return res, fl | f
}
