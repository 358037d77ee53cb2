package cpu

import "golang.org/x/arch/x86/x86asm"

// The condition-code families, in condition-code order.
var (
	jccOps = [16]x86asm.Op{x86asm.JO, x86asm.JNO, x86asm.JB, x86asm.JAE, x86asm.JE, x86asm.JNE,
		x86asm.JBE, x86asm.JA, x86asm.JS, x86asm.JNS, x86asm.JP, x86asm.JNP, x86asm.JL,
		x86asm.JGE, x86asm.JLE, x86asm.JG}
	setccOps = [16]x86asm.Op{x86asm.SETO, x86asm.SETNO, x86asm.SETB, x86asm.SETAE, x86asm.SETE,
		x86asm.SETNE, x86asm.SETBE, x86asm.SETA, x86asm.SETS, x86asm.SETNS, x86asm.SETP,
		x86asm.SETNP, x86asm.SETL, x86asm.SETGE, x86asm.SETLE, x86asm.SETG}
	cmovOps = [16]x86asm.Op{x86asm.CMOVO, x86asm.CMOVNO, x86asm.CMOVB, x86asm.CMOVAE, x86asm.CMOVE,
		x86asm.CMOVNE, x86asm.CMOVBE, x86asm.CMOVA, x86asm.CMOVS, x86asm.CMOVNS, x86asm.CMOVP,
		x86asm.CMOVNP, x86asm.CMOVL, x86asm.CMOVGE, x86asm.CMOVLE, x86asm.CMOVG}
)

func init() {
	register(lowerJMP, x86asm.JMP)
	register(lowerCALL, x86asm.CALL)
	register(lowerRET, x86asm.RET)
	register(lowerJcc, jccOps[:]...)
	register(lowerLoop, x86asm.LOOP, x86asm.LOOPE, x86asm.LOOPNE, x86asm.JCXZ, x86asm.JECXZ, x86asm.JRCXZ)
	register(lowerSETcc, setccOps[:]...)
	register(lowerCMOVcc, cmovOps[:]...)
}

// ccOf returns the condition code of a Jcc, SETcc or CMOVcc.
func (l *lw) ccOf(family *[16]x86asm.Op) uint8 {
	for i, op := range family {
		if op == l.x.Op {
			return uint8(i)
		}
	}
	panic("cpu: no condition code for " + l.x.Op.String())
}

func lowerJMP(l *lw) bool {
	l.term = true
	if t, ok := l.rel(0); ok {
		l.in.imm = t
		l.in.fn = jmpRel
		return true
	}
	if _, ok := l.rm1(0); !ok {
		return false
	}
	if l.in.size != addrSize(l.c) {
		return false
	}
	l.in.fn = jmpE
	return true
}

func jmpRel(c *CPU, in *inst) { c.PC = in.imm }
func jmpE(c *CPU, in *inst)   { c.PC = c.getE(in) }

func lowerCALL(l *lw) bool {
	l.term = true
	n := addrSize(l.c)
	l.in.size = n
	l.in.disp = l.pc + uint64(l.x.Len) // return address
	if l.c.mode == Mode32 {
		l.in.disp = uint64(uint32(l.in.disp))
	}
	if t, ok := l.rel(0); ok {
		l.in.imm = t
		if n == 8 {
			l.in.fn = call64Rel
		} else {
			l.in.fn = call32Rel
		}
		return true
	}
	ret := l.in.disp
	l.in.disp = 0
	if _, ok := l.rm1(0); !ok || l.in.size != n {
		return false
	}
	l.in.imm = ret
	l.in.fn = callE
	return true
}

func call64Rel(c *CPU, in *inst) { c.push64(in.disp); c.PC = in.imm }
func call32Rel(c *CPU, in *inst) { c.push32(uint32(in.disp)); c.PC = in.imm }

// callE: the target is read before anything is pushed.
func callE(c *CPU, in *inst) {
	t := c.getE(in)
	c.push(in.size, in.imm)
	c.PC = t
}

