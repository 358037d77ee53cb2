package sys9

import (
	"fmt"
	"path"
	"sync"
	"sync/atomic"
	"time"

	"9emu/aout"
	"9emu/cpu"
	"9emu/mem"
)

// A Proc is one Plan 9 process. Its goroutine runs the CPU and services
// what the CPU returns; other goroutines touch it only to post notes, to
// wait for it, or to read its status.
type Proc struct {
	k      *Kernel
	pid    int
	ppid   int
	parent *Proc
	noteid int

	text string   // process name: the last element of the executable's name
	args []string // argv as given to exec
	exe  string   // name of the executable, for /proc/N/text
	arch aout.Arch
	abi  *abi

	cpu   *cpu.CPU
	mem   *mem.Space
	bss   *mem.Segment // the segment brk_ moves
	image *aout.File   // the executable, for symbols

	ev Event    // the event being reported to the Watcher (watchEvent)
	tb traceBuf // the traced system call in progress (traceArgs)

	fgrp *Fgrp
	pgrp *Pgrp
	egrp *Egrp
	rgrp *Rgrp
	dotp atomic.Pointer[string] // current directory, a cleaned absolute name (dot, setDot)

	errstr      string
	iobuf       []byte                 // see scratch
	syscallName atomic.Pointer[string] // the system call in progress, for status

	// Notes (note.go).
	nmu      sync.Mutex
	notes    []note
	notified bool
	notifyPC uint64
	ureg     uint64 // address of the current Ureg on the user stack
	lastnote note
	fpsave   *cpu.FPState
	intr     chan struct{}
	killed   atomic.Bool

	alarmMu sync.Mutex
	alarm   *time.Timer
	alarmAt time.Time

	// Children and exit (await).
	wmu      sync.Mutex
	waitq    []waitmsg
	nchild   int
	waitwake chan struct{}
	nowait   bool // made with RFNOWAIT: leaves no wait record

	exitMsg   string
	noteDeath string // "name pid: note" when a user note ended the process
	done      chan struct{}
	start     time.Time

	// Times in nanoseconds, as Plan 9 keeps them: running guest code
	// (user), in system calls but not waiting in them (sys), and the
	// user, sys and real times of the children that have ended, each
	// child's own plus those of its children.
	utime, stime           atomic.Int64
	cutime, cstime, crtime atomic.Int64
	blocked                atomic.Int64 // time spent waiting in block and blockTimer
}

// ms converts nanoseconds to the milliseconds of wait records and
// /proc/N/status.
func ms(ns int64) uint32 { return uint32(ns / 1e6) }

type waitmsg struct {
	pid                 int
	utime, stime, rtime uint32
	msg                 string
}

func (k *Kernel) newProc() *Proc {
	p := &Proc{
		k:        k,
		pid:      k.newPid(),
		intr:     make(chan struct{}, 1),
		waitwake: make(chan struct{}, 1),
		done:     make(chan struct{}),
		start:    time.Now(),
	}
	return p
}

// dot returns the current directory; setDot changes it. Other
// processes read it (/proc/N/fd, ns), hence the atomic.
func (p *Proc) dot() string {
	if d := p.dotp.Load(); d != nil {
		return *d
	}
	return "/"
}

func (p *Proc) setDot(d string) { p.dotp.Store(&d) }

// Pid returns the process number.
func (p *Proc) Pid() int { return p.pid }

// Wait blocks until the process has exited and returns its exit string.
func (p *Proc) Wait() string {
	<-p.done
	return p.exitMsg
}

