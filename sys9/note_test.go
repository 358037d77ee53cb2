package sys9

import (
	"fmt"
	"strings"
	"testing"

	"9emu/aout"
	"9emu/cpu"
)

// Ureg offsets (§6.4) the tests use.
type uregOffs struct{ ax, bx, cx, dx, si, di, pc, sp, trap, ecode, cs, ss, size uint64 }

func uregOf(arch aout.Arch) uregOffs {
	if arch == aout.ArchAMD64 {
		return uregOffs{ax: 0, bx: 8, cx: 16, dx: 24, si: 32, di: 40, pc: 144, sp: 168, trap: 128, ecode: 136,
			cs: 152, ss: 176, size: 184}
	}
	return uregOffs{ax: 28, bx: 16, cx: 24, dx: 20, si: 4, di: 0, pc: 56, sp: 68, trap: 48, ecode: 52,
		cs: 60, ss: 72, size: 76}
}

// The note frame of §6.3, seen from a handler: a read fault at address
// 0 with known registers; the handler records its SP and arguments,
// edits the Ureg (PC, AX, BX) and continues with noted(NCONT), which
// must reload the registers from the edited Ureg.
func TestNoteFrame(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			w := a.w()
			u := uregOf(arch)
			vars := a.bytes(make([]byte, 16*8))
			v := func(i int) uint64 { return vars + uint64(i)*8 }
			// Copies of the frame the handler finds, made before it edits
			// the Ureg: the process's memory is gone when the test looks.
			uregCopy := a.bytes(make([]byte, u.size))
			noteCopy := a.bytes(make([]byte, 128))
			prevCopy := a.bytes(make([]byte, 8))
			const (
				vUSP = iota
				vHSP
				vHRet
				vHUreg
				vHNote
				vHRBP
				vOrigPC
				vAfterAX
				vAfterBX
				vAfterSP
				vAfterSI
				vFaultPC
			)
			a.sys(28, lbl("handler"))
			a.movImm(cpu.RBX, 0xB0B0)
			a.movImm(cpu.RCX, 0xC0C0)
			a.movImm(cpu.RDX, 0xD0D0)
			a.movImm(cpu.RSI, 0x5151)
			a.movImm(cpu.RDI, 0xD1D1)
			a.store(v(vUSP), cpu.RSP)
			a.label("fault")
			a.load(cpu.RAX, 0) // read fault at address 0
			a.label("resume")
			a.store(v(vAfterAX), cpu.RAX)
			a.store(v(vAfterBX), cpu.RBX)
			a.store(v(vAfterSP), cpu.RSP)
			a.store(v(vAfterSI), cpu.RSI)
			a.exitsDump("done")

			a.label("handler")
			a.store(v(vHSP), cpu.RSP)
			a.store(v(vHRBP), cpu.RBP)
			a.loadBase(cpu.RAX, cpu.RSP, 0)
			a.store(v(vHRet), cpu.RAX)
			a.loadBase(cpu.RAX, cpu.RSP, int32(w))
			a.store(v(vHUreg), cpu.RAX)
			a.loadBase(cpu.RAX, cpu.RSP, int32(2*w))
			a.store(v(vHNote), cpu.RAX)
			a.load(cpu.RSI, v(vHUreg))
			a.copyMem(uregCopy, cpu.RSI, int(u.size))
			a.load(cpu.RSI, v(vHNote))
			a.copyMem(noteCopy, cpu.RSI, 128)
			a.load(cpu.RSI, v(vHUreg))
			a.lea(cpu.RSI, cpu.RSI, -int32(w))
			a.copyMem(prevCopy, cpu.RSI, int(w))
			a.load(cpu.RCX, v(vHUreg))
			a.loadBase(cpu.RAX, cpu.RCX, int32(u.pc))
			a.store(v(vOrigPC), cpu.RAX)
			a.movLabel(cpu.RAX, "resume")
			a.storeBase(cpu.RCX, int32(u.pc), cpu.RAX)
			a.movImm(cpu.RAX, 0x12345678)
			a.storeBase(cpu.RCX, int32(u.ax), cpu.RAX)
			a.movImm(cpu.RAX, 0xABCD)
			a.storeBase(cpu.RCX, int32(u.bx), cpu.RAX)
			a.movLabel(cpu.RAX, "fault")
			a.store(v(vFaultPC), cpu.RAX)
			a.sys(29, NCONT)
			a.exits("noted returned")

			r := runProg(t, a, runOpts{})
			if r.exit != "done" {
				t.Fatalf("exit %q, stderr %q", r.exit, r.stderr)
			}
			word := func(i int) uint64 { return r.word(t, v(i)) }
			usp, faultPC := word(vUSP), a.addr("fault")
			var uregAt, noteAt, hsp uint64
			if arch == aout.ArchAMD64 {
				uregAt, noteAt, hsp = usp-440, usp-576, usp-600
			} else {
				uregAt, noteAt, hsp = usp-332, usp-464, usp-476
			}
			if got := word(vHSP); got != hsp {
				t.Errorf("handler SP %#x, want usp-%d = %#x", got, usp-hsp, hsp)
			}
			if got := word(vHRet); got != 0 {
				t.Errorf("fake return PC %#x, want 0", got)
			}
			if got := word(vHUreg); got != uregAt {
				t.Errorf("ureg argument %#x, want %#x", got, uregAt)
			}
			if got := word(vHNote); got != noteAt {
				t.Errorf("note argument %#x, want %#x", got, noteAt)
			}
			if arch == aout.ArchAMD64 && word(vHRBP) != uregAt {
				t.Errorf("RBP in the handler %#x, want the ureg %#x", word(vHRBP), uregAt)
			}
			if got := word(vOrigPC); got != faultPC {
				t.Errorf("ureg pc %#x, want the faulting instruction %#x", got, faultPC)
			}
			note := r.mem(t, noteCopy, 128)
			wantNote := fmt.Sprintf("sys: trap: fault read addr=0x0 pc=%#x", faultPC)
			if i := strings.IndexByte(string(note), 0); i < 0 || string(note[:i]) != wantNote {
				t.Errorf("note %q, want %q", note, wantNote)
			}
			if prev := r.word(t, prevCopy); prev != 0 {
				t.Errorf("previous ureg pointer %#x, want 0", prev)
			}
			uw := func(off uint64) uint64 { return r.word(t, uregCopy+off) }
			for _, c := range []struct {
				name string
				off  uint64
				want uint64
			}{
				{"bx", u.bx, 0xB0B0}, {"cx", u.cx, 0xC0C0}, {"dx", u.dx, 0xD0D0}, {"si", u.si, 0x5151}, {"di", u.di, 0xD1D1},
				{"sp", u.sp, usp}, {"trap", u.trap, 14}, {"ecode", u.ecode, 4},
			} {
				if got := uw(c.off); got != c.want {
					t.Errorf("ureg.%s = %#x, want %#x", c.name, got, c.want)
				}
			}
			if arch == aout.Arch386 {
				for _, c := range []struct {
					name      string
					off, want uint64
				}{{"cs", u.cs, 0x23}, {"ss", u.ss, 0x1B}, {"ds", 44, 0x1B}, {"es", 40, 0x1B}, {"fs", 36, 0}, {"gs", 32, 0}} {
					if got := uw(c.off); got != c.want {
						t.Errorf("ureg.%s = %#x, want %#x", c.name, got, c.want)
					}
				}
			} else if uw(u.cs) != 0x2B || uw(u.ss) != 0x23 {
				t.Errorf("ureg cs %#x ss %#x", uw(u.cs), uw(u.ss))
			}
			// noted(NCONT) reloaded the edited registers.
			if got := word(vAfterAX); got != 0x12345678 {
				t.Errorf("AX after noted %#x, want the edited 0x12345678", got)
			}
			if got := word(vAfterBX); got != 0xABCD {
				t.Errorf("BX after noted %#x, want the edited 0xABCD", got)
			}
			if got := word(vAfterSP); got != usp {
				t.Errorf("SP after noted %#x, want %#x", got, usp)
			}
			if got := word(vAfterSI); got != 0x5151 {
				t.Errorf("SI after noted %#x", got)
			}
		})
	}
}

