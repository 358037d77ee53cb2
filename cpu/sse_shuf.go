package cpu

// Shuffles, unpacks, packs, byte shifts, inserts, extracts, blends and
// sign/zero extensions on XMM registers (SSE to SSE4.1).

import (
	"golang.org/x/arch/x86/x86asm"
)

func init() {
	registerSSE(
		sseOp{x86asm.SHUFPS, sfXXI, opShufps}, sseOp{x86asm.SHUFPD, sfXXI, opShufpd},
		sseOp{x86asm.UNPCKLPS, sfXX, opPunpckldq}, sseOp{x86asm.UNPCKHPS, sfXX, opPunpckhdq},
		sseOp{x86asm.UNPCKLPD, sfXX, opPunpcklqdq}, sseOp{x86asm.UNPCKHPD, sfXX, opPunpckhqdq},
		sseOp{x86asm.PSHUFD, sfXXI, opPshufd},
		sseOp{x86asm.PSHUFLW, sfXXI, opPshuflw}, sseOp{x86asm.PSHUFHW, sfXXI, opPshufhw},
		sseOp{x86asm.PUNPCKLBW, sfXX, opPunpcklbw}, sseOp{x86asm.PUNPCKHBW, sfXX, opPunpckhbw},
		sseOp{x86asm.PUNPCKLWD, sfXX, opPunpcklwd}, sseOp{x86asm.PUNPCKHWD, sfXX, opPunpckhwd},
		sseOp{x86asm.PUNPCKLDQ, sfXX, opPunpckldq}, sseOp{x86asm.PUNPCKHDQ, sfXX, opPunpckhdq},
		sseOp{x86asm.PUNPCKLQDQ, sfXX, opPunpcklqdq}, sseOp{x86asm.PUNPCKHQDQ, sfXX, opPunpckhqdq},
		sseOp{x86asm.PACKSSWB, sfXX, opPacksswb}, sseOp{x86asm.PACKSSDW, sfXX, opPackssdw},
		sseOp{x86asm.PACKUSWB, sfXX, opPackuswb}, sseOp{x86asm.PACKUSDW, sfXX, opPackusdw},
		sseOp{x86asm.PSLLDQ, sfXI, opPslldq}, sseOp{x86asm.PSRLDQ, sfXI, opPsrldq},
		sseOp{x86asm.PSHUFB, sfXX, opPshufb}, sseOp{x86asm.PALIGNR, sfXXI, opPalignr},
		sseOp{x86asm.BLENDPS, sfXXI, opBlendps}, sseOp{x86asm.BLENDPD, sfXXI, opBlendpd},
		sseOp{x86asm.PBLENDW, sfXXI, opPblendw},
		sseOp{x86asm.BLENDVPS, sfXX0, opBlendvps}, sseOp{x86asm.BLENDVPD, sfXX0, opBlendvpd},
		sseOp{x86asm.PBLENDVB, sfXX0, opPblendvb},
		sseOp{x86asm.INSERTPS, sfXX32I, opInsertps},
		sseOp{x86asm.PMOVSXBW, sfXX64, opPmovsxbw}, sseOp{x86asm.PMOVZXBW, sfXX64, opPmovzxbw},
		sseOp{x86asm.PMOVSXBD, sfXX32, opPmovsxbd}, sseOp{x86asm.PMOVZXBD, sfXX32, opPmovzxbd},
		sseOp{x86asm.PMOVSXBQ, sfXX16, opPmovsxbq}, sseOp{x86asm.PMOVZXBQ, sfXX16, opPmovzxbq},
		sseOp{x86asm.PMOVSXWD, sfXX64, opPmovsxwd}, sseOp{x86asm.PMOVZXWD, sfXX64, opPmovzxwd},
		sseOp{x86asm.PMOVSXWQ, sfXX32, opPmovsxwq}, sseOp{x86asm.PMOVZXWQ, sfXX32, opPmovzxwq},
		sseOp{x86asm.PMOVSXDQ, sfXX64, opPmovsxdq}, sseOp{x86asm.PMOVZXDQ, sfXX64, opPmovzxdq},
	)
	register(lowerXPinsr, x86asm.PINSRW, x86asm.PINSRB, x86asm.PINSRD, x86asm.PINSRQ)
	register(lowerXPextr, x86asm.PEXTRW, x86asm.PEXTRB, x86asm.PEXTRD, x86asm.PEXTRQ, x86asm.EXTRACTPS)
}

