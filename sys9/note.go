package sys9

import (
	"fmt"
	"strings"
	"time"

	"9emu/cpu"
	"9emu/mem"
)

// Note kinds (port/portdat.h): user notes are posted by processes and by
// alarm; kernel (debug) notes report traps and bad system calls and kill
// a process that cannot handle them; exit notes end it quietly.
const (
	noteUser = iota
	noteKernel
	noteExit
)

// noted arguments.
const (
	NCONT = 0
	NDFLT = 1
	NSAVE = 2
	NRSTR = 3
)

const nnote = 5 // NNOTE: pending notes per process

type note struct {
	msg   string
	kind  int
	trap  uint64 // Ureg trap vector for delivery
	ecode uint64
}

// postnote queues a note for p and interrupts what p is doing. It
// reports false if the queue is full (then "note not posted"). A forced
// note replaces the queue.
func (p *Proc) postnote(msg string, kind int, force bool) bool {
	if len(msg) > 127 {
		msg = msg[:127]
	}
	p.nmu.Lock()
	if force {
		p.notes = []note{{msg: msg, kind: kind}}
	} else {
		if len(p.notes) >= nnote {
			p.nmu.Unlock()
			return false
		}
		p.notes = append(p.notes, note{msg: msg, kind: kind, trap: 64})
	}
	p.nmu.Unlock()
	if p.cpu != nil {
		p.cpu.Interrupt()
	}
	select {
	case p.intr <- struct{}{}:
	default:
	}
	return true
}

// notePending reports whether a note would interrupt a blocked call:
// any kernel or exit note, or a user note when no handler is running.
func (p *Proc) notePending() bool {
	p.nmu.Lock()
	defer p.nmu.Unlock()
	for _, n := range p.notes {
		if n.kind != noteUser || !p.notified {
			return true
		}
	}
	return false
}

// block waits for wake or a note; a note makes it fail with
// "interrupted". state names the wait for /proc/N/status.
func (p *Proc) block(wake <-chan struct{}, state string) error {
	defer p.waiting(p.k.clock())
	for {
		if p.notePending() || p.killed.Load() {
			return Eintr
		}
		select {
		case <-wake:
			return nil
		case <-p.intr:
		}
	}
}

// waiting counts the time since t (a clock reading) as spent waiting, not
// in the system.
func (p *Proc) waiting(t int64) { p.blocked.Add(p.k.clock() - t) }

// blockTimer is block for a timer channel.
func (p *Proc) blockTimer(wake <-chan time.Time, state string) error {
	defer p.waiting(p.k.clock())
	for {
		if p.notePending() || p.killed.Load() {
			return Eintr
		}
		select {
		case <-wake:
			return nil
		case <-p.intr:
		}
	}
}

// trap turns the fault or trap the CPU reported into a note (§6.2).
func (p *Proc) trap() {
	f := &p.cpu.Fault
	var msg string
	ecode := f.Code
	switch f.Trap {
	case cpu.TrapPage:
		rw := "read"
		if f.Access == mem.Write {
			rw = "write"
		}
		msg = fmt.Sprintf("sys: trap: fault %s addr=%#x", rw, f.Addr)
		if f.Addr == 0 {
			msg = fmt.Sprintf("sys: trap: fault %s addr=0x0", rw)
		}
	case cpu.TrapDivide:
		msg = "sys: trap: divide error"
	case cpu.TrapBreakpoint:
		// INT3 traps after itself; the kernel (debugbpt) backs the PC
		// up to it, so the note and the Ureg name the breakpoint.
		p.cpu.PC = f.PC
		msg = "sys: breakpoint"
	case cpu.TrapOverflow:
		msg = "sys: trap: overflow"
	case cpu.TrapBound:
		msg = "sys: trap: bounds check"
	case cpu.TrapInvalidOp:
		msg = "sys: trap: invalid opcode"
		if f.Unimplemented != "" {
			fmt.Fprintf(p.k.cfg.Stderr, "9emu: %s %d: unimplemented instruction %s at pc=%#x\n", p.text, p.pid, f.Unimplemented, f.PC)
		}
	case cpu.TrapStack:
		msg = "sys: trap: stack exception"
	case cpu.TrapAlign:
		msg = "sys: trap: alignment check"
	case cpu.TrapX87, cpu.TrapSIMD:
		msg = fmt.Sprintf("sys: fp: %s fppc=%#x status=%#x", fpWhat(f.FPStatus, f.Trap == cpu.TrapX87), f.FPPC, f.FPStatus)
	default:
		msg = "sys: trap: general protection violation"
	}
	p.nmu.Lock()
	// A trap is synchronous: it goes ahead of anything queued.
	p.notes = append([]note{{msg: msg, kind: noteKernel, trap: uint64(f.Trap), ecode: ecode}}, p.notes...)
	if len(p.notes) > nnote {
		p.notes = p.notes[:nnote]
	}
	p.nmu.Unlock()
}

