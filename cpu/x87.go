package cpu

import "golang.org/x/arch/x86/x86asm"

// The x87 FPU (SDM vol. 1, chapter 8): eight 80-bit registers used as a
// stack, the control, status and tag words, and the last-instruction
// pointers. Arithmetic is in f80.go. Here: the state and its helpers, the
// loads, stores, constants and control instructions, and the lowering of
// all x87 instructions; x87ops.go has the arithmetic, comparison and
// other stack operations; fxsave.go state save and restore; mmx.go MMX,
// which aliases the registers.
//
// Exceptions follow the hardware: each instruction sets the status-word
// flags of the exceptions it raises; a masked exception delivers its
// default result; an unmasked one sets ES and B, and (for invalid
// operation, denormal operand and zero divide) leaves the destination
// alone. The trap itself is taken at the next waiting x87 instruction:
// it ends Run with ExitTrap, Fault.Trap TrapX87, the status word and the
// address of the instruction that raised the exception.

// X87 is the x87 FPU state.
type X87 struct {
	CW  uint16 // control word
	SW  uint16 // status word; TOP in bits 11-13
	Tag uint8  // bit i set: physical register R[i] is in use (FXSAVE's abridged tag word)

	// The last non-control instruction: its opcode (11 bits), address,
	// and memory operand's address. FOP and FIP are kept current lazily;
	// SaveFP, FNSTENV, FNSAVE, FXSAVE and FP traps bring them up to date.
	FOP uint16
	FIP uint64
	FDP uint64

	// R holds the physical registers: ST(i) is R[(TOP+i)&7], and MMX
	// register MMi is the significand R[i].Mant.
	R [8]F80

	// lastBlk and lastIdx locate the last non-control instruction, so
	// that recording it costs two stores.
	lastBlk *block
	lastIdx int32
}

// Status word bits beyond the exception flags.
const (
	swES  = 1 << 7 // exception summary: an unmasked exception is pending
	swC0  = 1 << 8
	swC1  = 1 << 9
	swC2  = 1 << 10
	swTop = 7 << 11
	swC3  = 1 << 14
	swB   = 1 << 15 // busy; mirrors ES
)

// reset puts the FPU in the state FNINIT leaves: CW 0x037F (all
// exceptions masked, 64-bit precision, round to nearest), SW 0, all
// registers empty, pointers zero. Register contents are kept.
func (f *X87) reset() {
	f.CW = 0x037F
	f.SW = 0
	f.Tag = 0
	f.FOP, f.FIP, f.FDP = 0, 0, 0
	f.lastBlk = nil
}

func (f *X87) top() uint         { return uint(f.SW>>11) & 7 }
func (f *X87) setTop(t uint)     { f.SW = f.SW&^swTop | uint16(t&7)<<11 }
func (f *X87) phys(i uint8) uint { return (f.top() + uint(i)) & 7 }
func (f *X87) valid(p uint) bool { return f.Tag>>(p&7)&1 != 0 }

// pop marks ST(0) empty and increments TOP.
func (f *X87) pop() {
	t := f.top()
	f.Tag &^= 1 << t
	f.setTop(t + 1)
}

// sync brings FIP and FOP up to date.
func (f *X87) sync() {
	if b := f.lastBlk; b != nil {
		i := int(f.lastIdx)
		f.FIP = b.pc + uint64(b.offsetOf(i))
		f.FOP = uint16(b.insts[i].imm) & 0x7FF
		f.lastBlk = nil
	}
}

// signal records the exceptions fl raised by the current instruction:
// it sets their status flags, sets C1 from fl (every instruction that
// signals defines C1; it is clear unless fl says otherwise), and sets
// ES and B if any is unmasked. It reports whether an unmasked invalid
// operation, denormal operand or zero divide forbids the instruction to
// deliver its result.
func (f *X87) signal(fl uint16) bool {
	un := fl & 0x3F &^ f.CW
	abort := un&(exIE|exDE|exZE) != 0
	if abort {
		// The operation is not performed: no overflow, underflow or
		// precision exception, and C1 only for a stack overflow.
		fl &= exIE | exDE | exZE | exSF | exC1
		if fl&exSF == 0 {
			fl &^= exC1
		}
	}
	f.SW = f.SW&^swC1 | fl&(0x7F|swC1)
	if un != 0 {
		f.SW |= swES | swB
	}
	return abort
}

