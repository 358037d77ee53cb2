package cpu

import "golang.org/x/arch/x86/x86asm"

func init() {
	register(lowerPush, x86asm.PUSH)
	register(lowerPop, x86asm.POP)
	register(lowerPushf, x86asm.PUSHF, x86asm.PUSHFD, x86asm.PUSHFQ)
	register(lowerPopf, x86asm.POPF, x86asm.POPFD, x86asm.POPFQ)
	register(lowerLeave, x86asm.LEAVE)
	register(lowerEnter, x86asm.ENTER)
	register(lowerPusha, x86asm.PUSHAD, x86asm.POPAD)
}

// push and pop move a value of n bytes (2, 4 or 8) through the stack. The
// stack pointer changes only after the memory access succeeded.
func (c *CPU) push(n uint8, v uint64) {
	sp := c.R[RSP] - uint64(n)
	if c.mode == Mode32 {
		sp = uint64(uint32(sp))
	}
	c.wrN(sp, n, v)
	c.R[RSP] = sp
}

func (c *CPU) pop(n uint8) uint64 {
	sp := c.R[RSP]
	v := c.rdN(sp, n)
	sp += uint64(n)
	if c.mode == Mode32 {
		sp = uint64(uint32(sp))
	}
	c.R[RSP] = sp
	return v
}

func (c *CPU) push64(v uint64) {
	sp := c.R[RSP] - 8
	c.wr64(sp, v)
	c.R[RSP] = sp
}

func (c *CPU) pop64() uint64 {
	sp := c.R[RSP]
	v := c.rd64(sp)
	c.R[RSP] = sp + 8
	return v
}

func (c *CPU) push32(v uint32) {
	sp := uint32(c.R[RSP]) - 4
	c.wr32(uint64(sp), v)
	c.R[RSP] = uint64(sp)
}

func (c *CPU) pop32() uint32 {
	sp := uint32(c.R[RSP])
	v := c.rd32(uint64(sp))
	c.R[RSP] = uint64(sp + 4)
	return v
}

// Push and Pop are for the operating system side (building stacks).
func (c *CPU) Push(v uint64) {
	if c.mode == Mode64 {
		c.push64(v)
	} else {
		c.push32(uint32(v))
	}
}

func lowerPush(l *lw) bool {
	n := l.stackSize()
	l.in.size = n
	if l.nargs() != 1 {
		return false
	}
	if r, sz, ok := l.reg(0); ok {
		if sz != n {
			return false
		}
		l.in.d = r
		switch n {
		case 8:
			l.in.fn = push64R
		case 4:
			l.in.fn = push32R
		default:
			l.in.fn = pushGenR
		}
		return true
	}
	if v, ok := l.imm(0, n); ok {
		l.in.imm = v
		switch n {
		case 8:
			l.in.fn = push64I
		case 4:
			l.in.fn = push32I
		default:
			l.in.fn = pushGenI
		}
		return true
	}
	if l.mem(0) {
		l.in.fn = pushGenM
		return true
	}
	return false // segment registers
}

func push64R(c *CPU, in *inst) { c.push64(c.R[in.d&15]) }
func push32R(c *CPU, in *inst) { c.push32(uint32(c.R[in.d&15])) }
func pushGenR(c *CPU, in *inst) {
	c.push(in.size, c.getR(in.d, in.size))
}
func push64I(c *CPU, in *inst)  { c.push64(in.imm) }
func push32I(c *CPU, in *inst)  { c.push32(uint32(in.imm)) }
func pushGenI(c *CPU, in *inst) { c.push(in.size, in.imm) }
func pushGenM(c *CPU, in *inst) { c.push(in.size, c.rdN(c.ea(in), in.size)) }

func lowerPop(l *lw) bool {
	n := l.stackSize()
	l.in.size = n
	if l.nargs() != 1 {
		return false
	}
	if r, sz, ok := l.reg(0); ok {
		if sz != n {
			return false
		}
		l.in.d = r
		switch n {
		case 8:
			l.in.fn = pop64R
		case 4:
			l.in.fn = pop32R
		default:
			l.in.fn = popGenR
		}
		return true
	}
	if l.mem(0) {
		l.in.fn = popGenM
		return true
	}
	return false
}

func pop64R(c *CPU, in *inst) { v := c.pop64(); c.R[in.d&15] = v }
func pop32R(c *CPU, in *inst) { v := c.pop32(); c.R[in.d&15] = uint64(v) }
func popGenR(c *CPU, in *inst) {
	v := c.pop(in.size)
	c.setR(in.d, in.size, v)
}

