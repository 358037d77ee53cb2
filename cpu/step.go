package cpu

import "math"

// Support for debuggers, instruction tracers and profilers: running a CPU
// block by block, stopping before breakpoints and reporting what ran.
// Nothing here is on Run's path; a CPU that is never given a Probe runs
// exactly as before.

// A Probe watches a CPU run block by block. It holds breakpoints (RunProbe
// stops before executing an instruction at one of them) and, through Ran,
// reports every straight-line run of instructions that completed. A Probe
// belongs to one CPU and is used by that CPU's goroutine; change its
// breakpoints only while the CPU is not running.
type Probe struct {
	// Ran, if not nil, is called after each run of instructions that
	// RunProbe executed, with their addresses in order. The slice is
	// shared: it is valid only during the call. A run ends at a block's
	// end, a breakpoint, the budget, or a fault (the faulting instruction
	// is not in it); a system call or trap instruction (INT3) is the last
	// of its run, and counts as executed, as it does in CPU.Count.
	Ran func(pcs []uint64)

	stops map[uint64]bool
	gen   uint32
	memo  map[*block]*probeBlock
}

// probeBlock is what a Probe knows of one decoded block: its instruction
// addresses and the index of the first one at a breakpoint (computed for
// the breakpoint set of generation gen; len(pcs) if none).
type probeBlock struct {
	pcs  []uint64
	gen  uint32
	stop int
}

// maxProbeMemo bounds the memo: blocks dropped from the code cache (by
// writes to code, or exec) would otherwise be kept alive by it.
const maxProbeMemo = 1 << 16

// NewProbe returns a Probe with no breakpoints.
func NewProbe() *Probe {
	return &Probe{stops: make(map[uint64]bool), memo: make(map[*block]*probeBlock), gen: 1}
}

// SetBreak adds a breakpoint at pc.
func (pr *Probe) SetBreak(pc uint64) {
	if !pr.stops[pc] {
		pr.stops[pc] = true
		pr.gen++
	}
}

// ClearBreak removes the breakpoint at pc, if there is one.
func (pr *Probe) ClearBreak(pc uint64) {
	if pr.stops[pc] {
		delete(pr.stops, pc)
		pr.gen++
	}
}

// ClearBreaks removes every breakpoint.
func (pr *Probe) ClearBreaks() {
	if len(pr.stops) > 0 {
		clear(pr.stops)
		pr.gen++
	}
}

// IsBreak reports whether there is a breakpoint at pc.
func (pr *Probe) IsBreak(pc uint64) bool { return pr.stops[pc] }

// NBreaks returns the number of breakpoints.
func (pr *Probe) NBreaks() int { return len(pr.stops) }

// RunProbe executes instructions like Run(budget), but one decoded block at
// a time under the Probe's eye: it returns ExitLimit with the PC at a
// breakpoint before executing the instruction there, except for the first
// instruction it executes (so that a caller stopped at a breakpoint can
// continue past it), and it calls pr.Ran after each run of instructions.
// Instruction counts and results are exactly those of Run.
func (c *CPU) RunProbe(budget int, pr *Probe) Exit {
	if budget <= 0 {
		budget = math.MaxInt
	}
	first := true
	for {
		pb := c.peek(pr)
		if pb == nil {
			// Fetching or decoding the block faults: Run reports it.
			return c.Run(1)
		}
		n := len(pb.pcs)
		if len(pr.stops) > 0 {
			if pb.gen != pr.gen {
				pb.stop = len(pb.pcs)
				for i, pc := range pb.pcs {
					if pr.stops[pc] {
						pb.stop = i
						break
					}
				}
				pb.gen = pr.gen
			}
			n = pb.stop
			if first && n == 0 {
				// At a breakpoint on entry: run past it, up to the next.
				n = len(pb.pcs)
				for i, pc := range pb.pcs[1:] {
					if pr.stops[pc] {
						n = i + 1
						break
					}
				}
			}
		}
		n = min(n, budget)
		if n == 0 {
			return ExitLimit
		}
		before := c.Count
		e := c.Run(n)
		ran := int(c.Count - before)
		if pr.Ran != nil && ran > 0 {
			pr.Ran(pb.pcs[:min(ran, len(pb.pcs))])
		}
		budget -= ran
		first = first && ran == 0
		if e != ExitLimit {
			return e
		}
		if budget <= 0 {
			return ExitLimit
		}
	}
}

// peek returns the Probe's record of the block at the PC, decoding the
// block if it is not cached, or nil if that faults.
func (c *CPU) peek(pr *Probe) (pb *probeBlock) {
	c.Mem.Enter()
	defer func() {
		c.Mem.Leave()
		if r := recover(); r != nil {
			if _, ok := r.(unwind); !ok {
				panic(r)
			}
			c.exit = ExitNone
			c.cur = nil
			pb = nil
		}
	}()
	if g := c.Mem.Gen(); g != c.gen {
		c.Flush()
	}
	b := c.block(c.PC)
	if pb = pr.memo[b]; pb != nil {
		return pb
	}
	if len(pr.memo) >= maxProbeMemo {
		clear(pr.memo)
	}
	pb = &probeBlock{pcs: make([]uint64, len(b.insts))}
	pc := b.pc
	for i := range b.insts {
		pb.pcs[i] = pc
		pc = c.addr(pc + uint64(b.insts[i].len))
	}
	pr.memo[b] = pb
	return pb
}