// updateES recomputes ES and B from the flags and masks, after CW or SW
// was loaded.
func (f *X87) updateES() {
	if f.SW&0x3F&^f.CW != 0 {
		f.SW |= swES | swB
	} else {
		f.SW &^= swES | swB
	}
}

// underflow signals a stack underflow (a read of an empty register). It
// reports whether the masked response (the real indefinite in place of
// the missing value) should proceed.
func (f *X87) underflow() bool { return !f.signal(exIE | exSF) }

// push pushes v; fl holds the exceptions of producing v. A full stack is
// a stack overflow: IE, SF and C1, and with IE masked the real
// indefinite is pushed instead.
func (f *X87) push(v F80, fl uint16) {
	t := (f.top() - 1) & 7
	if f.valid(t) {
		if f.signal(exIE | exSF | exC1) {
			return
		}
		v = f80Indefinite()
	} else if f.signal(fl) {
		return
	}
	f.setTop(t)
	f.R[t] = v
	f.Tag |= 1 << t
}

// fpBegin starts a waiting non-control x87 instruction without a memory
// operand: a pending unmasked exception traps first (SDM vol. 1, 8.6),
// then the instruction becomes the last instruction (FIP, FOP).
func (c *CPU) fpBegin() {
	if c.FPU.SW&swES != 0 {
		c.fpTrap()
	}
	c.fpLast()
}

// fpMark makes an instruction with a memory operand at a the last
// instruction (FIP, FOP, FDP). The memory forms call it (after fpWait)
// once their memory access is done, so that a faulting access leaves
// the FPU unchanged.
func (c *CPU) fpMark(a uint64) {
	c.FPU.FDP = a
	c.fpLast()
}

func (c *CPU) fpLast() {
	f := &c.FPU
	if c.cur == nil {
		f.lastBlk, f.FIP = nil, c.PC
		return
	}
	f.lastBlk, f.lastIdx = c.cur, int32(c.ci)
}

// fpWait is the pending-exception check of waiting control instructions
// (FWAIT, FLDCW, FLDENV, FRSTOR...), which do not change FIP.
func (c *CPU) fpWait() {
	if c.FPU.SW&swES != 0 {
		c.fpTrap()
	}
}

// fpTrap takes the x87 floating-point error trap (#MF) for a pending
// exception; the PC is that of the waiting instruction, FPPC that of the
// instruction that raised the exception.
func (c *CPU) fpTrap() {
	f := &c.FPU
	f.sync()
	c.Fault = Fault{Trap: TrapX87, FPStatus: uint32(f.SW), FPPC: f.FIP}
	c.raise(ExitTrap)
}

// Loads (FLD, FILD, FBLD and the constants).

func opFLDm32(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	v, fl := f80FromF32(c.rd32(a))
	c.fpMark(a)
	c.fpLoad(v, fl)
}

func opFLDm64(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	v, fl := f80FromF64(c.rd64(a))
	c.fpMark(a)
	c.fpLoad(v, fl)
}

// fpLoad pushes a value converted from m32 or m64: an SNaN raises IE and
// is quieted (FLD m80 and FLD ST(i) copy without exceptions). A denormal
// raises DE but is loaded even when DE is unmasked, as AMD hardware
// does.
func (c *CPU) fpLoad(v F80, fl uint16) {
	f := &c.FPU
	if v.class() == clsSNaN {
		v.Mant |= f80QuietBit
		fl |= exIE
	}
	if fl == exDE && !f.valid((f.top()-1)&7) {
		f.signal(fl)
		fl = 0
	}
	f.push(v, fl)
}

