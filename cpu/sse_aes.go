package cpu

// AES-NI (AESENC, AESENCLAST, AESDEC, AESDECLAST, AESIMC,
// AESKEYGENASSIST) and PCLMULQDQ. The Go runtime hashes with AESENC when
// CPUID reports AES, SSSE3 and SSE4.1.
//
// The 128-bit state is the 16 bytes of the register, byte 0 the lowest;
// AES numbers them column by column, so row r of column c is byte r+4c
// (FIPS 197, 3.4).

import (
	"golang.org/x/arch/x86/x86asm"
)

func init() {
	registerSSE(
		sseOp{x86asm.AESENC, sfXX, opAesenc}, sseOp{x86asm.AESENCLAST, sfXX, opAesenclast},
		sseOp{x86asm.AESDEC, sfXX, opAesdec}, sseOp{x86asm.AESDECLAST, sfXX, opAesdeclast},
		sseOp{x86asm.AESIMC, sfXX, opAesimc}, sseOp{x86asm.AESKEYGENASSIST, sfXXI, opAeskeygenassist},
		sseOp{x86asm.PCLMULQDQ, sfXXI, opPclmulqdq},
	)
}

// gfMul multiplies in GF(2^8) modulo x^8+x^4+x^3+x+1.
func gfMul(a, b uint8) uint8 {
	var p uint8
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0x1B
		}
		b >>= 1
	}
	return p
}

// aesSbox and aesInvSbox are the S-box (FIPS 197, 5.1.1: the
// multiplicative inverse followed by the affine transformation) and its
// inverse, computed once.
var aesSbox, aesInvSbox = func() (s, inv [256]uint8) {
	for x := 0; x < 256; x++ {
		var y uint8 // the inverse of x (0 for 0)
		for c := 1; c < 256 && x != 0; c++ {
			if gfMul(uint8(x), uint8(c)) == 1 {
				y = uint8(c)
				break
			}
		}
		v := y
		for i := 1; i <= 4; i++ {
			v ^= y<<i | y>>(8-i)
		}
		v ^= 0x63
		s[x] = v
		inv[v] = uint8(x)
	}
	return s, inv
}()

type aesState [16]uint8

func aesLoad(lo, hi uint64) (s aesState) {
	for i := 0; i < 8; i++ {
		s[i], s[i+8] = uint8(lo>>(8*i)), uint8(hi>>(8*i))
	}
	return s
}

func (s *aesState) words() (lo, hi uint64) {
	for i := 0; i < 8; i++ {
		lo |= uint64(s[i]) << (8 * i)
		hi |= uint64(s[i+8]) << (8 * i)
	}
	return lo, hi
}

// shiftRows and subBytes in one step: row r moves left by r columns.
func (s *aesState) shiftSub(box *[256]uint8, inverse bool) {
	var t aesState
	for c := 0; c < 4; c++ {
		for r := 0; r < 4; r++ {
			from := (c + r) & 3
			if inverse {
				from = (c - r) & 3
			}
			t[r+4*c] = box[s[r+4*from]]
		}
	}
	*s = t
}

// gfTab[i] multiplies by gfFactors[i] in GF(2^8); mixColumns uses them
// instead of multiplying bit by bit.
var gfFactors = [...]uint8{2, 3, 9, 11, 13, 14}

var gfTab = func() (t [6][256]uint8) {
	for i, f := range gfFactors {
		for x := range 256 {
			t[i][x] = gfMul(uint8(x), f)
		}
	}
	return
}()

func (s *aesState) mixColumns(inverse bool) {
	m2, m3, m9, m11, m13, m14 := &gfTab[0], &gfTab[1], &gfTab[2], &gfTab[3], &gfTab[4], &gfTab[5]
	for c := 0; c < 16; c += 4 {
		a0, a1, a2, a3 := s[c], s[c+1], s[c+2], s[c+3]
		if inverse {
			s[c] = m14[a0] ^ m11[a1] ^ m13[a2] ^ m9[a3]
			s[c+1] = m9[a0] ^ m14[a1] ^ m11[a2] ^ m13[a3]
			s[c+2] = m13[a0] ^ m9[a1] ^ m14[a2] ^ m11[a3]
			s[c+3] = m11[a0] ^ m13[a1] ^ m9[a2] ^ m14[a3]
		} else {
			s[c] = m2[a0] ^ m3[a1] ^ a2 ^ a3
			s[c+1] = a0 ^ m2[a1] ^ m3[a2] ^ a3
			s[c+2] = a0 ^ a1 ^ m2[a2] ^ m3[a3]
			s[c+3] = m3[a0] ^ a1 ^ a2 ^ m2[a3]
		}
	}
}

// aesRound runs one round on the destination with the source as round
// key.
func (c *CPU) aesRound(in *inst, decrypt, last bool) {
	klo, khi := c.xsrc(in)
	d := &c.X[in.d&15]
	s := aesLoad(d[0], d[1])
	if decrypt {
		s.shiftSub(&aesInvSbox, true)
	} else {
		s.shiftSub(&aesSbox, false)
	}
	if !last {
		s.mixColumns(decrypt)
	}
	lo, hi := s.words()
	d[0], d[1] = lo^klo, hi^khi
}

func opAesenc(c *CPU, in *inst)     { c.aesRound(in, false, false) }
func opAesenclast(c *CPU, in *inst) { c.aesRound(in, false, true) }
func opAesdec(c *CPU, in *inst)     { c.aesRound(in, true, false) }
func opAesdeclast(c *CPU, in *inst) { c.aesRound(in, true, true) }

// AESIMC applies InvMixColumns to the source (to turn encryption round
// keys into those of the equivalent inverse cipher).
func opAesimc(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	s := aesLoad(lo, hi)
	s.mixColumns(true)
	d := &c.X[in.d&15]
	d[0], d[1] = s.words()
}

func aesSubWord(w uint32) uint32 {
	return uint32(aesSbox[uint8(w)]) | uint32(aesSbox[uint8(w>>8)])<<8 |
		uint32(aesSbox[uint8(w>>16)])<<16 | uint32(aesSbox[uint8(w>>24)])<<24
}

// AESKEYGENASSIST: from doublewords 1 and 3 of the source, SubWord and
// RotWord(SubWord) xor the round constant imm8.
func opAeskeygenassist(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	rcon := uint32(in.imm)
	x1, x3 := aesSubWord(uint32(lo>>32)), aesSubWord(uint32(hi>>32))
	rot := func(w uint32) uint32 { return w>>8 | w<<24 }
	d := &c.X[in.d&15]
	d[0] = uint64(x1) | uint64(rot(x1)^rcon)<<32
	d[1] = uint64(x3) | uint64(rot(x3)^rcon)<<32
}

// PCLMULQDQ: the carry-less product of the destination quadword picked
// by imm8 bit 0 and the source quadword picked by bit 4.
func opPclmulqdq(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	a, b := d[in.imm&1], lo
	if in.imm&0x10 != 0 {
		b = hi
	}
	var rlo, rhi uint64
	for i := uint(0); i < 64; i++ {
		if b>>i&1 != 0 {
			rlo ^= a << i
			if i > 0 {
				rhi ^= a >> (64 - i)
			}
		}
	}
	d[0], d[1] = rlo, rhi
}
