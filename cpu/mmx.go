package cpu

import "golang.org/x/arch/x86/x86asm"

// MMX (SDM vol. 1, chapter 9): the eight 64-bit registers MM0-MM7 are
// the significands of the x87 physical registers R0-R7. Every MMX
// instruction except EMMS sets TOP to 0 and marks all registers valid;
// a write also sets the register's sign and exponent bits to all ones.
// EMMS marks all registers empty. MMX instructions check for a pending
// x87 exception like waiting x87 instructions do.
//
// x86asm uses one Op for the MMX and the SSE form of most integer
// instructions (PADDD mm and PADDD xmm); the SSE lowering hands the
// instructions with an MM operand to lowerMMX. Only the operations that
// exist for MM registers alone are registered here.

// mmxEnter is the prologue of every MMX instruction but EMMS.
func (c *CPU) mmxEnter() {
	f := &c.FPU
	if f.SW&swES != 0 {
		c.fpTrap()
	}
	f.SW &^= swTop
	f.Tag = 0xFF
}

// mmGet and mmSet access MMX register i. They are for the MMX handlers
// and for the SSE instructions with an MM operand (CVTPI2PS, MOVQ2DQ...),
// which must call mmxEnter first.
func (c *CPU) mmGet(i uint8) uint64 { return c.FPU.R[i&7].Mant }

func (c *CPU) mmSet(i uint8, v uint64) { c.FPU.R[i&7] = F80{Mant: v, SE: 0xFFFF} }

// opMMEMMS empties the x87 register stack after MMX code.
func opMMEMMS(c *CPU, in *inst) {
	c.fpWait()
	c.FPU.Tag = 0
}

// Moves (MOVD, MOVQ, MOVNTQ). in.size is the operand size.

func opMMMov(c *CPU, in *inst) {
	c.mmxEnter()
	c.mmSet(in.d, c.mmGet(in.s))
}

// opMMFromR moves a general register into an MM register, zero-extended.
func opMMFromR(c *CPU, in *inst) {
	c.mmxEnter()
	c.mmSet(in.d, c.getR(in.s, in.size))
}

// opMMToR moves an MM register's low 32 (or 64) bits into a general
// register.
func opMMToR(c *CPU, in *inst) {
	c.mmxEnter()
	c.setR(in.d, in.size, c.mmGet(in.s)&sizeMask(in.size))
}

func opMMLoad(c *CPU, in *inst) {
	v := c.rdN(c.ea(in), in.size)
	c.mmxEnter()
	c.mmSet(in.d, v)
}

func opMMStore(c *CPU, in *inst) {
	a := c.ea(in)
	c.mmxEnter()
	c.wrN(a, in.size, c.mmGet(in.s))
}

// Element-wise operations: dst = mmxOps[aux](dst, src).

// mmSrc returns the source operand: an MM register or an m64 (m32 for
// the PUNPCKL forms, zero-extended) when in.size is set.
func (c *CPU) mmSrc(in *inst) uint64 {
	if in.flags&iMem != 0 {
		return c.rdN(c.ea(in), in.size)
	}
	return c.mmGet(in.s)
}

func opMMBin(c *CPU, in *inst) {
	b := c.mmSrc(in)
	c.mmxEnter()
	c.mmSet(in.d, mmxOps[in.aux](c.mmGet(in.d), b))
}

// Shifts by a count: from an MM register or m64 (opMMShift) or an
// immediate (opMMShiftI); in.aux is the shift kind, in.aux2 the lane
// width in bits.
const (
	mmShl = iota
	mmShr
	mmSar
)

func mmShift(v, n uint64, kind, width uint8) uint64 {
	w := uint64(width)
	if n >= w {
		if kind != mmSar {
			return 0
		}
		n = w - 1
	}
	if w == 64 {
		switch kind {
		case mmShl:
			return v << n
		case mmShr:
			return v >> n
		}
		return uint64(int64(v) >> n)
	}
	var r uint64
	mask := uint64(1)<<w - 1
	for i := uint64(0); i < 64; i += w {
		x := v >> i & mask
		switch kind {
		case mmShl:
			x = x << n & mask
		case mmShr:
			x >>= n
		default:
			x = uint64(sext(x, uint8(w/8))>>n) & mask
		}
		r |= x << i
	}
	return r
}