// Element access on a 128-bit value held as two little-endian quadwords.

func xel8(v *[2]uint64, i uint) uint8   { return uint8(v[i>>3&1] >> (i & 7 * 8)) }
func xel16(v *[2]uint64, i uint) uint16 { return uint16(v[i>>2&1] >> (i & 3 * 16)) }
func xel32(v *[2]uint64, i uint) uint32 { return uint32(v[i>>1&1] >> (i & 1 * 32)) }

func xset8(v *[2]uint64, i uint, x uint8) {
	s := i & 7 * 8
	v[i>>3&1] = v[i>>3&1]&^(0xFF<<s) | uint64(x)<<s
}

func xset16(v *[2]uint64, i uint, x uint16) {
	s := i & 3 * 16
	v[i>>2&1] = v[i>>2&1]&^(0xFFFF<<s) | uint64(x)<<s
}

func xset32(v *[2]uint64, i uint, x uint32) {
	s := i & 1 * 32
	v[i>>1&1] = v[i>>1&1]&^(0xFFFFFFFF<<s) | uint64(x)<<s
}

// SHUFPS: elements 0-1 from the destination, 2-3 from the source, each
// picked by two bits of imm8.
func opShufps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	b := [2]uint64{lo, hi}
	d := &c.X[in.d&15]
	a := *d
	imm := uint(in.imm)
	d[0] = uint64(xel32(&a, imm&3)) | uint64(xel32(&a, imm>>2&3))<<32
	d[1] = uint64(xel32(&b, imm>>4&3)) | uint64(xel32(&b, imm>>6&3))<<32
}

func opShufpd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	b := [2]uint64{lo, hi}
	d := &c.X[in.d&15]
	a := *d
	d[0], d[1] = a[in.imm&1], b[in.imm>>1&1]
}

func opPshufd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	s := [2]uint64{lo, hi}
	imm := uint(in.imm)
	d := &c.X[in.d&15]
	d[0] = uint64(xel32(&s, imm&3)) | uint64(xel32(&s, imm>>2&3))<<32
	d[1] = uint64(xel32(&s, imm>>4&3)) | uint64(xel32(&s, imm>>6&3))<<32
}

// xshuf4x16 picks four words of v by the four 2-bit fields of imm.
func xshuf4x16(v uint64, imm uint) uint64 {
	return v>>(imm&3*16)&0xFFFF | (v>>(imm>>2&3*16)&0xFFFF)<<16 |
		(v>>(imm>>4&3*16)&0xFFFF)<<32 | (v>>(imm>>6&3*16)&0xFFFF)<<48
}

func opPshuflw(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0], d[1] = xshuf4x16(lo, uint(in.imm)), hi
}

func opPshufhw(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0], d[1] = lo, xshuf4x16(hi, uint(in.imm))
}

// Interleaving unpacks: the low (or high) halves of destination a and
// source b, element by element a0 b0 a1 b1 ...

// xinterleave8 interleaves the four low bytes of a and b.
func xinterleave8(a, b uint32) uint64 {
	var r uint64
	for i := uint(0); i < 4; i++ {
		r |= uint64(a>>(8*i)&0xFF)<<(16*i) | uint64(b>>(8*i)&0xFF)<<(16*i+8)
	}
	return r
}

func xinterleave16(a, b uint32) uint64 {
	return uint64(a&0xFFFF) | uint64(b&0xFFFF)<<16 | uint64(a>>16)<<32 | uint64(b>>16)<<48
}

