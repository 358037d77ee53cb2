package sys9

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"9emu/aout"
	"9emu/cpu"
	"9emu/mem"
)

// rfork flags (fork(2)).
const (
	RFNAMEG  = 1 << 0
	RFENVG   = 1 << 1
	RFFDG    = 1 << 2
	RFNOTEG  = 1 << 3
	RFPROC   = 1 << 4
	RFMEM    = 1 << 5
	RFNOWAIT = 1 << 6
	RFCNAMEG = 1 << 10
	RFCENVG  = 1 << 11
	RFCFDG   = 1 << 12
	RFREND   = 1 << 13
	RFNOMNT  = 1 << 14
)

// sysExits implements exits(2).
func sysExits(p *Proc, a *args) (uint64, error) {
	msg := ""
	if a.ptr(0) != 0 {
		s, _, err := p.cpu.ReadString(a.ptr(0), 127)
		if err != nil {
			s = "invalid exit string"
		}
		msg = s
	}
	p.exits(msg)
	return 0, errNoReturn
}

// sysRfork implements rfork(2) (§4.2, §4.3).
func sysRfork(p *Proc, a *args) (uint64, error) {
	flag := int(a.uint(0))
	if flag&(RFFDG|RFCFDG) == RFFDG|RFCFDG || flag&(RFNAMEG|RFCNAMEG) == RFNAMEG|RFCNAMEG ||
		flag&(RFENVG|RFCENVG) == RFENVG|RFCENVG {
		return 0, Ebadarg
	}
	if flag&RFPROC == 0 {
		if flag&(RFMEM|RFNOWAIT) != 0 {
			return 0, Ebadarg
		}
		p.applyGroups(p, flag)
		return 0, nil
	}
	if !p.k.reserveProc() {
		return 0, Enoprocs
	}
	child := p.k.newProc()
	child.parent = p
	child.ppid = p.pid
	child.noteid = p.noteid
	child.text, child.args, child.exe, child.arch, child.abi = p.text, p.args, p.exe, p.arch, p.abi
	child.image = p.image
	child.setDot(p.dot())
	child.fgrp, child.pgrp, child.egrp, child.rgrp = p.fgrp, p.pgrp, p.egrp, p.rgrp
	child.notifyPC = p.notifyPC
	p.applyGroups(child, flag)
	if flag&RFFDG == 0 && flag&RFCFDG == 0 {
		child.fgrp.incref()
	}
	// Memory: text and shared segments are always shared, data and bss
	// only with RFMEM, and the stack is always copied.
	share := func(g *mem.Segment) bool {
		switch g.Kind {
		case mem.Stack:
			return false
		case mem.Data, mem.Bss:
			return flag&RFMEM != 0
		}
		return true
	}
	p.stopDomain()
	child.mem = p.mem.Fork(share)
	child.cpu = p.cpu.Clone(child.mem)
	child.bss = child.mem.Find(mem.Bss)
	child.abi.setRet(child.cpu, 0)
	if err := child.setTosPid(); err != nil {
		p.k.addReserved(nil)
		return 0, err
	}
	if flag&RFNOWAIT != 0 {
		child.nowait = true
	} else {
		p.wmu.Lock()
		p.nchild++
		p.wmu.Unlock()
	}
	p.k.addReserved(child)
	p.traceFork(child)
	go child.run()
	return uint64(child.pid), nil
}

// stopDomain asks every other process whose memory shares p's domain to
// leave the CPU, so that Fork can mark pages copy-on-write while no one
// stores through cached page pointers (mem.Space.Enter).
func (p *Proc) stopDomain() {
	for _, pid := range p.k.pids() {
		if q := p.k.proc(pid); q != nil && q != p && q.mem != nil && q.cpu != nil && q.mem.SameDomain(p.mem) {
			q.cpu.Interrupt()
		}
	}
}