func opMMShift(c *CPU, in *inst) {
	n := c.mmSrc(in)
	c.mmxEnter()
	c.mmSet(in.d, mmShift(c.mmGet(in.d), n, in.aux, in.aux2))
}

func opMMShiftI(c *CPU, in *inst) {
	c.mmxEnter()
	c.mmSet(in.d, mmShift(c.mmGet(in.d), in.imm, in.aux, in.aux2))
}

// opMMPSHUFW: dst word i = src word (imm >> 2i) & 3.
func opMMPSHUFW(c *CPU, in *inst) {
	v := c.mmSrc(in)
	c.mmxEnter()
	var r uint64
	for i := uint(0); i < 4; i++ {
		sel := uint(in.imm>>(2*i)) & 3
		r |= (v >> (16 * sel) & 0xFFFF) << (16 * i)
	}
	c.mmSet(in.d, r)
}

// opMMPALIGNR: the low 64 bits of (dst:src) >> 8×imm.
func opMMPALIGNR(c *CPU, in *inst) {
	v := c.mmSrc(in)
	c.mmxEnter()
	d := c.mmGet(in.d)
	n := uint(in.imm) * 8
	var r uint64
	switch {
	case n == 0:
		r = v
	case n < 64:
		r = v>>n | d<<(64-n)
	case n < 128:
		r = d >> (n - 64)
	}
	c.mmSet(in.d, r)
}

// opMMPEXTRW: a general register gets word imm&3 of an MM register.
func opMMPEXTRW(c *CPU, in *inst) {
	c.mmxEnter()
	c.setR(in.d, in.size, c.mmGet(in.s)>>(16*(in.imm&3))&0xFFFF)
}

// opMMPINSRW: word imm&3 of an MM register gets a general register's or
// m16's low word.
func opMMPINSRW(c *CPU, in *inst) {
	var w uint64
	if in.flags&iMem != 0 {
		w = uint64(c.rd16(c.ea(in)))
	} else {
		w = c.getR(in.s, 4) & 0xFFFF
	}
	c.mmxEnter()
	sh := 16 * (in.imm & 3)
	c.mmSet(in.d, c.mmGet(in.d)&^(0xFFFF<<sh)|w<<sh)
}

// opMMPMOVMSKB: a general register gets the sign bits of the 8 bytes.
func opMMPMOVMSKB(c *CPU, in *inst) {
	c.mmxEnter()
	v := c.mmGet(in.s)
	var m uint64
	for i := uint(0); i < 8; i++ {
		m |= (v >> (8*i + 7) & 1) << i
	}
	c.setR(in.d, in.size, m)
}

// opMMMASKMOVQ stores the bytes of MM d whose mask byte (in MM s) has its
// top bit set, at [EDI] or [RDI].
func opMMMASKMOVQ(c *CPU, in *inst) {
	a := c.R[RDI]
	if in.flags&iA32 != 0 {
		a = uint64(uint32(a))
	}
	c.mmxEnter()
	v, m := c.mmGet(in.d), c.mmGet(in.s)
	if m&0x8080808080808080 == 0 {
		return
	}
	c.wcheck(a, 8)
	for i := uint(0); i < 8; i++ {
		if m>>(8*i+7)&1 != 0 {
			c.wr8(c.addr(a+uint64(i)), uint8(v>>(8*i)))
		}
	}
}

// Lane helpers for the element-wise operations.

func mmMap8(a, b uint64, f func(x, y uint8) uint8) uint64 {
	var r uint64
	for i := uint(0); i < 64; i += 8 {
		r |= uint64(f(uint8(a>>i), uint8(b>>i))) << i
	}
	return r
}