func opFLDm80(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	v := F80{Mant: c.rd64(a), SE: c.rd16(c.addr(a + 8))}
	c.fpMark(a)
	c.FPU.push(v, 0)
}

// opFLDst is FLD ST(i), which pushes a copy of ST(i).
func opFLDst(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p := f.phys(in.s)
	if !f.valid(p) {
		// The underflow takes precedence over an overflow: the
		// indefinite is pushed whatever the new top held.
		if !f.underflow() {
			return
		}
		t := (f.top() - 1) & 7
		f.setTop(t)
		f.R[t] = f80Indefinite()
		f.Tag |= 1 << t
		return
	}
	f.push(f.R[p], 0)
}

// opFILD is FILD m16/m32/m64: the conversion is always exact.
func opFILD(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	v := c.rdN(a, in.size)
	c.fpMark(a)
	c.FPU.push(f80FromInt(sext(v, in.size)), 0)
}

// opFBLD is FBLD m80: a packed BCD integer.
func opFBLD(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	lo, hi := c.rd64(a), c.rd16(c.addr(a+8))
	c.fpMark(a)
	c.FPU.push(f80FromBCD(lo, hi), 0)
}

// x87Const holds a constant's significand to 128 bits (bit 127 the
// integer bit) and its sign and exponent.
type x87Const struct {
	hi, lo uint64
	se     uint16
}

// x87Consts are the constants of FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2,
// FLDLN2 and FLDZ (in.aux). Since the 387 they are rounded to 64 bits by
// the rounding control (SDM vol. 2, FLD1/FLDL2T/...), which gives the
// 8087's values when rounding to nearest.
var x87Consts = [...]x87Const{
	{0x8000000000000000, 0, 0x3FFF},                  // 1
	{0xD49A784BCD1B8AFE, 0x492BF6FF4DAFDB4C, 0x4000}, // log2(10)
	{0xB8AA3B295C17F0BB, 0xBE87FED0691D3E88, 0x3FFF}, // log2(e)
	{0xC90FDAA22168C234, 0xC4C6628B80DC1CD1, 0x4000}, // pi
	{0x9A209A84FBCFF798, 0x8F8959AC0B7C9178, 0x3FFD}, // log10(2)
	{0xB17217F7D1CF79AB, 0xC9E3B39803F2F6AF, 0x3FFE}, // ln(2)
	{0, 0, 0}, // +0
}

func opFLDconst(c *CPU, in *inst) {
	c.fpBegin()
	k := x87Consts[in.aux%uint8(len(x87Consts))]
	// No constant's significand is all ones, so rounding never carries;
	// no exception is raised.
	q, _, _, _ := f80RoundSig(k.hi, k.lo, 0, c.FPU.CW>>10&3, false)
	c.FPU.push(F80{Mant: q, SE: k.se}, 0)
}

// Stores (FST, FSTP, FIST, FISTP, FISTTP, FBSTP).

// fpStoreSrc returns ST(0) for a store, or the real indefinite on a
// stack underflow; ok is false when an unmasked underflow ends the
// instruction.
func (c *CPU) fpStoreSrc() (v F80, empty, ok bool) {
	f := &c.FPU
	p := f.top()
	if f.valid(p) {
		return f.R[p], false, true
	}
	return f80Indefinite(), true, f.CW&exIE != 0
}

// opFSTm is FST/FSTP m32 or m64 (in.size); in.aux2 is set for FSTP.
func opFSTm(c *CPU, in *inst) {
	c.fpWait()
	f := &c.FPU
	a := c.ea(in)
	v, empty, ok := c.fpStoreSrc()
	if !ok {
		c.fpMark(a)
		f.underflow()
		return
	}
	single := in.size == 4
	bits, fl, store := f80ToMem(v, f.CW, single)
	if empty {
		fl |= exIE | exSF
	}
	if !store {
		c.fpMark(a)
		f.signal(fl)
		return
	}
	if single {
		c.wr32(a, uint32(bits))
	} else {
		c.wr64(a, bits)
	}
	c.fpMark(a)
	f.signal(fl)
	if in.aux2 != 0 {
		f.pop()
	}
}