func opPunpcklbw(c *CPU, in *inst) {
	lo, _ := c.xsrc(in)
	d := &c.X[in.d&15]
	a := d[0]
	d[0] = xinterleave8(uint32(a), uint32(lo))
	d[1] = xinterleave8(uint32(a>>32), uint32(lo>>32))
}

func opPunpckhbw(c *CPU, in *inst) {
	_, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	a := d[1]
	d[0] = xinterleave8(uint32(a), uint32(hi))
	d[1] = xinterleave8(uint32(a>>32), uint32(hi>>32))
}

func opPunpcklwd(c *CPU, in *inst) {
	lo, _ := c.xsrc(in)
	d := &c.X[in.d&15]
	a := d[0]
	d[0] = xinterleave16(uint32(a), uint32(lo))
	d[1] = xinterleave16(uint32(a>>32), uint32(lo>>32))
}

func opPunpckhwd(c *CPU, in *inst) {
	_, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	a := d[1]
	d[0] = xinterleave16(uint32(a), uint32(hi))
	d[1] = xinterleave16(uint32(a>>32), uint32(hi>>32))
}

func opPunpckldq(c *CPU, in *inst) {
	lo, _ := c.xsrc(in)
	d := &c.X[in.d&15]
	a := d[0]
	d[0] = a&0xFFFFFFFF | lo<<32
	d[1] = a>>32 | lo&^0xFFFFFFFF
}

func opPunpckhdq(c *CPU, in *inst) {
	_, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	a := d[1]
	d[0] = a&0xFFFFFFFF | hi<<32
	d[1] = a>>32 | hi&^0xFFFFFFFF
}

func opPunpcklqdq(c *CPU, in *inst) {
	lo, _ := c.xsrc(in)
	c.X[in.d&15][1] = lo
}

func opPunpckhqdq(c *CPU, in *inst) {
	_, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0], d[1] = d[1], hi
}

// Packs with saturation: the destination's elements fill the low half,
// the source's the high half.

func xsatS8(v int16) uint64 {
	switch {
	case v > 127:
		return 0x7F
	case v < -128:
		return 0x80
	}
	return uint64(uint8(v))
}

func xsatU8(v int16) uint64 {
	switch {
	case v > 255:
		return 0xFF
	case v < 0:
		return 0
	}
	return uint64(v)
}

func xsatS16(v int32) uint64 {
	switch {
	case v > 32767:
		return 0x7FFF
	case v < -32768:
		return 0x8000
	}
	return uint64(uint16(v))
}

func xsatU16(v int32) uint64 {
	switch {
	case v > 65535:
		return 0xFFFF
	case v < 0:
		return 0
	}
	return uint64(v)
}

func xpack16to8(v uint64, sat func(int16) uint64) uint64 {
	var r uint64
	for i := uint(0); i < 4; i++ {
		r |= sat(int16(v>>(16*i))) << (8 * i)
	}
	return r
}

func xpack32to16(v uint64, sat func(int32) uint64) uint64 {
	return sat(int32(v)) | sat(int32(v>>32))<<16
}

func opPacksswb(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xpack16to8(d[0], xsatS8) | xpack16to8(d[1], xsatS8)<<32
	d[1] = xpack16to8(lo, xsatS8) | xpack16to8(hi, xsatS8)<<32
}

func opPackuswb(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xpack16to8(d[0], xsatU8) | xpack16to8(d[1], xsatU8)<<32
	d[1] = xpack16to8(lo, xsatU8) | xpack16to8(hi, xsatU8)<<32
}

func opPackssdw(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xpack32to16(d[0], xsatS16) | xpack32to16(d[1], xsatS16)<<32
	d[1] = xpack32to16(lo, xsatS16) | xpack32to16(hi, xsatS16)<<32
}

