package cpu

// SSE data movement: full-register moves and their aligned and
// non-temporal variants, the scalar MOVSS/MOVSD, MOVD/MOVQ between XMM and
// general registers or memory, the half-register MOVHPS/MOVLPS family,
// MOVMSKPS/PD and PMOVMSKB, MASKMOVDQU, the SSE3 duplicating loads,
// MOVNTI, and LDMXCSR/STMXCSR.

import (
	"golang.org/x/arch/x86/x86asm"
)

func init() {
	register(lowerXMov128, x86asm.MOVAPS, x86asm.MOVAPD, x86asm.MOVDQA, x86asm.MOVUPS, x86asm.MOVUPD,
		x86asm.MOVDQU, x86asm.MOVNTPS, x86asm.MOVNTPD, x86asm.MOVNTDQ, x86asm.LDDQU, x86asm.MOVNTDQA)
	register(lowerXMovScalar, x86asm.MOVSS, x86asm.MOVSD_XMM)
	register(lowerXMovDQ, x86asm.MOVD, x86asm.MOVQ)
	register(lowerXMovHalf, x86asm.MOVHPS, x86asm.MOVHPD, x86asm.MOVLPS, x86asm.MOVLPD,
		x86asm.MOVHLPS, x86asm.MOVLHPS)
	register(lowerXMovMsk, x86asm.MOVMSKPS, x86asm.MOVMSKPD, x86asm.PMOVMSKB)
	register(lowerXMaskmov, x86asm.MASKMOVDQU)
	register(lowerXMovnti, x86asm.MOVNTI)
	register(lowerXMXCSR, x86asm.LDMXCSR, x86asm.STMXCSR)
	registerSSE(
		sseOp{x86asm.MOVDDUP, sfXX64, opMovddup},
		sseOp{x86asm.MOVSHDUP, sfXX, opMovshdup},
		sseOp{x86asm.MOVSLDUP, sfXX, opMovsldup},
	)
}

// lowerXMov128 lowers the 16-byte moves: register to register, loads and
// stores. MOVAPS, MOVAPD, MOVDQA, the non-temporal stores and MOVNTDQA
// require 16-byte aligned memory (#GP otherwise); MOVUPS, MOVUPD, MOVDQU
// and LDDQU do not. Non-temporal hints are ignored.
func lowerXMov128(l *lw) bool {
	if l.nargs() != 2 {
		return false
	}
	in := &l.in
	switch l.x.Op {
	case x86asm.MOVAPS, x86asm.MOVAPD, x86asm.MOVDQA, x86asm.MOVNTPS, x86asm.MOVNTPD,
		x86asm.MOVNTDQ, x86asm.MOVNTDQA:
		in.aux2 |= sseAlign
	}
	store := false
	switch l.x.Op {
	case x86asm.MOVNTPS, x86asm.MOVNTPD, x86asm.MOVNTDQ:
		store = true // memory destination only
	case x86asm.LDDQU, x86asm.MOVNTDQA:
		if !l.isMem(1) {
			return false
		}
	}
	if d, ok := l.xmm(0); ok && !store {
		in.d = d
		if s, ok := l.xmm(1); ok {
			in.s = s
			in.fn = opXMovRR
			return true
		}
		if !l.mem(1) {
			return false
		}
		in.fn = opXMovLoad
		return true
	}
	s, ok := l.xmm(1)
	if !ok || !l.mem(0) {
		return false
	}
	in.s = s
	in.fn = opXMovStore
	return true
}

func opXMovRR(c *CPU, in *inst) { c.X[in.d&15] = c.X[in.s&15] }

func opXMovLoad(c *CPU, in *inst) {
	lo, hi := c.xload(in)
	d := &c.X[in.d&15]
	d[0], d[1] = lo, hi
}

func opXMovStore(c *CPU, in *inst) {
	x := &c.X[in.s&15]
	c.xstore(in, x[0], x[1])
}

// lowerXMovScalar: MOVSS and MOVSD (x86asm's MOVSD_XMM). Between registers
// only the low element moves; a load zeroes the rest of the register.
func lowerXMovScalar(l *lw) bool {
	if l.nargs() != 2 {
		return false
	}
	in := &l.in
	ss := l.x.Op == x86asm.MOVSS
	if d, ok := l.xmm(0); ok {
		in.d = d
		if s, ok := l.xmm(1); ok {
			in.s = s
			in.fn = opMovsdRR
			if ss {
				in.fn = opMovssRR
			}
			return true
		}
		if !l.mem(1) {
			return false
		}
		in.fn = opMovsdLoad
		if ss {
			in.fn = opMovssLoad
		}
		return true
	}
	s, ok := l.xmm(1)
	if !ok || !l.mem(0) {
		return false
	}
	in.s = s
	in.fn = opMovsdStore
	if ss {
		in.fn = opMovssStore
	}
	return true
}

func opMovssRR(c *CPU, in *inst) {
	d := &c.X[in.d&15]
	d[0] = d[0]&^0xFFFFFFFF | c.X[in.s&15][0]&0xFFFFFFFF
}