// A note that interrupts a system call is delivered with the Ureg's PC
// just after the trap and AX = -1; the handler's noted(NDFLT) takes the
// default action.
func TestNoteDefaultAction(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			u := uregOf(arch)
			vars := a.bytes(make([]byte, 32))
			a.sys(28, lbl("handler"))
			a.sys(6, 1) // alarm(1)
			a.label("loop")
			a.sys(17, 3600000)
			a.jmp("loop")
			a.label("handler")
			a.loadBase(cpu.RCX, cpu.RSP, int32(a.w()))
			a.loadBase(cpu.RAX, cpu.RCX, int32(u.ax))
			a.store(vars, cpu.RAX)
			a.loadBase(cpu.RAX, cpu.RCX, int32(u.trap))
			a.store(vars+8, cpu.RAX)
			a.dumpData()
			a.sys(29, NDFLT)
			a.exits("noted returned")
			r := runProg(t, a, runOpts{})
			if r.exit != "alarm" {
				t.Errorf("exit %q, want alarm", r.exit)
			}
			if r.stderr != "" {
				t.Errorf("stderr %q for a user note", r.stderr)
			}
			if ax := r.word(t, vars); ax != uint64(1<<(8*a.w())-1) && !(a.w() == 8 && ax == ^uint64(0)) {
				t.Errorf("ureg.ax %#x, want -1 from the interrupted sleep", ax)
			}
			if trap := r.word(t, vars+8); trap != 64 {
				t.Errorf("ureg.trap %d, want 64 (system call)", trap)
			}
		})
	}
}

