package cpu

import (
	"encoding/binary"
	"time"

	"golang.org/x/arch/x86/x86asm"
)

func init() {
	register(lowerPause, x86asm.PAUSE)
	register(lowerNop, x86asm.NOP, x86asm.LFENCE, x86asm.MFENCE, x86asm.SFENCE,
		x86asm.PREFETCHT0, x86asm.PREFETCHT1, x86asm.PREFETCHT2, x86asm.PREFETCHNTA, x86asm.PREFETCHW)
	register(lowerCPUID, x86asm.CPUID)
	register(lowerRDTSC, x86asm.RDTSC)
	register(lowerINT, x86asm.INT)
	register(lowerINTO, x86asm.INTO)
	register(lowerSYSCALL, x86asm.SYSCALL)
	register(lowerPrivileged, x86asm.HLT, x86asm.CLI, x86asm.STI, x86asm.IN, x86asm.OUT,
		x86asm.INSB, x86asm.INSW, x86asm.INSD, x86asm.OUTSB, x86asm.OUTSW, x86asm.OUTSD,
		x86asm.SYSENTER, x86asm.SYSEXIT, x86asm.SYSRET, x86asm.IRET, x86asm.IRETD, x86asm.IRETQ,
		x86asm.LGDT, x86asm.LIDT, x86asm.LLDT, x86asm.LTR, x86asm.LMSW, x86asm.INVD, x86asm.WBINVD,
		x86asm.INVLPG, x86asm.RDMSR, x86asm.WRMSR, x86asm.CLTS, x86asm.SWAPGS, x86asm.RDPMC)
	register(lowerFlagOp, x86asm.CLC, x86asm.STC, x86asm.CMC, x86asm.CLD, x86asm.STD)
	register(lowerSAHF, x86asm.SAHF, x86asm.LAHF)
	register(lowerXLAT, x86asm.XLATB)
}

func lowerNop(l *lw) bool {
	l.in.fn = opNop
	return true
}

// lowerPause: F3 90 is PAUSE only without REX.B; with it, 90 is XCHG r8,
// rAX and the F3 is an ignored prefix, but x86asm still says PAUSE.
func lowerPause(l *lw) bool {
	for _, p := range l.x.Prefix {
		if p == 0 {
			break
		}
		if p.IsREX() && p&x86asm.PrefixIgnored == 0 && p&x86asm.PrefixREXB != 0 {
			l.in.d, l.in.s, l.in.size = RAX, R8, uint8(l.x.DataSize/8)
			l.in.fn = xchgR
			return true
		}
	}
	l.in.fn = opNop
	return true
}

// CPUIDConfig is what CPUID reports. Only implemented features may be
// advertised, since programs such as the Go runtime choose code paths
// from it.
type CPUIDConfig struct {
	Vendor   string // 12 bytes
	MaxLeaf  uint32
	MaxExt   uint32
	Leaf1EAX uint32 // family, model, stepping
	Leaf1ECX uint32
	Leaf1EDX uint32
	Leaf7EBX uint32
	Leaf7ECX uint32
	Leaf7EDX uint32
	Ext1ECX  uint32
	Ext1EDX  uint32
	Brand    string // 48 bytes at most
}

// DefaultCPUID returns what 9emu implements: the x87 FPU, TSC,
// CMPXCHG8B, CMOV, MMX, FXSR, SSE through SSE4.2, POPCNT, AES-NI and
// PCLMULQDQ, MOVBE, LZCNT, BMI1 and BMI2; no XSAVE, so no AVX (and no
// ADX, which 9emu does not implement). ERMS (fast REP MOVSB/STOSB)
// is a promise about speed, not an instruction, and 9emu keeps it: REP
// MOVS and STOS run a page at a time, so programs that check it (the Go
// runtime's memclr and memmove) take those paths.
func DefaultCPUID(m Mode) CPUIDConfig {
	cfg := CPUIDConfig{
		Vendor:   "GenuineIntel",
		MaxLeaf:  7,
		MaxExt:   0x80000004,
		Leaf1EAX: 0x000306A9, // family 6 model 58 stepping 9
		Leaf1ECX: 1<<0 | 1<<1 | 1<<9 | 1<<19 | 1<<20 | 1<<22 | 1<<23 | 1<<25,
		Leaf1EDX: 1<<0 | 1<<4 | 1<<8 | 1<<15 | 1<<23 | 1<<24 | 1<<25 | 1<<26,
		Leaf7EBX: 1<<3 | 1<<8 | 1<<9, // BMI1, BMI2, ERMS
		Ext1ECX:  1 << 5,             // LZCNT (ABM)
		Brand:    "9emu x86 interpreter",
	}
	if m == Mode64 {
		cfg.Ext1EDX = 1<<11 | 1<<20 | 1<<29 // SYSCALL, NX, LM
	}
	return cfg
}