// opFSTPm80 is FSTP m80: an exact copy.
func opFSTPm80(c *CPU, in *inst) {
	c.fpWait()
	f := &c.FPU
	a := c.ea(in)
	v, empty, ok := c.fpStoreSrc()
	if !ok {
		c.fpMark(a)
		f.underflow()
		return
	}
	c.wcheck(a, 10)
	c.wr64(a, v.Mant)
	c.wr16(c.addr(a+8), v.SE)
	c.fpMark(a)
	if empty {
		f.signal(exIE | exSF)
	} else {
		f.signal(0)
	}
	f.pop()
}

// opFSTst is FST/FSTP ST(i): an exact copy (in.aux2 set for FSTP).
func opFSTst(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	v, empty, ok := c.fpStoreSrc()
	if !ok {
		f.underflow()
		return
	}
	if empty {
		f.signal(exIE | exSF)
	} else {
		f.signal(0)
	}
	p := f.phys(in.d)
	f.R[p] = v
	f.Tag |= 1 << p
	if in.aux2 != 0 {
		f.pop()
	}
}

// opFIST is FIST/FISTP/FISTTP m16/m32/m64 (in.size): in.aux2 set pops,
// in.aux set truncates (FISTTP) instead of rounding by the control word.
func opFIST(c *CPU, in *inst) {
	c.fpWait()
	f := &c.FPU
	a := c.ea(in)
	v, empty, ok := c.fpStoreSrc()
	if !ok {
		c.fpMark(a)
		f.underflow()
		return
	}
	rc := f.CW >> 10 & 3
	if in.aux != 0 {
		rc = rcZero
	}
	n, fl := f80ToInt(v, rc, in.size)
	if empty {
		fl |= exSF
	}
	if fl&exIE&^f.CW != 0 {
		c.fpMark(a)
		f.signal(fl)
		return
	}
	c.wrN(a, in.size, n)
	c.fpMark(a)
	f.signal(fl)
	if in.aux2 != 0 {
		f.pop()
	}
}

// opFBSTP is FBSTP m80: store as packed BCD and pop.
func opFBSTP(c *CPU, in *inst) {
	c.fpWait()
	f := &c.FPU
	a := c.ea(in)
	v, empty, ok := c.fpStoreSrc()
	if !ok {
		c.fpMark(a)
		f.underflow()
		return
	}
	lo, hi, fl := f80ToBCD(v, f.CW>>10&3)
	if empty {
		fl |= exSF
	}
	if fl&exIE&^f.CW != 0 {
		c.fpMark(a)
		f.signal(fl)
		return
	}
	c.wcheck(a, 10)
	c.wr64(a, lo)
	c.wr16(c.addr(a+8), hi)
	c.fpMark(a)
	f.signal(fl)
	f.pop()
}

// f80FromBCD converts an m80 packed BCD integer (FBLD). Invalid digits
// give an undefined result on hardware; here they are taken at face
// value.
func f80FromBCD(lo uint64, hi uint16) F80 {
	var v uint64
	for i := 8; i >= 0; i-- {
		var b uint64
		if i == 8 {
			b = uint64(hi & 0xFF)
		} else {
			b = lo >> (8 * uint(i)) & 0xFF
		}
		v = v*100 + (b>>4)*10 + b&15
	}
	return f80FromUint(hi&0x8000 != 0, v)
}

// f80ToBCD converts a to packed BCD, rounding by rc (FBSTP). Values of
// 10^18 or more in magnitude give IE and the BCD indefinite.
func f80ToBCD(a F80, rc uint16) (lo uint64, hi uint16, fl uint16) {
	const indefLo, indefHi = 0xC000000000000000, 0xFFFF
	var v uint64
	switch a.class() {
	case clsZero:
	case clsNormal, clsDenormal:
		e, m := a.norm()
		var big, inexact, up bool
		v, big, inexact, up = f80IntMag(a.neg(), e, m, rc)
		if big || v >= 1e18 {
			return indefLo, indefHi, exIE
		}
		if inexact {
			fl = exPE
			if up {
				fl |= exC1
			}
		}
	default:
		return indefLo, indefHi, exIE
	}
	for i := 0; i < 9; i++ {
		d := v % 100
		v /= 100
		b := (d/10)<<4 | d%10
		if i == 8 {
			hi = uint16(b)
		} else {
			lo |= b << (8 * uint(i))
		}
	}
	hi |= a.SE & 0x8000
	return lo, hi, fl
}

