package cpu

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

func init() {
	register(lowerMul, x86asm.MUL, x86asm.DIV, x86asm.IDIV)
	register(lowerIMUL, x86asm.IMUL)
}

func lowerMul(l *lw) bool {
	if l.nargs() != 1 {
		return false
	}
	if _, ok := l.rm1(0); !ok {
		return false
	}
	switch l.x.Op {
	case x86asm.MUL:
		l.in.fn = opMul
	case x86asm.DIV:
		l.in.fn = opDiv
	case x86asm.IDIV:
		l.in.fn = opIdiv
	}
	return true
}

func lowerIMUL(l *lw) bool {
	switch l.nargs() {
	case 1:
		if _, ok := l.rm1(0); !ok {
			return false
		}
		l.in.fn = opImul1
		return true
	case 2, 3:
		d, size, ok := l.reg(0)
		if !ok {
			return false
		}
		l.in.d, l.in.size = d, size
		if s, _, isReg := l.reg(1); isReg {
			l.in.s = s
		} else if !l.mem(1) {
			return false
		}
		if l.nargs() == 3 {
			v, ok := l.imm(2, size)
			if !ok {
				return false
			}
			l.in.imm = v
			l.in.flags |= iImm
		} else {
			l.in.imm = 0
		}
		l.in.fn = opImul2
		return true
	}
	return false
}

func (c *CPU) divideError() {
	c.Fault = Fault{Trap: TrapDivide}
	c.raise(ExitTrap)
}

// setMul sets CF and OF after MUL and IMUL. The SDM leaves SF, ZF, AF and
// PF undefined; AMD Zen leaves them unchanged, and so does this.
func (c *CPU) setMul(overflow bool) { c.setCFOF(overflow, overflow) }

func opMul(c *CPU, in *inst) {
	s := c.getE(in)
	switch in.size {
	case 1:
		r := uint64(uint8(c.R[RAX])) * s
		c.setR(RAX, 2, r)
		c.setMul(r>>8 != 0)
	case 2:
		r := (c.R[RAX] & 0xffff) * s
		c.setR(RAX, 2, r)
		c.setR(RDX, 2, r>>16)
		c.setMul(r>>16 != 0)
	case 4:
		r := (c.R[RAX] & 0xffffffff) * s
		c.R[RAX] = r & 0xffffffff
		c.R[RDX] = r >> 32
		c.setMul(r>>32 != 0)
	default:
		hi, lo := bits.Mul64(c.R[RAX], s)
		c.R[RAX], c.R[RDX] = lo, hi
		c.setMul(hi != 0)
	}
}

func opImul1(c *CPU, in *inst) {
	s := sext(c.getE(in), in.size)
	switch in.size {
	case 1:
		r := int64(int8(c.R[RAX])) * s
		c.setR(RAX, 2, uint64(r))
		c.setMul(r != int64(int8(r)))
	case 2:
		r := int64(int16(c.R[RAX])) * s
		c.setR(RAX, 2, uint64(r))
		c.setR(RDX, 2, uint64(r>>16))
		c.setMul(r != int64(int16(r)))
	case 4:
		r := int64(int32(c.R[RAX])) * s
		c.R[RAX] = uint64(r) & 0xffffffff
		c.R[RDX] = uint64(r>>32) & 0xffffffff
		c.setMul(r != int64(int32(r)))
	default:
		hi, lo := mul128(int64(c.R[RAX]), s)
		c.R[RAX], c.R[RDX] = lo, uint64(hi)
		c.setMul(hi != int64(lo)>>63)
	}
}

// mul128 is the signed 128-bit product of a and b.
func mul128(a, b int64) (hi int64, lo uint64) {
	h, l := bits.Mul64(uint64(a), uint64(b))
	hs := int64(h)
	if a < 0 {
		hs -= b
	}
	if b < 0 {
		hs -= a
	}
	return hs, l
}

