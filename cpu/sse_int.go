package cpu

// Packed integer instructions on XMM registers: SSE2 arithmetic, compares
// and shifts, SSSE3 (PHADD/PHSUB, PMADDUBSW, PMULHRSW, PSIGN, PABS) and
// SSE4.1/4.2 (PMIN/PMAX, PMULLD, PMULDQ, PCMPEQQ, PCMPGTQ, PTEST,
// PHMINPOSUW, MPSADBW). Their MMX forms are lowered by mmx.go.
//
// The common byte, word and doubleword additions, subtractions and
// equality compares work on a quadword at a time ("SIMD within a
// register"); the rest go element by element through small capture-free
// functions.

import (
	"golang.org/x/arch/x86/x86asm"
)

func init() {
	registerSSE(
		sseOp{x86asm.PAND, sfXX, opXPand}, sseOp{x86asm.PANDN, sfXX, opXPandn},
		sseOp{x86asm.POR, sfXX, opXPor}, sseOp{x86asm.PXOR, sfXX, opXPxor},
		sseOp{x86asm.PADDB, sfXX, opPaddb}, sseOp{x86asm.PADDW, sfXX, opPaddw},
		sseOp{x86asm.PADDD, sfXX, opPaddd}, sseOp{x86asm.PADDQ, sfXX, opPaddq},
		sseOp{x86asm.PSUBB, sfXX, opPsubb}, sseOp{x86asm.PSUBW, sfXX, opPsubw},
		sseOp{x86asm.PSUBD, sfXX, opPsubd}, sseOp{x86asm.PSUBQ, sfXX, opPsubq},
		sseOp{x86asm.PADDSB, sfXX, opPaddsb}, sseOp{x86asm.PADDSW, sfXX, opPaddsw},
		sseOp{x86asm.PADDUSB, sfXX, opPaddusb}, sseOp{x86asm.PADDUSW, sfXX, opPaddusw},
		sseOp{x86asm.PSUBSB, sfXX, opPsubsb}, sseOp{x86asm.PSUBSW, sfXX, opPsubsw},
		sseOp{x86asm.PSUBUSB, sfXX, opPsubusb}, sseOp{x86asm.PSUBUSW, sfXX, opPsubusw},
		sseOp{x86asm.PMULLW, sfXX, opPmullw}, sseOp{x86asm.PMULHW, sfXX, opPmulhw},
		sseOp{x86asm.PMULHUW, sfXX, opPmulhuw}, sseOp{x86asm.PMULUDQ, sfXX, opPmuludq},
		sseOp{x86asm.PMADDWD, sfXX, opPmaddwd}, sseOp{x86asm.PSADBW, sfXX, opPsadbw},
		sseOp{x86asm.PAVGB, sfXX, opPavgb}, sseOp{x86asm.PAVGW, sfXX, opPavgw},
		sseOp{x86asm.PMINUB, sfXX, opPminub}, sseOp{x86asm.PMAXUB, sfXX, opPmaxub},
		sseOp{x86asm.PMINSW, sfXX, opPminsw}, sseOp{x86asm.PMAXSW, sfXX, opPmaxsw},
		sseOp{x86asm.PCMPEQB, sfXX, opPcmpeqb}, sseOp{x86asm.PCMPEQW, sfXX, opPcmpeqw},
		sseOp{x86asm.PCMPEQD, sfXX, opPcmpeqd}, sseOp{x86asm.PCMPGTB, sfXX, opPcmpgtb},
		sseOp{x86asm.PCMPGTW, sfXX, opPcmpgtw}, sseOp{x86asm.PCMPGTD, sfXX, opPcmpgtd},
		// SSSE3
		sseOp{x86asm.PHADDW, sfXX, opPhaddw}, sseOp{x86asm.PHADDD, sfXX, opPhaddd},
		sseOp{x86asm.PHADDSW, sfXX, opPhaddsw}, sseOp{x86asm.PHSUBW, sfXX, opPhsubw},
		sseOp{x86asm.PHSUBD, sfXX, opPhsubd}, sseOp{x86asm.PHSUBSW, sfXX, opPhsubsw},
		sseOp{x86asm.PMADDUBSW, sfXX, opPmaddubsw}, sseOp{x86asm.PMULHRSW, sfXX, opPmulhrsw},
		sseOp{x86asm.PSIGNB, sfXX, opPsignb}, sseOp{x86asm.PSIGNW, sfXX, opPsignw},
		sseOp{x86asm.PSIGND, sfXX, opPsignd},
		sseOp{x86asm.PABSB, sfXX, opPabsb}, sseOp{x86asm.PABSW, sfXX, opPabsw},
		sseOp{x86asm.PABSD, sfXX, opPabsd},
		// SSE4.1, SSE4.2
		sseOp{x86asm.PMINSB, sfXX, opPminsb}, sseOp{x86asm.PMAXSB, sfXX, opPmaxsb},
		sseOp{x86asm.PMINUW, sfXX, opPminuw}, sseOp{x86asm.PMAXUW, sfXX, opPmaxuw},
		sseOp{x86asm.PMINSD, sfXX, opPminsd}, sseOp{x86asm.PMAXSD, sfXX, opPmaxsd},
		sseOp{x86asm.PMINUD, sfXX, opPminud}, sseOp{x86asm.PMAXUD, sfXX, opPmaxud},
		sseOp{x86asm.PMULLD, sfXX, opPmulld}, sseOp{x86asm.PMULDQ, sfXX, opPmuldq},
		sseOp{x86asm.PCMPEQQ, sfXX, opPcmpeqq}, sseOp{x86asm.PCMPGTQ, sfXX, opPcmpgtq},
		sseOp{x86asm.PTEST, sfXX, opPtest}, sseOp{x86asm.PHMINPOSUW, sfXX, opPhminposuw},
		sseOp{x86asm.MPSADBW, sfXXI, opMpsadbw},
	)
	register(lowerXPshift, x86asm.PSLLW, x86asm.PSLLD, x86asm.PSLLQ, x86asm.PSRLW, x86asm.PSRLD,
		x86asm.PSRLQ, x86asm.PSRAW, x86asm.PSRAD)
}

