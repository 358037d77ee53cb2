package cpu

import "golang.org/x/arch/x86/x86asm"

func init() {
	register(lowerALU2(aluAdd), x86asm.ADD)
	register(lowerALU2(aluOr), x86asm.OR)
	register(lowerALU2(aluAdc), x86asm.ADC)
	register(lowerALU2(aluSbb), x86asm.SBB)
	register(lowerALU2(aluAnd), x86asm.AND)
	register(lowerALU2(aluSub), x86asm.SUB)
	register(lowerALU2(aluXor), x86asm.XOR)
	register(lowerALU2(aluCmp), x86asm.CMP)
	register(lowerALU2(aluTest), x86asm.TEST)
	register(lowerALU2(aluMov), x86asm.MOV)
	register(lowerUnary, x86asm.INC, x86asm.DEC, x86asm.NEG, x86asm.NOT)
	register(lowerLEA, x86asm.LEA)
	register(lowerMovx, x86asm.MOVZX, x86asm.MOVSX, x86asm.MOVSXD)
	register(lowerXCHG, x86asm.XCHG)
	register(lowerConvert, x86asm.CBW, x86asm.CWDE, x86asm.CDQE, x86asm.CWD, x86asm.CDQ, x86asm.CQO)
}

func lowerALU2(op int) lowerFn {
	return func(l *lw) bool {
		form, size, ok := l.form2()
		if !ok {
			return false
		}
		if op == aluTest && form == formRM {
			return false // TEST has no reg,mem encoding; x86asm reports mem,reg
		}
		if l.in.flags&iLock != 0 {
			if form != formMR && form != formMI || op >= aluCmp {
				return false
			}
			l.lockOK = true
			if form == formMI {
				l.in.fn = alu2Lock[op][1][sizeIndex(size)]
			} else {
				l.in.fn = alu2Lock[op][0][sizeIndex(size)]
			}
			return true
		}
		l.in.fn = alu2[op][form][sizeIndex(size)]
		switch {
		case op == aluCmp && form == formRR:
			l.in.aux2 = fuseCmpRR
		case op == aluCmp && form == formRI:
			l.in.aux2 = fuseCmpRI
		case op == aluTest && form == formRR:
			l.in.aux2 = fuseTestRR
		case op == aluTest && form == formRI:
			l.in.aux2 = fuseTestRI
		}
		if op == aluXor && form == formRR && l.in.d == l.in.s {
			l.in.fn = xorSelf[sizeIndex(size)]
		}
		return true
	}
}

// xorSelf handles the zeroing idiom XOR r, r without reading r.
var xorSelf = [4]handler{
	func(c *CPU, in *inst) { c.set8(in.d, 0); c.setLogic(1, 0) },
	func(c *CPU, in *inst) { c.R[in.d&15] &^= 0xffff; c.setLogic(2, 0) },
	func(c *CPU, in *inst) { c.R[in.d&15] = 0; c.setLogic(4, 0) },
	func(c *CPU, in *inst) { c.R[in.d&15] = 0; c.setLogic(8, 0) },
}

// Unary operations: INC, DEC, NEG, NOT on a register or memory.
func lowerUnary(l *lw) bool {
	if l.nargs() != 1 {
		return false
	}
	if _, ok := l.rm1(0); !ok {
		return false
	}
	lock := l.in.flags&iLock != 0
	if lock {
		if l.in.flags&iMem == 0 {
			return false
		}
		l.lockOK = true
	}
	switch l.x.Op {
	case x86asm.INC:
		l.in.fn = opInc
		if lock {
			l.in.fn = opLockInc
		} else if l.in.flags&iMem == 0 && l.in.size == 4 {
			l.in.fn = opInc32R
		} else if l.in.flags&iMem == 0 && l.in.size == 8 {
			l.in.fn = opInc64R
		}
	case x86asm.DEC:
		l.in.fn = opDec
		if lock {
			l.in.fn = opLockDec
		} else if l.in.flags&iMem == 0 && l.in.size == 4 {
			l.in.fn = opDec32R
		} else if l.in.flags&iMem == 0 && l.in.size == 8 {
			l.in.fn = opDec64R
		}
	case x86asm.NEG:
		l.in.fn = opNeg
		if lock {
			l.in.fn = opLockNeg
		}
	case x86asm.NOT:
		l.in.fn = opNot
		if lock {
			l.in.fn = opLockNot
		}
	}
	return true
}

