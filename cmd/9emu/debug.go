package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"9emu/aout"
	"9emu/cpu"
	"9emu/mem"
	"9emu/sys9"
)

// debugger is -d: an interactive debugger in the spirit of acid and db,
// reading commands from the terminal or a script.
//
// The program stops as a whole ("all-stop"): when one process stops (at
// the start, a breakpoint, a watchpoint, the end of a step, a trap), every
// other process is held at its next instruction boundary, or stays in the
// system call it is in. Commands then look at and change the current
// process. step runs only the current process; next, finish and cont let
// every process run.
//
// The command loop runs on the main goroutine. Processes hold still in
// gate, on their own goroutines; the loop reads and writes their
// registers and memory only while they are held there (a process in a
// system call shows the registers it had when it made the call).
type debugger struct {
	m    *monitor
	in   *bufio.Reader
	out  io.Writer
	echo bool // echo commands after the prompt (they come from a script)

	nwatch atomic.Int32 // len(watches), for the run loops

	mu       sync.Mutex
	cond     *sync.Cond
	procs    []*pstate // every process seen, in order of start
	stopped  bool
	detached bool // the command input has ended: no more stops
	busy     bool // a command has been read and is being carried out
	pendInt  bool // an interrupt came while busy: it applies once the program runs
	begun    bool // the first process has made its first stop
	firstPid int
	first    *pstate
	seq      int          // counts stops
	reasons  []stopReason // what stopped, since the last report
	notices  []string     // process exits and notes, since the last report
	cur      *pstate
	bps      []*breakpoint
	watches  []*watchpoint
	nextID   int
	tmp      tmpStop // next's and finish's

	last string // the last command, repeated by an empty line if it was a step or next
	xfmt byte   // the format x used last
}

type stopReason struct {
	ps   *pstate
	text string
}

type breakpoint struct {
	id   int
	addr uint64
	file *aout.File // the program it is in
	spec string     // as the user gave it
	hits int
}

type watchpoint struct {
	id   int
	addr uint64
	n    int
	seg  *mem.Segment // the memory it watches
	spec string
	old  []byte
	buf  []byte
}

// tmpStop is the temporary breakpoint of next and finish: stop at addr
// when SP is sp, in whichever process gets there with that stack (a Go
// goroutine may come back from a call on another thread of the program).
type tmpStop struct {
	set  bool
	addr uint64
	sp   uint64
	file *aout.File   // the program
	seg  *mem.Segment // the memory holding the stack
}

func newDebugger(m *monitor, in io.Reader, out io.Writer, echo bool) *debugger {
	d := &debugger{m: m, in: bufio.NewReader(in), out: out, echo: echo, stopped: true, nextID: 1, xfmt: 'x'}
	d.cond = sync.NewCond(&d.mu)
	return d
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// gate is called by a process before it runs instructions: it holds the
// process while the program is stopped (unless the process is being
// stepped), and makes the program's first stop.
func (d *debugger) gate(ps *pstate) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.begun {
		d.begun = true
		d.first, d.firstPid = ps, ps.pid
		d.stopLocked(ps, "start")
	}
	if ps.stopAfterSys {
		ps.stopAfterSys = false
		d.stopLocked(ps, "")
	}
	for d.stopped && !d.detached && ps.steps == 0 {
		ps.parked = true
		ps.mustPark = false
		d.cond.Broadcast()
		d.cond.Wait()
	}
	ps.parked = false
}

// stopLocked stops the program because of ps (reason "" for the end of a
// step): the other processes are asked to leave their CPUs, and ps must
// park before the command loop goes on.
func (d *debugger) stopLocked(ps *pstate, reason string) {
	if d.detached {
		return
	}
	if !d.stopped {
		d.stopped = true
		d.cur = ps
		for _, q := range d.procs {
			if q != ps && !q.exited {
				if c := d.m.cpuOf(q); c != nil {
					c.Interrupt()
				}
			}
		}
	}
	if d.cur == nil {
		d.cur = ps
	}
	d.reasons = append(d.reasons, stopReason{ps, reason})
	ps.mustPark = true
	ps.steps = 0
	d.tmp = tmpStop{}
	d.m.gen.Add(1) // the temporary stop is gone
	ps.pass = true // resuming runs the instruction it stopped at
	d.seq++
	d.cond.Broadcast()
}

// stepping reports whether ps runs one instruction at a time for the
// debugger: it is being stepped, or memory is watched.
func (d *debugger) stepping(ps *pstate) bool { return ps.steps > 0 || d.nwatch.Load() > 0 }

// ran accounts for n instructions that ps ran, which ended with exit e.
func (d *debugger) ran(ps *pstate, n int, e cpu.Exit) {
	if ps.steps == 0 {
		return
	}
	ps.steps -= n
	if ps.steps > 0 {
		return
	}
	ps.steps = 0
	if e == cpu.ExitSyscall {
		ps.stopAfterSys = true // when the call returns
		return
	}
	d.mu.Lock()
	d.stopLocked(ps, "")
	d.mu.Unlock()
}

