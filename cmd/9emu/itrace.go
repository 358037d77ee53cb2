package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"9emu/cpu"
)

// itracer writes the instruction trace (-t): one line per instruction
// executed, as
//
//	PID NAME: ADDR<TAB>FUNC+OFF<TAB>INSTRUCTION<TAB>CHANGES
//
// where CHANGES lists the registers the instruction changed with their new
// values (REG=value, FLAGS=ZF|PF, X0=..., F0=... for the x87 stack), and
// an instruction that faults ends with "(fault: ...)" instead. The trace
// starts at the first execution of the instruction at from (a symbol,
// file:line or address; "" is the program's first instruction) and then
// follows the process that got there; it covers only the process pid if
// one is given (0: every process, unless from chooses one), and stops
// after limit instructions (<0: no limit).
type itracer struct {
	from string
	pid  atomic.Int64

	left    atomic.Int64 // instructions still to trace
	started atomic.Bool

	mu sync.Mutex
	w  *bufio.Writer
	c  io.Closer // the file, for -tout
}

// newItracer returns a tracer writing to w.
func newItracer(w io.Writer, from string, pid int, limit int64) *itracer {
	it := &itracer{from: from, w: bufio.NewWriterSize(w, 64<<10)}
	it.pid.Store(int64(pid))
	if limit < 0 {
		limit = math.MaxInt64
	}
	it.left.Store(limit)
	it.started.Store(from == "")
	return it
}

// wants reports whether the process is one the trace covers.
func (it *itracer) wants(ps *pstate) bool {
	pid := it.pid.Load()
	return pid == 0 || pid == int64(ps.pid)
}

// start begins the trace in ps, which has reached the start address.
func (it *itracer) start(ps *pstate) bool {
	if !it.started.CompareAndSwap(false, true) {
		return false
	}
	it.pid.CompareAndSwap(0, int64(ps.pid))
	return true
}

// active reports whether the process's instructions are being traced now.
func (it *itracer) active(ps *pstate) bool {
	return it.started.Load() && it.left.Load() > 0 && it.wants(ps)
}

// line writes the line of the instruction at pc, which ran (or faulted)
// leaving exit e; before holds the registers from before it.
func (it *itracer) line(m *monitor, ps *pstate, pc uint64, before *regs, e cpu.Exit, ran bool) {
	if it.left.Add(-1) < 0 {
		return
	}
	c := ps.cpu
	d := disasmAt(ps, c, pc, true)
	sym := "?"
	if ps.img != nil {
		sym = ps.img.PCName(pc)
	}
	var ch string
	switch {
	case !ran && (e == cpu.ExitFault || e == cpu.ExitTrap):
		ch = "(fault: " + c.Fault.String() + ")"
	default:
		after := snapshot(c)
		ch = changes(c.Mode(), before, &after)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s: %s\t%s\t%s", ps.pid, ps.name, hexAddr(pc), sym, d.text)
	if ch != "" {
		b.WriteString("\t")
		b.WriteString(ch)
	}
	b.WriteString("\n")
	it.mu.Lock()
	it.w.WriteString(b.String())
	it.mu.Unlock()
}

// flush writes out what the trace buffers.
func (it *itracer) flush() {
	it.mu.Lock()
	it.w.Flush()
	it.mu.Unlock()
}

// close flushes the trace and closes its file, if it has one.
func (it *itracer) close() error {
	it.flush()
	if it.c != nil {
		return it.c.Close()
	}
	return nil
}
