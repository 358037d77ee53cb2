package sys9

import (
	"sort"

	"9emu/aout"
	"9emu/cpu"
	"9emu/mem"
)

// A Watcher observes and steers the processes of a kernel: cmd/9emu's
// instruction tracer, debugger, profiler and counters are one. Both
// methods are called on the goroutine of the process concerned, so a
// Watcher may read and change that process's registers and memory there.
type Watcher interface {
	// Run runs p's CPU until p needs its kernel, as p.CPU().Run(0) would:
	// a system call, a fault or trap, or cpu.ExitInterrupt, which it must
	// return promptly (notes and kills arrive that way). It may step, stop
	// at breakpoints, wait for a debugger, count and sample on the way.
	Run(p *Proc) cpu.Exit
	// Event reports a moment in a process's life. ev is only valid
	// during the call (the kernel reuses it): copy what must be kept.
	Event(ev *Event)
}

// EventKind says what an Event reports.
type EventKind uint8

const (
	EvStart   EventKind = iota // the process is about to run its first instruction: a new program or an rfork child
	EvSyscall                  // a system call is about to be served: Call, Args
	EvSysret                   // it has been: Ret and Err (not for exits, nor for a successful exec, which gives EvExec)
	EvExec                     // exec replaced the program: Call and Args are those of the exec
	EvNote                     // a note is being delivered: Note, Trap, and Fatal when it kills the process
	EvExit                     // the process is ending (its memory is still there): Status
)

var eventNames = [...]string{"start", "syscall", "sysret", "exec", "note", "exit"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "event?"
}

// An Event is one report to a Watcher.
type Event struct {
	Kind EventKind
	Proc *Proc

	Call string // system call name (EvSyscall, EvSysret, EvExec)
	Args string // its arguments as the -s trace shows them
	Ret  string // its result as the trace shows it, with any data returned
	Err  string // its error string, if it failed

	Note  string // EvNote: the note's text
	Fatal bool   // EvNote: no handler takes it; the process dies of it (its registers are still those of the moment)
	Trap  bool   // EvNote: the note reports a trap or fault of this process (sys: trap, sys: fp, sys: breakpoint)

	Status string // EvExit: the exit string
}

// SetWatcher makes w watch every process of k. It must be called before
// the first process starts. Unless args is set (or the kernel writes a
// system-call trace anyway), system-call events carry the call's name
// only, which saves decoding every call's arguments.
func (k *Kernel) SetWatcher(w Watcher, args bool) {
	if k.trace == nil {
		k.trace = &tracer{}
	}
	k.trace.watch = w
	k.trace.args = args
}

// runCPU runs the CPU for the process's run loop: straight through, or
// under the Watcher.
func (p *Proc) runCPU() cpu.Exit {
	if t := p.k.trace; t != nil && t.watch != nil {
		return t.watch.Run(p)
	}
	return p.cpu.Run(0)
}

// watchEvent sends an event to the Watcher, if there is one.
// Events are reported on p's own goroutine, through p.ev, so that the
// stream of them allocates nothing.
func (p *Proc) watchEvent(ev Event) {
	if t := p.k.trace; t != nil && t.watch != nil {
		p.ev = ev
		p.ev.Proc = p
		t.watch.Event(&p.ev)
		p.ev = Event{}
	}
}

// Procs returns the live processes, in pid order.
func (k *Kernel) Procs() []*Proc {
	k.mu.Lock()
	l := make([]*Proc, 0, len(k.procs))
	for _, p := range k.procs {
		l = append(l, p)
	}
	k.mu.Unlock()
	sort.Slice(l, func(i, j int) bool { return l[i].pid < l[j].pid })
	return l
}

// The accessors below are for Watchers. Those that read state the process
// changes as it runs (CPU, Mem, Image, Name, Args, Syscall, MemUse) must
// be called on the process's goroutine, or while the Watcher holds it
// still.

// Name returns the process name: the last element of the program's name.
func (p *Proc) Name() string { return p.text }

// Args returns the argument list the program was started with.
func (p *Proc) Args() []string { return p.args }

// Parent returns the pid of the process that made p, 0 for the first.
func (p *Proc) Parent() int { return p.ppid }

// CPU returns the process's CPU; exec replaces it.
func (p *Proc) CPU() *cpu.CPU { return p.cpu }

// Mem returns the process's address space; exec replaces it.
func (p *Proc) Mem() *mem.Space { return p.mem }

// Image returns the executable the process is running.
func (p *Proc) Image() *aout.File { return p.image }

// Syscall returns the name of the system call in progress, or "".
func (p *Proc) Syscall() string {
	if s := p.syscallName.Load(); s != nil {
		return *s
	}
	return ""
}

// Notes returns the notes waiting for the process, and the one its
// handler is running for if it is in a handler (notified).
func (p *Proc) Notes() (pending []string, current string, notified bool) {
	p.nmu.Lock()
	defer p.nmu.Unlock()
	for _, n := range p.notes {
		pending = append(pending, n.msg)
	}
	if p.notified {
		current = p.lastnote.msg
	}
	return pending, current, p.notified
}

// MemUse measures the process's memory: the pages of its segments that
// have been touched (resident), and the size of its image: every segment
// but the stack in full, and the stack's touched pages, in bytes.
func (p *Proc) MemUse() (pages int, size uint64) {
	if p.mem == nil {
		return 0, 0
	}
	for _, g := range p.mem.Segments() {
		r := g.Resident()
		pages += r
		if g.Kind == mem.Stack {
			size += uint64(r) * mem.PageSize
			continue
		}
		base, top := g.Bounds()
		size += uint64(top - base)
	}
	return pages, size
}
