package cpu

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

func init() {
	register(lowerShift, x86asm.SHL, x86asm.SHR, x86asm.SAR, x86asm.ROL, x86asm.ROR, x86asm.RCL, x86asm.RCR)
	register(lowerShiftD, x86asm.SHLD, x86asm.SHRD)
}

// lowerShift: the count is an immediate (iImm, in.imm) or CL.
func lowerShift(l *lw) bool {
	if l.nargs() != 2 {
		return false
	}
	if _, ok := l.rm1(0); !ok {
		return false
	}
	if v, ok := l.imm(1, 1); ok {
		l.in.imm = v
		l.in.flags |= iImm
	} else if r, ok := l.arg(1).(x86asm.Reg); !ok || r != x86asm.CL {
		return false
	}
	reg := l.in.flags&iMem == 0
	imm := l.in.flags&iImm != 0
	switch l.x.Op {
	case x86asm.SHL:
		l.in.fn = opShl
		if reg && imm && l.in.size == 8 {
			l.in.fn = shl64RI
		} else if reg && imm && l.in.size == 4 {
			l.in.fn = shl32RI
		}
	case x86asm.SHR:
		l.in.fn = opShr
		if reg && imm && l.in.size == 8 {
			l.in.fn = shr64RI
		} else if reg && imm && l.in.size == 4 {
			l.in.fn = shr32RI
		}
	case x86asm.SAR:
		l.in.fn = opSar
	case x86asm.ROL:
		l.in.fn = opRol
	case x86asm.ROR:
		l.in.fn = opRor
	case x86asm.RCL:
		l.in.fn = opRcl
	case x86asm.RCR:
		l.in.fn = opRcr
	}
	return true
}

// shiftCount returns the masked count: 5 bits, or 6 for 64-bit operands.
func (c *CPU) shiftCount(in *inst) uint64 {
	n := in.imm
	if in.flags&iImm == 0 {
		n = c.R[RCX]
	}
	if in.size == 8 {
		return n & 63
	}
	return n & 31
}

func shl64RI(c *CPU, in *inst) {
	n := in.imm & 63
	if n == 0 {
		return
	}
	d := c.R[in.d&15]
	r := d << n
	c.R[in.d&15] = r
	c.setLazy(lzShl, 8, d, n, r)
}

func shl32RI(c *CPU, in *inst) {
	n := in.imm & 31
	if n == 0 {
		c.R[in.d&15] &= 0xffffffff
		return
	}
	d := c.R[in.d&15] & 0xffffffff
	r := (d << n) & 0xffffffff
	c.R[in.d&15] = r
	c.setLazy(lzShl, 4, d, n, r)
}

func shr64RI(c *CPU, in *inst) {
	n := in.imm & 63
	if n == 0 {
		return
	}
	d := c.R[in.d&15]
	r := d >> n
	c.R[in.d&15] = r
	c.setLazy(lzShr, 8, d, n, r)
}

func shr32RI(c *CPU, in *inst) {
	n := in.imm & 31
	if n == 0 {
		c.R[in.d&15] &= 0xffffffff
		return
	}
	d := c.R[in.d&15] & 0xffffffff
	r := d >> n
	c.R[in.d&15] = r
	c.setLazy(lzShr, 4, d, n, r)
}

// zeroCount handles a masked count of zero: nothing changes, except that
// a 32-bit register operand still has its upper half cleared.
func (c *CPU) zeroCount(in *inst) {
	if in.flags&iMem == 0 && in.size == 4 {
		c.R[in.d&15] &= 0xffffffff
	}
}

func opShl(c *CPU, in *inst) {
	n := c.shiftCount(in)
	a := c.eaIf(in)
	d := c.getE(in)
	if n == 0 {
		c.zeroCount(in)
		return
	}
	r := d << n & sizeMask(in.size)
	c.setE(in, a, r)
	c.setLazy(lzShl, in.size, d, n, r)
}

func opShr(c *CPU, in *inst) {
	n := c.shiftCount(in)
	a := c.eaIf(in)
	d := c.getE(in)
	if n == 0 {
		c.zeroCount(in)
		return
	}
	r := d >> n
	c.setE(in, a, r)
	c.setLazy(lzShr, in.size, d, n, r)
}

func opSar(c *CPU, in *inst) {
	n := c.shiftCount(in)
	a := c.eaIf(in)
	d := c.getE(in)
	if n == 0 {
		c.zeroCount(in)
		return
	}
	r := uint64(sext(d, in.size)>>n) & sizeMask(in.size)
	c.setE(in, a, r)
	c.setLazy(lzSar, in.size, d, n, r)
}

func rotl(v uint64, n uint64, size uint8) uint64 {
	b := uint64(size) * 8
	n %= b
	if n == 0 {
		return v
	}
	return (v<<n | v>>(b-n)) & sizeMask(size)
}

func opRol(c *CPU, in *inst) {
	n := c.shiftCount(in)
	a := c.eaIf(in)
	d := c.getE(in)
	if n == 0 {
		c.zeroCount(in)
		return
	}
	r := rotl(d, n, in.size)
	c.setE(in, a, r)
	cf := r&1 != 0
	c.setCFOF(cf, (r&signBit(in.size) != 0) != cf)
}