// NoteDeath reports the note that ended the process, if a note without a
// handler did (kernel notes have already printed their suicide line).
func (p *Proc) NoteDeath() (string, bool) {
	<-p.done
	return p.noteDeath, p.noteDeath != ""
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// run is the process's goroutine: run the CPU, service what it returns,
// deliver notes at each return to "user mode".
func (p *Proc) run() {
	defer p.recoverCrash()
	p.traceStart()
	last := p.k.clock()
	for !p.killed.Load() {
		e := p.runCPU()
		now := p.k.clock()
		p.utime.Add(now - last)
		last = now
		waited := p.blocked.Load()
		notes := true
		switch e {
		case cpu.ExitSyscall:
			// No notes on the way out of rfork, noted or exec.
			notes = p.syscall()
		case cpu.ExitFault, cpu.ExitTrap:
			p.trap()
		case cpu.ExitInterrupt, cpu.ExitLimit:
		}
		if notes {
			p.donotes()
		}
		now = p.k.clock()
		p.stime.Add(now - last - (p.blocked.Load() - waited))
		last = now
	}
	p.exits(p.exitMsgOnKill())
}

// recoverCrash turns an emulator bug in this process into an error exit
// with a diagnostic, instead of a Go panic trace that takes down every
// process.
func (p *Proc) recoverCrash() {
	r := recover()
	if r == nil {
		return
	}
	fmt.Fprintf(p.k.cfg.Stderr, "9emu: internal error in %s %d at pc=%#x: %v\n", p.text, p.pid, p.cpu.PC, r)
	p.exits("9emu: internal error")
}

func (p *Proc) exitMsgOnKill() string {
	p.nmu.Lock()
	defer p.nmu.Unlock()
	return p.lastnote.msg
}

// kill makes the process exit at its next chance, with no message.
func (p *Proc) kill() {
	p.postnote("sys: killed", noteExit, true)
}

// exits ends the process: its files are closed, its parent gets a wait
// record, and Wait returns.
func (p *Proc) exits(msg string) {
	select {
	case <-p.done:
		return
	default:
	}
	if len(msg) > 127 {
		msg = msg[:127]
	}
	p.traceExit(msg)
	p.killed.Store(true)
	p.cancelAlarm()
	if p.fgrp != nil {
		p.fgrp.release(p)
	}
	if p.mem != nil {
		p.mem.Release()
	}
	if p.cpu != nil {
		// Its TLB would keep the pages alive for as long as anyone
		// (a parent, a Watcher) holds on to the Proc.
		p.cpu.Flush()
	}
	p.iobuf = nil // the process's own goroutine is the only user
	p.exitMsg = msg
	if par := p.parent; par != nil && !p.nowait {
		ut, st := p.utime.Load()+p.cutime.Load(), p.stime.Load()+p.cstime.Load()
		rt := int64(time.Since(p.start))
		par.cutime.Add(ut)
		par.cstime.Add(st)
		par.crtime.Add(rt)
		w := waitmsg{pid: p.pid, utime: ms(ut), stime: ms(st), rtime: ms(rt), msg: msg}
		if msg != "" {
			w.msg = fmt.Sprintf("%s %d: %s", p.text, p.pid, msg)
			if len(w.msg) > 127 {
				w.msg = w.msg[:127]
			}
		}
		par.wmu.Lock()
		par.nchild--
		if len(par.waitq) < 128 {
			par.waitq = append(par.waitq, w)
		}
		par.wmu.Unlock()
		select {
		case par.waitwake <- struct{}{}:
		default:
		}
	}
	p.k.delProc(p)
	close(p.done)
}

// Start loads the executable called name (resolved in the standard name
// space built for it) with the given arguments as the first process of
// the kernel and starts it.
func (k *Kernel) Start(name string, argv []string) (*Proc, error) {
	p := k.newProc()
	p.setDot(cleanname(k.cfg.Dot))
	p.fgrp = newFgrp()
	p.egrp = newEgrp(k.cfg.Env)
	p.rgrp = newRgrp()
	p.noteid = 1
	p.arch = aout.ArchAMD64
	// A first name space, to find the binary; it is rebuilt for the
	// binary's cputype below.
	if err := k.namespace(p, ""); err != nil {
		return nil, err
	}
	f, c, err := p.openExecMode(resolve(name), false)
	if err != nil {
		if ee, ok := err.(*execError); ok {
			return nil, ee.err
		}
		return nil, err
	}
	cputype := f.Arch.String()
	if err := k.namespace(p, cputype); err != nil {
		return nil, err
	}
	p.egrp.setDefault("cputype", cputype)
	p.egrp.setDefault("objtype", cputype)
	for i, h := range []*Chan{k.stdChan(consStdin), k.stdChan(consStdout), k.stdChan(consStderr)} {
		fd, _ := p.fgrp.install(h, false)
		if fd != i {
			return nil, fmt.Errorf("cannot set up fd %d", i)
		}
	}
	if err := p.load(f, c.Name, argv); err != nil {
		return nil, err
	}
	k.addProc(p)
	go p.run()
	return p, nil
}

// resolve returns the name by which rc would execute cmd: a name with a
// slash is itself, others are looked up in /bin (which, before the first
// binary is found, a confined name space makes the union of /amd64/bin,
// /386/bin and /rc/bin).
func resolve(cmd string) string {
	if path.Base(cmd) != cmd || cmd == "." || cmd == ".." {
		return cmd
	}
	return "/bin/" + cmd
}