func (cfg *CPUIDConfig) query(leaf, sub uint32) (a, b, c, d uint32) {
	if leaf >= 0x80000000 {
		if leaf > cfg.MaxExt {
			return 0, 0, 0, 0
		}
		switch leaf {
		case 0x80000000:
			return cfg.MaxExt, 0, 0, 0
		case 0x80000001:
			return 0, 0, cfg.Ext1ECX, cfg.Ext1EDX
		case 0x80000002, 0x80000003, 0x80000004:
			var brand [48]byte
			copy(brand[:], cfg.Brand)
			o := (leaf - 0x80000002) * 16
			u := func(i uint32) uint32 { return binary.LittleEndian.Uint32(brand[o+i:]) }
			return u(0), u(4), u(8), u(12)
		}
		return 0, 0, 0, 0
	}
	if leaf > cfg.MaxLeaf {
		return 0, 0, 0, 0
	}
	switch leaf {
	case 0:
		var v [12]byte
		copy(v[:], cfg.Vendor)
		return cfg.MaxLeaf, binary.LittleEndian.Uint32(v[0:]), binary.LittleEndian.Uint32(v[8:]), binary.LittleEndian.Uint32(v[4:])
	case 1:
		return cfg.Leaf1EAX, 0x00010800, cfg.Leaf1ECX, cfg.Leaf1EDX
	case 7:
		if sub == 0 {
			return 0, cfg.Leaf7EBX, cfg.Leaf7ECX, cfg.Leaf7EDX
		}
	}
	return 0, 0, 0, 0
}

func lowerCPUID(l *lw) bool {
	l.in.fn = func(c *CPU, in *inst) {
		a, b, cc, d := c.cpuid.query(uint32(c.R[RAX]), uint32(c.R[RCX]))
		c.R[RAX], c.R[RBX], c.R[RCX], c.R[RDX] = uint64(a), uint64(b), uint64(cc), uint64(d)
	}
	return true
}

// tsc is RDTSC's value. A CPU that has never been cloned counts two per
// instruction retired, so a single-threaded program reads the same
// values run after run. Once a CPU is cloned (a thread, a fork), the two
// and every later clone share one clock that goes on from the value at
// the first clone, in host time, at the rate the count had kept until
// then: the threads of one program read one counter that never goes
// back and keeps its pace, as on hardware (Go's runtime measures the
// rate once, then times lock waits with it from one thread to another).
func (c *CPU) tsc() uint64 {
	if c.TSC != nil {
		return c.TSC()
	}
	if k := c.tscClock; k != nil {
		return k.base + uint64(float64(time.Since(k.start))*k.rate)
	}
	return (c.Count + uint64(c.ci)) * 2
}

// A tscClock is the time-stamp counter CPUs cloned from one another share.
type tscClock struct {
	base  uint64    // the counter at start
	start time.Time // when the first clone was made
	rate  float64   // counts per nanosecond
}

// newTSCClock starts a shared clock at base, the count of a CPU made at
// born, going on at the rate that CPU counted on average: a rate measured
// across the change (Go's runtime measures from its start) stays true.
func newTSCClock(base uint64, born time.Time) *tscClock {
	now := time.Now()
	rate := 1.0 // for a CPU that has not run at all
	if ns := now.Sub(born); ns > 0 && base > 0 {
		rate = float64(base) / float64(ns)
	}
	return &tscClock{base: base, start: now, rate: rate}
}