func opRor(c *CPU, in *inst) {
	n := c.shiftCount(in)
	a := c.eaIf(in)
	d := c.getE(in)
	if n == 0 {
		c.zeroCount(in)
		return
	}
	b := uint64(in.size) * 8
	r := rotl(d, b-n%b, in.size)
	c.setE(in, a, r)
	sb := signBit(in.size)
	msb := r&sb != 0
	c.setCFOF(msb, msb != (r&(sb>>1) != 0))
}

// RCL and RCR rotate through CF: size*8+1 bits in all.
func opRcl(c *CPU, in *inst) {
	n := c.shiftCount(in)
	a := c.eaIf(in)
	d := c.getE(in)
	if n == 0 {
		c.zeroCount(in)
		return
	}
	// 8- and 16-bit operands rotate modulo 9 and 17 bits. A count that is
	// a multiple of that rotates nothing, but AMD Zen still sets OF as
	// for a 1-bit rotate (the SDM leaves it undefined).
	if in.size < 4 {
		n %= uint64(in.size)*8 + 1
	}
	sb := signBit(in.size)
	cf := c.cf()
	r := d
	for i := uint64(0); i < n; i++ {
		out := r&sb != 0
		r = (r << 1) & sizeMask(in.size)
		if cf {
			r |= 1
		}
		cf = out
	}
	c.setE(in, a, r)
	c.setCFOF(cf, (r&sb != 0) != cf)
}

func opRcr(c *CPU, in *inst) {
	n := c.shiftCount(in)
	a := c.eaIf(in)
	d := c.getE(in)
	if n == 0 {
		c.zeroCount(in)
		return
	}
	if in.size < 4 {
		n %= uint64(in.size)*8 + 1 // OF even when this is 0, as in opRcl
	}
	sb := signBit(in.size)
	cf := c.cf()
	r := d
	for i := uint64(0); i < n; i++ {
		out := r&1 != 0
		r >>= 1
		if cf {
			r |= sb
		}
		cf = out
	}
	c.setE(in, a, r)
	c.setCFOF(cf, (r&sb != 0) != (r&(sb>>1) != 0))
}

// SHLD and SHRD: dst (r/m), src (register in.s), count (imm or CL).
func lowerShiftD(l *lw) bool {
	if l.nargs() != 3 {
		return false
	}
	if _, ok := l.rm1(0); !ok {
		return false
	}
	s, ssz, ok := l.reg(1)
	if !ok || ssz != l.in.size {
		return false
	}
	l.in.s = s
	if v, ok := l.imm(2, 1); ok {
		l.in.imm = v
		l.in.flags |= iImm
	} else if r, ok := l.arg(2).(x86asm.Reg); !ok || r != x86asm.CL {
		return false
	}
	if l.x.Op == x86asm.SHLD {
		l.in.fn = opShld
	} else {
		l.in.fn = opShrd
	}
	return true
}

func opShld(c *CPU, in *inst) {
	n := c.shiftCount(in)
	a := c.eaIf(in)
	d := c.getE(in)
	if n == 0 {
		c.zeroCount(in)
		return
	}
	b := uint64(in.size) * 8
	s := c.getR(in.s, in.size)
	if n < b {
		r := (d<<n | s>>(b-n)) & sizeMask(in.size)
		c.setE(in, a, r)
		c.setLazy(lzShl, in.size, d, n, r)
		return
	}
	// A 16-bit operand and a count of 16 to 31: the SDM leaves the result
	// and the flags undefined. AMD Zen shifts d:s:s, so the result is s
	// rotated left by n-16, CF the last bit of d shifted out (none after
	// 16) and OF the same as CF.
	r := rotl(s, n-b, in.size)
	cf := n == b && d&1 != 0
	c.setE(in, a, r)
	c.setShiftResult(in.size, r, cf, cf)
}

func opShrd(c *CPU, in *inst) {
	n := c.shiftCount(in)
	a := c.eaIf(in)
	d := c.getE(in)
	if n == 0 {
		c.zeroCount(in)
		return
	}
	b := uint64(in.size) * 8
	s := c.getR(in.s, in.size)
	var r uint64
	var cf bool
	if n < b {
		r = (d>>n | s<<(b-n)) & sizeMask(in.size)
		cf = (d>>(n-1))&1 != 0
	} else {
		// A 16-bit operand and a count of 16 to 31 (undefined in the
		// SDM): AMD Zen shifts s:s:d, so the result is s rotated right
		// by n-16 and CF the last bit of d shifted out (none after 16).
		r = rotl(s, 2*b-n, in.size)
		cf = n == b && d>>(b-1)&1 != 0
	}
	c.setE(in, a, r)
	// OF is defined for 1-bit shifts, as a change of sign, which is then
	// the top two bits of the result differing; AMD Zen computes it so
	// for every count.
	c.setShiftResult(in.size, r, cf, (r>>(b-1))&1 != (r>>(b-2))&1)
}

// setResult sets ZF, SF and PF from res, clears AF, and sets CF and OF.
func (c *CPU) setResult(size uint8, res uint64, cf, of bool) {
	c.setLogic(size, res)
	c.materialize()
	c.flags &^= FlagCF | FlagOF
	if cf {
		c.flags |= FlagCF
	}
	if of {
		c.flags |= FlagOF
	}
}

// setShiftResult is setResult for the shifts that set AF: the SDM leaves
// it undefined after a shift by a nonzero count, and AMD Zen sets it.
func (c *CPU) setShiftResult(size uint8, res uint64, cf, of bool) {
	c.setResult(size, res, cf, of)
	c.flags |= FlagAF
}

var _ = bits.Len64