func opMovssLoad(c *CPU, in *inst) {
	v := c.rd32(c.ea(in))
	d := &c.X[in.d&15]
	d[0], d[1] = uint64(v), 0
}

func opMovssStore(c *CPU, in *inst) { c.wr32(c.ea(in), uint32(c.X[in.s&15][0])) }

func opMovsdRR(c *CPU, in *inst) { c.X[in.d&15][0] = c.X[in.s&15][0] }

func opMovsdLoad(c *CPU, in *inst) {
	v := c.rd64(c.ea(in))
	d := &c.X[in.d&15]
	d[0], d[1] = v, 0
}

func opMovsdStore(c *CPU, in *inst) { c.wr64(c.ea(in), c.X[in.s&15][0]) }

// lowerXMovDQ: MOVD and MOVQ with an XMM operand. Moves into an XMM
// register zero the rest of it. The forms with an MM register belong to
// mmx.go.
//
//	MOVD xmm, r/m32     MOVD r/m32, xmm
//	MOVQ xmm, r/m64     MOVQ r/m64, xmm     (REX.W 0F 6E/7E)
//	MOVQ xmm, xmm/m64   MOVQ xmm/m64, xmm   (F3 0F 7E, 66 0F D6)
func lowerXMovDQ(l *lw) bool {
	if sseHasMM(l) {
		return lowerMMX(l)
	}
	if l.nargs() != 2 {
		return false
	}
	in := &l.in
	size := uint8(4)
	if l.x.Op == x86asm.MOVQ {
		size = 8
	}
	in.size = size
	if d, ok := l.xmm(0); ok {
		in.d = d
		switch {
		case l.isMem(1):
			l.mem(1)
			in.fn = opXMovdLoad
		default:
			if s, ok := l.xmm(1); ok {
				if size != 8 {
					return false
				}
				in.s = s
				in.fn = opXMovqRR
				return true
			}
			s, sz, ok := l.reg(1)
			if !ok || sz != size {
				return false
			}
			in.s = s
			in.fn = opXMovdFromR
		}
		return true
	}
	s, ok := l.xmm(1)
	if !ok {
		return false
	}
	in.s = s
	if l.mem(0) {
		in.fn = opXMovdStore
		return true
	}
	d, sz, ok := l.reg(0)
	if !ok || sz != size {
		return false
	}
	in.d = d
	in.fn = opXMovdToR
	return true
}

func opXMovdLoad(c *CPU, in *inst) {
	v := c.rdN(c.ea(in), in.size)
	d := &c.X[in.d&15]
	d[0], d[1] = v, 0
}

func opXMovdFromR(c *CPU, in *inst) {
	d := &c.X[in.d&15]
	d[0], d[1] = c.R[in.s&15]&sizeMask(in.size), 0
}

func opXMovqRR(c *CPU, in *inst) {
	d := &c.X[in.d&15]
	d[0], d[1] = c.X[in.s&15][0], 0
}

func opXMovdStore(c *CPU, in *inst) { c.wrN(c.ea(in), in.size, c.X[in.s&15][0]) }

func opXMovdToR(c *CPU, in *inst) { c.R[in.d&15] = c.X[in.s&15][0] & sizeMask(in.size) }

// lowerXMovHalf: MOVHPS/MOVHPD and MOVLPS/MOVLPD load or store the high or
// low quadword and leave the other one alone; MOVHLPS and MOVLHPS move a
// quadword between registers.
func lowerXMovHalf(l *lw) bool {
	if l.nargs() != 2 {
		return false
	}
	in := &l.in
	switch l.x.Op {
	case x86asm.MOVHLPS, x86asm.MOVLHPS:
		d, ok1 := l.xmm(0)
		s, ok2 := l.xmm(1)
		if !ok1 || !ok2 {
			return false
		}
		in.d, in.s = d, s
		if l.x.Op == x86asm.MOVHLPS {
			in.fn = func(c *CPU, in *inst) { c.X[in.d&15][0] = c.X[in.s&15][1] }
		} else {
			in.fn = func(c *CPU, in *inst) { c.X[in.d&15][1] = c.X[in.s&15][0] }
		}
		return true
	}
	high := l.x.Op == x86asm.MOVHPS || l.x.Op == x86asm.MOVHPD
	_, x0 := l.xmm(0)
	if _, x1 := l.xmm(1); x0 && x1 {
		// x86asm decodes 66 0F 12/13/16/17 with a register operand;
		// the processor raises #UD.
		in.fn = opInvalid
		return true
	}
	if d, ok := l.xmm(0); ok {
		if !l.mem(1) {
			return false
		}
		in.d = d
		if high {
			in.fn = func(c *CPU, in *inst) { c.X[in.d&15][1] = c.rd64(c.ea(in)) }
		} else {
			in.fn = func(c *CPU, in *inst) { c.X[in.d&15][0] = c.rd64(c.ea(in)) }
		}
		return true
	}
	s, ok := l.xmm(1)
	if !ok || !l.mem(0) {
		return false
	}
	in.s = s
	if high {
		in.fn = func(c *CPU, in *inst) { c.wr64(c.ea(in), c.X[in.s&15][1]) }
	} else {
		in.fn = opMovsdStore
	}
	return true
}