// hit is called when ps reaches one of its breakpoints.
func (d *debugger) hit(ps *pstate, pc uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t := d.tmp; t.set && pc == t.addr && ps.file == t.file {
		sp := ps.cpu.R[cpu.RSP]
		if ps.cpu.Mode() == cpu.Mode32 {
			sp = uint64(uint32(sp))
		}
		if m := ps.p.Mem(); sp == t.sp && m != nil && m.SegmentAt(mem.Addr(sp)) == t.seg {
			d.stopLocked(ps, "")
			return
		}
	}
	for _, bp := range d.bps {
		if bp.addr == pc && bp.file == ps.file {
			bp.hits++
			d.stopLocked(ps, fmt.Sprintf("breakpoint %d", bp.id))
			return
		}
	}
}

// trap stops the program at a fault or trap of ps, before the kernel
// turns it into a note.
func (d *debugger) trap(ps *pstate) {
	d.mu.Lock()
	d.stopLocked(ps, "trap: "+ps.cpu.Fault.String())
	d.mu.Unlock()
	d.gate(ps)
}

// checkWatch compares the watched memory with what it was, after ps ran
// the instruction at pc.
func (d *debugger) checkWatch(ps *pstate, pc uint64) {
	if d.nwatch.Load() == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	sp := ps.p.Mem()
	for _, w := range d.watches {
		if sp == nil || sp.SegmentAt(mem.Addr(w.addr)) != w.seg {
			continue
		}
		if ps.cpu.ReadGuest(w.buf, w.addr) != nil || bytes.Equal(w.buf, w.old) {
			continue
		}
		r := fmt.Sprintf("watchpoint %d %s: %s -> %s by %s", w.id, w.spec, memValue(w.old), memValue(w.buf), where(ps, pc))
		copy(w.old, w.buf)
		d.stopLocked(ps, r)
	}
}

// memValue shows a watched value: a little-endian number for the sizes of
// numbers, else bytes.
func memValue(b []byte) string {
	switch len(b) {
	case 1, 2, 4, 8:
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		return hexAddr(v)
	}
	return fmt.Sprintf("% x", b)
}

// stopsFor returns the debugger's breakpoints that apply to ps.
func (d *debugger) stopsFor(ps *pstate) []uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	var l []uint64
	if d.detached {
		return nil
	}
	for _, bp := range d.bps {
		if bp.file == ps.file {
			l = append(l, bp.addr)
		}
	}
	if d.tmp.set && d.tmp.file == ps.file {
		l = append(l, d.tmp.addr)
	}
	return l
}

// event follows the processes' lives: system calls in progress, exits.
func (d *debugger) event(ps *pstate, ev *sys9.Event) {
	var r regs
	if ev.Kind == sys9.EvSyscall {
		r = snapshot(ps.cpu)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch ev.Kind {
	case sys9.EvStart:
		d.procs = append(d.procs, ps)
	case sys9.EvSyscall:
		ps.insys, ps.sysCall, ps.sysArgs, ps.sysRegs = true, ev.Call, ev.Args, r
	case sys9.EvSysret, sys9.EvExec:
		ps.insys = false
	case sys9.EvNote:
		if !ev.Fatal {
			d.notices = append(d.notices, fmt.Sprintf("%d %s: note %q", ps.pid, ps.name, ev.Note))
		}
	case sys9.EvExit:
		ps.exited, ps.insys, ps.status = true, false, ev.Status
		d.notices = append(d.notices, fmt.Sprintf("%d %s: exited %q", ps.pid, ps.name, ev.Status))
		if d.stopped {
			d.seq++ // a stepped process may have ended
		}
	}
	d.cond.Broadcast()
}

// allStoppedLocked reports whether every process is held, in a system
// call, or gone, and those that stopped the program have parked.
func (d *debugger) allStoppedLocked() bool {
	for _, ps := range d.procs {
		if ps.exited || ps.parked {
			continue
		}
		if ps.insys && !ps.mustPark {
			continue
		}
		return false
	}
	return true
}

// firstDoneLocked reports whether the program's first process has ended.
func (d *debugger) firstDoneLocked() bool { return d.first != nil && d.first.exited }

// waitStop waits for a stop after the one numbered seq, or for the end of
// the program's first process (then it returns true).
func (d *debugger) waitStop(seq int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		if d.firstDoneLocked() {
			return true
		}
		if d.seq > seq && d.allStoppedLocked() {
			return false
		}
		d.cond.Wait()
	}
}

