package cpu

import "golang.org/x/arch/x86/x86asm"

// Saving and restoring the floating-point state: FNSTENV/FLDENV and
// FNSAVE/FRSTOR (the 28- and 108-byte protected-mode formats, also used
// in 64-bit mode; SDM vol. 1, 8.1.10), FXSAVE/FXRSTOR (the 512-byte
// image, SDM vol. 1, 10.5.1), and SaveFP/RestoreFP for the kernel side.

// FPState is a copy of a CPU's floating-point state: x87 (with MMX),
// the XMM registers and MXCSR. It is plain data.
type FPState struct {
	X87   X87
	X     [16][2]uint64
	MXCSR uint32
}

// SaveFP returns a copy of the floating-point state, for instance to
// keep it across a note handler.
func (c *CPU) SaveFP() FPState {
	c.FPU.sync()
	return FPState{X87: c.FPU, X: c.X, MXCSR: c.MXCSR}
}

// RestoreFP replaces the floating-point state with s.
func (c *CPU) RestoreFP(s FPState) {
	c.FPU = s.X87
	c.FPU.lastBlk = nil
	c.X = s.X
	c.MXCSR = s.MXCSR
}

// ClearFPExceptions does what FNCLEX does: it clears the x87 exception
// flags, the stack fault flag, ES and B, so that a pending x87 exception
// no longer traps (a kernel does this before resuming a program after
// reporting the exception).
func (c *CPU) ClearFPExceptions() { c.FPU.SW &^= 0x7F | swES | swB }

// Full tag word values, two bits per physical register.
const (
	x87TagValid   = 0
	x87TagZero    = 1
	x87TagSpecial = 2 // NaN, infinity, denormal, unsupported
	x87TagEmpty   = 3
)

// tagWord computes the full tag word from the registers' contents, as
// FNSTENV and FNSAVE store it.
func (f *X87) tagWord() uint16 {
	var tw uint16
	for p := uint(0); p < 8; p++ {
		t := uint16(x87TagEmpty)
		if f.valid(p) {
			switch f.R[p].class() {
			case clsNormal:
				t = x87TagValid
			case clsZero:
				t = x87TagZero
			default:
				t = x87TagSpecial
			}
		}
		tw |= t << (2 * p)
	}
	return tw
}

// setTagWord loads a full tag word: only "empty or not" is kept, as on
// hardware, which recomputes the rest from the contents.
func (f *X87) setTagWord(tw uint16) {
	f.Tag = 0
	for p := uint(0); p < 8; p++ {
		if tw>>(2*p)&3 != x87TagEmpty {
			f.Tag |= 1 << p
		}
	}
}

// storeEnv writes the 28-byte environment at a (checked writable).
func (c *CPU) storeEnv(a uint64) {
	f := &c.FPU
	f.sync()
	c.wr32(a, 0xFFFF0000|uint32(f.CW))
	c.wr32(c.addr(a+4), 0xFFFF0000|uint32(f.SW))
	c.wr32(c.addr(a+8), 0xFFFF0000|uint32(f.tagWord()))
	c.wr32(c.addr(a+12), uint32(f.FIP))
	c.wr32(c.addr(a+16), uint32(f.FOP&0x7FF)<<16)
	c.wr32(c.addr(a+20), uint32(f.FDP))
	c.wr32(c.addr(a+24), 0xFFFF0000)
}

// x87Env is a loaded environment, applied only once all reads succeeded.
type x87Env struct {
	cw, sw, tw, fop uint16
	fip, fdp        uint64
}

func (c *CPU) loadEnv(a uint64) x87Env {
	return x87Env{
		cw:  c.rd16(a),
		sw:  c.rd16(c.addr(a + 4)),
		tw:  c.rd16(c.addr(a + 8)),
		fip: uint64(c.rd32(c.addr(a + 12))),
		fop: uint16(c.rd32(c.addr(a+16))>>16) & 0x7FF,
		fdp: uint64(c.rd32(c.addr(a + 20))),
	}
}

func (f *X87) applyEnv(e x87Env) {
	f.CW = e.cw&x87CWBits | 0x40
	f.SW = e.sw
	f.updateES()
	f.setTagWord(e.tw)
	f.FIP, f.FOP, f.FDP = e.fip, e.fop, e.fdp
	f.lastBlk = nil
}

// opFNSTENV stores the environment, then masks all exceptions.
func opFNSTENV(c *CPU, in *inst) {
	a := c.ea(in)
	c.wcheck(a, 28)
	c.storeEnv(a)
	c.FPU.CW |= 0x3F
}

func opFLDENV(c *CPU, in *inst) {
	c.fpWait()
	c.FPU.applyEnv(c.loadEnv(c.ea(in)))
}

// opFNSAVE stores the environment and the registers in stack order, then
// initializes the FPU as FNINIT does.
func opFNSAVE(c *CPU, in *inst) {
	a := c.ea(in)
	c.wcheck(a, 108)
	c.storeEnv(a)
	f := &c.FPU
	for i := uint8(0); i < 8; i++ {
		r := f.R[f.phys(i)]
		o := c.addr(a + 28 + 10*uint64(i))
		c.wr64(o, r.Mant)
		c.wr16(c.addr(o+8), r.SE)
	}
	f.reset()
}

