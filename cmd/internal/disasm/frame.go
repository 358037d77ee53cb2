package disasm

// ReadWord reads one pointer-sized word of the program's memory.
type ReadWord func(addr uint64) (uint64, bool)

// A Frame is one frame of a backtrace: the pc in it (the faulting or
// current instruction for the innermost frame, a return address for the
// others) and the SP on entry to that pc's instruction.
type Frame struct {
	PC, SP uint64
	Inner  bool // the innermost frame: PC is the instruction itself, not a return address
}

// LinePC is the pc to look up the source line of a frame by: a return
// address is the instruction after the call, which may be on another line
// (or in another function, after a call that does not return), so caller
// frames use the byte before it, as Go's tracebacks do.
func (f Frame) LinePC() uint64 {
	if f.Inner || f.PC == 0 {
		return f.PC
	}
	return f.PC - 1
}

// startSyms are the outermost functions of 8c/6c programs (libmach's
// STARTSYM and PROFSYM).
var startSyms = map[string]bool{"_main": true, "_mainp": true}

// Caller returns the return address of the function executing pc with
// stack pointer sp, and the caller's stack pointer after the return (the
// address just above the return address). ok is false when the frame
// cannot be unwound: pc is in no known function, the frame size is not
// known, or the function is the outermost one of its stack.
//
// For Go programs the pc/sp table gives the depth of the stack at every
// pc; for 8c/6c programs the .frame size in the symbol table does, since
// the compilers never push or pop in compiled code and the one
// instruction of the prologue is SUB $frame, SP (plan9-abi.md §1.6): at
// the entry the return address is at SP, elsewhere at SP+.frame-W.
func (m *Image) Caller(pc, sp uint64, read ReadWord) (ret, callerSP uint64, ok bool) {
	w := uint64(m.Mode / 8)
	slot, ok := m.retSlot(pc, sp, w)
	if !ok {
		return 0, 0, false
	}
	ret, ok = read(slot)
	if !ok || ret == 0 {
		return 0, 0, false
	}
	callerSP = slot + w
	if m.Mode == 32 {
		callerSP = uint64(uint32(callerSP))
	}
	return ret, callerSP, true
}

// retSlot returns the address of the return address of the frame at pc.
func (m *Image) retSlot(pc, sp, w uint64) (uint64, bool) {
	if g := m.goTab; g != nil {
		if f, ok := g.funcAt(pc); ok {
			if f.flag&funcFlagTopFrame != 0 || f.flag&funcFlagSPWrite != 0 && pc != f.entry {
				return 0, false
			}
			d, ok := g.spDelta(f, pc)
			if !ok {
				return 0, false
			}
			return sp + uint64(d), true
		}
	}
	name, off, ok := m.Func(pc)
	if !ok || startSyms[name] {
		return 0, false
	}
	if off == 0 {
		return sp, true
	}
	frame, ok := m.frames[pc-off]
	if !ok || frame < w {
		return 0, false
	}
	return sp + frame - w, true
}

// Backtrace unwinds the stack from the innermost frame at pc with stack
// pointer sp, returning at most max frames, innermost first. It stops at
// the outermost function, a return address outside the text, or a stack
// pointer that does not grow.
func (m *Image) Backtrace(pc, sp uint64, read ReadWord, max int) []Frame {
	frames := []Frame{{PC: pc, SP: sp, Inner: true}}
	l := &m.File.Layout
	for len(frames) < max {
		f := frames[len(frames)-1]
		ret, csp, ok := m.Caller(f.LinePC(), f.SP, read)
		if !ok || ret < l.TextStart || ret >= l.TextEnd || csp <= f.SP {
			break
		}
		frames = append(frames, Frame{PC: ret, SP: csp})
	}
	return frames
}
