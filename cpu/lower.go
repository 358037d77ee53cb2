package cpu

import (
	"golang.org/x/arch/x86/x86asm"
)

// handler executes one lowered instruction.
type handler func(*CPU, *inst)

// An inst is one lowered instruction: everything decoding found out,
// resolved so that the handler does no decoding work.
//
//	fn    handler for this operation, operand size and form
//	imm   immediate truncated to the operand size, or a branch target
//	disp  displacement, sign-extended (absolute address for RIP-relative)
//	len   encoded length in bytes
//	d, s  destination and source registers (8-bit: 16..19 are AH..BH);
//	      for SSE/x87 forms, XMM or ST numbers
//	base, idx, scale   memory operand: disp + R[base] + R[idx]<<scale,
//	      with regZero standing for "none"
//	size  operand size in bytes; aux, aux2 handler-specific (condition
//	      code, second operand size, ...)
//	flags iMem, iA32, ...
//	op    the x86asm.Op, for traces and diagnostics
type inst struct {
	fn    handler
	imm   uint64
	disp  uint64
	len   uint8
	d, s  uint8
	base  uint8
	idx   uint8
	scale uint8
	size  uint8
	flags uint8
	aux   uint8
	aux2  uint8
	op    uint16
}

// inst.flags bits.
const (
	iMem  = 1 << iota // the r/m operand is memory
	iA32              // 32-bit address size: wrap effective addresses
	iRep              // REP/REPE prefix
	iRepN             // REPNE prefix
	iLock             // LOCK prefix
	iImm              // the source is in.imm (rather than a register)
)

// Forms of two-operand instructions (see mkalu.go).
const (
	formRR = iota
	formRM
	formMR
	formRI
	formMI
)

// Two-operand integer operations, indexing alu2.
const (
	aluAdd = iota
	aluOr
	aluAdc
	aluSbb
	aluAnd
	aluSub
	aluXor
	aluCmp
	aluTest
	aluMov
)

// ea returns the effective address of in's memory operand.
func (c *CPU) ea(in *inst) uint64 {
	a := in.disp + c.R[in.base&31] + c.R[in.idx&31]<<(in.scale&3)
	if in.flags&iA32 != 0 {
		return uint64(uint32(a))
	}
	return a
}

// get8 and set8 access an 8-bit register: 0..15 are the low bytes of
// R0..R15, 16..19 the second bytes of RAX..RBX (AH, CH, DH, BH).
func (c *CPU) get8(r uint8) uint8 {
	if r&16 != 0 {
		return uint8(c.R[r&3] >> 8)
	}
	return uint8(c.R[r&15])
}

func (c *CPU) set8(r uint8, v uint8) {
	if r&16 != 0 {
		c.R[r&3] = c.R[r&3]&^0xff00 | uint64(v)<<8
		return
	}
	c.R[r&15] = c.R[r&15]&^0xff | uint64(v)
}

// getR and setR access a general register of any operand size. A 32-bit
// write clears the upper half, as in 64-bit mode.
func (c *CPU) getR(r, size uint8) uint64 {
	switch size {
	case 1:
		return uint64(c.get8(r))
	case 2:
		return c.R[r&15] & 0xffff
	case 4:
		return c.R[r&15] & 0xffffffff
	}
	return c.R[r&15]
}

func (c *CPU) setR(r, size uint8, v uint64) {
	switch size {
	case 1:
		c.set8(r, uint8(v))
	case 2:
		c.R[r&15] = c.R[r&15]&^0xffff | v&0xffff
	case 4:
		c.R[r&15] = v & 0xffffffff
	default:
		c.R[r&15] = v
	}
}

// getE and setE access the r/m operand of a one-operand form: memory
// when iMem is set, else register in.d.
func (c *CPU) getE(in *inst) uint64 {
	if in.flags&iMem != 0 {
		return c.rdN(c.ea(in), in.size)
	}
	return c.getR(in.d, in.size)
}

func (c *CPU) setE(in *inst, a, v uint64) {
	if in.flags&iMem != 0 {
		c.wrN(a, in.size, v)
		return
	}
	c.setR(in.d, in.size, v)
}

// eaIf returns the effective address when the operand is memory.
func (c *CPU) eaIf(in *inst) uint64 {
	if in.flags&iMem != 0 {
		return c.ea(in)
	}
	return 0
}

// carry returns CF as 0 or 1.
func (c *CPU) carry() uint64 {
	if c.cf() {
		return 1
	}
	return 0
}

// lowerFn fills l.in for one x86asm operation; false means the form is
// not implemented (the instruction then traps as an invalid opcode).
type lowerFn func(l *lw) bool

// lowerTab maps operations to their lowering. It is filled by init
// functions in the files that implement each family and never changed
// afterwards.
var lowerTab = map[x86asm.Op]lowerFn{}