func mmMap16(a, b uint64, f func(x, y uint16) uint16) uint64 {
	var r uint64
	for i := uint(0); i < 64; i += 16 {
		r |= uint64(f(uint16(a>>i), uint16(b>>i))) << i
	}
	return r
}

func mmMap32(a, b uint64, f func(x, y uint32) uint32) uint64 {
	return uint64(f(uint32(a), uint32(b))) | uint64(f(uint32(a>>32), uint32(b>>32)))<<32
}

func mmSatS8(v int32) uint8 {
	return uint8(int8(max(-128, min(127, v))))
}

func mmSatU8(v int32) uint8 { return uint8(max(0, min(255, v))) }

func mmSatS16(v int32) uint16 {
	return uint16(int16(max(-32768, min(32767, v))))
}

func mmSatU16(v int32) uint16 { return uint16(max(0, min(65535, v))) }

func mmMask8(c bool) uint8 {
	if c {
		return 0xFF
	}
	return 0
}

func mmMask16(c bool) uint16 {
	if c {
		return 0xFFFF
	}
	return 0
}

func mmMask32(c bool) uint32 {
	if c {
		return 0xFFFFFFFF
	}
	return 0
}

func mmSign8(x, y uint8) uint8 {
	switch {
	case int8(y) < 0:
		return -x
	case y == 0:
		return 0
	}
	return x
}

func mmSign16(x, y uint16) uint16 {
	switch {
	case int16(y) < 0:
		return -x
	case y == 0:
		return 0
	}
	return x
}

func mmSign32(x, y uint32) uint32 {
	switch {
	case int32(y) < 0:
		return -x
	case y == 0:
		return 0
	}
	return x
}

func mmWords(v uint64) [4]uint16 {
	return [4]uint16{uint16(v), uint16(v >> 16), uint16(v >> 32), uint16(v >> 48)}
}

func mmFromWords(w [4]uint16) uint64 {
	return uint64(w[0]) | uint64(w[1])<<16 | uint64(w[2])<<32 | uint64(w[3])<<48
}

// mmInterleave merges the low (or high, hi set) halves of a and b lane by
// lane: a0 b0 a1 b1 ... for lanes of width bits.
func mmInterleave(a, b uint64, width uint, hi bool) uint64 {
	if hi {
		a, b = a>>32, b>>32
	}
	mask := uint64(1)<<width - 1
	var r uint64
	for i, o := uint(0), uint(0); o < 64; i, o = i+width, o+2*width {
		r |= (a>>i&mask)<<o | (b>>i&mask)<<(o+width)
	}
	return r
}

// MMX element-wise operations (in.aux indexes mmxOps).
const (
	mPADDB = iota
	mPADDW
	mPADDD
	mPADDQ
	mPADDSB
	mPADDSW
	mPADDUSB
	mPADDUSW
	mPSUBB
	mPSUBW
	mPSUBD
	mPSUBQ
	mPSUBSB
	mPSUBSW
	mPSUBUSB
	mPSUBUSW
	mPAND
	mPANDN
	mPOR
	mPXOR
	mPCMPEQB
	mPCMPEQW
	mPCMPEQD
	mPCMPGTB
	mPCMPGTW
	mPCMPGTD
	mPMULLW
	mPMULHW
	mPMULHUW
	mPMADDWD
	mPMULUDQ
	mPAVGB
	mPAVGW
	mPMINUB
	mPMAXUB
	mPMINSW
	mPMAXSW
	mPSADBW
	mPACKSSWB
	mPACKSSDW
	mPACKUSWB
	mPUNPCKLBW
	mPUNPCKLWD
	mPUNPCKLDQ
	mPUNPCKHBW
	mPUNPCKHWD
	mPUNPCKHDQ
	mPSHUFB
	mPHADDW
	mPHADDD
	mPHADDSW
	mPHSUBW
	mPHSUBD
	mPHSUBSW
	mPMADDUBSW
	mPMULHRSW
	mPSIGNB
	mPSIGNW
	mPSIGND
	mPABSB
	mPABSW
	mPABSD
	mNumOps
)

