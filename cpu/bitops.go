package cpu

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

func init() {
	register(lowerBT, x86asm.BT, x86asm.BTS, x86asm.BTR, x86asm.BTC)
	register(lowerBitScan, x86asm.BSF, x86asm.BSR, x86asm.TZCNT, x86asm.LZCNT, x86asm.POPCNT)
	register(lowerBSWAP, x86asm.BSWAP)
	register(lowerMOVBE, x86asm.MOVBE)
	register(lowerXADD, x86asm.XADD)
	register(lowerCMPXCHG, x86asm.CMPXCHG)
	register(lowerCMPXCHG8B, x86asm.CMPXCHG8B, x86asm.CMPXCHG16B)
}

// BT, BTS, BTR, BTC. With a register bit offset and a memory operand the
// offset is signed and may address bits outside the operand (SDM "Bit(BitBase,
// BitOffset)"); with an immediate it is taken modulo the operand size.
func lowerBT(l *lw) bool {
	if l.nargs() != 2 {
		return false
	}
	if _, ok := l.rm1(0); !ok {
		return false
	}
	if l.in.size == 1 {
		return false
	}
	if v, ok := l.imm(1, 1); ok {
		l.in.imm = v
		l.in.flags |= iImm
	} else if s, sz, ok := l.reg(1); ok && sz == l.in.size {
		l.in.s = s
	} else {
		return false
	}
	if l.in.flags&iLock != 0 {
		if l.in.flags&iMem == 0 || l.x.Op == x86asm.BT {
			return false
		}
		l.lockOK = true
	}
	switch l.x.Op {
	case x86asm.BT:
		l.in.aux = 0
	case x86asm.BTS:
		l.in.aux = 1
	case x86asm.BTR:
		l.in.aux = 2
	case x86asm.BTC:
		l.in.aux = 3
	}
	l.in.fn = opBT
	return true
}

// The SDM leaves OF, SF, AF and PF undefined after BT*; they are kept.
func opBT(c *CPU, in *inst) {
	bitsz := uint64(in.size) * 8
	var off uint64
	if in.flags&iImm != 0 {
		off = in.imm % bitsz
	} else {
		off = c.getR(in.s, in.size)
	}
	var a, v uint64
	if in.flags&iMem != 0 {
		a = c.ea(in)
		if in.flags&iImm == 0 {
			so := sext(off, in.size)
			a = c.addr(a + uint64((so>>3)&^int64(in.size-1)))
			off = uint64(so) & (bitsz - 1)
		}
		if in.aux != 0 && in.flags&iLock != 0 {
			m := uint64(1) << off
			var old uint64
			switch in.aux {
			case 1:
				old, _ = c.atomicRMW(a, in.size, func(x uint64) uint64 { return x | m })
			case 2:
				old, _ = c.atomicRMW(a, in.size, func(x uint64) uint64 { return x &^ m })
			default:
				old, _ = c.atomicRMW(a, in.size, func(x uint64) uint64 { return x ^ m })
			}
			c.setFlag(FlagCF, old&m != 0)
			return
		}
		v = c.rdN(a, in.size)
	} else {
		off &= bitsz - 1
		v = c.getR(in.d, in.size)
	}
	m := uint64(1) << off
	bit := v&m != 0
	switch in.aux {
	case 1:
		v |= m
	case 2:
		v &^= m
	case 3:
		v ^= m
	}
	if in.aux != 0 {
		if in.flags&iMem != 0 {
			c.wrN(a, in.size, v)
		} else {
			c.setR(in.d, in.size, v)
		}
	}
	c.setFlag(FlagCF, bit)
}

func lowerBitScan(l *lw) bool {
	d, size, ok := l.reg(0)
	if !ok || size == 1 {
		return false
	}
	l.in.d, l.in.size = d, size
	if s, _, isReg := l.reg(1); isReg {
		l.in.s = s
	} else if !l.mem(1) {
		return false
	}
	switch l.x.Op {
	case x86asm.BSF:
		l.in.fn = opBSF
	case x86asm.BSR:
		l.in.fn = opBSR
	case x86asm.TZCNT:
		l.in.fn = opTZCNT
	case x86asm.LZCNT:
		l.in.fn = opLZCNT
	case x86asm.POPCNT:
		l.in.fn = opPOPCNT
	}
	return true
}

func (c *CPU) srcRM(in *inst) uint64 {
	if in.flags&iMem != 0 {
		return c.rdN(c.ea(in), in.size)
	}
	return c.getR(in.s, in.size)
}