// applyGroups makes the groups of target follow flag: RFFDG/RFCFDG,
// RFNAMEG/RFCNAMEG/RFNOMNT, RFENVG/RFCENVG, RFNOTEG, RFREND.
func (p *Proc) applyGroups(target *Proc, flag int) {
	if flag&RFFDG != 0 {
		old := target.fgrp
		target.fgrp = old.dup()
		if target == p {
			old.release(p)
		}
	} else if flag&RFCFDG != 0 {
		old := target.fgrp
		target.fgrp = newFgrp()
		if target == p {
			old.release(p)
		}
	}
	if flag&RFNAMEG != 0 {
		target.pgrp = target.pgrp.dup()
	} else if flag&RFCNAMEG != 0 {
		root, _ := p.k.devtab['/'].Attach(p, "")
		target.pgrp = newPgrp(root)
	}
	if flag&RFNOMNT != 0 {
		if flag&(RFNAMEG|RFCNAMEG) == 0 {
			target.pgrp = target.pgrp.dup()
		}
		target.pgrp.noattach = true
	}
	if flag&RFENVG != 0 {
		target.egrp = target.egrp.dup()
	} else if flag&RFCENVG != 0 {
		target.egrp = newEgrp(nil)
	}
	if flag&RFNOTEG != 0 {
		target.noteid = p.k.newNoteid()
	}
	if flag&RFREND != 0 {
		target.rgrp = newRgrp()
	}
}

// sysExec implements exec(2): a.out files of either architecture, and
// #! scripts (§4.3).
func sysExec(p *Proc, a *args) (uint64, error) {
	name, err := p.readName(a.ptr(0))
	if err != nil {
		return 0, err
	}
	var argv []string
	w := p.abi.w
	total := 0
	for i := uint64(0); ; i++ {
		var ptr uint64
		var err error
		if w == 8 {
			ptr, err = p.cpu.ReadU64(a.ptr(1) + i*8)
		} else {
			var v uint32
			v, err = p.cpu.ReadU32(a.ptr(1) + i*4)
			ptr = uint64(v)
		}
		if err != nil {
			return 0, &badAddr{addr: a.ptr(1)}
		}
		if ptr == 0 {
			break
		}
		s, ok, err := p.cpu.ReadString(ptr, 1<<20)
		if err != nil {
			return 0, &badAddr{addr: ptr}
		}
		if !ok {
			return 0, Etoobig
		}
		total += len(s) + 1
		if total > 16<<20 {
			return 0, Etoobig
		}
		argv = append(argv, s)
	}
	if err := p.exec(name, argv); err != nil {
		return 0, err
	}
	return 0, errNoReturn
}

// exec replaces the image of p; on failure p is unchanged.
func (p *Proc) exec(name string, argv []string) error {
	f, c, err := p.openExec(name)
	if err != nil {
		ee, ok := err.(*execError)
		if !ok {
			return err
		}
		if !ee.script {
			return Ebadexec
		}
		interp, iargs, perr := parseShebang(ee.data)
		if perr != nil {
			return perr
		}
		base := argv0Base(name, argv)
		nargv := append([]string{base}, iargs...)
		nargv = append(nargv, name)
		if len(argv) > 1 {
			nargv = append(nargv, argv[1:]...)
		}
		f, c, err = p.openExec(interp)
		if err != nil {
			if _, ok := err.(*execError); ok {
				return Ebadexec
			}
			return err
		}
		argv = nargv
		name2 := c.Name
		if err := p.commitExec(f, name2, argv); err != nil {
			return err
		}
		p.text = base
		return nil
	}
	return p.commitExec(f, c.Name, argv)
}

func argv0Base(name string, argv []string) string {
	_, b := splitLast(cleanname(name))
	return b
}

// parseShebang splits a "#!" line (up to 256 bytes, at most 32 tokens).
func parseShebang(data []byte) (string, []string, error) {
	line := data[2:]
	if len(line) > 254 {
		line = line[:254]
	}
	if i := strings.IndexByte(string(line), '\n'); i >= 0 {
		line = line[:i]
	} else if len(data) > 256 {
		return "", nil, Ebadexec
	}
	f := tokenize(string(line))
	if len(f) == 0 || len(f) > 32 {
		return "", nil, Ebadexec
	}
	return f[0], f[1:], nil
}

// commitExec installs the new image: close-on-exec fds closed, notes
// and the handler dropped.
func (p *Proc) commitExec(f *aout.File, name string, argv []string) error {
	old := p.cpu
	oldMem := p.mem
	if err := p.load(f, name, argv); err != nil {
		p.cpu, p.mem = old, oldMem
		return err
	}
	oldMem.Release()
	p.fgrp.closeAll(p, true)
	p.nmu.Lock()
	p.notifyPC = 0
	p.notes = nil
	p.notified = false
	p.nmu.Unlock()
	return nil
}