// fpWhat names an FP exception from the status bits as the Plan 9 kernel
// does (§6.2).
func fpWhat(st uint32, x87 bool) string {
	switch {
	case st&1 != 0:
		if x87 && st&0x40 != 0 {
			if st&0x200 != 0 {
				return "stack overflow"
			}
			return "stack underflow"
		}
		return "invalid operation"
	case st&2 != 0:
		return "denormalized operand"
	case st&4 != 0:
		return "division by zero"
	case st&8 != 0:
		return "numeric overflow"
	case st&0x10 != 0:
		return "numeric underflow"
	case st&0x20 != 0:
		return "precision loss"
	}
	return "unknown exception"
}

// donotes delivers the first pending note on the way back to user mode:
// to the handler if there is one and it may run, else by the default
// action (§6.1).
func (p *Proc) donotes() {
	select {
	case <-p.done:
		return // ended: no memory to deliver on, nobody to run the handler
	default:
	}
	p.nmu.Lock()
	if len(p.notes) == 0 {
		p.nmu.Unlock()
		return
	}
	n := p.notes[0]
	if n.kind == noteExit {
		// A kill (ctl "kill", or the emulator shutting down): the
		// process dies with status "Killed", running no handler.
		p.notes = nil
		p.lastnote = note{msg: "Killed", kind: noteExit}
		p.nmu.Unlock()
		p.killed.Store(true)
		return
	}
	if n.kind == noteUser && p.notified {
		p.nmu.Unlock() // held until the handler calls noted
		return
	}
	p.notes = p.notes[1:]
	if strings.HasPrefix(n.msg, "sys:") {
		if s := fmt.Sprintf("%s pc=%#x", n.msg, p.cpu.PC); len(s) <= 127 {
			n.msg = s
		}
	}
	p.lastnote = n
	handler := p.notifyPC
	if handler == 0 || n.kind == noteKernel && p.notified {
		p.notes = nil
		p.nmu.Unlock()
		p.dieOfNote(n)
		return
	}
	p.notified = true
	p.nmu.Unlock()
	if !p.pushNote(n, handler) {
		p.dieOfNote(note{msg: "sys: bad address in notify", kind: noteKernel})
		return
	}
	p.traceNote(n, handler, false)
}

// pprint writes "name pid: msg" on the process's fd 2, as the kernel's
// pprint does.
func (p *Proc) pprint(msg string) {
	line := fmt.Sprintf("%s %d: %s", p.text, p.pid, msg)
	if c, err := p.fgrp.get(2); err == nil {
		if c.open && c.writable() {
			p.write(c, []byte(line), -1)
		}
		c.decref(p)
	}
}

