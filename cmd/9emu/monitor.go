package main

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"9emu/aout"
	"9emu/cmd/internal/disasm"
	"9emu/cpu"
	"9emu/sys9"
)

// monitor is the sys9.Watcher behind -t, -d, -pprof, -count and -crash:
// it runs each process's CPU straight through when nothing needs to see
// inside, and otherwise one block or one instruction at a time, with
// breakpoints, trace lines, samples and counts on the way.
type monitor struct {
	k      *sys9.Kernel
	stderr io.Writer
	img    images

	itrace *itracer  // -t
	dbg    *debugger // -d
	prof   *profiler // -pprof
	count  *counter  // -count
	crash  bool      // -crash

	// gen changes whenever the breakpoints a process needs may have
	// changed (the debugger's, or -t's start once it has started).
	gen atomic.Uint64

	mu    sync.Mutex
	procs []*pstate // every process seen, in order of start
	byP   map[*sys9.Proc]*pstate
}

// pstate is what the monitor keeps about one process. Unless noted, its
// fields are used only by the process's own goroutine; the debugger's
// fields are guarded by its mutex.
type pstate struct {
	p   *sys9.Proc
	pid int

	name  string
	cpu   *cpu.CPU
	file  *aout.File
	img   *disasm.Image
	probe *cpu.Probe
	gen   uint64 // monitor.gen the probe's breakpoints were set for
	pass  bool   // the breakpoint at the PC has been dealt with: run past it once

	dis map[uint64]decoded // instruction text by address, for -t

	traceFrom   uint64 // -t's start address in this image, if traceFromOK
	traceFromOK bool

	// Counts.
	banked    uint64 // instructions run by earlier images (before exec)
	nsys      int
	peakPages int
	peakSize  uint64
	untilSamp int64 // -pprof sampling: instructions until the next sample
	prof      *procProfile

	crashReport string // made when a trap kills the process, printed at its end

	// Debugger state, under debugger.mu.
	parked, insys, exited bool
	mustPark              bool   // it stopped the program itself: wait for it to park
	steps                 int    // instructions to step while the program is stopped
	stopAfterSys          bool   // a step ended in a system call: stop when it returns
	sysCall, sysArgs      string // the system call in progress
	sysRegs               regs   // registers at its start
	status                string // exit status once exited

	// Final figures, set at exit.
	instructions uint64
}

// decoded is an instruction's length and text.
type decoded struct {
	n    int
	text string
}

// newMonitor returns an empty monitor for k.
func newMonitor(k *sys9.Kernel, stderr io.Writer) *monitor {
	m := &monitor{k: k, stderr: stderr, byP: make(map[*sys9.Proc]*pstate)}
	m.gen.Store(1) // a new process's probe (gen 0) is built on its first run
	return m
}

// state returns the pstate of p, making it on first sight.
func (m *monitor) state(p *sys9.Proc) *pstate {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.byP[p]
	if ps == nil {
		ps = &pstate{p: p, pid: p.Pid(), probe: cpu.NewProbe()}
		m.byP[p] = ps
		m.procs = append(m.procs, ps)
	}
	return ps
}

// all returns every process seen so far.
func (m *monitor) all() []*pstate {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*pstate(nil), m.procs...)
}

// setImage takes note of the program p runs now: at its start and after
// exec.
func (m *monitor) setImage(ps *pstate) {
	p := ps.p
	if ps.cpu != nil && ps.cpu != p.CPU() {
		ps.banked += ps.cpu.Count
	}
	m.mu.Lock()
	ps.cpu = p.CPU()
	m.mu.Unlock()
	ps.name = p.Name()
	ps.file = p.Image()
	ps.img = m.img.of(ps.file)
	ps.probe = cpu.NewProbe()
	ps.gen = 0 // rebuild
	ps.pass = false
	ps.dis = nil
	ps.traceFromOK = false
	if it := m.itrace; it != nil && it.from != "" && ps.img != nil {
		if a, err := ps.img.Addr(it.from); err == nil {
			ps.traceFrom, ps.traceFromOK = a, true
		}
	}
	if m.prof != nil {
		m.prof.startImage(ps)
	}
}