// Control instructions.

// opFNINIT is FNINIT (FINIT is FWAIT followed by FNINIT).
func opFNINIT(c *CPU, in *inst) { c.FPU.reset() }

// opFNCLEX clears the exception flags, SF, ES and B.
func opFNCLEX(c *CPU, in *inst) { c.FPU.SW &^= 0x7F | swES | swB }

func opFWAIT(c *CPU, in *inst) { c.fpWait() }

// opFNOP is a non-control instruction: it updates FIP.
func opFNOP(c *CPU, in *inst) { c.fpBegin() }

func opFNSTSWax(c *CPU, in *inst) {
	c.R[RAX] = c.R[RAX]&^0xFFFF | uint64(c.FPU.SW)
}

func opFNSTSWm(c *CPU, in *inst) { c.wr16(c.ea(in), c.FPU.SW) }

func opFNSTCW(c *CPU, in *inst) { c.wr16(c.ea(in), c.FPU.CW) }

// opFLDCW loads the control word; unmasking a flagged exception makes
// it pending.
func opFLDCW(c *CPU, in *inst) {
	c.fpWait()
	c.FPU.setCW(c.rd16(c.ea(in)))
}

// x87CWBits are the control-word bits that exist: exception masks, PC, RC
// and the (ignored) infinity control; bit 6 always reads as 1.
const x87CWBits = 0x1F3F

func (f *X87) setCW(v uint16) {
	f.CW = v&x87CWBits | 0x40
	f.updateES()
}

// Lowering.

// x87FOP returns the 11-bit x87 opcode FNSTENV reports for an instruction:
// the low three bits of the first opcode byte and the ModR/M byte.
func x87FOP(x *x86asm.Inst) uint64 {
	return uint64(x.Opcode>>24&7)<<8 | uint64(x.Opcode>>16&0xFF)
}

// fpLower finishes lowering an x87 instruction with handler fn.
func fpLower(l *lw, fn handler) bool {
	l.in.fn = fn
	l.in.imm = x87FOP(l.x)
	return true
}

// fpMem lowers the memory operand (argument i) of an x87 instruction.
func fpMem(l *lw, i int, fn handler) bool {
	if !l.mem(i) {
		return false
	}
	return fpLower(l, fn)
}

// x87OpByte is the first opcode byte, which tells the m32, m64 and m80
// forms of FLD and FSTP apart.
func x87OpByte(l *lw) byte { return byte(l.x.Opcode >> 24) }

func lowerFLD(l *lw) bool {
	if s, ok := l.st(0); ok {
		l.in.s = s
		return fpLower(l, opFLDst)
	}
	switch x87OpByte(l) {
	case 0xD9:
		return fpMem(l, 0, opFLDm32)
	case 0xDD:
		return fpMem(l, 0, opFLDm64)
	case 0xDB:
		return fpMem(l, 0, opFLDm80)
	}
	return false
}

func lowerFST(l *lw) bool {
	if l.x.Op == x86asm.FSTP {
		l.in.aux2 = 1
	}
	if d, ok := l.st(0); ok {
		l.in.d = d
		return fpLower(l, opFSTst)
	}
	switch x87OpByte(l) {
	case 0xD9:
		l.in.size = 4
		return fpMem(l, 0, opFSTm)
	case 0xDD:
		l.in.size = 8
		return fpMem(l, 0, opFSTm)
	case 0xDB:
		if l.x.Op == x86asm.FSTP {
			return fpMem(l, 0, opFSTPm80)
		}
	}
	return false
}