func opPackusdw(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = xpack32to16(d[0], xsatU16) | xpack32to16(d[1], xsatU16)<<32
	d[1] = xpack32to16(lo, xsatU16) | xpack32to16(hi, xsatU16)<<32
}

// PSLLDQ and PSRLDQ shift the whole register by imm8 bytes; 16 or more
// clear it.
func xshl128by(lo, hi uint64, n uint) (uint64, uint64) {
	switch {
	case n == 0:
		return lo, hi
	case n < 64:
		return lo << n, hi<<n | lo>>(64-n)
	case n < 128:
		return 0, lo << (n - 64)
	}
	return 0, 0
}

func xshr128by(lo, hi uint64, n uint) (uint64, uint64) {
	switch {
	case n == 0:
		return lo, hi
	case n < 64:
		return lo>>n | hi<<(64-n), hi >> n
	case n < 128:
		return hi >> (n - 64), 0
	}
	return 0, 0
}

func opPslldq(c *CPU, in *inst) {
	d := &c.X[in.d&15]
	d[0], d[1] = xshl128by(d[0], d[1], uint(in.imm)*8)
}

func opPsrldq(c *CPU, in *inst) {
	d := &c.X[in.d&15]
	d[0], d[1] = xshr128by(d[0], d[1], uint(in.imm)*8)
}

// PSHUFB (SSSE3): each byte of the result is the destination byte the
// corresponding source byte indexes, or zero if its top bit is set.
func opPshufb(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	s := [2]uint64{lo, hi}
	d := &c.X[in.d&15]
	a := *d
	var r [2]uint64
	for i := uint(0); i < 16; i++ {
		if k := xel8(&s, i); k&0x80 == 0 {
			r[i>>3] |= uint64(xel8(&a, uint(k&15))) << (i & 7 * 8)
		}
	}
	*d = r
}

// PALIGNR (SSSE3): the destination:source pair shifted right by imm8
// bytes, low 16 bytes kept.
func opPalignr(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	n := uint(in.imm) * 8
	// 256-bit value d[1]:d[0]:hi:lo shifted right by n bits.
	var r0, r1 uint64
	switch {
	case n >= 256:
	case n >= 128:
		r0, r1 = xshr128by(d[0], d[1], n-128)
	default:
		r0, r1 = xshr128by(lo, hi, n)
		t0, t1 := xshl128by(d[0], d[1], 128-n)
		if n == 0 {
			t0, t1 = 0, 0
		}
		r0 |= t0
		r1 |= t1
	}
	d[0], d[1] = r0, r1
}

// Blends (SSE4.1): each element from the source where the immediate bit
// (or the top bit of the XMM0 element) is set.

func xblendMask32(imm uint) (uint64, uint64) {
	return xmask32(imm&1 != 0) | xmask32(imm&2 != 0)<<32, xmask32(imm&4 != 0) | xmask32(imm&8 != 0)<<32
}

func xblend(d *[2]uint64, lo, hi, m0, m1 uint64) {
	d[0] = d[0]&^m0 | lo&m0
	d[1] = d[1]&^m1 | hi&m1
}

func opBlendps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	m0, m1 := xblendMask32(uint(in.imm))
	xblend(&c.X[in.d&15], lo, hi, m0, m1)
}

func opBlendpd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	xblend(&c.X[in.d&15], lo, hi, xmask64(in.imm&1 != 0), xmask64(in.imm&2 != 0))
}

func opPblendw(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	var m [2]uint64
	for i := uint(0); i < 8; i++ {
		if in.imm>>i&1 != 0 {
			m[i>>2] |= 0xFFFF << (i & 3 * 16)
		}
	}
	xblend(&c.X[in.d&15], lo, hi, m[0], m[1])
}

func opBlendvps(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	x0 := &c.X[0]
	xblend(&c.X[in.d&15], lo, hi, xsignMask32(x0[0]), xsignMask32(x0[1]))
}

func opBlendvpd(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	x0 := &c.X[0]
	xblend(&c.X[in.d&15], lo, hi, xmask64(x0[0]>>63 != 0), xmask64(x0[1]>>63 != 0))
}