// popGenM: the destination address is computed with the stack pointer
// already incremented (SDM POP); if the store faults, SP is restored.
func popGenM(c *CPU, in *inst) {
	sp := c.R[RSP]
	v := c.pop(in.size)
	a := c.ea(in)
	c.R[RSP] = sp
	c.wrN(a, in.size, v)
	c.pop(in.size)
}

func lowerPushf(l *lw) bool {
	l.in.size = l.stackSize()
	l.in.fn = func(c *CPU, in *inst) { c.push(in.size, c.Flags()&^(1<<16|1<<17)) }
	return true
}

func lowerPopf(l *lw) bool {
	l.in.size = l.stackSize()
	l.in.fn = func(c *CPU, in *inst) {
		v := c.pop(in.size)
		if in.size == 2 {
			v |= c.Flags() &^ 0xffff
		}
		c.SetFlags(v)
	}
	return true
}

func lowerLeave(l *lw) bool {
	l.in.size = l.stackSize()
	l.in.fn = func(c *CPU, in *inst) {
		bp := c.getR(RBP, addrSize(c))
		v := c.rdN(bp, in.size)
		c.R[RSP] = c.addr(bp + uint64(in.size))
		c.setR(RBP, in.size, v)
	}
	return true
}

func addrSize(c *CPU) uint8 {
	if c.mode == Mode64 {
		return 8
	}
	return 4
}

// ENTER size, level (SDM ENTER) pushes the frame pointer; with a nesting
// level L (the immediate modulo 32) above 0 it then copies L-1 frame
// pointers from below the old one and pushes the new one, which is where
// the stack pointer was after the first push. The frame pointer (of the
// operand size: BP for a 16-bit ENTER) becomes that, and size more bytes
// are allocated.
func lowerEnter(l *lw) bool {
	size, ok1 := l.imm(0, 2)
	level, ok2 := l.imm(1, 1)
	if !ok1 || !ok2 {
		return false
	}
	l.in.imm = size
	l.in.aux = uint8(level % 32)
	l.in.size = l.stackSize()
	l.in.fn = opEnter
	return true
}

func opEnter(c *CPU, in *inst) {
	n, level := in.size, int(in.aux)
	sp := c.R[RSP]
	frame := c.addr(sp - uint64(n))
	// Every access is tried, in order, before anything changes, and so
	// is a write at the final stack pointer: the SDM's #PF "if a write
	// using the final value of the stack pointer would cause a page
	// fault".
	bp, a := c.getR(RBP, addrSize(c)), frame
	c.wcheck(a, int(n))
	if level > 0 {
		for range level - 1 {
			bp = c.addr(bp - uint64(n))
			c.rdN(bp, n)
			a = c.addr(a - uint64(n))
			c.wcheck(a, int(n))
		}
		a = c.addr(a - uint64(n))
		c.wcheck(a, int(n))
	}
	c.wcheck(c.addr(a-in.imm), int(n))
	// The copies are read one at a time between the pushes, as the
	// SDM's pseudo-code has it: an old frame that overlaps the new one
	// gives back what was just pushed there.
	c.push(n, c.getR(RBP, n))
	if level > 0 {
		bp = c.getR(RBP, addrSize(c))
		for range level - 1 {
			bp = c.addr(bp - uint64(n))
			c.push(n, c.rdN(bp, n))
		}
		c.push(n, frame)
	}
	c.setR(RBP, n, frame) // a 16-bit ENTER sets BP only
	c.R[RSP] = c.addr(c.R[RSP] - in.imm)
}

func lowerPusha(l *lw) bool {
	if l.c.mode != Mode32 {
		return false
	}
	if l.x.Op == x86asm.PUSHAD {
		l.in.fn = func(c *CPU, in *inst) {
			sp := uint32(c.R[RSP])
			c.wcheck(uint64(sp-32), 32)
			for r := RAX; r <= RDI; r++ {
				v := uint32(c.R[r])
				if r == RSP {
					v = sp
				}
				c.push32(v)
			}
		}
	} else {
		l.in.fn = func(c *CPU, in *inst) {
			sp := uint32(c.R[RSP])
			var v [8]uint32
			for i := range v {
				v[i] = c.rd32(uint64(sp + uint32(4*i)))
			}
			for i, r := 0, RDI; r >= RAX; i, r = i+1, r-1 {
				if r != RSP {
					c.R[r] = uint64(v[i])
				}
			}
			c.R[RSP] = uint64(sp + 32)
		}
	}
	return true
}