func register(f lowerFn, ops ...x86asm.Op) {
	for _, op := range ops {
		if lowerTab[op] != nil {
			panic("cpu: duplicate lowering for " + op.String())
		}
		lowerTab[op] = f
	}
}

// lw is the state of lowering one instruction.
type lw struct {
	c      *CPU
	x      *x86asm.Inst
	pc     uint64 // address of the instruction
	in     inst
	term   bool // the instruction ends a block
	lockOK bool // the lowering accepted a LOCK prefix
}

// lower turns a decoded instruction into an inst. term reports whether it
// ends its block.
func (c *CPU) lower(x *x86asm.Inst, pc uint64) (in inst, term bool) {
	l := lw{c: c, x: x, pc: pc}
	l.in = inst{len: uint8(x.Len), op: uint16(x.Op), base: regZero, idx: regZero}
	bad := false
	prefixes := x.Prefix[:]
	switch x.Prefix[0] & 0xff {
	case x86asm.PrefixVEX3Bytes, x86asm.PrefixVEX2Bytes, x86asm.PrefixEVEX:
		// x86asm keeps the VEX bytes with the prefixes (and decodes VEX
		// only when nothing precedes it); a payload byte such as F0
		// is not a LOCK.
		prefixes = nil
	}
	for _, p := range prefixes {
		if p == 0 {
			break
		}
		if p&x86asm.PrefixInvalid != 0 {
			bad = true
		}
		if p&x86asm.PrefixIgnored != 0 {
			continue // overridden by a later prefix, or meaningless here
		}
		switch p &^ x86asm.PrefixImplicit {
		case x86asm.PrefixLOCK:
			l.in.flags |= iLock
		case x86asm.PrefixREP:
			l.in.flags |= iRep
		case x86asm.PrefixREPN:
			l.in.flags |= iRepN
		}
	}
	f := lowerTab[x.Op]
	ok := !bad && f != nil && f(&l)
	if ok && l.in.flags&iLock != 0 && !l.lockOK {
		ok = false
		bad = true
	}
	if !ok {
		l.in = inst{len: uint8(x.Len), op: uint16(x.Op), fn: opUnimplemented}
		if bad || f == nil && invalidOps[x.Op] {
			l.in.fn = opInvalid
		}
		return l.in, true
	}
	if l.in.fn == nil {
		panic("cpu: lowering of " + x.Op.String() + " set no handler")
	}
	return l.in, l.term
}

// invalidOps are operations that always raise #UD.
var invalidOps = map[x86asm.Op]bool{x86asm.UD0: true, x86asm.UD1: true, x86asm.UD2: true}

func opInvalid(c *CPU, in *inst) {
	c.Fault = Fault{Trap: TrapInvalidOp}
	c.raise(ExitTrap)
}

func opUnimplemented(c *CPU, in *inst) {
	c.Fault = Fault{Trap: TrapInvalidOp, Unimplemented: x86asm.Op(in.op).String()}
	c.raise(ExitTrap)
}

func (l *lw) nargs() int {
	n := 0
	for n < len(l.x.Args) && l.x.Args[n] != nil {
		n++
	}
	return n
}

func (l *lw) arg(i int) x86asm.Arg { return l.x.Args[i] }

// gpr maps an x86asm general register to our number and size.
func gpr(r x86asm.Reg) (num, size uint8, ok bool) {
	switch {
	case r >= x86asm.AL && r <= x86asm.BL:
		return uint8(r - x86asm.AL), 1, true
	case r >= x86asm.AH && r <= x86asm.BH:
		return 16 + uint8(r-x86asm.AH), 1, true
	case r >= x86asm.SPB && r <= x86asm.R15B:
		return 4 + uint8(r-x86asm.SPB), 1, true
	case r >= x86asm.AX && r <= x86asm.R15W:
		return uint8(r - x86asm.AX), 2, true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return uint8(r - x86asm.EAX), 4, true
	case r >= x86asm.RAX && r <= x86asm.R15:
		return uint8(r - x86asm.RAX), 8, true
	}
	return 0, 0, false
}

// reg returns argument i as a general register.
func (l *lw) reg(i int) (num, size uint8, ok bool) {
	r, isReg := l.arg(i).(x86asm.Reg)
	if !isReg {
		return 0, 0, false
	}
	return gpr(r)
}

// xmm returns argument i as an XMM register number.
func (l *lw) xmm(i int) (uint8, bool) {
	r, isReg := l.arg(i).(x86asm.Reg)
	if !isReg || r < x86asm.X0 || r > x86asm.X15 {
		return 0, false
	}
	return uint8(r - x86asm.X0), true
}

// mmx returns argument i as an MMX register number.
func (l *lw) mmx(i int) (uint8, bool) {
	r, isReg := l.arg(i).(x86asm.Reg)
	if !isReg || r < x86asm.M0 || r > x86asm.M7 {
		return 0, false
	}
	return uint8(r - x86asm.M0), true
}

