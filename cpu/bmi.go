package cpu

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

func init() {
	register(lowerBMI, x86asm.ANDN, x86asm.BEXTR, x86asm.BLSI, x86asm.BLSMSK, x86asm.BLSR,
		x86asm.BZHI, x86asm.MULX, x86asm.PDEP, x86asm.PEXT, x86asm.RORX,
		x86asm.SARX, x86asm.SHLX, x86asm.SHRX)
}

// The BMI1 and BMI2 instructions are VEX-encoded operations on general
// registers, 32 or 64 bits wide (VEX.W, which 32-bit mode ignores). They
// are lowered as
//
//	d       the destination (MULX: the one that gets the high half)
//	aux     the register VEX.vvvv names besides the destination: ANDN's
//	        inverted source, PDEP's and PEXT's source, MULX's low-half
//	        destination, BEXTR's and BZHI's control, SARX/SHLX/SHRX's count
//	s/mem   the r/m source
//	imm     RORX's count, already masked
func lowerBMI(l *lw) bool {
	in := &l.in
	rm, v := 1, -1
	switch l.x.Op {
	case x86asm.ANDN, x86asm.MULX, x86asm.PDEP, x86asm.PEXT:
		rm, v = 2, 1
	case x86asm.BEXTR, x86asm.BZHI, x86asm.SARX, x86asm.SHLX, x86asm.SHRX:
		v = 2
	}
	d, size, ok := l.vexReg(0)
	if !ok {
		return false
	}
	in.d, in.size = d, size
	if v >= 0 {
		if in.aux, _, ok = l.vexReg(v); !ok {
			return false
		}
	}
	if s, _, isReg := l.vexReg(rm); isReg {
		in.s = s
	} else if !l.vexMem(rm) {
		return false
	}
	switch l.x.Op {
	case x86asm.ANDN:
		in.fn = opANDN
	case x86asm.BEXTR:
		in.fn = opBEXTR
	case x86asm.BLSI:
		in.fn = opBLSI
	case x86asm.BLSMSK:
		in.fn = opBLSMSK
	case x86asm.BLSR:
		in.fn = opBLSR
	case x86asm.BZHI:
		in.fn = opBZHI
	case x86asm.MULX:
		in.fn = opMULX
	case x86asm.PDEP:
		in.fn = opPDEP
	case x86asm.PEXT:
		in.fn = opPEXT
	case x86asm.SARX:
		in.fn = opSARX
	case x86asm.SHLX:
		in.fn = opSHLX
	case x86asm.SHRX:
		in.fn = opSHRX
	case x86asm.RORX:
		n, ok := l.imm(2, 1)
		if !ok {
			return false
		}
		in.imm = n & (uint64(size)*8 - 1)
		in.fn = opRORX
		// RORX has no register in VEX.vvvv, which must then be 1111b
		// (SDM Vol. 2A 2.3.6); the hardware raises #UD otherwise. Only
		// its low three bits count in 32-bit mode.
		want := uint8(15)
		if l.c.mode == Mode32 {
			want = 7
		}
		if vexVVVV(l.x)&want != want {
			in.fn = opInvalid
		}
	default:
		return false
	}
	return true
}

// vexVVVV returns the VEX.vvvv field as encoded (inverted).
func vexVVVV(x *x86asm.Inst) uint8 {
	switch x.Prefix[0] & 0xff {
	case x86asm.PrefixVEX3Bytes:
		return uint8(x.Prefix[2]>>3) & 15
	case x86asm.PrefixVEX2Bytes:
		return uint8(x.Prefix[1]>>3) & 15
	}
	return 15
}

// vexReg returns argument i as a 32- or 64-bit register. In 32-bit mode
// the operand size is 32 bits whatever VEX.W says (SDM "VEX.W1 in non-64
// bit is ignored"), and VEX.B is ignored (SDM Vol. 2A 2.3.5) and so is
// the top bit of VEX.vvvv (which the 2-byte form cannot even encode
// there), where x86asm takes them as it would in 64-bit mode.
func (l *lw) vexReg(i int) (num, size uint8, ok bool) {
	num, size, ok = l.reg(i)
	if !ok || size < 4 {
		return 0, 0, false
	}
	if l.c.mode == Mode32 {
		return num & 7, 4, true
	}
	return num, size, true
}

// vexMem sets in's memory operand from argument i of a VEX-encoded
// instruction. x86asm decodes ModRM mod 00, r/m 101 as [disp32] there in
// every mode; in 64-bit mode it is [rip+disp32]. The SIB form of [disp32]
// decodes with a scale, this one without, which tells them apart.
func (l *lw) vexMem(i int) bool {
	m, ok := l.arg(i).(x86asm.Mem)
	if !ok {
		return false
	}
	if l.c.mode == Mode64 && m.Base == 0 && m.Index == 0 && m.Scale == 0 {
		m.Base = x86asm.RIP
	}
	if !l.setMem(m) {
		return false
	}
	if l.c.mode == Mode32 && l.in.base < regZero {
		l.in.base &= 7 // VEX.B is ignored, as in vexReg
	}
	return true
}