// x87IntSize returns the integer memory operand size of FILD, FIST & co.
func x87IntSize(l *lw) (uint8, bool) {
	switch l.x.MemBytes {
	case 2, 4, 8:
		return uint8(l.x.MemBytes), true
	}
	return 0, false
}

func lowerFILD(l *lw) bool {
	sz, ok := x87IntSize(l)
	if !ok {
		return false
	}
	l.in.size = sz
	return fpMem(l, 0, opFILD)
}

func lowerFIST(l *lw) bool {
	sz, ok := x87IntSize(l)
	if !ok || l.x.Op == x86asm.FIST && sz == 8 {
		return false
	}
	l.in.size = sz
	switch l.x.Op {
	case x86asm.FISTP:
		l.in.aux2 = 1
	case x86asm.FISTTP:
		l.in.aux, l.in.aux2 = 1, 1
	}
	return fpMem(l, 0, opFIST)
}

func lowerFBCD(l *lw) bool {
	if l.x.Op == x86asm.FBLD {
		return fpMem(l, 0, opFBLD)
	}
	return fpMem(l, 0, opFBSTP)
}

func lowerFConst(l *lw) bool {
	switch l.x.Op {
	case x86asm.FLD1:
		l.in.aux = 0
	case x86asm.FLDL2T:
		l.in.aux = 1
	case x86asm.FLDL2E:
		l.in.aux = 2
	case x86asm.FLDPI:
		l.in.aux = 3
	case x86asm.FLDLG2:
		l.in.aux = 4
	case x86asm.FLDLN2:
		l.in.aux = 5
	default: // FLDZ
		l.in.aux = 6
	}
	return fpLower(l, opFLDconst)
}

func lowerFControl(l *lw) bool {
	switch l.x.Op {
	case x86asm.FNINIT:
		l.in.fn = opFNINIT
	case x86asm.FNCLEX:
		l.in.fn = opFNCLEX
	case x86asm.FWAIT:
		l.in.fn = opFWAIT
	case x86asm.FNOP:
		return fpLower(l, opFNOP)
	case x86asm.FNSTSW:
		if r, sz, ok := l.reg(0); ok {
			if r != RAX || sz != 2 {
				return false
			}
			l.in.fn = opFNSTSWax
			return true
		}
		if !l.mem(0) {
			return false
		}
		l.in.fn = opFNSTSWm
	case x86asm.FNSTCW:
		if !l.mem(0) {
			return false
		}
		l.in.fn = opFNSTCW
	case x86asm.FLDCW:
		if !l.mem(0) {
			return false
		}
		l.in.fn = opFLDCW
	default:
		return false
	}
	return true
}

func lowerFArith(l *lw) bool {
	var op uint8
	pop, integer := false, false
	switch l.x.Op {
	case x86asm.FADD, x86asm.FADDP, x86asm.FIADD:
		op = fpAdd
	case x86asm.FMUL, x86asm.FMULP, x86asm.FIMUL:
		op = fpMul
	case x86asm.FSUB, x86asm.FSUBP, x86asm.FISUB:
		op = fpSub
	case x86asm.FSUBR, x86asm.FSUBRP, x86asm.FISUBR:
		op = fpSubR
	case x86asm.FDIV, x86asm.FDIVP, x86asm.FIDIV:
		op = fpDiv
	default:
		op = fpDivR
	}
	switch l.x.Op {
	case x86asm.FADDP, x86asm.FMULP, x86asm.FSUBP, x86asm.FSUBRP, x86asm.FDIVP, x86asm.FDIVRP:
		pop = true
	case x86asm.FIADD, x86asm.FIMUL, x86asm.FISUB, x86asm.FISUBR, x86asm.FIDIV, x86asm.FIDIVR:
		integer = true
	}
	l.in.aux = op
	if integer {
		if l.x.MemBytes != 2 && l.x.MemBytes != 4 {
			return false
		}
		l.in.size = uint8(l.x.MemBytes)
		return fpMem(l, 0, opFArithI)
	}
	if l.nargs() == 1 {
		switch l.x.MemBytes {
		case 4:
			return fpMem(l, 0, opFArithM32)
		case 8:
			return fpMem(l, 0, opFArithM64)
		}
		return false
	}
	d, ok1 := l.st(0)
	s, ok2 := l.st(1)
	if !ok1 || !ok2 || l.nargs() != 2 {
		return false
	}
	l.in.d, l.in.s = d, s
	if pop {
		l.in.aux2 = 1
	}
	return fpLower(l, opFArith)
}