func lowerRDTSC(l *lw) bool {
	l.in.fn = func(c *CPU, in *inst) {
		t := c.tsc()
		c.R[RAX], c.R[RDX] = t&0xffffffff, t>>32
	}
	return true
}

// INT $0x40 is the 386 system call; INT3 is a breakpoint trap; every other
// INT n is a general-protection fault in user mode (as it is on amd64 for
// INT $0x40 too).
func lowerINT(l *lw) bool {
	v, ok := l.imm(0, 1)
	if !ok {
		return false
	}
	l.term = true
	switch {
	case v == 0x40 && l.c.mode == Mode32:
		l.in.fn = opSyscall32
	case v == 3:
		l.in.fn = opBreakpoint
	default:
		l.in.fn = opGP
	}
	return true
}

func opSyscall32(c *CPU, in *inst) { c.exit = ExitSyscall }

// opBreakpoint traps after the instruction, as INT3 does: the PC is past
// it, and Fault.PC names the INT3 itself.
func opBreakpoint(c *CPU, in *inst) {
	c.Fault = Fault{Trap: TrapBreakpoint, PC: c.pcOf()}
	c.exit = ExitTrap
}

func opGP(c *CPU, in *inst) {
	c.Fault = Fault{Trap: TrapGP}
	c.raise(ExitTrap)
}

func lowerINTO(l *lw) bool {
	if l.c.mode != Mode32 {
		return false
	}
	l.term = true
	l.in.fn = func(c *CPU, in *inst) {
		if c.of() {
			c.Fault = Fault{Trap: TrapOverflow, PC: c.pcOf()}
			c.exit = ExitTrap
		}
	}
	return true
}

// SYSCALL: RCX gets the return address and R11 the flags, as the
// instruction does; the operating system sees ExitSyscall with the PC past
// the instruction.
func lowerSYSCALL(l *lw) bool {
	if l.c.mode != Mode64 {
		return false
	}
	l.term = true
	l.in.fn = func(c *CPU, in *inst) {
		c.R[RCX] = c.PC
		c.R[R11] = c.Flags() &^ (1 << 16)
		c.exit = ExitSyscall
	}
	return true
}

func lowerPrivileged(l *lw) bool {
	l.term = true
	l.in.fn = opGP
	return true
}

func lowerFlagOp(l *lw) bool {
	switch l.x.Op {
	case x86asm.CLC:
		l.in.fn = func(c *CPU, in *inst) { c.setFlag(FlagCF, false) }
	case x86asm.STC:
		l.in.fn = func(c *CPU, in *inst) { c.setFlag(FlagCF, true) }
	case x86asm.CMC:
		l.in.fn = func(c *CPU, in *inst) { c.setFlag(FlagCF, !c.cf()) }
	case x86asm.CLD:
		l.in.fn = func(c *CPU, in *inst) { c.flags &^= FlagDF }
	case x86asm.STD:
		l.in.fn = func(c *CPU, in *inst) { c.flags |= FlagDF }
	}
	return true
}

// SAHF loads SF, ZF, AF, PF and CF from AH; LAHF stores them (and bit 1).
func lowerSAHF(l *lw) bool {
	const mask = FlagSF | FlagZF | FlagAF | FlagPF | FlagCF
	if l.x.Op == x86asm.SAHF {
		l.in.fn = func(c *CPU, in *inst) {
			c.materialize()
			c.flags = c.flags&^mask | (c.R[RAX]>>8)&mask
		}
	} else {
		l.in.fn = func(c *CPU, in *inst) {
			f := c.Flags()&mask | 2
			c.R[RAX] = c.R[RAX]&^0xff00 | f<<8
		}
	}
	return true
}

func lowerXLAT(l *lw) bool {
	if l.x.AddrSize == 32 {
		l.in.flags |= iA32
	} else if l.x.AddrSize != 64 {
		return false
	}
	l.in.fn = func(c *CPU, in *inst) {
		a := c.R[RBX] + c.R[RAX]&0xff
		if in.flags&iA32 != 0 {
			a = uint64(uint32(a))
		}
		c.set8(RAX, c.rd8(a))
	}
	return true
}