// Top-bit masks of byte, word and doubleword elements.
const (
	xhi8  = 0x8080808080808080
	xhi16 = 0x8000800080008000
	xhi32 = 0x8000000080000000
)

// xaddLanes adds element-wise without carries between elements whose top
// bits are h; xsubLanes subtracts.
func xaddLanes(a, b, h uint64) uint64 { return (a&^h + b&^h) ^ ((a ^ b) & h) }
func xsubLanes(a, b, h uint64) uint64 { return ((a | h) - b&^h) ^ ((a ^ ^b) & h) }

// xeqLanes returns all-ones elements where a and b are equal. In t the
// top bit of each element is set iff the element of a^b is nonzero: its
// low bits plus all ones below the top bit carry into the top bit iff
// they are nonzero, and never out of the element.
func xeqLanes(a, b, h uint64, width uint) uint64 {
	x := a ^ b
	t := (x&^h + ^h) | x
	z := ^t & h // the top bit of each equal element
	return (z >> (width - 1)) * (uint64(1)<<width - 1)
}

func (c *CPU) xswar(in *inst, f func(a, b, h uint64) uint64, h uint64) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = f(d[0], lo, h)
	d[1] = f(d[1], hi, h)
}

func opPaddb(c *CPU, in *inst) { c.xswar(in, xaddLanes, xhi8) }
func opPaddw(c *CPU, in *inst) { c.xswar(in, xaddLanes, xhi16) }
func opPaddd(c *CPU, in *inst) { c.xswar(in, xaddLanes, xhi32) }
func opPsubb(c *CPU, in *inst) { c.xswar(in, xsubLanes, xhi8) }
func opPsubw(c *CPU, in *inst) { c.xswar(in, xsubLanes, xhi16) }
func opPsubd(c *CPU, in *inst) { c.xswar(in, xsubLanes, xhi32) }

func opPaddq(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] += lo
	d[1] += hi
}

func opPsubq(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] -= lo
	d[1] -= hi
}

func opPcmpeqb(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xeqLanes(d[0], lo, xhi8, 8)
	d[1] = xeqLanes(d[1], hi, xhi8, 8)
}

func opPcmpeqw(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xeqLanes(d[0], lo, xhi16, 16)
	d[1] = xeqLanes(d[1], hi, xhi16, 16)
}

func opPcmpeqd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xeqLanes(d[0], lo, xhi32, 32)
	d[1] = xeqLanes(d[1], hi, xhi32, 32)
}