func lowerFCom(l *lw) bool {
	switch l.x.Op {
	case x86asm.FCOMP, x86asm.FUCOMP, x86asm.FICOMP:
		l.in.aux2 = 1
	case x86asm.FCOMPP, x86asm.FUCOMPP:
		l.in.aux2 = 2
	}
	switch l.x.Op {
	case x86asm.FUCOM, x86asm.FUCOMP, x86asm.FUCOMPP:
		l.in.aux = fcmpQuiet
	}
	switch l.x.Op {
	case x86asm.FICOM, x86asm.FICOMP:
		if l.x.MemBytes != 2 && l.x.MemBytes != 4 {
			return false
		}
		l.in.size = uint8(l.x.MemBytes)
		return fpMem(l, 0, opFICOM)
	case x86asm.FCOMPP, x86asm.FUCOMPP:
		l.in.s = 1
		return fpLower(l, opFCOMst)
	}
	if l.nargs() != 1 {
		return false
	}
	if s, ok := l.st(0); ok {
		l.in.s = s
		return fpLower(l, opFCOMst)
	}
	switch l.x.MemBytes {
	case 4:
		return fpMem(l, 0, opFCOMm32)
	case 8:
		return fpMem(l, 0, opFCOMm64)
	}
	return false
}

func lowerFComI(l *lw) bool {
	switch l.x.Op {
	case x86asm.FCOMIP, x86asm.FUCOMIP:
		l.in.aux2 = 1
	}
	switch l.x.Op {
	case x86asm.FUCOMI, x86asm.FUCOMIP:
		l.in.aux = fcmpQuiet
	}
	s, ok := l.st(1)
	if d, ok0 := l.st(0); !ok || !ok0 || d != 0 {
		return false
	}
	l.in.s = s
	return fpLower(l, opFCOMI)
}

// lowerFStack lowers the instructions with one ST(i) operand.
func lowerFStack(l *lw) bool {
	s, ok := l.st(0)
	if !ok {
		return false
	}
	l.in.s = s
	switch l.x.Op {
	case x86asm.FXCH:
		return fpLower(l, opFXCH)
	case x86asm.FFREEP:
		l.in.aux2 = 1
	}
	return fpLower(l, opFFREE)
}

var x87FcmovCond = map[x86asm.Op]uint8{
	x86asm.FCMOVB: ccB, x86asm.FCMOVE: ccE, x86asm.FCMOVBE: ccBE, x86asm.FCMOVU: ccP,
	x86asm.FCMOVNB: ccAE, x86asm.FCMOVNE: ccNE, x86asm.FCMOVNBE: ccA, x86asm.FCMOVNU: ccNP,
}

func lowerFCMOV(l *lw) bool {
	s, ok := l.st(1)
	if d, ok0 := l.st(0); !ok || !ok0 || d != 0 {
		return false
	}
	l.in.s = s
	l.in.aux = x87FcmovCond[l.x.Op]
	return fpLower(l, opFCMOV)
}