// cpuOf returns the process's current CPU, from any goroutine.
func (m *monitor) cpuOf(ps *pstate) *cpu.CPU {
	m.mu.Lock()
	defer m.mu.Unlock()
	return ps.cpu
}

// rebuild sets the process's breakpoints: -t's start address until the
// trace starts, the debugger's breakpoints in this program, and its
// temporary stop for next and finish.
func (m *monitor) rebuild(ps *pstate) {
	ps.gen = m.gen.Load()
	ps.probe.ClearBreaks()
	if it := m.itrace; it != nil && ps.traceFromOK && !it.started.Load() && it.wants(ps) {
		ps.probe.SetBreak(ps.traceFrom)
	}
	if d := m.dbg; d != nil {
		for _, a := range d.stopsFor(ps) {
			ps.probe.SetBreak(a)
		}
	}
}

// Run implements sys9.Watcher: it runs p until p needs the kernel.
func (m *monitor) Run(p *sys9.Proc) cpu.Exit {
	ps := m.state(p)
	if ps.cpu != p.CPU() {
		m.setImage(ps)
	}
	c := ps.cpu
	for {
		if m.dbg != nil {
			m.dbg.gate(ps)
		}
		if ps.gen != m.gen.Load() {
			m.rebuild(ps)
		}
		if !ps.pass && ps.probe.NBreaks() > 0 && ps.probe.IsBreak(c.PC) {
			m.hit(ps)
			ps.pass = true
			continue
		}
		budget := 0
		if m.prof != nil && m.prof.period > 1 {
			budget = int(ps.untilSamp)
		}
		before := c.Count
		var e cpu.Exit
		switch {
		case m.stepping(ps):
			e = m.step(ps)
		case ps.probe.NBreaks() > 0 || m.prof != nil && m.prof.period == 1:
			e = c.RunProbe(budget, ps.probe)
		default:
			e = c.Run(budget)
		}
		if n := c.Count - before; n > 0 {
			ps.pass = false
			if m.prof != nil && m.prof.period > 1 {
				m.prof.ran(ps, int64(n))
			}
			if m.dbg != nil {
				m.dbg.ran(ps, int(n), e)
			}
		}
		switch e {
		case cpu.ExitLimit:
			continue
		case cpu.ExitFault, cpu.ExitTrap:
			if m.dbg != nil {
				m.dbg.trap(ps)
			}
		}
		return e
	}
}

// stepping reports whether the process must run one instruction at a
// time: it is being traced, stepped by the debugger, or the debugger
// watches memory.
func (m *monitor) stepping(ps *pstate) bool {
	return m.itrace != nil && m.itrace.active(ps) || m.dbg != nil && m.dbg.stepping(ps)
}

// step runs one instruction, with its trace line, its count in an exact
// profile and the debugger's watchpoints.
func (m *monitor) step(ps *pstate) cpu.Exit {
	c := ps.cpu
	pc := c.PC
	tracing := m.itrace != nil && m.itrace.active(ps)
	var before regs
	if tracing {
		before = snapshot(c)
	}
	n0 := c.Count
	e := c.Step()
	ran := c.Count != n0
	if tracing {
		m.itrace.line(m, ps, pc, &before, e, ran)
	}
	if ran {
		if m.prof != nil && m.prof.period == 1 {
			m.prof.ranPCs(ps, []uint64{pc})
		}
		if m.dbg != nil {
			m.dbg.checkWatch(ps, pc)
		}
	}
	return e
}

// hit deals with the process reaching one of its breakpoints.
func (m *monitor) hit(ps *pstate) {
	pc := ps.cpu.PC
	if it := m.itrace; it != nil && ps.traceFromOK && pc == ps.traceFrom && it.wants(ps) {
		if it.start(ps) {
			m.gen.Add(1)
		}
	}
	if m.dbg != nil {
		m.dbg.hit(ps, pc)
	}
}