// sysAwait implements await(2).
func sysAwait(p *Proc, a *args) (uint64, error) {
	w, err := p.await()
	if err != nil {
		return 0, err
	}
	s := fmt.Sprintf("%d %d %d %d %s", w.pid, w.utime, w.stime, w.rtime, quote(w.msg))
	// As snprint: at most n-1 bytes and a NUL.
	n := int(a.uint(1))
	if n <= 0 {
		return 0, nil
	}
	if len(s) > n-1 {
		s = s[:n-1]
	}
	if err := p.writeBytes(a.ptr(0), append([]byte(s), 0)); err != nil {
		return 0, err
	}
	return uint64(len(s)), nil
}

func (p *Proc) await() (waitmsg, error) {
	for {
		p.wmu.Lock()
		if len(p.waitq) > 0 {
			w := p.waitq[0]
			p.waitq = p.waitq[1:]
			p.wmu.Unlock()
			return w, nil
		}
		if p.nchild <= 0 {
			p.wmu.Unlock()
			return waitmsg{}, Enochild
		}
		p.wmu.Unlock()
		if err := p.block(p.waitwake, "Await"); err != nil {
			return waitmsg{}, err
		}
	}
}

// sysSleep implements sleep(2): ms <= 0 yields.
func sysSleep(p *Proc, a *args) (uint64, error) {
	ms := a.int(0)
	if ms <= 0 {
		return 0, nil
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	if err := p.blockTimer(t.C, "Sleep"); err != nil {
		return 0, err
	}
	return 0, nil
}

// sysAlarm implements alarm(2): the note "alarm" after ms; returns what
// was left of the previous alarm.
func sysAlarm(p *Proc, a *args) (uint64, error) {
	ms := a.uint(0)
	p.alarmMu.Lock()
	defer p.alarmMu.Unlock()
	var left uint64
	if p.alarm != nil {
		if p.alarm.Stop() {
			if d := time.Until(p.alarmAt); d > 0 {
				left = uint64(d.Milliseconds())
			}
		}
		p.alarm = nil
	}
	if ms > 0 {
		p.alarmAt = time.Now().Add(time.Duration(ms) * time.Millisecond)
		p.alarm = time.AfterFunc(time.Duration(ms)*time.Millisecond, func() {
			p.postnote("alarm", noteUser, false)
		})
	}
	return left, nil
}

func (p *Proc) cancelAlarm() {
	p.alarmMu.Lock()
	if p.alarm != nil {
		p.alarm.Stop()
		p.alarm = nil
	}
	p.alarmMu.Unlock()
}

// sysNsec implements 9front's _nsec(vlong*): on 386 the time is stored
// through the pointer, on amd64 it is returned.
func sysNsec(p *Proc, a *args) (uint64, error) {
	t := p.k.now().UnixNano()
	if p.abi.w == 4 {
		if a.ptr(0) != 0 {
			if err := p.writeVlong(a.ptr(0), t); err != nil {
				return 0, err
			}
		}
		return 0, nil
	}
	return uint64(t), nil
}

// sysErrstr implements errstr(2): an exchange of the process's error
// string and the buffer.
func sysErrstr(p *Proc, a *args) (uint64, error) {
	n := int(a.uint(1))
	if n == 0 {
		return 0, Ebadarg
	}
	if n > 128 {
		n = 128
	}
	s, _, err := p.cpu.ReadString(a.ptr(0), n)
	if err != nil {
		return 0, &badAddr{addr: a.ptr(0)}
	}
	old := truncUTF8(p.errstr, n-1)
	if err := p.writeBytes(a.ptr(0), append([]byte(old), 0)); err != nil {
		return 0, err
	}
	p.errstr = truncUTF8(s, n-1)
	return 0, nil
}

// sysOErrstr is the obsolete errstr with a fixed 64-byte buffer.
func sysOErrstr(p *Proc, a *args) (uint64, error) {
	a.v[1] = 64
	return sysErrstr(p, a)
}

// sysBrk implements brk_ (§1.4): move the top of the bss segment.
func sysBrk(p *Proc, a *args) (uint64, error) {
	addr := a.ptr(0)
	g := p.bss
	if g == nil {
		return 0, Ebadarg
	}
	base, top := g.Bounds()
	if addr == 0 {
		return uint64(base), nil
	}
	if addr < uint64(base) {
		if d := p.mem.Find(mem.Data); d != nil && mem.Addr(addr) >= d.Base() {
			addr = uint64(base)
		} else {
			return 0, Enovmem
		}
	}
	nt := mem.RoundUp(mem.Addr(addr), mem.PageSize)
	if nt < top && p.sharedMem() {
		return 0, Einuse
	}
	limit := uint64(64 << 30)
	if p.arch == aout.Arch386 {
		limit = 1984 << 20
	}
	if uint64(nt-base) > limit || uint64(nt) > p.arch.StackBase() {
		return 0, Enovmem
	}
	if err := p.mem.Resize(g, nt); err != nil {
		return 0, resizeError(err)
	}
	return 0, nil
}

// resizeError is the Plan 9 error for a failed mem.Space.Resize.
func resizeError(err error) error {
	if errors.Is(err, mem.ErrBudget) {
		return Enovmem
	}
	return Esoverlap
}

// sharedMem reports whether another process shares p's bss segment.
func (p *Proc) sharedMem() bool {
	for _, pid := range p.k.pids() {
		q := p.k.proc(pid)
		if q != nil && q != p && q.bss == p.bss {
			return true
		}
	}
	return false
}

func sysSegbrk(p *Proc, a *args) (uint64, error) {
	g := p.mem.SegmentAt(mem.Addr(a.ptr(0)))
	if g == nil {
		return 0, Ebadarg
	}
	if a.ptr(1) == 0 {
		return uint64(g.Base()), nil
	}
	switch g.Kind {
	case mem.Text, mem.Data, mem.Stack, mem.Phys, mem.Fixed, mem.Sticky:
		return 0, Ebadarg
	}
	nt := mem.RoundUp(mem.Addr(a.ptr(1)), mem.PageSize)
	if nt <= g.Base() || uint64(nt) > p.arch.StackBase() {
		return 0, Enovmem
	}
	if err := p.mem.Resize(g, nt); err != nil {
		return 0, resizeError(err)
	}
	return 0, nil
}

// Segment attributes (segattach(2)).
const (
	SG_RONLY = 040
	SG_CEXEC = 0100
)

func sysSegattach(p *Proc, a *args) (uint64, error) {
	attr := a.int(0)
	class, err := p.readName(a.ptr(1))
	if err != nil {
		return 0, err
	}
	va := mem.RoundDown(mem.Addr(a.ptr(2)), mem.PageSize)
	n := mem.RoundUp(mem.Addr(a.ptr(2))+mem.Addr(a.uint(3)), mem.PageSize) - va
	var kind mem.Kind
	switch class {
	case "shared":
		kind = mem.Shared
	case "memory":
		kind = mem.Bss
	default:
		return 0, Ebadarg
	}
	if n == 0 {
		return 0, Ebadarg
	}
	if va == 0 {
		va = p.findHole(n)
		if va == 0 {
			return 0, Enovmem
		}
	}
	if uint64(va+n) > p.arch.StackBase() || va+n < va {
		return 0, Ebadarg
	}
	perm := mem.RW
	if attr&SG_RONLY != 0 {
		perm = mem.Read
	}
	g := mem.NewSegment(kind, va, va+n, perm)
	if err := p.mem.Attach(g); err != nil {
		return 0, Esoverlap
	}
	if b := p.k.budget; b != nil && g.Charge(b) != nil {
		p.mem.Detach(g)
		return 0, Enovmem
	}
	return uint64(va), nil
}

// findHole picks an address for a segment of n bytes below the stack.
func (p *Proc) findHole(n mem.Addr) mem.Addr {
	top := mem.Addr(p.arch.StackBase())
	segs := p.mem.Segments()
	for a := top - n; a > 0 && a < top; a -= n {
		a = mem.RoundDown(a, mem.PageSize)
		ok := true
		for _, g := range segs {
			b, t := g.Bounds()
			if a < t && b < a+n {
				ok = false
				if b > n {
					a = b
				}
				break
			}
		}
		if ok {
			return a
		}
	}
	return 0
}

func sysSegdetach(p *Proc, a *args) (uint64, error) {
	g := p.mem.SegmentAt(mem.Addr(a.ptr(0)))
	if g == nil || g.Kind == mem.Stack {
		return 0, Ebadarg
	}
	p.mem.Detach(g)
	return 0, nil
}

func sysSegfree(p *Proc, a *args) (uint64, error) {
	g := p.mem.SegmentAt(mem.Addr(a.ptr(0)))
	if g == nil {
		return 0, Ebadarg
	}
	g.Free(mem.Addr(a.ptr(0)), mem.Addr(a.uint(1)))
	p.mem.Invalidate()
	return 0, nil
}

func sysSegflush(p *Proc, a *args) (uint64, error) { return 0, nil }

var _ = cpu.RAX