// lowerFNoArg lowers the operand-less stack and arithmetic instructions.
func lowerFNoArg(l *lw) bool {
	var fn handler
	switch l.x.Op {
	case x86asm.FTST:
		fn = opFTST
	case x86asm.FXAM:
		fn = opFXAM
	case x86asm.FCHS:
		fn = opFCHS
	case x86asm.FABS:
		fn = opFABS
	case x86asm.FSQRT:
		fn = opFSQRT
	case x86asm.FRNDINT:
		fn = opFRNDINT
	case x86asm.FSCALE:
		fn = opFSCALE
	case x86asm.FXTRACT:
		fn = opFXTRACT
	case x86asm.FPREM:
		fn = opFPREM
	case x86asm.FPREM1:
		fn, l.in.aux = opFPREM, 1
	case x86asm.FINCSTP:
		fn = opFINCSTP
	case x86asm.FDECSTP:
		fn = opFDECSTP
	case x86asm.FSIN:
		fn, l.in.aux = opFTrig, 0
	case x86asm.FCOS:
		fn, l.in.aux = opFTrig, 1
	case x86asm.FPTAN:
		fn, l.in.aux = opFTrig, 2
	case x86asm.FSINCOS:
		fn, l.in.aux = opFTrig, 3
	case x86asm.F2XM1:
		fn = opF2XM1
	case x86asm.FYL2X:
		fn, l.in.aux = opFLog, 0
	case x86asm.FYL2XP1:
		fn, l.in.aux = opFLog, 1
	case x86asm.FPATAN:
		fn, l.in.aux = opFLog, 2
	default:
		return false
	}
	return fpLower(l, fn)
}

func init() {
	register(lowerFArith, x86asm.FADD, x86asm.FADDP, x86asm.FIADD, x86asm.FMUL, x86asm.FMULP,
		x86asm.FIMUL, x86asm.FSUB, x86asm.FSUBP, x86asm.FISUB, x86asm.FSUBR, x86asm.FSUBRP,
		x86asm.FISUBR, x86asm.FDIV, x86asm.FDIVP, x86asm.FIDIV, x86asm.FDIVR, x86asm.FDIVRP,
		x86asm.FIDIVR)
	register(lowerFCom, x86asm.FCOM, x86asm.FCOMP, x86asm.FCOMPP, x86asm.FUCOM, x86asm.FUCOMP,
		x86asm.FUCOMPP, x86asm.FICOM, x86asm.FICOMP)
	register(lowerFComI, x86asm.FCOMI, x86asm.FCOMIP, x86asm.FUCOMI, x86asm.FUCOMIP)
	register(lowerFStack, x86asm.FXCH, x86asm.FFREE, x86asm.FFREEP)
	register(lowerFCMOV, x86asm.FCMOVB, x86asm.FCMOVE, x86asm.FCMOVBE, x86asm.FCMOVU,
		x86asm.FCMOVNB, x86asm.FCMOVNE, x86asm.FCMOVNBE, x86asm.FCMOVNU)
	register(lowerFNoArg, x86asm.FTST, x86asm.FXAM, x86asm.FCHS, x86asm.FABS, x86asm.FSQRT,
		x86asm.FRNDINT, x86asm.FSCALE, x86asm.FXTRACT, x86asm.FPREM, x86asm.FPREM1,
		x86asm.FINCSTP, x86asm.FDECSTP, x86asm.FSIN, x86asm.FCOS, x86asm.FPTAN,
		x86asm.FSINCOS, x86asm.F2XM1, x86asm.FYL2X, x86asm.FYL2XP1, x86asm.FPATAN)
	register(lowerFLD, x86asm.FLD)
	register(lowerFST, x86asm.FST, x86asm.FSTP)
	register(lowerFILD, x86asm.FILD)
	register(lowerFIST, x86asm.FIST, x86asm.FISTP, x86asm.FISTTP)
	register(lowerFBCD, x86asm.FBLD, x86asm.FBSTP)
	register(lowerFConst, x86asm.FLDZ, x86asm.FLD1, x86asm.FLDPI, x86asm.FLDL2T,
		x86asm.FLDL2E, x86asm.FLDLG2, x86asm.FLDLN2)
	register(lowerFControl, x86asm.FNINIT, x86asm.FNCLEX, x86asm.FWAIT, x86asm.FNOP,
		x86asm.FNSTSW, x86asm.FNSTCW, x86asm.FLDCW)
}