// mmxOps computes each element-wise operation on (dst, src).
var mmxOps = [mNumOps]func(a, b uint64) uint64{
	mPADDB: func(a, b uint64) uint64 { return mmMap8(a, b, func(x, y uint8) uint8 { return x + y }) },
	mPADDW: func(a, b uint64) uint64 { return mmMap16(a, b, func(x, y uint16) uint16 { return x + y }) },
	mPADDD: func(a, b uint64) uint64 { return mmMap32(a, b, func(x, y uint32) uint32 { return x + y }) },
	mPADDQ: func(a, b uint64) uint64 { return a + b },
	mPADDSB: func(a, b uint64) uint64 {
		return mmMap8(a, b, func(x, y uint8) uint8 { return mmSatS8(int32(int8(x)) + int32(int8(y))) })
	},
	mPADDSW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return mmSatS16(int32(int16(x)) + int32(int16(y))) })
	},
	mPADDUSB: func(a, b uint64) uint64 {
		return mmMap8(a, b, func(x, y uint8) uint8 { return mmSatU8(int32(x) + int32(y)) })
	},
	mPADDUSW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return mmSatU16(int32(x) + int32(y)) })
	},
	mPSUBB: func(a, b uint64) uint64 { return mmMap8(a, b, func(x, y uint8) uint8 { return x - y }) },
	mPSUBW: func(a, b uint64) uint64 { return mmMap16(a, b, func(x, y uint16) uint16 { return x - y }) },
	mPSUBD: func(a, b uint64) uint64 { return mmMap32(a, b, func(x, y uint32) uint32 { return x - y }) },
	mPSUBQ: func(a, b uint64) uint64 { return a - b },
	mPSUBSB: func(a, b uint64) uint64 {
		return mmMap8(a, b, func(x, y uint8) uint8 { return mmSatS8(int32(int8(x)) - int32(int8(y))) })
	},
	mPSUBSW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return mmSatS16(int32(int16(x)) - int32(int16(y))) })
	},
	mPSUBUSB: func(a, b uint64) uint64 {
		return mmMap8(a, b, func(x, y uint8) uint8 { return mmSatU8(int32(x) - int32(y)) })
	},
	mPSUBUSW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return mmSatU16(int32(x) - int32(y)) })
	},
	mPAND:  func(a, b uint64) uint64 { return a & b },
	mPANDN: func(a, b uint64) uint64 { return ^a & b },
	mPOR:   func(a, b uint64) uint64 { return a | b },
	mPXOR:  func(a, b uint64) uint64 { return a ^ b },
	mPCMPEQB: func(a, b uint64) uint64 {
		return mmMap8(a, b, func(x, y uint8) uint8 { return mmMask8(x == y) })
	},
	mPCMPEQW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return mmMask16(x == y) })
	},
	mPCMPEQD: func(a, b uint64) uint64 {
		return mmMap32(a, b, func(x, y uint32) uint32 { return mmMask32(x == y) })
	},
	mPCMPGTB: func(a, b uint64) uint64 {
		return mmMap8(a, b, func(x, y uint8) uint8 { return mmMask8(int8(x) > int8(y)) })
	},
	mPCMPGTW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return mmMask16(int16(x) > int16(y)) })
	},
	mPCMPGTD: func(a, b uint64) uint64 {
		return mmMap32(a, b, func(x, y uint32) uint32 { return mmMask32(int32(x) > int32(y)) })
	},
	mPMULLW: func(a, b uint64) uint64 { return mmMap16(a, b, func(x, y uint16) uint16 { return x * y }) },
	mPMULHW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return uint16(int32(int16(x)) * int32(int16(y)) >> 16) })
	},
	mPMULHUW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return uint16(uint32(x) * uint32(y) >> 16) })
	},
	mPMADDWD: func(a, b uint64) uint64 {
		wa, wb := mmWords(a), mmWords(b)
		lo := int32(int16(wa[0]))*int32(int16(wb[0])) + int32(int16(wa[1]))*int32(int16(wb[1]))
		hi := int32(int16(wa[2]))*int32(int16(wb[2])) + int32(int16(wa[3]))*int32(int16(wb[3]))
		return uint64(uint32(lo)) | uint64(uint32(hi))<<32
	},
	mPMULUDQ: func(a, b uint64) uint64 { return uint64(uint32(a)) * uint64(uint32(b)) },
	mPAVGB: func(a, b uint64) uint64 {
		return mmMap8(a, b, func(x, y uint8) uint8 { return uint8((uint16(x) + uint16(y) + 1) >> 1) })
	},
	mPAVGW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return uint16((uint32(x) + uint32(y) + 1) >> 1) })
	},
	mPMINUB: func(a, b uint64) uint64 { return mmMap8(a, b, func(x, y uint8) uint8 { return min(x, y) }) },
	mPMAXUB: func(a, b uint64) uint64 { return mmMap8(a, b, func(x, y uint8) uint8 { return max(x, y) }) },
	mPMINSW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return uint16(min(int16(x), int16(y))) })
	},
	mPMAXSW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return uint16(max(int16(x), int16(y))) })
	},
	mPSADBW: func(a, b uint64) uint64 {
		var s uint64
		for i := uint(0); i < 64; i += 8 {
			x, y := int(a>>i&0xFF), int(b>>i&0xFF)
			if x > y {
				s += uint64(x - y)
			} else {
				s += uint64(y - x)
			}
		}
		return s
	},
	mPACKSSWB: func(a, b uint64) uint64 {
		var r uint64
		for i, v := range [8]uint16{uint16(a), uint16(a >> 16), uint16(a >> 32), uint16(a >> 48),
			uint16(b), uint16(b >> 16), uint16(b >> 32), uint16(b >> 48)} {
			r |= uint64(mmSatS8(int32(int16(v)))) << (8 * uint(i))
		}
		return r
	},
	mPACKSSDW: func(a, b uint64) uint64 {
		return mmFromWords([4]uint16{mmSatS16(int32(a)), mmSatS16(int32(a >> 32)), mmSatS16(int32(b)), mmSatS16(int32(b >> 32))})
	},
	mPACKUSWB: func(a, b uint64) uint64 {
		var r uint64
		for i, v := range [8]uint16{uint16(a), uint16(a >> 16), uint16(a >> 32), uint16(a >> 48),
			uint16(b), uint16(b >> 16), uint16(b >> 32), uint16(b >> 48)} {
			r |= uint64(mmSatU8(int32(int16(v)))) << (8 * uint(i))
		}
		return r
	},
	mPUNPCKLBW: func(a, b uint64) uint64 { return mmInterleave(a, b, 8, false) },
	mPUNPCKLWD: func(a, b uint64) uint64 { return mmInterleave(a, b, 16, false) },
	mPUNPCKLDQ: func(a, b uint64) uint64 { return mmInterleave(a, b, 32, false) },
	mPUNPCKHBW: func(a, b uint64) uint64 { return mmInterleave(a, b, 8, true) },
	mPUNPCKHWD: func(a, b uint64) uint64 { return mmInterleave(a, b, 16, true) },
	mPUNPCKHDQ: func(a, b uint64) uint64 { return mmInterleave(a, b, 32, true) },
	mPSHUFB: func(a, b uint64) uint64 {
		var r uint64
		for i := uint(0); i < 64; i += 8 {
			if s := b >> i & 0xFF; s&0x80 == 0 {
				r |= (a >> (8 * (s & 7)) & 0xFF) << i
			}
		}
		return r
	},
	mPHADDW: func(a, b uint64) uint64 {
		wa, wb := mmWords(a), mmWords(b)
		return mmFromWords([4]uint16{wa[0] + wa[1], wa[2] + wa[3], wb[0] + wb[1], wb[2] + wb[3]})
	},
	mPHADDD: func(a, b uint64) uint64 {
		return uint64(uint32(a)+uint32(a>>32)) | uint64(uint32(b)+uint32(b>>32))<<32
	},
	mPHADDSW: func(a, b uint64) uint64 {
		wa, wb := mmWords(a), mmWords(b)
		s := func(x, y uint16) uint16 { return mmSatS16(int32(int16(x)) + int32(int16(y))) }
		return mmFromWords([4]uint16{s(wa[0], wa[1]), s(wa[2], wa[3]), s(wb[0], wb[1]), s(wb[2], wb[3])})
	},
	mPHSUBW: func(a, b uint64) uint64 {
		wa, wb := mmWords(a), mmWords(b)
		return mmFromWords([4]uint16{wa[0] - wa[1], wa[2] - wa[3], wb[0] - wb[1], wb[2] - wb[3]})
	},
	mPHSUBD: func(a, b uint64) uint64 {
		return uint64(uint32(a)-uint32(a>>32)) | uint64(uint32(b)-uint32(b>>32))<<32
	},
	mPHSUBSW: func(a, b uint64) uint64 {
		wa, wb := mmWords(a), mmWords(b)
		s := func(x, y uint16) uint16 { return mmSatS16(int32(int16(x)) - int32(int16(y))) }
		return mmFromWords([4]uint16{s(wa[0], wa[1]), s(wa[2], wa[3]), s(wb[0], wb[1]), s(wb[2], wb[3])})
	},
	mPMADDUBSW: func(a, b uint64) uint64 {
		var w [4]uint16
		for i := range w {
			o := uint(16 * i)
			s := int32(uint8(a>>o))*int32(int8(b>>o)) + int32(uint8(a>>(o+8)))*int32(int8(b>>(o+8)))
			w[i] = mmSatS16(s)
		}
		return mmFromWords(w)
	},
	mPMULHRSW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 {
			return uint16((int32(int16(x))*int32(int16(y))>>14 + 1) >> 1)
		})
	},
	mPSIGNB: func(a, b uint64) uint64 { return mmMap8(a, b, mmSign8) },
	mPSIGNW: func(a, b uint64) uint64 { return mmMap16(a, b, mmSign16) },
	mPSIGND: func(a, b uint64) uint64 { return mmMap32(a, b, mmSign32) },
	mPABSB: func(a, b uint64) uint64 {
		return mmMap8(a, b, func(x, y uint8) uint8 { return mmSign8(y, y) })
	},
	mPABSW: func(a, b uint64) uint64 {
		return mmMap16(a, b, func(x, y uint16) uint16 { return mmSign16(y, y) })
	},
	mPABSD: func(a, b uint64) uint64 {
		return mmMap32(a, b, func(x, y uint32) uint32 { return mmSign32(y, y) })
	},
}