// st returns argument i as an x87 stack register number.
func (l *lw) st(i int) (uint8, bool) {
	r, isReg := l.arg(i).(x86asm.Reg)
	if !isReg || r < x86asm.F0 || r > x86asm.F7 {
		return 0, false
	}
	return uint8(r - x86asm.F0), true
}

func (l *lw) isMem(i int) bool {
	_, ok := l.arg(i).(x86asm.Mem)
	return ok
}

// mem sets in's memory operand from argument i.
func (l *lw) mem(i int) bool {
	m, ok := l.arg(i).(x86asm.Mem)
	if !ok {
		return false
	}
	return l.setMem(m)
}

func (l *lw) setMem(m x86asm.Mem) bool {
	in := &l.in
	switch l.x.AddrSize {
	case 32:
		in.flags |= iA32
	case 64:
	case 0:
		// x86asm leaves it unset for VEX-encoded instructions, which it
		// decodes only with no prefix before the VEX, so with no 67: it
		// is the mode's.
		if l.c.mode == Mode32 {
			in.flags |= iA32
		}
	default:
		return false // 16-bit addressing: never used by Plan 9 programs
	}
	in.flags |= iMem
	in.disp = uint64(m.Disp)
	switch m.Base {
	case 0:
	case x86asm.RIP, x86asm.EIP:
		in.disp += l.pc + uint64(l.x.Len)
	default:
		n, sz, ok := gpr(m.Base)
		if !ok || sz < 4 {
			return false
		}
		in.base = n
	}
	if m.Scale != 0 && m.Index != 0 {
		n, sz, ok := gpr(m.Index)
		if !ok || sz < 4 {
			return false
		}
		in.idx = n
		switch m.Scale {
		case 1:
			in.scale = 0
		case 2:
			in.scale = 1
		case 4:
			in.scale = 2
		case 8:
			in.scale = 3
		default:
			return false
		}
	}
	return true
}

// imm returns argument i as an immediate truncated to size bytes.
func (l *lw) imm(i int, size uint8) (uint64, bool) {
	v, ok := l.arg(i).(x86asm.Imm)
	if !ok {
		return 0, false
	}
	return uint64(v) & sizeMask(size), true
}

// rel returns the absolute target of a relative branch argument i.
func (l *lw) rel(i int) (uint64, bool) {
	r, ok := l.arg(i).(x86asm.Rel)
	if !ok {
		return 0, false
	}
	t := l.pc + uint64(l.x.Len) + uint64(int64(r))
	if l.c.mode == Mode32 || l.x.DataSize == 32 && l.c.mode != Mode64 {
		t = uint64(uint32(t))
	}
	return t, true
}

// form2 classifies a two-operand instruction (dst, src) into a form and
// fills the operands; size is the operand size.
func (l *lw) form2() (form int, size uint8, ok bool) {
	in := &l.in
	if l.nargs() != 2 {
		return 0, 0, false
	}
	if d, sz, isReg := l.reg(0); isReg {
		in.d, in.size = d, sz
		if s, sz2, isReg := l.reg(1); isReg {
			if sz2 != sz {
				return 0, 0, false
			}
			in.s = s
			return formRR, sz, true
		}
		if l.mem(1) {
			return formRM, sz, true
		}
		if v, isImm := l.imm(1, sz); isImm {
			in.imm = v
			return formRI, sz, true
		}
		return 0, 0, false
	}
	if !l.mem(0) {
		return 0, 0, false
	}
	if s, sz, isReg := l.reg(1); isReg {
		in.s, in.size = s, sz
		return formMR, sz, true
	}
	sz := uint8(l.x.MemBytes)
	if v, isImm := l.imm(1, sz); isImm {
		in.size = sz
		in.imm = v
		return formMI, sz, true
	}
	return 0, 0, false
}

// rm1 fills the single r/m operand of a one-operand form (register in
// in.d or memory) and returns its size.
func (l *lw) rm1(i int) (size uint8, ok bool) {
	in := &l.in
	if d, sz, isReg := l.reg(i); isReg {
		in.d, in.size = d, sz
		return sz, true
	}
	if !l.mem(i) {
		return 0, false
	}
	in.size = uint8(l.x.MemBytes)
	switch in.size {
	case 1, 2, 4, 8:
		return in.size, true
	}
	return 0, false
}

func sizeIndex(size uint8) int {
	switch size {
	case 1:
		return 0
	case 2:
		return 1
	case 4:
		return 2
	}
	return 3
}

// stackSize is the size of a push or pop in this mode (with or without
// an operand-size prefix).
func (l *lw) stackSize() uint8 {
	if l.c.mode == Mode64 {
		if l.x.DataSize == 16 {
			return 2
		}
		return 8
	}
	if l.x.DataSize == 16 {
		return 2
	}
	return 4
}
