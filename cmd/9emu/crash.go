package main

import (
	"fmt"
	"strings"

	"9emu/cmd/internal/disasm"
)

// maxFrames bounds backtraces.
const maxFrames = 64

// crashReport describes a process that a trap is killing (-crash): the
// note, the faulting instruction, the registers and a backtrace with
// source lines, as
//
//	9emu: crash: 1 fault: sys: trap: fault write addr=0x0 pc=0x1047
//	at 0x1047 crash+0x7 fault.c:12
//		MOVL $0x2a, 0x0
//	AX  0x1        CX  0x0  ...
//	PC  0x1047     FLAGS 0x246 PF ZF IF
//	backtrace:
//		0x1047 crash+0x7 fault.c:12
//		0x1062 main+0x12 fault.c:20
//
// It is made on the process's goroutine while the registers are still
// those of the trap.
func (m *monitor) crashReport(ps *pstate, note string) string {
	c := ps.cpu
	var b strings.Builder
	fmt.Fprintf(&b, "9emu: crash: %d %s: %s\n", ps.pid, ps.name, note)
	pc := c.PC
	fmt.Fprintf(&b, "at %s\n", where(ps, pc))
	fmt.Fprintf(&b, "\t%s\n", disasmAt(ps, c, pc, false).text)
	r := snapshot(c)
	b.WriteString(regsText(c.Mode(), &r))
	b.WriteString(backtraceText(ps, pc, r.R[4]))
	return b.String()
}

// backtraceText formats the stack of the process from pc and sp, one frame
// a line: address, function+offset, file:line.
func backtraceText(ps *pstate, pc, sp uint64) string {
	var b strings.Builder
	b.WriteString("backtrace:\n")
	if ps.img == nil {
		fmt.Fprintf(&b, "\t%s\n", hexAddr(pc))
		return b.String()
	}
	for _, f := range ps.img.Backtrace(pc, sp, readWord(ps.cpu), maxFrames) {
		fmt.Fprintf(&b, "\t%s %s %s\n", hexAddr(f.PC), frameName(ps.img, f), ps.img.LineString(f.LinePC()))
	}
	return b.String()
}

// frameName names a frame's pc as function+offset; a return address is
// named after the function of the call before it, which it may lie just
// past.
func frameName(img *disasm.Image, f disasm.Frame) string {
	if f.Inner {
		return img.PCName(f.PC)
	}
	name, off, ok := img.Func(f.LinePC())
	if !ok {
		return hexAddr(f.PC)
	}
	return fmt.Sprintf("%s+%#x", name, off+1)
}