func opPblendvb(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	x0 := &c.X[0]
	xblend(&c.X[in.d&15], lo, hi, xsignMask8(x0[0]), xsignMask8(x0[1]))
}

// xsignMask8 makes each byte all ones if its top bit is set.
func xsignMask8(v uint64) uint64 {
	t := v >> 7 & 0x0101010101010101
	return t * 0xFF
}

func xsignMask32(v uint64) uint64 {
	return xmask32(v&0x80000000 != 0) | xmask32(v>>63 != 0)<<32
}

// INSERTPS: imm8 bits 6-7 pick the source element (a memory operand is
// one element), bits 4-5 the destination element, bits 0-3 elements to
// clear.
func opInsertps(c *CPU, in *inst) {
	imm := uint(in.imm)
	var v uint32
	if in.flags&iMem != 0 {
		v = c.rd32(c.ea(in))
	} else {
		v = xel32(&c.X[in.s&15], imm>>6&3)
	}
	d := &c.X[in.d&15]
	xset32(d, imm>>4&3, v)
	m0, m1 := xblendMask32(imm & 15)
	d[0] &^= m0
	d[1] &^= m1
}

// Sign and zero extensions (SSE4.1).

func opPmovsxbw(c *CPU, in *inst) {
	s := c.xsrc64(in)
	d := &c.X[in.d&15]
	for h := uint(0); h < 2; h++ {
		var r uint64
		for i := uint(0); i < 4; i++ {
			r |= uint64(uint16(int8(s>>(8*(4*h+i))))) << (16 * i)
		}
		d[h] = r
	}
}

func opPmovzxbw(c *CPU, in *inst) {
	s := c.xsrc64(in)
	d := &c.X[in.d&15]
	d[0] = xinterleave8(uint32(s), 0)
	d[1] = xinterleave8(uint32(s>>32), 0)
}

func opPmovsxbd(c *CPU, in *inst) {
	s := c.xsrc32(in)
	d := &c.X[in.d&15]
	d[0] = uint64(uint32(int8(s))) | uint64(uint32(int8(s>>8)))<<32
	d[1] = uint64(uint32(int8(s>>16))) | uint64(uint32(int8(s>>24)))<<32
}

func opPmovzxbd(c *CPU, in *inst) {
	s := c.xsrc32(in)
	d := &c.X[in.d&15]
	d[0] = uint64(s&0xFF) | uint64(s>>8&0xFF)<<32
	d[1] = uint64(s>>16&0xFF) | uint64(s>>24)<<32
}

func opPmovsxbq(c *CPU, in *inst) {
	s := c.xsrc16(in)
	d := &c.X[in.d&15]
	d[0], d[1] = uint64(int8(s)), uint64(int8(s>>8))
}

func opPmovzxbq(c *CPU, in *inst) {
	s := c.xsrc16(in)
	d := &c.X[in.d&15]
	d[0], d[1] = uint64(s&0xFF), uint64(s>>8)
}

func opPmovsxwd(c *CPU, in *inst) {
	s := c.xsrc64(in)
	d := &c.X[in.d&15]
	d[0] = uint64(uint32(int16(s))) | uint64(uint32(int16(s>>16)))<<32
	d[1] = uint64(uint32(int16(s>>32))) | uint64(uint32(int16(s>>48)))<<32
}

func opPmovzxwd(c *CPU, in *inst) {
	s := c.xsrc64(in)
	d := &c.X[in.d&15]
	d[0] = xinterleave16(uint32(s), 0)
	d[1] = xinterleave16(uint32(s>>32), 0)
}

func opPmovsxwq(c *CPU, in *inst) {
	s := c.xsrc32(in)
	d := &c.X[in.d&15]
	d[0], d[1] = uint64(int16(s)), uint64(int16(s>>16))
}