func opFRSTOR(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	e := c.loadEnv(a)
	var r [8]F80
	for i := range r {
		o := c.addr(a + 28 + 10*uint64(i))
		r[i] = F80{Mant: c.rd64(o), SE: c.rd16(c.addr(o + 8))}
	}
	f := &c.FPU
	f.applyEnv(e)
	for i := uint8(0); i < 8; i++ {
		f.R[f.phys(i)] = r[i]
	}
}

// fxsaveMXCSRMask is the MXCSR_MASK FXSAVE reports: every MXCSR bit
// 9emu implements, DAZ included.
const fxsaveMXCSRMask = 0xFFFF

// fxAlign checks FXSAVE/FXRSTOR's 16-byte alignment (#GP otherwise).
func (c *CPU) fxAlign(a uint64) {
	if a&15 != 0 {
		c.Fault = Fault{Trap: TrapGP}
		c.raise(ExitTrap)
	}
}

// fxRegs is the number of XMM registers FXSAVE covers.
func (c *CPU) fxRegs() int {
	if c.mode == Mode64 {
		return 16
	}
	return 8
}

// opFXSAVE stores the 512-byte image; in.aux is set for FXSAVE64 (REX.W:
// 64-bit FIP and FDP). Bytes 464-511 are left alone, as are the XMM8-15
// slots in 32-bit mode.
func opFXSAVE(c *CPU, in *inst) {
	a := c.ea(in)
	c.fxAlign(a)
	c.wcheck(a, 512)
	f := &c.FPU
	f.sync()
	c.wr16(a, f.CW)
	c.wr16(a+2, f.SW)
	c.wr16(a+4, uint16(f.Tag))
	c.wr16(a+6, f.FOP)
	if in.aux != 0 {
		c.wr64(a+8, f.FIP)
		c.wr64(a+16, f.FDP)
	} else {
		c.wr64(a+8, uint64(uint32(f.FIP)))
		c.wr64(a+16, uint64(uint32(f.FDP)))
	}
	c.wr32(a+24, c.MXCSR)
	c.wr32(a+28, fxsaveMXCSRMask)
	for i := uint8(0); i < 8; i++ {
		r := f.R[f.phys(i)]
		o := a + 32 + 16*uint64(i)
		c.wr64(o, r.Mant)
		c.wr64(o+8, uint64(r.SE))
	}
	for i := 0; i < c.fxRegs(); i++ {
		o := a + 160 + 16*uint64(i)
		c.wr64(o, c.X[i][0])
		c.wr64(o+8, c.X[i][1])
	}
}

// opFXRSTOR loads the image FXSAVE stores; reserved MXCSR bits are a
// general-protection fault.
func opFXRSTOR(c *CPU, in *inst) {
	a := c.ea(in)
	c.fxAlign(a)
	mx := c.rd32(a + 24)
	if mx&^fxsaveMXCSRMask != 0 {
		c.Fault = Fault{Trap: TrapGP}
		c.raise(ExitTrap)
	}
	cw, sw, tag, fop := c.rd16(a), c.rd16(a+2), uint8(c.rd16(a+4)), c.rd16(a+6)
	fip, fdp := c.rd64(a+8), c.rd64(a+16)
	if in.aux == 0 {
		fip, fdp = uint64(uint32(fip)), uint64(uint32(fdp))
	}
	var r [8]F80
	for i := range r {
		o := a + 32 + 16*uint64(i)
		r[i] = F80{Mant: c.rd64(o), SE: c.rd16(o + 8)}
	}
	var x [16][2]uint64
	n := c.fxRegs()
	for i := 0; i < n; i++ {
		o := a + 160 + 16*uint64(i)
		x[i][0], x[i][1] = c.rd64(o), c.rd64(o+8)
	}
	f := &c.FPU
	f.CW = cw&x87CWBits | 0x40
	f.SW = sw
	f.updateES()
	f.Tag = tag
	f.FOP, f.FIP, f.FDP = fop&0x7FF, fip, fdp
	f.lastBlk = nil
	for i := uint8(0); i < 8; i++ {
		f.R[f.phys(i)] = r[i]
	}
	copy(c.X[:n], x[:n])
	c.MXCSR = mx
}

func lowerFEnv(l *lw) bool {
	if l.x.DataSize == 16 || !l.mem(0) {
		return false // the 16-bit formats are not implemented
	}
	switch l.x.Op {
	case x86asm.FNSTENV:
		l.in.fn = opFNSTENV
	case x86asm.FLDENV:
		l.in.fn = opFLDENV
	case x86asm.FNSAVE:
		l.in.fn = opFNSAVE
	default:
		l.in.fn = opFRSTOR
	}
	return true
}

func lowerFXSAVE(l *lw) bool {
	if !l.mem(0) {
		return false
	}
	switch l.x.Op {
	case x86asm.FXSAVE64, x86asm.FXRSTOR64:
		l.in.aux = 1
	}
	switch l.x.Op {
	case x86asm.FXSAVE, x86asm.FXSAVE64:
		l.in.fn = opFXSAVE
	default:
		l.in.fn = opFXRSTOR
	}
	return true
}

func init() {
	register(lowerFEnv, x86asm.FNSTENV, x86asm.FLDENV, x86asm.FNSAVE, x86asm.FRSTOR)
	register(lowerFXSAVE, x86asm.FXSAVE, x86asm.FXSAVE64, x86asm.FXRSTOR, x86asm.FXRSTOR64)
}