// opImul2: IMUL r, r/m and IMUL r, r/m, imm.
func opImul2(c *CPU, in *inst) {
	var s uint64
	if in.flags&iMem != 0 {
		s = c.rdN(c.ea(in), in.size)
	} else {
		s = c.getR(in.s, in.size)
	}
	d := c.getR(in.d, in.size)
	if in.flags&iImm != 0 {
		d = in.imm
	}
	a, b := sext(d, in.size), sext(s, in.size)
	var r uint64
	var ovf bool
	if in.size == 8 {
		hi, lo := mul128(a, b)
		r, ovf = lo, hi != int64(lo)>>63
	} else {
		p := a * b
		r, ovf = uint64(p), p != sext(uint64(p), in.size)
	}
	c.setR(in.d, in.size, r)
	c.setMul(ovf)
}

// divFlags sets the flags after DIV and IDIV. The SDM leaves all six
// undefined; AMD Zen sets AF, clears SF, ZF and PF and keeps CF and OF,
// and so does this.
func (c *CPU) divFlags() {
	c.materialize()
	c.flags = c.flags&^(FlagSF|FlagZF|FlagPF) | FlagAF
}

func opDiv(c *CPU, in *inst) {
	s := c.getE(in)
	if s == 0 {
		c.divideError()
	}
	switch in.size {
	case 1:
		n := c.R[RAX] & 0xffff
		q, r := n/s, n%s
		if q > 0xff {
			c.divideError()
		}
		c.setR(RAX, 2, r<<8|q)
	case 2:
		n := (c.R[RDX]&0xffff)<<16 | c.R[RAX]&0xffff
		q, r := n/s, n%s
		if q > 0xffff {
			c.divideError()
		}
		c.setR(RAX, 2, q)
		c.setR(RDX, 2, r)
	case 4:
		n := (c.R[RDX]&0xffffffff)<<32 | c.R[RAX]&0xffffffff
		q, r := n/s, n%s
		if q > 0xffffffff {
			c.divideError()
		}
		c.R[RAX], c.R[RDX] = q, r
	default:
		if c.R[RDX] >= s {
			c.divideError()
		}
		q, r := bits.Div64(c.R[RDX], c.R[RAX], s)
		c.R[RAX], c.R[RDX] = q, r
	}
	c.divFlags()
}

func opIdiv(c *CPU, in *inst) {
	s := sext(c.getE(in), in.size)
	if s == 0 {
		c.divideError()
	}
	switch in.size {
	case 1, 2, 4:
		b := int64(in.size) * 8
		var n int64
		if in.size == 1 {
			n = int64(int16(c.R[RAX]))
		} else {
			n = int64(uint64(sext(c.R[RDX], in.size))<<b | c.R[RAX]&sizeMask(in.size))
		}
		q, r := n/s, n%s
		if q != sext(uint64(q), in.size) {
			c.divideError()
		}
		if in.size == 1 {
			c.setR(RAX, 2, uint64(r&0xff)<<8|uint64(q&0xff))
		} else {
			c.setR(RAX, in.size, uint64(q))
			c.setR(RDX, in.size, uint64(r))
		}
	default:
		q, r, ok := idiv128(int64(c.R[RDX]), c.R[RAX], s)
		if !ok {
			c.divideError()
		}
		c.R[RAX], c.R[RDX] = uint64(q), uint64(r)
	}
	c.divFlags()
}

// idiv128 divides the signed 128-bit hi:lo by d, truncating, and reports
// whether the quotient fits in 64 bits.
func idiv128(hi int64, lo uint64, d int64) (q, r int64, ok bool) {
	neg := hi < 0
	uh, ul := uint64(hi), lo
	if neg { // negate the 128-bit value
		ul = -lo
		uh = ^uh
		if lo == 0 {
			uh++
		}
	}
	ud := uint64(d)
	if d < 0 {
		ud = -ud
	}
	if uh >= ud {
		return 0, 0, false
	}
	uq, ur := bits.Div64(uh, ul, ud)
	qneg := neg != (d < 0)
	if qneg {
		if uq > 1<<63 {
			return 0, 0, false
		}
		q = int64(-uq)
	} else {
		if uq >= 1<<63 {
			return 0, 0, false
		}
		q = int64(uq)
	}
	r = int64(ur)
	if neg {
		r = -r
	}
	return q, r, true
}