func opPmovzxwq(c *CPU, in *inst) {
	s := c.xsrc32(in)
	d := &c.X[in.d&15]
	d[0], d[1] = uint64(s&0xFFFF), uint64(s>>16)
}

func opPmovsxdq(c *CPU, in *inst) {
	s := c.xsrc64(in)
	d := &c.X[in.d&15]
	d[0], d[1] = uint64(int32(s)), uint64(int32(s>>32))
}

func opPmovzxdq(c *CPU, in *inst) {
	s := c.xsrc64(in)
	d := &c.X[in.d&15]
	d[0], d[1] = s&0xFFFFFFFF, s>>32
}

// lowerXPinsr: PINSRW (SSE2) and PINSRB/D/Q (SSE4.1) xmm, r32/r64/m,
// imm8: the element imm8 selects (modulo the element count) gets the low
// bits of the register or the memory operand. in.size is the element
// size.
func lowerXPinsr(l *lw) bool {
	if sseHasMM(l) {
		return lowerMMX(l)
	}
	in := &l.in
	d, ok := l.xmm(0)
	v, ok2 := l.imm(2, 1)
	if l.nargs() != 3 || !ok || !ok2 {
		return false
	}
	in.d, in.imm = d, v
	switch l.x.Op {
	case x86asm.PINSRB:
		in.size = 1
	case x86asm.PINSRW:
		in.size = 2
	case x86asm.PINSRD:
		in.size = 4
	default:
		in.size = 8
	}
	if s, sz, ok := l.reg(1); ok {
		if sz < 4 || (in.size == 8) != (sz == 8) {
			return false
		}
		in.s = s
	} else if !l.mem(1) {
		return false
	}
	in.fn = opXPinsr
	return true
}

func opXPinsr(c *CPU, in *inst) {
	var v uint64
	if in.flags&iMem != 0 {
		v = c.rdN(c.ea(in), in.size)
	} else {
		v = c.R[in.s&15]
	}
	d := &c.X[in.d&15]
	i := uint(in.imm)
	switch in.size {
	case 1:
		xset8(d, i&15, uint8(v))
	case 2:
		xset16(d, i&7, uint16(v))
	case 4:
		xset32(d, i&3, uint32(v))
	default:
		d[i&1] = v
	}
}

// lowerXPextr: PEXTRW (SSE2 and the SSE4.1 memory form), PEXTRB/D/Q and
// EXTRACTPS r/m, xmm, imm8. A register destination is zero-extended.
func lowerXPextr(l *lw) bool {
	if sseHasMM(l) {
		return lowerMMX(l)
	}
	in := &l.in
	s, ok := l.xmm(1)
	v, ok2 := l.imm(2, 1)
	if l.nargs() != 3 || !ok || !ok2 {
		return false
	}
	in.s, in.imm = s, v
	switch l.x.Op {
	case x86asm.PEXTRB:
		in.size = 1
	case x86asm.PEXTRW:
		in.size = 2
	case x86asm.PEXTRD, x86asm.EXTRACTPS:
		in.size = 4
	default:
		in.size = 8
	}
	if d, sz, ok := l.reg(0); ok {
		if sz < 4 || in.size == 8 && sz != 8 {
			return false
		}
		in.d = d
		in.fn = opXPextrR
		return true
	}
	if !l.mem(0) {
		return false
	}
	in.fn = opXPextrM
	return true
}

func (c *CPU) xpextr(in *inst) uint64 {
	x := &c.X[in.s&15]
	i := uint(in.imm)
	switch in.size {
	case 1:
		return uint64(xel8(x, i&15))
	case 2:
		return uint64(xel16(x, i&7))
	case 4:
		return uint64(xel32(x, i&3))
	}
	return x[i&1]
}

func opXPextrR(c *CPU, in *inst) { c.R[in.d&15] = c.xpextr(in) }
func opXPextrM(c *CPU, in *inst) { c.wrN(c.ea(in), in.size, c.xpextr(in)) }