// mmxOpOf maps the element-wise operations to their mmxOps index.
var mmxOpOf = map[x86asm.Op]uint8{
	x86asm.PADDB: mPADDB, x86asm.PADDW: mPADDW, x86asm.PADDD: mPADDD, x86asm.PADDQ: mPADDQ,
	x86asm.PADDSB: mPADDSB, x86asm.PADDSW: mPADDSW, x86asm.PADDUSB: mPADDUSB, x86asm.PADDUSW: mPADDUSW,
	x86asm.PSUBB: mPSUBB, x86asm.PSUBW: mPSUBW, x86asm.PSUBD: mPSUBD, x86asm.PSUBQ: mPSUBQ,
	x86asm.PSUBSB: mPSUBSB, x86asm.PSUBSW: mPSUBSW, x86asm.PSUBUSB: mPSUBUSB, x86asm.PSUBUSW: mPSUBUSW,
	x86asm.PAND: mPAND, x86asm.PANDN: mPANDN, x86asm.POR: mPOR, x86asm.PXOR: mPXOR,
	x86asm.PCMPEQB: mPCMPEQB, x86asm.PCMPEQW: mPCMPEQW, x86asm.PCMPEQD: mPCMPEQD,
	x86asm.PCMPGTB: mPCMPGTB, x86asm.PCMPGTW: mPCMPGTW, x86asm.PCMPGTD: mPCMPGTD,
	x86asm.PMULLW: mPMULLW, x86asm.PMULHW: mPMULHW, x86asm.PMULHUW: mPMULHUW,
	x86asm.PMADDWD: mPMADDWD, x86asm.PMULUDQ: mPMULUDQ, x86asm.PAVGB: mPAVGB, x86asm.PAVGW: mPAVGW,
	x86asm.PMINUB: mPMINUB, x86asm.PMAXUB: mPMAXUB, x86asm.PMINSW: mPMINSW, x86asm.PMAXSW: mPMAXSW,
	x86asm.PSADBW: mPSADBW, x86asm.PACKSSWB: mPACKSSWB, x86asm.PACKSSDW: mPACKSSDW,
	x86asm.PACKUSWB: mPACKUSWB, x86asm.PUNPCKLBW: mPUNPCKLBW, x86asm.PUNPCKLWD: mPUNPCKLWD,
	x86asm.PUNPCKLDQ: mPUNPCKLDQ, x86asm.PUNPCKHBW: mPUNPCKHBW, x86asm.PUNPCKHWD: mPUNPCKHWD,
	x86asm.PUNPCKHDQ: mPUNPCKHDQ, x86asm.PSHUFB: mPSHUFB, x86asm.PHADDW: mPHADDW,
	x86asm.PHADDD: mPHADDD, x86asm.PHADDSW: mPHADDSW, x86asm.PHSUBW: mPHSUBW, x86asm.PHSUBD: mPHSUBD,
	x86asm.PHSUBSW: mPHSUBSW, x86asm.PMADDUBSW: mPMADDUBSW, x86asm.PMULHRSW: mPMULHRSW,
	x86asm.PSIGNB: mPSIGNB, x86asm.PSIGNW: mPSIGNW, x86asm.PSIGND: mPSIGND,
	x86asm.PABSB: mPABSB, x86asm.PABSW: mPABSW, x86asm.PABSD: mPABSD,
}