func opInc32R(c *CPU, in *inst) {
	cf := c.carry()
	d := uint32(c.R[in.d&15])
	r := d + 1
	c.R[in.d&15] = uint64(r)
	c.setLazy(lzInc, 4, uint64(d), 1, uint64(r))
	c.lcf = cf
}

func opInc64R(c *CPU, in *inst) {
	cf := c.carry()
	d := c.R[in.d&15]
	r := d + 1
	c.R[in.d&15] = r
	c.setLazy(lzInc, 8, d, 1, r)
	c.lcf = cf
}

func opDec32R(c *CPU, in *inst) {
	cf := c.carry()
	d := uint32(c.R[in.d&15])
	r := d - 1
	c.R[in.d&15] = uint64(r)
	c.setLazy(lzDec, 4, uint64(d), 1, uint64(r))
	c.lcf = cf
}

func opDec64R(c *CPU, in *inst) {
	cf := c.carry()
	d := c.R[in.d&15]
	r := d - 1
	c.R[in.d&15] = r
	c.setLazy(lzDec, 8, d, 1, r)
	c.lcf = cf
}

func opInc(c *CPU, in *inst) {
	a := c.eaIf(in)
	d := c.getE(in)
	r := (d + 1) & sizeMask(in.size)
	cf := c.carry()
	c.setE(in, a, r)
	c.setLazy(lzInc, in.size, d, 1, r)
	c.lcf = cf
}

func opDec(c *CPU, in *inst) {
	a := c.eaIf(in)
	d := c.getE(in)
	r := (d - 1) & sizeMask(in.size)
	cf := c.carry()
	c.setE(in, a, r)
	c.setLazy(lzDec, in.size, d, 1, r)
	c.lcf = cf
}

func opNeg(c *CPU, in *inst) {
	a := c.eaIf(in)
	d := c.getE(in)
	r := -d & sizeMask(in.size)
	c.setE(in, a, r)
	c.setLazy(lzSub, in.size, 0, d, r)
}

func opNot(c *CPU, in *inst) {
	a := c.eaIf(in)
	d := c.getE(in)
	c.setE(in, a, ^d&sizeMask(in.size))
}

func opLockInc(c *CPU, in *inst) {
	cf := c.carry()
	d, r := c.atomicRMW(c.ea(in), in.size, func(d uint64) uint64 { return d + 1 })
	c.setLazy(lzInc, in.size, d, 1, r)
	c.lcf = cf
}

func opLockDec(c *CPU, in *inst) {
	cf := c.carry()
	d, r := c.atomicRMW(c.ea(in), in.size, func(d uint64) uint64 { return d - 1 })
	c.setLazy(lzDec, in.size, d, 1, r)
	c.lcf = cf
}

func opLockNeg(c *CPU, in *inst) {
	d, r := c.atomicRMW(c.ea(in), in.size, func(d uint64) uint64 { return -d })
	c.setLazy(lzSub, in.size, 0, d, r)
}

func opLockNot(c *CPU, in *inst) {
	c.atomicRMW(c.ea(in), in.size, func(d uint64) uint64 { return ^d })
}

func lowerLEA(l *lw) bool {
	d, size, ok := l.reg(0)
	if !ok || !l.mem(1) {
		return false
	}
	l.in.d, l.in.size = d, size
	in := &l.in
	switch {
	case size == 8 && in.idx == regZero && in.flags&iA32 == 0:
		in.fn = lea64B
	case size == 8:
		in.fn = lea64
	case size == 4:
		in.fn = lea32
	default:
		in.fn = lea16
	}
	return true
}

func lea64B(c *CPU, in *inst) { c.R[in.d&15] = in.disp + c.R[in.base&31] }
func lea64(c *CPU, in *inst)  { c.R[in.d&15] = c.ea(in) }
func lea32(c *CPU, in *inst)  { c.R[in.d&15] = uint64(uint32(c.ea(in))) }
func lea16(c *CPU, in *inst)  { c.setR(in.d, 2, c.ea(in)) }