// noted(NDFLT) for a kernel note: the suicide line and the note as the
// exit status, as if there were no handler.
func TestNoteDefaultKernel(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			a.sys(28, lbl("handler"))
			a.label("bad")
			a.load(cpu.RAX, 0)
			a.exits("survived")
			a.label("handler")
			a.sys(29, NDFLT)
			a.exits("noted returned")
			r := runProg(t, a, runOpts{})
			note := fmt.Sprintf("sys: trap: fault read addr=0x0 pc=%#x", a.addr("bad"))
			if r.exit != note {
				t.Errorf("exit %q, want %q", r.exit, note)
			}
			if want := "t 1: suicide: " + note + "\n"; r.stderr != want {
				t.Errorf("stderr %q, want %q", r.stderr, want)
			}
		})
	}
}

// Faults and traps without a handler: the kernel note, the suicide line
// on fd 2, the exit status (§6.1, §6.2).
func TestFaultNotes(t *testing.T) {
	type trapCase struct {
		name string
		code func(a *asm)
		note func(a *asm) string
	}
	at := func(a *asm) string { return fmt.Sprintf("pc=%#x", a.addr("bad")) }
	cases := []trapCase{
		{"read nil", func(a *asm) { a.label("bad"); a.load(cpu.RAX, 0) },
			func(a *asm) string { return "sys: trap: fault read addr=0x0 " + at(a) }},
		{"write", func(a *asm) { a.label("bad"); a.store(0x10, cpu.RAX) },
			func(a *asm) string { return "sys: trap: fault write addr=0x10 " + at(a) }},
		{"read high", func(a *asm) { a.movImm(cpu.RBX, 0x7654321); a.label("bad"); a.loadBase(cpu.RAX, cpu.RBX, 0) },
			func(a *asm) string { return "sys: trap: fault read addr=0x7654321 " + at(a) }},
		{"jump to nil", func(a *asm) { a.movImm(cpu.RBX, 0); a.label("bad0"); a.emit(0xFF, 0xE3) },
			func(a *asm) string { return "sys: trap: fault read addr=0x0 pc=0x0" }},
		{"divide", func(a *asm) {
			a.movImm(cpu.RCX, 0)
			a.movImm(cpu.RAX, 1)
			a.movImm(cpu.RDX, 0)
			a.label("bad")
			a.emit(0xF7, 0xF1) // div ecx
		}, func(a *asm) string { return "sys: trap: divide error " + at(a) }},
		{"invalid opcode", func(a *asm) { a.label("bad"); a.emit(0x0F, 0x0B) },
			func(a *asm) string { return "sys: trap: invalid opcode " + at(a) }},
		// 9front's debugbpt rewinds the PC to the INT3 itself.
		{"breakpoint", func(a *asm) { a.label("bad"); a.emit(0xCC) },
			func(a *asm) string { return "sys: breakpoint " + at(a) }},
		{"privileged", func(a *asm) { a.label("bad"); a.emit(0xF4) }, // hlt
			func(a *asm) string { return "sys: trap: general protection violation " + at(a) }},
		{"bad sys call", func(a *asm) { a.sys(48); a.labels["bad"] = int(a.trapEnd - a.textStart()) },
			func(a *asm) string { return "sys: bad sys call " + at(a) }},
	}
	for _, arch := range arches {
		for _, c := range cases {
			t.Run(arch.String()+"/"+c.name, func(t *testing.T) {
				a := newAsm(arch)
				c.code(a)
				a.exits("survived")
				r := runProg(t, a, runOpts{})
				note := c.note(a)
				if r.exit != note {
					t.Errorf("exit %q, want %q", r.exit, note)
				}
				if want := fmt.Sprintf("t %d: suicide: %s\n", r.p.pid, note); r.stderr != want {
					t.Errorf("stderr %q, want %q", r.stderr, want)
				}
				if n, ok := r.p.NoteDeath(); ok {
					t.Errorf("NoteDeath %q for a kernel note", n)
				}
			})
		}
	}
}