// ANDN, BEXTR, BLSI, BLSMSK, BLSR and BZHI set ZF (and, but for BEXTR,
// SF) from the result and clear OF; CF is cleared or as noted. The SDM
// leaves AF and PF undefined, and SF after BEXTR. AMD Zen sets PF from
// the result after all of them; it clears AF, as after a logical
// operation, except after BEXTR, which sets AF and clears SF. So does
// this.

func opANDN(c *CPU, in *inst) {
	r := ^c.getR(in.aux, in.size) & c.srcRM(in)
	c.setR(in.d, in.size, r)
	c.setLogic(in.size, r)
}

// BEXTR: control bits 7:0 are the start, 15:8 the length; bits past the
// operand are zero, so a start beyond it gives 0.
func opBEXTR(c *CPU, in *inst) {
	s := c.srcRM(in)
	ctl := c.getR(in.aux, in.size)
	start, n := ctl&0xff, ctl>>8&0xff
	r := s >> start & (1<<n - 1) // Go's shifts give 0 for counts past 63
	c.setR(in.d, in.size, r)
	f := uint64(FlagAF)
	if r == 0 {
		f |= FlagZF
	}
	if bits.OnesCount8(uint8(r))&1 == 0 {
		f |= FlagPF
	}
	c.lz = lzNone
	c.flags = c.flags&^flagsArith | f
}

// BLSI: the lowest set bit; CF is set unless the source is 0.
func opBLSI(c *CPU, in *inst) {
	s := c.srcRM(in)
	r := -s & s
	c.setR(in.d, in.size, r)
	c.setResult(in.size, r, s != 0, false)
}

// BLSMSK: the bits up to and including the lowest set bit; CF is set if
// the source is 0. The result is never 0, so ZF is always clear.
func opBLSMSK(c *CPU, in *inst) {
	s := c.srcRM(in)
	r := ((s - 1) ^ s) & sizeMask(in.size)
	c.setR(in.d, in.size, r)
	c.setResult(in.size, r, s == 0, false)
}

// BLSR: the source with its lowest set bit cleared; CF is set if the
// source is 0.
func opBLSR(c *CPU, in *inst) {
	s := c.srcRM(in)
	r := (s - 1) & s
	c.setR(in.d, in.size, r)
	c.setResult(in.size, r, s == 0, false)
}

// BZHI: clear the bits from the index (control bits 7:0) up. An index
// past the top bit leaves the source whole and sets CF.
func opBZHI(c *CPU, in *inst) {
	s := c.srcRM(in)
	n := c.getR(in.aux, in.size) & 0xff
	out := n >= uint64(in.size)*8
	r := s
	if !out {
		r &= 1<<n - 1
	}
	c.setR(in.d, in.size, r)
	c.setResult(in.size, r, out, false)
}

// MULX: RDX (EDX) times the source, unsigned, with no flags. The low half
// is written first, so that if both destinations are one register it
// ends up with the high half (SDM MULX).
func opMULX(c *CPU, in *inst) {
	s := c.srcRM(in)
	var hi, lo uint64
	if in.size == 8 {
		hi, lo = bits.Mul64(c.R[RDX], s)
	} else {
		p := c.R[RDX] & 0xffffffff * s
		hi, lo = p>>32, p&0xffffffff
	}
	c.setR(in.aux, in.size, lo)
	c.setR(in.d, in.size, hi)
}

// PDEP: the low bits of the source go, in order, to the positions of the
// set bits of the mask (the r/m operand).
func opPDEP(c *CPU, in *inst) {
	s, m := c.getR(in.aux, in.size), c.srcRM(in)
	var r uint64
	for k := uint64(1); m != 0; k <<= 1 {
		low := m & -m
		if s&k != 0 {
			r |= low
		}
		m &^= low
	}
	c.setR(in.d, in.size, r)
}

// PEXT: the bits of the source at the set bits of the mask (the r/m
// operand) are gathered, in order, into the low bits.
func opPEXT(c *CPU, in *inst) {
	s, m := c.getR(in.aux, in.size), c.srcRM(in)
	var r uint64
	for k := uint64(1); m != 0; k <<= 1 {
		low := m & -m
		if s&low != 0 {
			r |= k
		}
		m &^= low
	}
	c.setR(in.d, in.size, r)
}

// RORX, SARX, SHLX and SHRX change no flags, and their counts are masked
// to 5 or 6 bits as for the other shifts.

func opRORX(c *CPU, in *inst) {
	s := c.srcRM(in)
	if in.size == 8 {
		c.R[in.d&15] = bits.RotateLeft64(s, -int(in.imm))
	} else {
		c.R[in.d&15] = uint64(bits.RotateLeft32(uint32(s), -int(in.imm)))
	}
}

// xCount returns the count of SARX, SHLX and SHRX.
func (c *CPU) xCount(in *inst) uint64 {
	return c.R[in.aux&15] & (uint64(in.size)*8 - 1)
}

func opSARX(c *CPU, in *inst) {
	s := c.srcRM(in)
	c.setR(in.d, in.size, uint64(sext(s, in.size)>>c.xCount(in)))
}

func opSHLX(c *CPU, in *inst) {
	s := c.srcRM(in)
	c.setR(in.d, in.size, s<<c.xCount(in))
}

func opSHRX(c *CPU, in *inst) {
	s := c.srcRM(in)
	c.setR(in.d, in.size, s>>c.xCount(in))
}