// interrupt stops the program from outside (the terminal's interrupt
// key): processes in system calls are left in them.
func (d *debugger) interrupt() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.detached {
		return
	}
	if d.stopped {
		// At the prompt an interrupt means nothing; after a command that
		// resumes the program has been read, it is meant for the
		// program that command lets go.
		d.pendInt = d.busy
		return
	}
	d.interruptLocked()
}

// interruptLocked stops the program for interrupt.
func (d *debugger) interruptLocked() {
	d.stopped = true
	for _, q := range d.procs {
		if q.parked || q.insys {
			q.steps = 0 // a running process clears its own when it stops
		}
		q.mustPark = false
		if !q.exited {
			if c := d.m.cpuOf(q); c != nil {
				c.Interrupt()
			}
		}
	}
	if d.cur != nil {
		d.reasons = append(d.reasons, stopReason{d.cur, "interrupted"})
	}
	d.seq++
	d.cond.Broadcast()
}

// resume lets the program go on: every process (all) or only the current
// one for steps instructions. It returns the number of the last stop.
func (d *debugger) resume(all bool, steps int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reasons = nil
	if all {
		d.stopped = false
	} else {
		d.tmp = tmpStop{}
		d.cur.steps = steps
	}
	d.m.gen.Add(1) // breakpoints may have changed
	d.cond.Broadcast()
	seq := d.seq
	if all && d.pendInt {
		d.pendInt = false
		d.interruptLocked()
	}
	return seq
}

// setBusy marks the time from reading a command to finishing it.
func (d *debugger) setBusy(b bool) {
	d.mu.Lock()
	d.busy = b
	if !b {
		d.pendInt = false
	}
	d.mu.Unlock()
}

// detach ends the session: no more stops, every process runs on.
func (d *debugger) detach() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.detached = true
	d.stopped = false
	d.bps = nil
	d.watches = nil
	d.tmp = tmpStop{}
	d.nwatch.Store(0)
	for _, q := range d.procs {
		// A process that is running keeps its own; with no more stops
		// they do nothing.
		if q.parked || q.insys {
			q.steps = 0
		}
	}
	d.m.gen.Add(1)
	d.cond.Broadcast()
}

// session runs the command loop until the program's first process ends
// or the commands run out (then the program runs on to its end).
func (d *debugger) session() {
	seq := 0
	for {
		if d.waitStop(seq) {
			d.report()
			return
		}
		d.report()
		for {
			line, ok := d.readCommand()
			if !ok {
				d.detach()
				return
			}
			res := d.command(line)
			d.setBusy(false)
			if res.quit {
				d.detach()
				d.m.k.Shutdown()
				return
			}
			if res.resumed {
				seq = res.seq
				break
			}
		}
	}
}

// report prints what happened since the last report: notices, then each
// stop and where its process is.
func (d *debugger) report() {
	if d.m.itrace != nil {
		d.m.itrace.flush()
	}
	d.mu.Lock()
	notices, reasons := d.notices, d.reasons
	d.notices, d.reasons = nil, nil
	d.mu.Unlock()
	var b strings.Builder
	for _, n := range notices {
		b.WriteString(n + "\n")
	}
	for _, r := range reasons {
		ps := r.ps
		if ps.exited {
			continue
		}
		prefix := fmt.Sprintf("%d %s: ", ps.pid, ps.name)
		switch {
		case r.text == "":
		case strings.HasPrefix(r.text, "watchpoint") || strings.HasPrefix(r.text, "trap"):
			// A longer story: a line of its own.
			b.WriteString(prefix + r.text + "\n")
		default:
			prefix += r.text + " "
		}
		b.WriteString(prefix + d.location(ps) + "\n")
	}
	io.WriteString(d.out, b.String())
}

// location shows where a held process is: "at ADDR FUNC+OFF FILE:LINE"
// and the instruction there on a line of its own, or the system call it
// is in.
func (d *debugger) location(ps *pstate) string {
	d.mu.Lock()
	parked, insys, call, args := ps.parked, ps.insys, ps.sysCall, ps.sysArgs
	d.mu.Unlock()
	if insys && !parked {
		return fmt.Sprintf("in system call %s(%s)", call, args)
	}
	c := ps.cpu
	return fmt.Sprintf("at %s\n\t%s", where(ps, c.PC), disasmAt(ps, c, c.PC, false).text)
}

// readCommand prompts for and reads one command line.
// From a script, the prompt and the command are written together once
// the command has been read, so that the transcript reads like a session.
func (d *debugger) readCommand() (string, bool) {
	if !d.echo {
		io.WriteString(d.out, "(9emu) ")
	}
	line, err := d.in.ReadString('\n')
	if err != nil && line == "" {
		if !d.echo {
			io.WriteString(d.out, "\n")
		}
		return "", false
	}
	line = strings.TrimRight(line, "\r\n")
	d.setBusy(true)
	if d.echo {
		io.WriteString(d.out, "(9emu) "+line+"\n")
	}
	return line, true
}