// INT $0x40 is not a system call on amd64 (§3.2): a GP fault.
func TestInt40OnAMD64(t *testing.T) {
	a := newAsm(aout.ArchAMD64)
	a.movImm(cpu.RAX, 8) // exits, were it a call
	a.label("bad")
	a.emit(0xCD, 0x40)
	a.exits("survived")
	r := runProg(t, a, runOpts{})
	if want := fmt.Sprintf("sys: trap: general protection violation pc=%#x", a.addr("bad")); r.exit != want {
		t.Errorf("exit %q, want %q", r.exit, want)
	}
}

// A fault inside the handler is fatal: a kernel note while notified.
func TestFaultInHandler(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			a.sys(28, lbl("handler"))
			a.load(cpu.RAX, 0)
			a.exits("survived")
			a.label("handler")
			a.label("bad")
			a.load(cpu.RAX, 8)
			a.exits("handler survived")
			r := runProg(t, a, runOpts{})
			want := fmt.Sprintf("sys: trap: fault read addr=0x8 pc=%#x", a.addr("bad"))
			if r.exit != want {
				t.Errorf("exit %q, want %q", r.exit, want)
			}
			if !strings.HasSuffix(r.stderr, "suicide: "+want+"\n") {
				t.Errorf("stderr %q", r.stderr)
			}
		})
	}
}

// A bad address in a system call: the kernel prints its diagnostic,
// posts "sys: bad address in syscall" (fatal without a handler) and the
// call fails with "bad arg in system call" (§3.5).
func TestBadAddressNote(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			bad := uint64(0x800)
			if arch == aout.ArchAMD64 {
				bad = 0x100000
			}
			a.sys(14, bad, OREAD)
			after := a.trapEnd
			a.exits("survived")
			r := runProg(t, a, runOpts{})
			note := fmt.Sprintf("sys: bad address in syscall pc=%#x", after)
			if r.exit != note {
				t.Errorf("exit %q, want %q", r.exit, note)
			}
			lines := strings.SplitAfter(r.stderr, "\n")
			wantLast := fmt.Sprintf("t 1: suicide: %s\n", note)
			if len(lines) < 1 || !strings.Contains(r.stderr, wantLast) {
				t.Errorf("stderr %q lacks %q", r.stderr, wantLast)
			}
			if !strings.HasPrefix(r.stderr, fmt.Sprintf("t 1: suicide: invalid address %#x/", bad)) {
				t.Errorf("stderr %q lacks the kernel's invalid-address line", r.stderr)
			}
		})
	}
}