func opPcmpeqq(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xmask64(d[0] == lo)
	d[1] = xmask64(d[1] == hi)
}

func opPcmpgtq(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xmask64(int64(d[0]) > int64(lo))
	d[1] = xmask64(int64(d[1]) > int64(hi))
}

// Element-wise helpers.

func xmap8(a, b uint64, f func(x, y uint8) uint8) uint64 {
	var r uint64
	for i := uint(0); i < 64; i += 8 {
		r |= uint64(f(uint8(a>>i), uint8(b>>i))) << i
	}
	return r
}

func xmap16(a, b uint64, f func(x, y uint16) uint16) uint64 {
	var r uint64
	for i := uint(0); i < 64; i += 16 {
		r |= uint64(f(uint16(a>>i), uint16(b>>i))) << i
	}
	return r
}

func xmap32(a, b uint64, f func(x, y uint32) uint32) uint64 {
	return uint64(f(uint32(a), uint32(b))) | uint64(f(uint32(a>>32), uint32(b>>32)))<<32
}

func (c *CPU) xpint8(in *inst, f func(x, y uint8) uint8) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xmap8(d[0], lo, f)
	d[1] = xmap8(d[1], hi, f)
}

func (c *CPU) xpint16(in *inst, f func(x, y uint16) uint16) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xmap16(d[0], lo, f)
	d[1] = xmap16(d[1], hi, f)
}

func (c *CPU) xpint32(in *inst, f func(x, y uint32) uint32) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xmap32(d[0], lo, f)
	d[1] = xmap32(d[1], hi, f)
}

func opPaddsb(c *CPU, in *inst) {
	c.xpint8(in, func(x, y uint8) uint8 { return uint8(xsatS8(int16(int8(x)) + int16(int8(y)))) })
}

func opPsubsb(c *CPU, in *inst) {
	c.xpint8(in, func(x, y uint8) uint8 { return uint8(xsatS8(int16(int8(x)) - int16(int8(y)))) })
}

func opPaddusb(c *CPU, in *inst) {
	c.xpint8(in, func(x, y uint8) uint8 { return uint8(xsatU8(int16(x) + int16(y))) })
}

func opPsubusb(c *CPU, in *inst) {
	c.xpint8(in, func(x, y uint8) uint8 { return uint8(xsatU8(int16(x) - int16(y))) })
}

func opPaddsw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return uint16(xsatS16(int32(int16(x)) + int32(int16(y)))) })
}

func opPsubsw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return uint16(xsatS16(int32(int16(x)) - int32(int16(y)))) })
}

func opPaddusw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return uint16(xsatU16(int32(x) + int32(y))) })
}

func opPsubusw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return uint16(xsatU16(int32(x) - int32(y))) })
}

func opPmullw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return x * y })
}

func opPmulhw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return uint16(int32(int16(x)) * int32(int16(y)) >> 16) })
}

func opPmulhuw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return uint16(uint32(x) * uint32(y) >> 16) })
}

// PMULHRSW (SSSE3): the signed product scaled by 2^-15 and rounded.
func opPmulhrsw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 {
		return uint16((int32(int16(x))*int32(int16(y))>>14 + 1) >> 1)
	})
}

// PMULUDQ multiplies the even (low) unsigned doublewords of each
// quadword into a quadword.
func opPmuludq(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = d[0] & 0xFFFFFFFF * (lo & 0xFFFFFFFF)
	d[1] = d[1] & 0xFFFFFFFF * (hi & 0xFFFFFFFF)
}

// PMULDQ (SSE4.1) is the signed version.
func opPmuldq(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = uint64(int64(int32(d[0])) * int64(int32(lo)))
	d[1] = uint64(int64(int32(d[1])) * int64(int32(hi)))
}

func opPmulld(c *CPU, in *inst) {
	c.xpint32(in, func(x, y uint32) uint32 { return x * y })
}

// PMADDWD: adjacent signed word products summed into doublewords (which
// wraps only for 0x8000×0x8000 twice).
func xpmaddwd(a, b uint64) uint64 {
	var r uint64
	for i := uint(0); i < 64; i += 32 {
		s := int32(int16(a>>i))*int32(int16(b>>i)) + int32(int16(a>>(i+16)))*int32(int16(b>>(i+16)))
		r |= uint64(uint32(s)) << i
	}
	return r
}