// Event implements sys9.Watcher.
func (m *monitor) Event(ev *sys9.Event) {
	ps := m.state(ev.Proc)
	if it := m.itrace; it != nil && it.c == nil {
		// The -s line that follows goes to the same standard error.
		it.flush()
	}
	switch ev.Kind {
	case sys9.EvStart:
		m.setImage(ps)
		m.measure(ps)
	case sys9.EvSyscall:
		ps.nsys++
		if m.count != nil {
			m.count.syscall(ev.Call)
			switch ev.Call {
			case "brk_", "segbrk", "segattach", "segdetach", "segfree", "exec":
				m.measure(ps)
			}
		}
	case sys9.EvExec:
		m.setImage(ps)
		m.measure(ps)
	case sys9.EvNote:
		if ev.Fatal && ev.Trap && m.crash {
			ps.crashReport = m.crashReport(ps, ev.Note)
		}
	case sys9.EvExit:
		m.measure(ps)
		ps.instructions = ps.banked
		if ps.cpu != nil {
			ps.instructions += ps.cpu.Count
		}
		if m.prof != nil {
			m.prof.exit(ps)
		}
		if ps.crashReport != "" {
			io.WriteString(m.stderr, ps.crashReport)
		}
	}
	if m.dbg != nil {
		m.dbg.event(ps, ev)
	}
}

// measure records the process's memory use for -count's peaks.
func (m *monitor) measure(ps *pstate) {
	if m.count == nil {
		return
	}
	pages, size := ps.p.MemUse()
	ps.peakPages = max(ps.peakPages, pages)
	ps.peakSize = max(ps.peakSize, size)
}

// finish waits for every process to end after the kernel's shutdown, so
// that their counts and profiles are complete. A process that does not end
// within the limit (one blocked in the host for good) is left out.
func (m *monitor) finish(limit time.Duration) {
	deadline := time.After(limit)
	for _, ps := range m.all() {
		select {
		case <-ps.p.Done():
		case <-deadline:
			return
		}
	}
}

// readWord returns a function reading the process's memory one word at a
// time, for unwinding. Call it on the process's goroutine or while it is
// held still.
func readWord(c *cpu.CPU) disasm.ReadWord {
	return func(a uint64) (uint64, bool) {
		if c.Mode() == cpu.Mode64 {
			v, err := c.ReadU64(a)
			return v, err == nil
		}
		v, err := c.ReadU32(a)
		return uint64(v), err == nil
	}
}

// disasmAt decodes the instruction at pc in the process's memory, caching
// the text when cache is set.
func disasmAt(ps *pstate, c *cpu.CPU, pc uint64, cache bool) decoded {
	if cache {
		if d, ok := ps.dis[pc]; ok {
			return d
		}
	}
	var buf [16]byte
	code := buf[:]
	for len(code) > 0 && c.ReadGuest(code, pc) != nil {
		code = code[:len(code)-1]
	}
	d := decoded{text: "?"}
	if ps.img != nil && len(code) > 0 {
		if n, text, ok := ps.img.Disasm(code, pc); ok {
			d = decoded{n, text}
		}
	} else if len(code) > 0 {
		if n, text, ok := disasm.Decode(code, modeBits(c), pc, nil); ok {
			d = decoded{n, text}
		}
	}
	if d.n == 0 && len(code) > 0 {
		d = decoded{1, "(bad)"}
	}
	if cache {
		if ps.dis == nil {
			ps.dis = make(map[uint64]decoded)
		}
		ps.dis[pc] = d
	}
	return d
}

func modeBits(c *cpu.CPU) int {
	if c.Mode() == cpu.Mode64 {
		return 64
	}
	return 32
}

// where shows a code address as "0x1020 main+0x4 hello.c:7".
func where(ps *pstate, pc uint64) string {
	if ps.img == nil {
		return hexAddr(pc)
	}
	return hexAddr(pc) + " " + ps.img.PCName(pc) + " " + ps.img.LineString(pc)
}

func hexAddr(a uint64) string { return "0x" + formatHex(a) }

func formatHex(a uint64) string {
	const digits = "0123456789abcdef"
	if a == 0 {
		return "0"
	}
	var b [16]byte
	i := len(b)
	for a > 0 {
		i--
		b[i] = digits[a&15]
		a >>= 4
	}
	return string(b[i:])
}