// dieOfNote ends the process with the note as its status; kernel notes
// also print "name pid: suicide: note" on fd 2, as the kernel does.
func (p *Proc) dieOfNote(n note) {
	p.traceNote(n, 0, true)
	if n.kind == noteKernel {
		p.pprint("suicide: " + n.msg + "\n")
	}
	p.nmu.Lock()
	p.lastnote = n
	p.nmu.Unlock()
	if n.kind == noteUser {
		p.noteDeath = fmt.Sprintf("%s %d: %s", p.text, p.pid, n.msg)
	}
	p.exits(n.msg)
	p.killed.Store(true)
}

// pushNote builds the note frame on the user stack and enters the
// handler (§6.3).
func (p *Proc) pushNote(n note, handler uint64) bool {
	c := p.cpu
	w := p.abi.w
	usp := c.R[cpu.RSP]
	ureg := usp - 256 - p.abi.uregSize
	if w == 4 {
		ureg = uint64(uint32(ureg))
	}
	u := p.abi.putUreg(c, n.trap, n.ecode)
	if err := c.WriteGuest(u, ureg); err != nil {
		return false
	}
	if p.writeWord(ureg-w, p.ureg) != nil {
		return false
	}
	noteAddr := ureg - w - 128
	var nb [128]byte
	copy(nb[:127], n.msg)
	if c.WriteGuest(nb[:], noteAddr) != nil {
		return false
	}
	sp := noteAddr - 3*w
	if p.writeWord(sp, 0) != nil || p.writeWord(sp+w, ureg) != nil || p.writeWord(sp+2*w, noteAddr) != nil {
		return false
	}
	p.ureg = ureg
	fp := c.SaveFP() // restored by noted
	p.fpsave = &fp
	c.PC = handler
	c.R[cpu.RSP] = sp
	if w == 8 {
		c.R[cpu.RBP] = ureg
	}
	return true
}

// sysNotify implements notify(2).
func sysNotify(p *Proc, a *args) (uint64, error) {
	p.nmu.Lock()
	p.notifyPC = a.ptr(0)
	p.nmu.Unlock()
	return 0, nil
}

// sysNoted implements noted(2): reload the registers from the Ureg on the
// user stack (handlers edit it) and continue, or take the default action
// (§6.5).
func sysNoted(p *Proc, a *args) (uint64, error) {
	v := a.int(0)
	p.nmu.Lock()
	notified := p.notified
	last := p.lastnote
	p.nmu.Unlock()
	if v != NRSTR && !notified {
		p.pprint("call to noted() when not notified\n")
		p.exits("Suicide")
		return 0, errNoReturn
	}
	c := p.cpu
	w := p.abi.w
	ureg := p.ureg
	switch v {
	case NCONT, NRSTR, NSAVE:
		u := make([]byte, p.abi.uregSize)
		if err := c.ReadGuest(u, ureg); err != nil {
			p.dieOfNote(note{msg: "sys: trap in noted", kind: noteKernel})
			return 0, errNoReturn
		}
		prev, err := p.readWordErr(ureg - w)
		if err != nil {
			p.dieOfNote(note{msg: "sys: trap in noted", kind: noteKernel})
			return 0, errNoReturn
		}
		if fp := p.fpsave; fp != nil {
			c.RestoreFP(*fp)
		}
		p.abi.getUreg(c, u)
		if v == NSAVE {
			c.R[cpu.RSP] = ureg - 4*w - 128
			if w == 8 {
				c.R[cpu.RBP] = ureg
			}
		} else {
			p.ureg = prev
		}
		p.nmu.Lock()
		p.notified = false
		p.nmu.Unlock()
		return 0, errNoReturn
	default:
		if v != NDFLT {
			last.kind = noteKernel
		}
		p.dieOfNote(last)
		return 0, errNoReturn
	}
}

func (p *Proc) readWordErr(a uint64) (uint64, error) {
	if p.abi.w == 8 {
		return p.cpu.ReadU64(a)
	}
	v, err := p.cpu.ReadU32(a)
	return uint64(v), err
}