func opPmaddwd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xpmaddwd(d[0], lo)
	d[1] = xpmaddwd(d[1], hi)
}

// PMADDUBSW (SSSE3): unsigned destination bytes times signed source bytes,
// adjacent products summed with signed saturation.
func xpmaddubsw(a, b uint64) uint64 {
	var r uint64
	for i := uint(0); i < 64; i += 16 {
		s := int32(uint8(a>>i))*int32(int8(b>>i)) + int32(uint8(a>>(i+8)))*int32(int8(b>>(i+8)))
		r |= xsatS16(s) << i
	}
	return r
}

func opPmaddubsw(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xpmaddubsw(d[0], lo)
	d[1] = xpmaddubsw(d[1], hi)
}

// PSADBW: the sums of absolute byte differences of each quadword, in its
// low word.
func xsad8(a, b uint64) uint64 {
	var s uint64
	for i := uint(0); i < 64; i += 8 {
		x, y := uint8(a>>i), uint8(b>>i)
		if x > y {
			s += uint64(x - y)
		} else {
			s += uint64(y - x)
		}
	}
	return s
}

func opPsadbw(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xsad8(d[0], lo)
	d[1] = xsad8(d[1], hi)
}

func opPavgb(c *CPU, in *inst) {
	c.xpint8(in, func(x, y uint8) uint8 { return uint8((uint16(x) + uint16(y) + 1) >> 1) })
}

func opPavgw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return uint16((uint32(x) + uint32(y) + 1) >> 1) })
}

func opPminub(c *CPU, in *inst) { c.xpint8(in, func(x, y uint8) uint8 { return min(x, y) }) }
func opPmaxub(c *CPU, in *inst) { c.xpint8(in, func(x, y uint8) uint8 { return max(x, y) }) }
func opPminuw(c *CPU, in *inst) { c.xpint16(in, func(x, y uint16) uint16 { return min(x, y) }) }
func opPmaxuw(c *CPU, in *inst) { c.xpint16(in, func(x, y uint16) uint16 { return max(x, y) }) }
func opPminud(c *CPU, in *inst) { c.xpint32(in, func(x, y uint32) uint32 { return min(x, y) }) }
func opPmaxud(c *CPU, in *inst) { c.xpint32(in, func(x, y uint32) uint32 { return max(x, y) }) }

func opPminsb(c *CPU, in *inst) {
	c.xpint8(in, func(x, y uint8) uint8 { return uint8(min(int8(x), int8(y))) })
}

func opPmaxsb(c *CPU, in *inst) {
	c.xpint8(in, func(x, y uint8) uint8 { return uint8(max(int8(x), int8(y))) })
}

func opPminsw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return uint16(min(int16(x), int16(y))) })
}

func opPmaxsw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return uint16(max(int16(x), int16(y))) })
}

func opPminsd(c *CPU, in *inst) {
	c.xpint32(in, func(x, y uint32) uint32 { return uint32(min(int32(x), int32(y))) })
}

func opPmaxsd(c *CPU, in *inst) {
	c.xpint32(in, func(x, y uint32) uint32 { return uint32(max(int32(x), int32(y))) })
}

func opPcmpgtb(c *CPU, in *inst) {
	c.xpint8(in, func(x, y uint8) uint8 { return uint8(xmask32(int8(x) > int8(y))) })
}

func opPcmpgtw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 { return uint16(xmask32(int16(x) > int16(y))) })
}

func opPcmpgtd(c *CPU, in *inst) {
	c.xpint32(in, func(x, y uint32) uint32 { return uint32(xmask32(int32(x) > int32(y))) })
}

// PSIGN (SSSE3): the destination element negated, zeroed or kept as the
// source element is negative, zero or positive.
func opPsignb(c *CPU, in *inst) {
	c.xpint8(in, func(x, y uint8) uint8 {
		switch {
		case int8(y) < 0:
			return -x
		case y == 0:
			return 0
		}
		return x
	})
}

func opPsignw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 {
		switch {
		case int16(y) < 0:
			return -x
		case y == 0:
			return 0
		}
		return x
	})
}