// mmxShifts gives the kind and lane width of the shift operations.
var mmxShifts = map[x86asm.Op][2]uint8{
	x86asm.PSLLW: {mmShl, 16}, x86asm.PSLLD: {mmShl, 32}, x86asm.PSLLQ: {mmShl, 64},
	x86asm.PSRLW: {mmShr, 16}, x86asm.PSRLD: {mmShr, 32}, x86asm.PSRLQ: {mmShr, 64},
	x86asm.PSRAW: {mmSar, 16}, x86asm.PSRAD: {mmSar, 32},
}

// mmRM fills the source operand (argument i): an MM register in in.s
// or memory of size bytes.
func mmRM(l *lw, i int, size uint8) bool {
	if s, ok := l.mmx(i); ok {
		l.in.s = s
		return true
	}
	if !l.mem(i) {
		return false
	}
	l.in.size = size
	return true
}

// lowerMMX lowers an instruction with an MM register operand. The SSE
// lowering calls it for the operations that have MMX and SSE forms; it
// returns false for forms it does not implement.
func lowerMMX(l *lw) bool {
	in := &l.in
	op := l.x.Op
	switch op {
	case x86asm.MOVD, x86asm.MOVQ:
		return lowerMMXMov(l)
	case x86asm.PEXTRW, x86asm.PMOVMSKB:
		d, sz, ok := l.reg(0)
		s, ok2 := l.mmx(1)
		if !ok || !ok2 || sz < 4 {
			return false
		}
		in.d, in.s, in.size = d, s, sz
		if op == x86asm.PMOVMSKB {
			in.fn = opMMPMOVMSKB
			return true
		}
		v, ok := l.imm(2, 1)
		in.imm, in.fn = v, opMMPEXTRW
		return ok
	case x86asm.PINSRW:
		d, ok := l.mmx(0)
		if !ok {
			return false
		}
		in.d = d
		if s, sz, isReg := l.reg(1); isReg && sz >= 4 {
			in.s = s
		} else if !l.mem(1) {
			return false
		}
		v, ok := l.imm(2, 1)
		in.imm, in.fn = v, opMMPINSRW
		return ok
	case x86asm.PSHUFW, x86asm.PALIGNR:
		d, ok := l.mmx(0)
		if !ok || !mmRM(l, 1, 8) {
			return false
		}
		v, ok := l.imm(2, 1)
		in.d, in.imm = d, v
		in.fn = opMMPSHUFW
		if op == x86asm.PALIGNR {
			in.fn = opMMPALIGNR
		}
		return ok
	case x86asm.MASKMOVQ:
		d, ok := l.mmx(0)
		s, ok2 := l.mmx(1)
		if !ok || !ok2 {
			return false
		}
		in.d, in.s, in.fn = d, s, opMMMASKMOVQ
		if l.x.AddrSize == 32 {
			in.flags |= iA32
		}
		return true
	case x86asm.MOVNTQ:
		s, ok := l.mmx(1)
		if !ok || !l.mem(0) {
			return false
		}
		in.s, in.size, in.fn = s, 8, opMMStore
		return true
	}
	if sh, ok := mmxShifts[op]; ok {
		d, ok := l.mmx(0)
		if !ok || l.nargs() != 2 {
			return false
		}
		in.d, in.aux, in.aux2 = d, sh[0], sh[1]
		if v, isImm := l.imm(1, 1); isImm {
			in.imm, in.fn = v, opMMShiftI
			return true
		}
		in.fn = opMMShift
		return mmRM(l, 1, 8)
	}
	k, ok := mmxOpOf[op]
	if !ok || l.nargs() != 2 {
		return false
	}
	d, ok := l.mmx(0)
	if !ok {
		return false
	}
	size := uint8(8)
	switch op {
	case x86asm.PUNPCKLBW, x86asm.PUNPCKLWD, x86asm.PUNPCKLDQ:
		size = 4 // the MMX forms read an m32
	}
	in.d, in.aux, in.fn = d, k, opMMBin
	return mmRM(l, 1, size)
}

