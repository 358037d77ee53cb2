package cpu

// SSE4.2: the packed string compares PCMPESTRI, PCMPESTRM, PCMPISTRI and
// PCMPISTRM (SDM vol. 2, 4.1 "Imm8 control byte operation"), PCMPGTQ
// (in sse_int.go) and CRC32.

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

func init() {
	register(lowerPcmpstr, x86asm.PCMPESTRI, x86asm.PCMPESTRM, x86asm.PCMPISTRI, x86asm.PCMPISTRM)
	register(lowerCRC32, x86asm.CRC32)
}

// in.aux bits for the string compares.
const (
	strExplicit = 1 << 0 // lengths in EAX/EDX (PCMPESTRx), not NUL-terminated
	strMask     = 1 << 1 // result in XMM0 (PCMPxSTRM), not ECX
	strWide     = 1 << 2 // REX.W: the lengths are RAX/RDX
)

// lowerPcmpstr: PCMPxSTRx xmm1, xmm2/m128, imm8. The memory operand need
// not be aligned.
func lowerPcmpstr(l *lw) bool {
	if !lowerSSEForm(l, sfXXUI, opPcmpstr) {
		return false
	}
	switch l.x.Op {
	case x86asm.PCMPESTRI:
		l.in.aux = strExplicit
	case x86asm.PCMPESTRM:
		l.in.aux = strExplicit | strMask
	case x86asm.PCMPISTRM:
		l.in.aux = strMask
	}
	if l.x.DataSize == 64 {
		l.in.aux |= strWide
	}
	return true
}

// strLen returns the explicit length in a register: its absolute value,
// saturated to the element count n.
func strLen(v uint64, wide bool, n int) int {
	x := int64(int32(v))
	if wide {
		x = int64(v)
	}
	if x < 0 {
		x = -x // -2^63 stays negative, and is saturated below
	}
	if x < 0 || x > int64(n) {
		return n
	}
	return int(x)
}

func opPcmpstr(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	b := [2]uint64{lo, hi}
	a := c.X[in.d&15]
	imm := uint(in.imm)
	n := 16
	if imm&1 != 0 {
		n = 8
	}
	// Elements of both operands, extended per the format.
	var ea, eb [16]int32
	for i := 0; i < n; i++ {
		switch imm & 3 {
		case 0:
			ea[i], eb[i] = int32(xel8(&a, uint(i))), int32(xel8(&b, uint(i)))
		case 1:
			ea[i], eb[i] = int32(xel16(&a, uint(i))), int32(xel16(&b, uint(i)))
		case 2:
			ea[i], eb[i] = int32(int8(xel8(&a, uint(i)))), int32(int8(xel8(&b, uint(i))))
		case 3:
			ea[i], eb[i] = int32(int16(xel16(&a, uint(i)))), int32(int16(xel16(&b, uint(i))))
		}
	}
	var la, lb int
	if in.aux&strExplicit != 0 {
		wide := in.aux&strWide != 0
		la, lb = strLen(c.R[RAX], wide, n), strLen(c.R[RDX], wide, n)
	} else {
		la, lb = n, n
		for i := n - 1; i >= 0; i-- {
			if ea[i] == 0 {
				la = i
			}
			if eb[i] == 0 {
				lb = i
			}
		}
	}
	// IntRes1: bit j for element j of the second operand (xmm2/m128).
	var r1 uint32
	switch imm >> 2 & 3 {
	case 0: // equal any: b[j] is one of a[0..la)
		for j := 0; j < lb; j++ {
			for i := 0; i < la; i++ {
				if eb[j] == ea[i] {
					r1 |= 1 << j
					break
				}
			}
		}
	case 1: // ranges: a[i] <= b[j] <= a[i+1] for an even i
		for j := 0; j < lb; j++ {
			for i := 0; i+1 < la; i += 2 {
				if ea[i] <= eb[j] && eb[j] <= ea[i+1] {
					r1 |= 1 << j
					break
				}
			}
		}
	case 2: // equal each: a[j] == b[j]; two invalid elements are equal
		for j := 0; j < n; j++ {
			av, bv := j < la, j < lb
			if av && bv && ea[j] == eb[j] || !av && !bv {
				r1 |= 1 << j
			}
		}
	case 3: // equal ordered: a[0..la) occurs in b at j (it may run off b's end)
		for j := 0; j < n; j++ {
			match := true
			for i, k := 0, j; k < n && i < la; i, k = i+1, k+1 {
				if k >= lb || ea[i] != eb[k] {
					match = false
					break
				}
			}
			if match {
				r1 |= 1 << j
			}
		}
	}
	all := uint32(1)<<n - 1
	r2 := r1
	switch imm >> 4 & 3 {
	case 1:
		r2 = ^r1 & all
	case 3:
		r2 = r1 ^ (uint32(1)<<lb - 1) // negate the valid elements only
	}
	f := c.flags &^ flagsArith
	if r2 != 0 {
		f |= FlagCF
	}
	if lb < n {
		f |= FlagZF
	}
	if la < n {
		f |= FlagSF
	}
	if r2&1 != 0 {
		f |= FlagOF
	}
	if in.aux&strMask != 0 {
		x0 := &c.X[0]
		if imm&0x40 == 0 {
			x0[0], x0[1] = uint64(r2), 0
		} else {
			var m [2]uint64
			for i := 0; i < n; i++ {
				if r2>>i&1 == 0 {
					continue
				}
				if n == 16 {
					xset8(&m, uint(i), 0xFF)
				} else {
					xset16(&m, uint(i), 0xFFFF)
				}
			}
			*x0 = m
		}
	} else {
		idx := uint64(n)
		if r2 != 0 {
			if imm&0x40 == 0 {
				idx = uint64(bits.TrailingZeros32(r2))
			} else {
				idx = uint64(31 - bits.LeadingZeros32(r2))
			}
		}
		c.R[RCX] = idx
	}
	c.lz = lzNone
	c.flags = f
}

// CRC32 r32/r64, r/m8/16/32/64 accumulates the source into the CRC-32C
// (Castagnoli) of the destination's low 32 bits, without the initial and
// final inversions; the result is zero-extended.
func lowerCRC32(l *lw) bool {
	d, dsz, ok := l.reg(0)
	if l.nargs() != 2 || !ok || dsz < 4 {
		return false
	}
	l.in.d = d
	if s, sz, ok := l.reg(1); ok {
		l.in.s, l.in.size = s, sz
	} else if l.mem(1) {
		l.in.size = uint8(l.x.MemBytes)
	} else {
		return false
	}
	switch l.in.size {
	case 1, 2, 4, 8:
	default:
		return false
	}
	l.in.fn = opCRC32
	return true
}

func opCRC32(c *CPU, in *inst) {
	var v uint64
	if in.flags&iMem != 0 {
		v = c.rdN(c.ea(in), in.size)
	} else {
		v = c.getR(in.s, in.size)
	}
	crc := uint32(c.R[in.d&15])
	for i := uint8(0); i < in.size; i++ {
		crc = crc32cTable[uint8(crc)^uint8(v)] ^ crc>>8
		v >>= 8
	}
	c.R[in.d&15] = uint64(crc)
}

// crc32cTable is the byte-at-a-time table of the reflected Castagnoli
// polynomial 0x82F63B78.
var crc32cTable = func() (t [256]uint32) {
	for i := range t {
		crc := uint32(i)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0x82F63B78
			} else {
				crc >>= 1
			}
		}
		t[i] = crc
	}
	return t
}()