func opPsignd(c *CPU, in *inst) {
	c.xpint32(in, func(x, y uint32) uint32 {
		switch {
		case int32(y) < 0:
			return -x
		case y == 0:
			return 0
		}
		return x
	})
}

// PABS (SSSE3) of the source; the most negative value stays as it is.
func opPabsb(c *CPU, in *inst) {
	c.xpint8(in, func(x, y uint8) uint8 {
		if int8(y) < 0 {
			return -y
		}
		return y
	})
}

func opPabsw(c *CPU, in *inst) {
	c.xpint16(in, func(x, y uint16) uint16 {
		if int16(y) < 0 {
			return -y
		}
		return y
	})
}

func opPabsd(c *CPU, in *inst) {
	c.xpint32(in, func(x, y uint32) uint32 {
		if int32(y) < 0 {
			return -y
		}
		return y
	})
}

// Horizontal add and subtract (SSSE3): adjacent pairs of the destination
// fill the low half of the result, those of the source the high half.

func xhpair16(v uint64, f func(x, y uint16) uint16) uint64 {
	return uint64(f(uint16(v), uint16(v>>16))) | uint64(f(uint16(v>>32), uint16(v>>48)))<<16
}

func (c *CPU) xphorz16(in *inst, f func(x, y uint16) uint16) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xhpair16(d[0], f) | xhpair16(d[1], f)<<32
	d[1] = xhpair16(lo, f) | xhpair16(hi, f)<<32
}

func (c *CPU) xphorz32(in *inst, f func(x, y uint32) uint32) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = uint64(f(uint32(d[0]), uint32(d[0]>>32))) | uint64(f(uint32(d[1]), uint32(d[1]>>32)))<<32
	d[1] = uint64(f(uint32(lo), uint32(lo>>32))) | uint64(f(uint32(hi), uint32(hi>>32)))<<32
}

func opPhaddw(c *CPU, in *inst) { c.xphorz16(in, func(x, y uint16) uint16 { return x + y }) }
func opPhsubw(c *CPU, in *inst) { c.xphorz16(in, func(x, y uint16) uint16 { return x - y }) }
func opPhaddd(c *CPU, in *inst) { c.xphorz32(in, func(x, y uint32) uint32 { return x + y }) }
func opPhsubd(c *CPU, in *inst) { c.xphorz32(in, func(x, y uint32) uint32 { return x - y }) }

func opPhaddsw(c *CPU, in *inst) {
	c.xphorz16(in, func(x, y uint16) uint16 { return uint16(xsatS16(int32(int16(x)) + int32(int16(y)))) })
}

func opPhsubsw(c *CPU, in *inst) {
	c.xphorz16(in, func(x, y uint16) uint16 { return uint16(xsatS16(int32(int16(x)) - int32(int16(y)))) })
}

// PTEST (SSE4.1): ZF if destination AND source is zero, CF if source AND
// NOT destination is zero; AF, OF, PF and SF are cleared.
func opPtest(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	f := c.flags &^ flagsArith
	if d[0]&lo|d[1]&hi == 0 {
		f |= FlagZF
	}
	if ^d[0]&lo|^d[1]&hi == 0 {
		f |= FlagCF
	}
	c.lz = lzNone
	c.flags = f
}

// PHMINPOSUW (SSE4.1): the smallest unsigned word of the source in word
// 0, its index (the lowest one on ties) in word 1, zeros elsewhere.
func opPhminposuw(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	s := [2]uint64{lo, hi}
	m, idx := xel16(&s, 0), uint(0)
	for i := uint(1); i < 8; i++ {
		if v := xel16(&s, i); v < m {
			m, idx = v, i
		}
	}
	d := &c.X[in.d&15]
	d[0], d[1] = uint64(m)|uint64(idx)<<16, 0
}

// MPSADBW (SSE4.1): eight sums of absolute differences between the
// 4-byte block of the source at imm8[1:0]×4 and the eight 4-byte windows
// of the destination starting at imm8[2]×4.
func opMpsadbw(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	s := [2]uint64{lo, hi}
	d := &c.X[in.d&15]
	a := *d
	so, do := uint(in.imm&3)*4, uint(in.imm>>2&1)*4
	var r [2]uint64
	for i := uint(0); i < 8; i++ {
		var sum uint64
		for j := uint(0); j < 4; j++ {
			x, y := xel8(&a, do+i+j), xel8(&s, so+j)
			if x > y {
				sum += uint64(x - y)
			} else {
				sum += uint64(y - x)
			}
		}
		r[i>>2] |= sum << (i & 3 * 16)
	}
	*d = r
}