// The same with a handler: the call returns -1 with the error, and the
// handler gets the note.
func TestBadAddressHandled(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			vars := a.bytes(make([]byte, 16))
			ebuf := a.bytes(make([]byte, 128))
			nbuf := a.bytes(make([]byte, 128))
			a.sys(28, lbl("handler"))
			a.sys(14, uint64(tpUnmapped(arch)), OREAD)
			a.store(vars, cpu.RAX)
			a.sys(41, ebuf, 128)
			a.exitsDump("")
			a.label("handler")
			a.loadBase(cpu.RSI, cpu.RSP, int32(2*a.w()))
			a.movImm(cpu.RDI, nbuf)
			a.movImm(cpu.RCX, 64)
			a.emit(0xF3, 0xA4) // rep movsb: copy the note
			a.sys(29, NCONT)
			r := runProg(t, a, runOpts{})
			if r.exit != "" {
				t.Fatalf("exit %q stderr %q", r.exit, r.stderr)
			}
			if ret := r.word(t, vars); ret != uint64(1<<(8*a.w())-1) && !(a.w() == 8 && ret == ^uint64(0)) {
				t.Errorf("open returned %#x, want -1", ret)
			}
			if e := cstr(r.mem(t, ebuf, 128)); e != string(Ebadarg) {
				t.Errorf("errstr %q", e)
			}
			if n := cstr(r.mem(t, nbuf, 64)); !strings.HasPrefix(n, "sys: bad address in syscall pc=0x") {
				t.Errorf("note %q", n)
			}
		})
	}
}

func tpUnmapped(arch aout.Arch) uint64 {
	if arch == aout.ArchAMD64 {
		return 0x100000
	}
	return 0x800
}

func cstr(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}

// Floating-point exceptions the kernel's FPU settings leave unmasked
// (§9: x87 control word 0x232 on both architectures, MXCSR 0x1900 on
// amd64) become "sys: fp:" notes naming the exception, the instruction
// that raised it (fppc) and the status; an x87 exception is reported at
// the next waiting instruction.
func TestFPNotes(t *testing.T) {
	type fpCase struct {
		name  string
		arch  aout.Arch
		code  func(a *asm)
		fppc  string // label of the instruction that raised it
		pc    string // label of the instruction that trapped
		state string // expected status= value
	}
	x87 := func(a *asm) {
		a.emit(0xD9, 0xE8) // fld1
		a.emit(0xD9, 0xEE) // fldz
		a.label("raise")
		a.emit(0xDE, 0xF9) // fdivp st(1), st(0): 1/0
		a.label("trap")
		a.emit(0x9B) // fwait
	}
	sse := func(a *asm) {
		a.movImm(cpu.RAX, 0x3FF0000000000000)
		a.emit(0x66, 0x48, 0x0F, 0x6E, 0xC0) // movq xmm0, rax
		a.emit(0x66, 0x0F, 0x57, 0xC9)       // xorpd xmm1, xmm1
		a.label("raise")
		a.emit(0xF2, 0x0F, 0x5E, 0xC1) // divsd xmm0, xmm1
	}
	cases := []fpCase{
		{"x87 386", aout.Arch386, x87, "raise", "trap", ""},
		{"x87 amd64", aout.ArchAMD64, x87, "raise", "trap", ""},
		{"sse amd64", aout.ArchAMD64, sse, "raise", "raise", "0x4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newAsm(c.arch)
			c.code(a)
			a.exits("survived")
			r := runProg(t, a, runOpts{})
			prefix := fmt.Sprintf("sys: fp: division by zero fppc=%#x status=", a.addr(c.fppc))
			suffix := fmt.Sprintf(" pc=%#x", a.addr(c.pc))
			if !strings.HasPrefix(r.exit, prefix) || !strings.HasSuffix(r.exit, suffix) {
				t.Fatalf("exit %q, want %q...%q", r.exit, prefix, suffix)
			}
			if c.state != "" && r.exit != prefix+c.state+suffix {
				t.Errorf("exit %q, want status %s", r.exit, c.state)
			}
		})
	}
}

// A note that comes as a thread of a Go program exits (another thread
// posts "go: exit" to every sibling) is not delivered after the exit:
// the thread's memory is gone, so delivery would fail and print a
// suicide message on the fd table the siblings still share.
func TestNoNoteAfterExit(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.p.fgrp.incref() // a sibling thread shares the fd table
			tp.p.nmu.Lock()
			tp.p.notifyPC = tp.arch.UTZero() + 0x20
			tp.p.nmu.Unlock()
			tp.p.postnote("go: exit 1", noteUser, false)
			tp.p.exits("1")
			tp.p.donotes()
			if s := tp.out.String() + tp.errw.String(); s != "" {
				t.Errorf("output after exit: %q", s)
			}
			if tp.p.exitMsg != "1" {
				t.Errorf("exit message %q", tp.p.exitMsg)
			}
		})
	}
}
