package cpu

import (
	"math"
	"sync/atomic"
	"time"

	"9emu/mem"
)

// Mode is the processor mode, fixed when a CPU is made.
type Mode uint8

const (
	Mode32 Mode = 32 // 386: 32-bit flat protected mode
	Mode64 Mode = 64 // amd64: 64-bit mode
)

// Register numbers, in hardware order.
const (
	RAX = iota
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15

	// regZero is the first of the slots above R15 that always read as
	// zero: address arithmetic uses it for a missing base or index, so
	// an effective address is computed without a branch.
	regZero = 16
)

// A CPU is one x86 hardware thread: registers, FPU and SSE state, and the
// caches that make interpretation fast. A CPU is used by one goroutine at
// a time; only Interrupt may be called from others.
type CPU struct {
	// R holds the general registers RAX..R15 in R[0..15]. R[16..31] must
	// stay zero. In 32-bit mode only the low 32 bits are meaningful and
	// the high bits are kept zero.
	R  [32]uint64
	PC uint64

	X     [16][2]uint64 // XMM registers, low and high quadwords
	MXCSR uint32
	FPU   X87

	Mem   *mem.Space
	Fault Fault  // valid after ExitFault or ExitTrap
	Count uint64 // instructions retired since New

	// TSC, when set, supplies RDTSC's value; by default it is derived
	// from the instruction count, so runs are repeatable.
	TSC func() uint64

	tscClock *tscClock // shared with the CPUs cloned from this one (see tsc)
	born     time.Time // when New made the CPU, for tscClock's rate

	mode Mode

	// Flags: the architectural EFLAGS bits not covered by the lazy
	// state, and the lazy record of the last flag-setting arithmetic
	// (see flags.go).
	flags uint64
	lazyRec
	prev lazyRec

	exit      Exit
	attention atomic.Uint32

	// The block being executed and the index of the instruction in it,
	// so that a fault can rewind the PC exactly.
	cur *block
	ci  int

	gen  uint64 // Mem's generation when the TLB and block cache were filled
	rtlb [tlbSize]tlbEntry
	wtlb [tlbSize]tlbEntry
	bc   [bcSize]*block

	cpuid CPUIDConfig
}

// New returns a CPU in mode m over the address space s, with registers
// zero, the x87 and SSE units in their reset state.
func New(m Mode, s *mem.Space) *CPU {
	c := &CPU{mode: m, Mem: s, born: time.Now()}
	c.flags = flagsFixed
	c.MXCSR = 0x1F80
	c.FPU.reset()
	c.cpuid = DefaultCPUID(m)
	c.Flush()
	return c
}

// Mode returns the CPU's mode.
func (c *CPU) Mode() Mode { return c.mode }

// SetCPUID replaces the CPUID configuration.
func (c *CPU) SetCPUID(cfg CPUIDConfig) { c.cpuid = cfg }

// Interrupt asks the CPU to return ExitInterrupt at the next block
// boundary. It is safe to call from any goroutine.
func (c *CPU) Interrupt() { c.attention.Store(1) }

// Flush drops the software TLB and the per-CPU block cache. Call it after
// replacing Mem or changing mappings behind the Space's back.
func (c *CPU) Flush() {
	for i := range c.rtlb {
		c.rtlb[i] = tlbEntry{tag: tlbInvalid}
		c.wtlb[i] = tlbEntry{tag: tlbInvalid}
	}
	clear(c.bc[:])
	if c.Mem != nil {
		c.gen = c.Mem.Gen()
	}
}

// Clone returns a copy of c for a new process or thread that runs on the
// space s: registers, flags and FPU state are copied, caches are not.
func (c *CPU) Clone(s *mem.Space) *CPU {
	n := &CPU{mode: c.mode, Mem: s}
	n.R = c.R
	n.PC = c.PC
	n.X = c.X
	n.MXCSR = c.MXCSR
	n.FPU = c.FPU
	n.flags = c.Flags()
	n.cpuid = c.cpuid
	n.TSC = c.TSC
	if c.tscClock == nil {
		c.tscClock = newTSCClock(c.tsc(), c.born)
	}
	n.tscClock = c.tscClock
	n.Flush()
	return n
}

// unwind is the value a fault panics with; Run recovers it.
type unwind struct{}

// raise ends the current instruction with exit e; c.Fault is already set.
func (c *CPU) raise(e Exit) {
	c.exit = e
	panic(unwind{})
}

// Step executes one instruction.
func (c *CPU) Step() Exit { return c.Run(1) }

// Run executes instructions until the guest makes a system call, faults or
// traps, Interrupt is called, or budget instructions have retired
// (budget <= 0 means no limit).
func (c *CPU) Run(budget int) (exit Exit) {
	if budget <= 0 {
		budget = math.MaxInt
	}
	c.exit = ExitNone
	c.Mem.Enter()
	defer func() {
		c.Mem.Leave()
		if c.exit == ExitNone {
			return
		}
		r := recover()
		if r == nil {
			return
		}
		if _, ok := r.(unwind); !ok {
			panic(r)
		}
		exit = c.unwound()
	}()
	genp := c.Mem.GenWord()
	var prev *block
	for {
		if c.attention.Load() != 0 {
			c.attention.Store(0)
			return ExitInterrupt
		}
		if genp.Load() != c.gen {
			c.Flush()
			prev = nil
		}
		var b *block
		if prev != nil {
			b = prev.follow(c.PC)
		}
		if b == nil {
			b = c.block(c.PC)
			if prev != nil {
				prev.chain(c.PC, b)
			}
		}
		prev = b
		c.cur = b
		insts := b.insts
		if len(insts) > budget {
			insts = insts[:budget]
			c.PC = b.pc + uint64(b.offsetOf(budget))
		} else {
			c.PC = b.end
		}
		if f := b.fused; f != nil && len(insts) == len(b.insts) {
			k := len(insts) - 2
			c.exec(insts[:k])
			c.ci = k
			f.fn(c, f)
		} else {
			c.exec(insts)
		}
		c.Count += uint64(len(insts))
		budget -= len(insts)
		if c.exit != ExitNone {
			e := c.exit
			c.exit = ExitNone
			return e
		}
		if budget == 0 {
			return ExitLimit
		}
	}
}

// exec runs the instructions of a block. It is a function of its own so
// that the loop keeps little in registers across the indirect calls.
func (c *CPU) exec(insts []inst) {
	for i := range insts {
		c.ci = i
		insts[i].fn(c, &insts[i])
	}
}

// unwound finishes a Run that a fault unwound: it rewinds the PC to the
// faulting instruction and counts the ones before it.
func (c *CPU) unwound() Exit {
	e := c.exit
	c.exit = ExitNone
	if b := c.cur; b != nil {
		c.PC = b.pc + uint64(b.offsetOf(c.ci))
		c.Count += uint64(c.ci)
		c.cur = nil
	}
	c.Fault.PC = c.PC
	return e
}

// pcOf returns the address of the instruction being executed.
func (c *CPU) pcOf() uint64 {
	if b := c.cur; b != nil {
		return b.pc + uint64(b.offsetOf(c.ci))
	}
	return c.PC
}

// nextPC returns the address of the instruction after the one executing.
func (c *CPU) nextPC(in *inst) uint64 { return c.pcOf() + uint64(in.len) }