// MOVZX, MOVSX, MOVSXD: in.size is the destination size, in.aux the
// source size.
func lowerMovx(l *lw) bool {
	d, size, ok := l.reg(0)
	if !ok {
		return false
	}
	l.in.d, l.in.size = d, size
	if s, ssz, isReg := l.reg(1); isReg {
		l.in.s, l.in.aux = s, ssz
	} else if l.mem(1) {
		l.in.aux = uint8(l.x.MemBytes)
	} else {
		return false
	}
	signed := l.x.Op != x86asm.MOVZX
	mem := l.in.flags&iMem != 0
	switch {
	case !signed && mem && l.in.aux == 1:
		l.in.fn = movzx8M
	case !signed && !mem && l.in.aux == 1:
		l.in.fn = movzx8R
	case !signed && mem && l.in.aux == 2:
		l.in.fn = movzx16M
	case !signed:
		l.in.fn = movzxGen
	case signed && mem && l.in.aux == 4 && size == 8:
		l.in.fn = movsxd64M
	case signed && !mem && l.in.aux == 4 && size == 8:
		l.in.fn = movsxd64R
	default:
		l.in.fn = movsxGen
	}
	return true
}

func movzx8M(c *CPU, in *inst)  { c.setR(in.d, in.size, uint64(c.rd8(c.ea(in)))) }
func movzx8R(c *CPU, in *inst)  { c.setR(in.d, in.size, uint64(c.get8(in.s))) }
func movzx16M(c *CPU, in *inst) { c.setR(in.d, in.size, uint64(c.rd16(c.ea(in)))) }
func movsxd64M(c *CPU, in *inst) {
	c.R[in.d&15] = uint64(int64(int32(c.rd32(c.ea(in)))))
}
func movsxd64R(c *CPU, in *inst) { c.R[in.d&15] = uint64(int64(int32(c.R[in.s&15]))) }

func (c *CPU) movxSrc(in *inst) uint64 {
	if in.flags&iMem != 0 {
		return c.rdN(c.ea(in), in.aux)
	}
	return c.getR(in.s, in.aux)
}

func movzxGen(c *CPU, in *inst) { c.setR(in.d, in.size, c.movxSrc(in)) }
func movsxGen(c *CPU, in *inst) {
	c.setR(in.d, in.size, uint64(sext(c.movxSrc(in), in.aux)))
}

// XCHG: with a memory operand it is always atomic.
func lowerXCHG(l *lw) bool {
	if l.nargs() != 2 {
		return false
	}
	l.lockOK = true
	d, size, ok := l.reg(0)
	if !ok {
		// mem, reg
		s, ssz, isReg := l.reg(1)
		if !isReg || !l.mem(0) {
			return false
		}
		l.in.s, l.in.size = s, ssz
		l.in.fn = xchgM
		return true
	}
	l.in.d, l.in.size = d, size
	if s, ssz, isReg := l.reg(1); isReg {
		if ssz != size {
			return false
		}
		l.in.s = s
		l.in.fn = xchgR
		if d == s && size != 4 {
			l.in.fn = opNop // NOP (0x90) and XCHG r, r of the same register
		}
		return true
	}
	if !l.mem(1) {
		return false
	}
	l.in.s = d
	l.in.fn = xchgM
	return true
}

func xchgR(c *CPU, in *inst) {
	a, b := c.getR(in.d, in.size), c.getR(in.s, in.size)
	c.setR(in.d, in.size, b)
	c.setR(in.s, in.size, a)
}

func xchgM(c *CPU, in *inst) {
	v := c.getR(in.s, in.size)
	old := c.atomicSwap(c.ea(in), in.size, v)
	c.setR(in.s, in.size, old)
}

func opNop(c *CPU, in *inst) {}

func lowerConvert(l *lw) bool {
	switch l.x.Op {
	case x86asm.CBW:
		l.in.fn = func(c *CPU, in *inst) { c.setR(RAX, 2, uint64(int8(c.R[RAX]))) }
	case x86asm.CWDE:
		l.in.fn = func(c *CPU, in *inst) { c.setR(RAX, 4, uint64(int16(c.R[RAX]))) }
	case x86asm.CDQE:
		l.in.fn = func(c *CPU, in *inst) { c.R[RAX] = uint64(int32(c.R[RAX])) }
	case x86asm.CWD:
		l.in.fn = func(c *CPU, in *inst) { c.setR(RDX, 2, uint64(int64(int16(c.R[RAX]))>>16)) }
	case x86asm.CDQ:
		l.in.fn = func(c *CPU, in *inst) { c.setR(RDX, 4, uint64(int64(int32(c.R[RAX]))>>32)) }
	case x86asm.CQO:
		l.in.fn = func(c *CPU, in *inst) { c.R[RDX] = uint64(int64(c.R[RAX]) >> 63) }
	}
	return true
}