// Shifts: PSLL/PSRL/PSRA by imm8 or by the low quadword of an XMM
// register or memory operand. A count at least the element width clears
// the element (or, arithmetic, fills it with its sign).
func lowerXPshift(l *lw) bool {
	if sseHasMM(l) {
		return lowerMMX(l)
	}
	var fn handler
	switch l.x.Op {
	case x86asm.PSLLW:
		fn = opPsllw
	case x86asm.PSLLD:
		fn = opPslld
	case x86asm.PSLLQ:
		fn = opPsllq
	case x86asm.PSRLW:
		fn = opPsrlw
	case x86asm.PSRLD:
		fn = opPsrld
	case x86asm.PSRLQ:
		fn = opPsrlq
	case x86asm.PSRAW:
		fn = opPsraw
	case x86asm.PSRAD:
		fn = opPsrad
	}
	if _, isImm := l.arg(1).(x86asm.Imm); isImm {
		l.in.flags |= iImm
		return lowerSSEForm(l, sfXI, fn)
	}
	return lowerSSEForm(l, sfXX, fn)
}

// xshiftCount returns the count: imm8, or the source's low quadword.
func (c *CPU) xshiftCount(in *inst) uint64 {
	if in.flags&iImm != 0 {
		return in.imm
	}
	lo, _ := c.xsrc(in)
	return lo
}

func (c *CPU) xpshl(in *inst, width uint) {
	n := c.xshiftCount(in)
	d := &c.X[in.d&15]
	m := xelemLowMask(width)
	d[0] = xsllLanes(d[0], n, width, m)
	d[1] = xsllLanes(d[1], n, width, m)
}

func (c *CPU) xpshr(in *inst, width uint) {
	n := c.xshiftCount(in)
	d := &c.X[in.d&15]
	m := xelemLowMask(width)
	d[0] = xsrlLanes(d[0], n, width, m)
	d[1] = xsrlLanes(d[1], n, width, m)
}

// xelemLowMask has the lowest bit of each element of the width set.
func xelemLowMask(width uint) uint64 {
	switch width {
	case 16:
		return 0x0001000100010001
	case 32:
		return 0x0000000100000001
	}
	return 1
}

// xsllLanes shifts each element left by n (< width) and xsrlLanes right:
// the bits that would cross into the neighbouring element are masked off.
func xsllLanes(v, n uint64, width uint, low uint64) uint64 {
	if n >= uint64(width) {
		return 0
	}
	keep := low * (1<<(uint64(width)-n) - 1) // the low width-n bits of each element
	return (v & keep) << n
}

func xsrlLanes(v, n uint64, width uint, low uint64) uint64 {
	if n >= uint64(width) {
		return 0
	}
	keep := low * (1<<(uint64(width)-n) - 1) << n // the high width-n bits
	return (v & keep) >> n
}

func opPsllw(c *CPU, in *inst) { c.xpshl(in, 16) }
func opPslld(c *CPU, in *inst) { c.xpshl(in, 32) }
func opPsllq(c *CPU, in *inst) { c.xpshl(in, 64) }
func opPsrlw(c *CPU, in *inst) { c.xpshr(in, 16) }
func opPsrld(c *CPU, in *inst) { c.xpshr(in, 32) }
func opPsrlq(c *CPU, in *inst) { c.xpshr(in, 64) }

func opPsraw(c *CPU, in *inst) {
	n := min(c.xshiftCount(in), 15)
	d := &c.X[in.d&15]
	f := func(x, y uint16) uint16 { return uint16(int16(x) >> y) }
	d[0] = xmap16(d[0], n*0x0001000100010001, f)
	d[1] = xmap16(d[1], n*0x0001000100010001, f)
}

func opPsrad(c *CPU, in *inst) {
	n := min(c.xshiftCount(in), 31)
	d := &c.X[in.d&15]
	f := func(x, y uint32) uint32 { return uint32(int32(x) >> y) }
	d[0] = xmap32(d[0], n|n<<32, f)
	d[1] = xmap32(d[1], n|n<<32, f)
}