func lowerRET(l *lw) bool {
	l.term = true
	l.in.size = addrSize(l.c)
	if l.nargs() == 1 {
		v, ok := l.imm(0, 2)
		if !ok {
			return false
		}
		l.in.imm = v
		l.in.fn = retN
		return true
	}
	if l.in.size == 8 {
		l.in.fn = ret64
	} else {
		l.in.fn = ret32
	}
	return true
}

func ret64(c *CPU, in *inst) { c.PC = c.pop64() }
func ret32(c *CPU, in *inst) { c.PC = uint64(c.pop32()) }
func retN(c *CPU, in *inst) {
	c.PC = c.pop(in.size)
	c.R[RSP] = c.addr(c.R[RSP] + in.imm)
}

var jccTab = [16]handler{
	func(c *CPU, in *inst) {
		if c.of() {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if !c.of() {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.cond(ccB) {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.cond(ccAE) {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.zf() {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if !c.zf() {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.cond(ccBE) {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.cond(ccA) {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.sf() {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if !c.sf() {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.pf() {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if !c.pf() {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.cond(ccL) {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.cond(ccGE) {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.cond(ccLE) {
			c.PC = in.imm
		}
	},
	func(c *CPU, in *inst) {
		if c.cond(ccG) {
			c.PC = in.imm
		}
	},
}

func lowerJcc(l *lw) bool {
	l.term = true
	t, ok := l.rel(0)
	if !ok {
		return false
	}
	l.in.imm = t
	cc := l.ccOf(&jccOps)
	l.in.aux = cc
	l.in.fn = jccTab[cc]
	return true
}

// LOOP, LOOPE, LOOPNE, JCXZ: the count register's size is the address
// size.
func lowerLoop(l *lw) bool {
	l.term = true
	t, ok := l.rel(0)
	if !ok {
		return false
	}
	l.in.imm = t
	l.in.size = uint8(l.x.AddrSize / 8)
	switch l.x.Op {
	case x86asm.LOOP:
		l.in.fn = func(c *CPU, in *inst) {
			n := (c.getR(RCX, in.size) - 1) & sizeMask(in.size)
			c.setR(RCX, in.size, n)
			if n != 0 {
				c.PC = in.imm
			}
		}
	case x86asm.LOOPE:
		l.in.fn = func(c *CPU, in *inst) {
			n := (c.getR(RCX, in.size) - 1) & sizeMask(in.size)
			c.setR(RCX, in.size, n)
			if n != 0 && c.zf() {
				c.PC = in.imm
			}
		}
	case x86asm.LOOPNE:
		l.in.fn = func(c *CPU, in *inst) {
			n := (c.getR(RCX, in.size) - 1) & sizeMask(in.size)
			c.setR(RCX, in.size, n)
			if n != 0 && !c.zf() {
				c.PC = in.imm
			}
		}
	default:
		l.in.fn = func(c *CPU, in *inst) {
			if c.getR(RCX, in.size) == 0 {
				c.PC = in.imm
			}
		}
	}
	return true
}

func lowerSETcc(l *lw) bool {
	if sz, ok := l.rm1(0); !ok || sz != 1 {
		return false
	}
	l.in.aux = l.ccOf(&setccOps)
	l.in.fn = func(c *CPU, in *inst) {
		var v uint8
		if c.cond(in.aux) {
			v = 1
		}
		if in.flags&iMem != 0 {
			c.wr8(c.ea(in), v)
		} else {
			c.set8(in.d, v)
		}
	}
	return true
}

// CMOVcc reads its source even when the condition is false; a 32-bit
// CMOV clears the upper half of the destination either way.
func lowerCMOVcc(l *lw) bool {
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
	l.in.aux = l.ccOf(&cmovOps)
	l.in.fn = func(c *CPU, in *inst) {
		var v uint64
		if in.flags&iMem != 0 {
			v = c.rdN(c.ea(in), in.size)
		} else {
			v = c.getR(in.s, in.size)
		}
		if c.cond(in.aux) {
			c.setR(in.d, in.size, v)
		} else if in.size == 4 {
			c.R[in.d&15] &= 0xffffffff
		}
	}
	return true
}