// BSF and BSR: a zero source sets ZF and leaves the destination unchanged,
// all 64 bits of it even for a 32-bit operand (AMD APM BSF; the SDM leaves
// it undefined). CF, OF, SF, AF and PF are undefined; as on AMD Zen, PF
// is the parity of the bit index (set for a zero source) and the others
// are cleared.
func opBSF(c *CPU, in *inst) {
	s := c.srcRM(in)
	if s == 0 {
		c.setResult(in.size, 0, false, false)
		return
	}
	r := uint64(bits.TrailingZeros64(s))
	c.setR(in.d, in.size, r)
	c.setResult(in.size, r, false, false)
	c.setFlag(FlagZF, false)
}

func opBSR(c *CPU, in *inst) {
	s := c.srcRM(in)
	if s == 0 {
		c.setResult(in.size, 0, false, false)
		return
	}
	r := uint64(bits.Len64(s) - 1)
	c.setR(in.d, in.size, r)
	c.setResult(in.size, r, false, false)
	c.setFlag(FlagZF, false)
}

// cntUndefined are the flags TZCNT and LZCNT clear: the SDM leaves OF, SF,
// AF and PF undefined; AMD Zen clears SF, AF and PF and keeps OF, and so
// does this.
const cntUndefined = FlagSF | FlagAF | FlagPF

// TZCNT, LZCNT: CF is set when the source is zero, ZF when the result is.
func opTZCNT(c *CPU, in *inst) {
	s := c.srcRM(in)
	b := uint64(in.size) * 8
	r := b
	if s != 0 {
		r = uint64(bits.TrailingZeros64(s))
	}
	c.setR(in.d, in.size, r)
	c.materialize()
	c.flags &^= FlagCF | FlagZF | cntUndefined
	if s == 0 {
		c.flags |= FlagCF
	}
	if r == 0 {
		c.flags |= FlagZF
	}
}

func opLZCNT(c *CPU, in *inst) {
	s := c.srcRM(in)
	b := uint64(in.size) * 8
	r := b - uint64(bits.Len64(s))
	c.setR(in.d, in.size, r)
	c.materialize()
	c.flags &^= FlagCF | FlagZF | cntUndefined
	if s == 0 {
		c.flags |= FlagCF
	}
	if r == 0 {
		c.flags |= FlagZF
	}
}

func opPOPCNT(c *CPU, in *inst) {
	s := c.srcRM(in)
	r := uint64(bits.OnesCount64(s))
	c.setR(in.d, in.size, r)
	c.materialize()
	c.flags &^= flagsArith
	if r == 0 {
		c.flags |= FlagZF
	}
}

// BSWAP of a 16-bit register is undefined in the SDM; AMD Zen (and, by
// all accounts, Intel) clears the low 16 bits, and so does this.
func bswap16(c *CPU, in *inst) { c.R[in.d&15] &^= 0xffff }

func lowerBSWAP(l *lw) bool {
	d, size, ok := l.reg(0)
	if !ok {
		return false
	}
	l.in.d, l.in.size = d, size
	if size == 2 {
		l.in.fn = bswap16
		return true
	}
	l.in.fn = func(c *CPU, in *inst) {
		if in.size == 8 {
			c.R[in.d&15] = bits.ReverseBytes64(c.R[in.d&15])
		} else {
			c.R[in.d&15] = uint64(bits.ReverseBytes32(uint32(c.R[in.d&15])))
		}
	}
	return true
}

// MOVBE r, m and MOVBE m, r: a load or a store with the bytes reversed.
// There is no register-to-register form, and a REP (F3) prefix raises #UD
// (SDM MOVBE; x86asm decodes it as MOVBE all the same).
func lowerMOVBE(l *lw) bool {
	for _, p := range l.x.Prefix {
		if p == 0 {
			break
		}
		if p&0xff == x86asm.PrefixREP {
			l.in.fn = opInvalid
			return true
		}
	}
	if d, size, ok := l.reg(0); ok {
		if size == 1 || !l.mem(1) {
			return false
		}
		l.in.d, l.in.size = d, size
		l.in.fn = func(c *CPU, in *inst) {
			c.setR(in.d, in.size, bswapN(c.rdN(c.ea(in), in.size), in.size))
		}
		return true
	}
	s, size, ok := l.reg(1)
	if !ok || size == 1 || !l.mem(0) {
		return false
	}
	l.in.s, l.in.size = s, size
	l.in.fn = func(c *CPU, in *inst) {
		c.wrN(c.ea(in), in.size, bswapN(c.getR(in.s, in.size), in.size))
	}
	return true
}

// bswapN reverses the low size bytes of v (2, 4 or 8).
func bswapN(v uint64, size uint8) uint64 {
	switch size {
	case 2:
		return uint64(bits.ReverseBytes16(uint16(v)))
	case 4:
		return uint64(bits.ReverseBytes32(uint32(v)))
	}
	return bits.ReverseBytes64(v)
}