func lowerMMXMov(l *lw) bool {
	in := &l.in
	if d, ok := l.mmx(0); ok {
		in.d = d
		if s, ok := l.mmx(1); ok {
			in.s, in.fn = s, opMMMov
			return true
		}
		if s, sz, ok := l.reg(1); ok {
			if sz < 4 {
				return false
			}
			in.s, in.size, in.fn = s, sz, opMMFromR
			return true
		}
		if !l.mem(1) || l.x.MemBytes != 4 && l.x.MemBytes != 8 {
			return false
		}
		in.size, in.fn = uint8(l.x.MemBytes), opMMLoad
		return true
	}
	s, ok := l.mmx(1)
	if !ok {
		return false
	}
	in.s = s
	if d, sz, ok := l.reg(0); ok {
		if sz < 4 {
			return false
		}
		in.d, in.size, in.fn = d, sz, opMMToR
		return true
	}
	if !l.mem(0) || l.x.MemBytes != 4 && l.x.MemBytes != 8 {
		return false
	}
	in.size, in.fn = uint8(l.x.MemBytes), opMMStore
	return true
}

// lowerMMXOnly lowers the operations that exist only with MM operands.
func lowerMMXOnly(l *lw) bool {
	if l.x.Op == x86asm.EMMS {
		l.in.fn = opMMEMMS
		return true
	}
	return lowerMMX(l)
}

func init() {
	register(lowerMMXOnly, x86asm.EMMS, x86asm.PSHUFW, x86asm.MASKMOVQ, x86asm.MOVNTQ)
}