// lowerXMovMsk: MOVMSKPS, MOVMSKPD and PMOVMSKB gather the sign bits of
// the elements into a general register, zero-extended.
func lowerXMovMsk(l *lw) bool {
	if sseHasMM(l) {
		return lowerMMX(l)
	}
	if l.nargs() != 2 {
		return false
	}
	d, sz, ok := l.reg(0)
	s, ok2 := l.xmm(1)
	if !ok || !ok2 || sz < 4 {
		return false
	}
	l.in.d, l.in.s = d, s
	switch l.x.Op {
	case x86asm.MOVMSKPS:
		l.in.fn = opMovmskps
	case x86asm.MOVMSKPD:
		l.in.fn = opMovmskpd
	default:
		l.in.fn = opPmovmskb
	}
	return true
}

func opMovmskps(c *CPU, in *inst) {
	x := &c.X[in.s&15]
	c.R[in.d&15] = x[0]>>31&1 | x[0]>>62&2 | x[1]>>29&4 | x[1]>>60&8
}

func opMovmskpd(c *CPU, in *inst) {
	x := &c.X[in.s&15]
	c.R[in.d&15] = x[0]>>63 | x[1]>>62&2
}

func opPmovmskb(c *CPU, in *inst) {
	x := &c.X[in.s&15]
	c.R[in.d&15] = uint64(xbyteMask(x[0])) | uint64(xbyteMask(x[1]))<<8
}

// xbyteMask gathers the top bit of each byte of v.
func xbyteMask(v uint64) uint8 {
	// Move bit 7 of each byte down to bit 0, then let a multiply collect
	// the eight bits in the top byte.
	v = v >> 7 & 0x0101010101010101
	return uint8(v * 0x0102040810204080 >> 56)
}

// MASKMOVDQU stores the bytes of the first operand whose mask byte (the
// second operand) has its top bit set, to DS:rDI. All bytes to be stored
// are checked writable first, so nothing is stored on a fault.
func lowerXMaskmov(l *lw) bool {
	if sseHasMM(l) {
		return lowerMMX(l)
	}
	d, ok1 := l.xmm(0)
	s, ok2 := l.xmm(1)
	if l.nargs() != 2 || !ok1 || !ok2 {
		return false
	}
	l.in.d, l.in.s = d, s
	switch l.x.AddrSize {
	case 32:
		l.in.flags |= iA32
	case 64:
	default:
		return false
	}
	l.in.fn = opMaskmovdqu
	return true
}

func opMaskmovdqu(c *CPU, in *inst) {
	a := c.R[RDI]
	if in.flags&iA32 != 0 {
		a = uint64(uint32(a))
	}
	x, m := &c.X[in.d&15], &c.X[in.s&15]
	first, last := -1, -1
	for i := range 16 {
		if m[i>>3]>>(uint(i&7)*8+7)&1 != 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return
	}
	c.wcheck(c.addr(a+uint64(first)), last-first+1)
	for i := first; i <= last; i++ {
		if m[i>>3]>>(uint(i&7)*8+7)&1 != 0 {
			c.wr8(c.addr(a+uint64(i)), uint8(x[i>>3]>>(uint(i&7)*8)))
		}
	}
}

// MOVNTI is an ordinary store of a general register.
func lowerXMovnti(l *lw) bool {
	s, sz, ok := l.reg(1)
	if l.nargs() != 2 || !ok || sz < 4 || !l.mem(0) {
		return false
	}
	l.in.s, l.in.size = s, sz
	l.in.fn = func(c *CPU, in *inst) { c.wrN(c.ea(in), in.size, c.R[in.s&15]) }
	return true
}

// SSE3 duplicating moves.

func opMovddup(c *CPU, in *inst) {
	v := c.xsrc64(in)
	d := &c.X[in.d&15]
	d[0], d[1] = v, v
}

func opMovshdup(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = lo&^0xFFFFFFFF | lo>>32
	d[1] = hi&^0xFFFFFFFF | hi>>32
}

func opMovsldup(c *CPU, in *inst) {
	lo, hi := c.xsrc(in)
	d := &c.X[in.d&15]
	d[0] = lo&0xFFFFFFFF | lo<<32
	d[1] = hi&0xFFFFFFFF | hi<<32
}

// LDMXCSR loads MXCSR; setting a reserved bit (16-31) is #GP. Loading
// MXCSR with a flag set and its mask clear does not trap by itself: only
// an instruction that raises the exception does. STMXCSR stores it.
func lowerXMXCSR(l *lw) bool {
	if l.nargs() != 1 || !l.mem(0) {
		return false
	}
	if l.x.Op == x86asm.LDMXCSR {
		l.in.fn = func(c *CPU, in *inst) {
			v := c.rd32(c.ea(in))
			if v&^mxcsrValid != 0 {
				c.xgpFault()
			}
			c.MXCSR = v
		}
	} else {
		l.in.fn = func(c *CPU, in *inst) { c.wr32(c.ea(in), c.MXCSR) }
	}
	return true
}