// XADD r/m, r: exchange and add.
func lowerXADD(l *lw) bool {
	if _, ok := l.rm1(0); !ok {
		return false
	}
	s, sz, ok := l.reg(1)
	if !ok || sz != l.in.size {
		return false
	}
	l.in.s = s
	if l.in.flags&iLock != 0 {
		if l.in.flags&iMem == 0 {
			return false
		}
		l.lockOK = true
	}
	l.in.fn = opXADD
	return true
}

func opXADD(c *CPU, in *inst) {
	s := c.getR(in.s, in.size)
	var d, r uint64
	if in.flags&iMem != 0 {
		a := c.ea(in)
		if in.flags&iLock != 0 {
			d, r = c.atomicRMW(a, in.size, func(x uint64) uint64 { return x + s })
		} else {
			d = c.rdN(a, in.size)
			r = (d + s) & sizeMask(in.size)
			c.wrN(a, in.size, r)
		}
		c.setR(in.s, in.size, d)
	} else {
		d = c.getR(in.d, in.size)
		r = (d + s) & sizeMask(in.size)
		c.setR(in.s, in.size, d)
		c.setR(in.d, in.size, r)
	}
	c.setLazy(lzAdd, in.size, d, s, r)
}

// CMPXCHG r/m, r: compare the accumulator with r/m; if equal store r,
// else load r/m into the accumulator. A memory operand must be writable
// even when the comparison fails.
func lowerCMPXCHG(l *lw) bool {
	if _, ok := l.rm1(0); !ok {
		return false
	}
	s, sz, ok := l.reg(1)
	if !ok || sz != l.in.size {
		return false
	}
	l.in.s = s
	if l.in.flags&iLock != 0 {
		if l.in.flags&iMem == 0 {
			return false
		}
		l.lockOK = true
	}
	l.in.fn = opCMPXCHG
	return true
}

func opCMPXCHG(c *CPU, in *inst) {
	acc := c.getR(RAX, in.size)
	s := c.getR(in.s, in.size)
	var d uint64
	if in.flags&iMem != 0 {
		a := c.ea(in)
		c.wcheck(a, int(in.size))
		for {
			d = c.rdN(a, in.size)
			if d != acc || c.casN(a, in.size, d, s) {
				break
			}
		}
	} else {
		// A failed compare does not write a register destination, so a
		// 32-bit one keeps its upper half (the SDM's pseudo-code writes
		// it back; Intel and AMD hardware do not).
		d = c.getR(in.d, in.size)
		if d == acc {
			c.setR(in.d, in.size, s)
		}
	}
	if d != acc {
		c.setR(RAX, in.size, d)
	}
	c.setLazy(lzSub, in.size, acc, d, (acc-d)&sizeMask(in.size))
}

// CMPXCHG8B m64 and CMPXCHG16B m128 (which must be 16-byte aligned).
func lowerCMPXCHG8B(l *lw) bool {
	if !l.mem(0) {
		return false
	}
	l.lockOK = true
	if l.x.Op == x86asm.CMPXCHG16B {
		l.in.fn = opCMPXCHG16B
	} else {
		l.in.fn = opCMPXCHG8B
	}
	return true
}

func opCMPXCHG8B(c *CPU, in *inst) {
	a := c.ea(in)
	c.wcheck(a, 8)
	old := (c.R[RDX]&0xffffffff)<<32 | c.R[RAX]&0xffffffff
	new := (c.R[RCX]&0xffffffff)<<32 | c.R[RBX]&0xffffffff
	var cur uint64
	for {
		cur = c.rd64(a)
		if cur != old || c.cas64(a, old, new) {
			break
		}
	}
	c.setFlag(FlagZF, cur == old)
	if cur != old {
		c.R[RAX] = cur & 0xffffffff
		c.R[RDX] = cur >> 32
	}
}

func opCMPXCHG16B(c *CPU, in *inst) {
	a := c.ea(in)
	if a&15 != 0 {
		c.Fault = Fault{Trap: TrapGP}
		c.raise(ExitTrap)
	}
	c.wcheck(a, 16)
	mu := stripe(a)
	mu.Lock()
	lo, hi := c.rd64(a), c.rd64(a+8)
	eq := lo == c.R[RAX] && hi == c.R[RDX]
	if eq {
		c.wr64(a, c.R[RBX])
		c.wr64(a+8, c.R[RCX])
	}
	mu.Unlock()
	c.setFlag(FlagZF, eq)
	if !eq {
		c.R[RAX], c.R[RDX] = lo, hi
	}
}
