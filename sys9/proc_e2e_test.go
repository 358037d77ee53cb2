package sys9

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"9emu/aout"
	"9emu/cpu"
)

// minus1 is -1 as a guest word.
func minus1(arch aout.Arch) uint64 {
	if arch == aout.ArchAMD64 {
		return ^uint64(0)
	}
	return 0xFFFFFFFF
}

// parseWait splits an await message: pid, three times, the message.
func parseWait(t *testing.T, s string) (int, string) {
	t.Helper()
	f := tokenize(s)
	if len(f) != 5 {
		t.Fatalf("await message %q has %d fields", s, len(f))
	}
	for _, n := range f[:4] {
		if _, err := strconv.ParseUint(n, 10, 32); err != nil {
			t.Fatalf("await message %q: field %q", s, n)
		}
	}
	pid, _ := strconv.Atoi(f[0])
	return pid, f[4]
}

// rfork(RFPROC|RFMEM): the child shares data and bss but not the stack,
// has its own Tos.pid, and rfork returns 0 in it; the parent gets the
// pid and the child's wait record.
func TestRforkMem(t *testing.T) {
	for _, arch := range arches {
		for _, mem := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/RFMEM=%v", arch, mem), func(t *testing.T) {
				a := newAsm(arch)
				vars := a.bytes(make([]byte, 10*8))
				v := func(i int) uint64 { return vars + uint64(i)*8 }
				const (
					vShared = iota
					vChildPid
					vParentSP
					vChildSP
					vChildTos
					vAwait1
					vAwait2
					vChildRet
					vParentWord
					vParentTos
				)
				wbuf := a.bytes(make([]byte, 128))
				a.store(v(vParentSP), cpu.RSP)
				a.storeImmBase(cpu.RSP, -64, 1)
				flags := RFPROC
				if mem {
					flags |= RFMEM
				}
				a.sys(19, flags)
				a.cmpImm(cpu.RAX, 0)
				a.je("child")
				a.store(v(vChildPid), cpu.RAX)
				a.sys(47, wbuf, 128)
				a.store(v(vAwait1), cpu.RAX)
				a.sys(47, wbuf+100, 20)
				a.store(v(vAwait2), cpu.RAX)
				a.loadBase(cpu.RAX, cpu.RSP, -64)
				a.store(v(vParentWord), cpu.RAX)
				a.load(cpu.RAX, tosAddr(arch)+tosPidOff(arch))
				a.store(v(vParentTos), cpu.RAX)
				a.exitsDump("")
				a.label("child")
				a.store(v(vChildRet), cpu.RAX)
				a.storeImmBase(cpu.RSP, -64, 2)
				a.movImm(cpu.RAX, 2)
				a.store(v(vShared), cpu.RAX)
				a.store(v(vChildSP), cpu.RSP)
				a.load(cpu.RAX, tosAddr(arch)+tosPidOff(arch))
				a.store(v(vChildTos), cpu.RAX)
				a.exits("kid")
				r := runProg(t, a, runOpts{})
				if r.exit != "" {
					t.Fatalf("exit %q stderr %q", r.exit, r.stderr)
				}
				w := func(i int) uint64 { return r.word(t, v(i)) }
				childPid := w(vChildPid)
				if childPid != 2 {
					t.Errorf("child pid %d", childPid)
				}
				if mem && w(vShared) != 2 {
					t.Errorf("RFMEM: the child's store to data is not visible")
				}
				if !mem && (w(vShared) != 0 || w(vChildPid) != childPid) {
					t.Errorf("without RFMEM the child's store is visible: %d", w(vShared))
				}
				psp := w(vParentSP)
				if got := w(vParentWord); got&0xFFFFFFFF != 1 {
					t.Errorf("the parent's stack word is %d: the stack is shared", got)
				}
				if mem {
					if w(vChildSP) != psp {
						t.Errorf("child SP %#x, parent %#x", w(vChildSP), psp)
					}
					if w(vChildTos)&0xFFFFFFFF != childPid {
						t.Errorf("child Tos.pid %d, want %d", w(vChildTos), childPid)
					}
					if w(vChildRet) != 0 {
						t.Errorf("rfork returned %#x in the child", w(vChildRet))
					}
				}
				if pid := w(vParentTos) & 0xFFFFFFFF; pid != 1 {
					t.Errorf("parent Tos.pid %d", pid)
				}
				n := w(vAwait1)
				msg := string(r.mem(t, wbuf, int(n&0xFFFF)))
				pid, m := parseWait(t, msg)
				if pid != int(childPid) || m != "t 2: kid" || !strings.HasSuffix(msg, " 't 2: kid'") {
					t.Errorf("await message %q", msg)
				}
				if w(vAwait2) != minus1(arch) || r.p.errstr != string(Enochild) {
					t.Errorf("second await = %#x %q", w(vAwait2), r.p.errstr)
				}
			})
		}
	}
}

// The await message quotes the status as %q does: ” for success,
// doubled quotes inside.
func TestAwaitQuoting(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			wbuf := a.bytes(make([]byte, 3*128))
			lens := a.bytes(make([]byte, 3*8))
			for i, status := range []string{"", "it's bad", "plain"} {
				a.sys(19, RFPROC|RFFDG)
				a.cmpImm(cpu.RAX, 0)
				a.je(fmt.Sprintf("child%d", i))
				a.sys(47, wbuf+uint64(i)*128, 128)
				a.store(lens+uint64(i)*8, cpu.RAX)
				a.jmp(fmt.Sprintf("next%d", i))
				a.label(fmt.Sprintf("child%d", i))
				a.exits(status)
				a.label(fmt.Sprintf("next%d", i))
			}
			a.exitsDump("")
			r := runProg(t, a, runOpts{})
			for i, want := range []string{"''", "'t 3: it''s bad'", "'t 4: plain'"} {
				n := r.word(t, lens+uint64(i)*8)
				got := string(r.mem(t, wbuf+uint64(i)*128, int(n&0xFF)))
				if !strings.HasSuffix(got, " "+want) || !strings.HasPrefix(got, strconv.Itoa(i+2)+" ") {
					t.Errorf("await message %q, want pid %d and status %s", got, i+2, want)
				}
			}
		})
	}
}

// RFNOWAIT children leave no wait record and are not counted.
func TestRforkNowait(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			res := a.bytes(make([]byte, 8))
			a.sys(19, RFPROC|RFNOWAIT)
			a.cmpImm(cpu.RAX, 0)
			a.je("child")
			a.sys(47, a.bytes(make([]byte, 128)), 128)
			a.store(res, cpu.RAX)
			a.exitsDump("")
			a.label("child")
			a.exits("detached")
			r := runProg(t, a, runOpts{})
			if r.word(t, res) != minus1(arch) || r.p.errstr != string(Enochild) {
				t.Errorf("await = %#x %q, want -1 %q", r.word(t, res), r.p.errstr, Enochild)
			}
		})
	}
}

// Without RFFDG the child shares the fd table: its close closes the
// parent's fd too; with RFFDG it has a copy.
func TestRforkFdTable(t *testing.T) {
	for _, arch := range arches {
		for _, fdg := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/RFFDG=%v", arch, fdg), func(t *testing.T) {
				a := newAsm(arch)
				res := a.bytes(make([]byte, 8))
				b := a.bytes(make([]byte, 8))
				a.sys(14, a.str("/f"), OREAD)
				flags := RFPROC
				if fdg {
					flags |= RFFDG
				}
				a.sys(19, flags)
				a.cmpImm(cpu.RAX, 0)
				a.je("child")
				a.sys(47, a.bytes(make([]byte, 128)), 128)
				a.sys(50, 3, b, 4, 0)
				a.store(res, cpu.RAX)
				a.exitsDump("")
				a.label("child")
				a.sys(4, 3)
				a.exits("")
				r := runProg(t, a, runOpts{files: map[string]string{"f": "data"}})
				got := r.word(t, res)
				if fdg && got != 4 {
					t.Errorf("RFFDG: parent read = %#x %q, want 4", got, r.p.errstr)
				}
				if !fdg && (got != minus1(arch) || r.p.errstr != string(Ebadfd)) {
					t.Errorf("shared table: parent read = %#x %q, want -1 %q", got, r.p.errstr, Ebadfd)
				}
			})
		}
	}
}

// rendezvous exchanges values between two processes of one group.
func TestRendezvous(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			res := a.bytes(make([]byte, 16))
			a.sys(19, RFPROC|RFMEM)
			a.cmpImm(cpu.RAX, 0)
			a.je("child")
			a.sys(34, 5, 0xAA)
			a.store(res, cpu.RAX)
			a.sys(47, a.bytes(make([]byte, 128)), 128)
			a.exitsDump("")
			a.label("child")
			a.sys(34, 5, 0xBB)
			a.store(res+8, cpu.RAX)
			a.exits("")
			r := runProg(t, a, runOpts{})
			if p, c := r.word(t, res), r.word(t, res+8); p != 0xBB || c != 0xAA {
				t.Errorf("parent got %#x, child %#x; want 0xbb and 0xaa", p, c)
			}
		})
	}
}

// A semaphore released by one process is acquired by the other.
func TestSemaphoreTwoProcs(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			sem := a.bytes(make([]byte, 8))
			res := a.bytes(make([]byte, 16))
			a.sys(19, RFPROC|RFMEM)
			a.cmpImm(cpu.RAX, 0)
			a.je("child")
			a.sys(38, sem, 1)
			a.store(res+8, cpu.RAX)
			a.sys(47, a.bytes(make([]byte, 128)), 128)
			a.exitsDump("")
			a.label("child")
			a.sys(37, sem, 1)
			a.store(res, cpu.RAX)
			a.exits("")
			r := runProg(t, a, runOpts{})
			if got := r.word(t, res); got != 1 {
				t.Errorf("child's semacquire = %#x, want 1", got)
			}
			if got := r.word(t, res+8); got > 1 {
				t.Errorf("semrelease = %#x", got)
			}
			if v := r.mem(t, sem, 4); string(v) != "\x00\x00\x00\x00" {
				t.Errorf("semaphore left at % x", v)
			}
		})
	}
}

// interrupted builds a program that arms alarm(1) with a handler that
// re-arms it, and loops on the blocking call emitted by block until the
// call returns -1: whenever the alarm goes off, the call it interrupts
// fails. The program then reads its errstr into a buffer.
func interrupted(arch aout.Arch, block func(a *asm)) (*asm, uint64, uint64, uint64) {
	a := newAsm(arch)
	res := a.bytes(make([]byte, 8))
	count := a.bytes(make([]byte, 8))
	ebuf := a.bytes(append([]byte("keep\x00"), make([]byte, 123)...))
	a.sys(41, ebuf, 128) // errstr is now "keep"
	a.sys(28, lbl("handler"))
	a.sys(6, 1)
	a.label("loop")
	block(a)
	a.store(res, cpu.RAX)
	a.cmpImm(cpu.RAX, -1)
	a.jne("loop")
	a.sys(6, 0)
	a.sys(41, ebuf, 128)
	a.exitsDump("")
	a.label("handler")
	a.load(cpu.RAX, count)
	a.addImm(cpu.RAX, 1)
	a.store(count, cpu.RAX)
	a.sys(6, 1)
	a.sys(29, NCONT)
	return a, res, count, ebuf
}

func TestInterruptedCalls(t *testing.T) {
	for _, arch := range arches {
		for _, c := range []struct {
			name  string
			block func(a *asm)
			err   string
		}{
			{"sleep", func(a *asm) { a.sys(17, 3600000) }, string(Eintr)},
			{"semacquire", func(a *asm) { a.sys(37, a.bytes(make([]byte, 8)), 1) }, string(Eintr)},
			{"tsemacquire", func(a *asm) { a.sys(52, a.bytes(make([]byte, 8)), 3600000) }, string(Eintr)},
			{"rendezvous", func(a *asm) { a.sys(34, 77, 1) }, "keep"},
			{"await", func(a *asm) {
				// A child that never exits: it blocks in a pipe read.
				a.sys(21, a.bytes(make([]byte, 8)))
				a.sys(19, RFPROC|RFMEM)
				a.cmpImm(cpu.RAX, 0)
				a.je("kid")
				a.label("await")
				a.sys(47, a.bytes(make([]byte, 128)), 128)
				a.jmp("awaited")
				a.label("kid")
				a.sys(6, 0)
				a.sys(50, 3, a.bytes(make([]byte, 8)), 8, -1)
				a.exits("")
				a.label("awaited")
			}, string(Eintr)},
			{"pipe read", func(a *asm) {
				a.sys(21, a.bytes(make([]byte, 8)))
				a.sys(50, 3, a.bytes(make([]byte, 8)), 8, -1)
			}, string(Eintr)},
		} {
			t.Run(arch.String()+"/"+c.name, func(t *testing.T) {
				a, res, count, ebuf := interrupted(arch, c.block)
				r := runProg(t, a, runOpts{})
				if r.exit != "" {
					t.Fatalf("exit %q stderr %q", r.exit, r.stderr)
				}
				if got := r.word(t, res); got != minus1(arch) {
					t.Errorf("result %#x, want -1 (~0)", got)
				}
				if r.word(t, count) == 0 {
					t.Errorf("handler never ran")
				}
				if e := cstr(r.mem(t, ebuf, 128)); e != c.err {
					t.Errorf("errstr %q, want %q", e, c.err)
				}
			})
		}
	}
}

// An alarm with no handler ends the process with the note "alarm".
func TestAlarmKills(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			a.sys(6, 1)
			a.label("loop")
			a.sys(17, 3600000)
			a.jmp("loop")
			r := runProg(t, a, runOpts{})
			if r.exit != "alarm" || r.stderr != "" {
				t.Errorf("exit %q stderr %q, want alarm and nothing", r.exit, r.stderr)
			}
			if n, ok := r.p.NoteDeath(); !ok || n != "t 1: alarm" {
				t.Errorf("NoteDeath %q %v", n, ok)
			}
		})
	}
}

// sleep(ms) wakes up after ms, in order: a child sleeping longer writes
// after its parent's shorter sleep.
func TestSleepOrder(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			a.sys(19, RFPROC|RFFDG)
			a.cmpImm(cpu.RAX, 0)
			a.je("child")
			a.sys(17, 10)
			a.write(1, a.str("parent\n"), 7)
			a.sys(47, a.bytes(make([]byte, 128)), 128)
			a.exits("")
			a.label("child")
			a.sys(17, 500)
			a.write(1, a.str("child\n"), 6)
			a.exits("")
			r := runProg(t, a, runOpts{})
			if r.stdout != "parent\nchild\n" {
				t.Errorf("output %q", r.stdout)
			}
		})
	}
}

// Writing a pipe whose reader is gone: the write fails and the user note
// "sys: write on closed pipe" ends the writer, without a suicide line.
func TestWriteClosedPipeKills(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			fds := a.bytes(make([]byte, 8))
			a.sys(21, fds)
			a.sys(4, 3)
			a.sys(51, 4, a.str("x"), 1, -1)
			after := a.trapEnd
			a.exits("survived")
			r := runProg(t, a, runOpts{})
			if want := fmt.Sprintf("sys: write on closed pipe pc=%#x", after); r.exit != want {
				t.Errorf("exit %q, want %q", r.exit, want)
			}
			if r.stderr != "" {
				t.Errorf("stderr %q", r.stderr)
			}
		})
	}
}

// exits: the status, truncated to 127 bytes, in the wait record
// truncated likewise.
func TestExitsStatus(t *testing.T) {
	long := strings.Repeat("s", 200)
	for _, arch := range arches {
		for _, c := range []struct{ status, want string }{
			{"", ""}, {"fail", "fail"}, {long, long[:127]},
		} {
			t.Run(fmt.Sprintf("%s/%d", arch, len(c.status)), func(t *testing.T) {
				a := newAsm(arch)
				wbuf := a.bytes(make([]byte, 256))
				n := a.bytes(make([]byte, 8))
				a.sys(19, RFPROC|RFFDG)
				a.cmpImm(cpu.RAX, 0)
				a.je("child")
				a.sys(47, wbuf, 256)
				a.store(n, cpu.RAX)
				a.exitsDump(c.status)
				a.label("child")
				a.exits(c.status)
				r := runProg(t, a, runOpts{})
				if r.exit != c.want {
					t.Errorf("exit %q, want %q", r.exit, c.want)
				}
				msg := string(r.mem(t, wbuf, int(r.word(t, n)&0x1FF)))
				_, m := parseWait(t, msg)
				want := ""
				if c.want != "" {
					want = ("t 2: " + c.want)[:min(127, 5+len(c.want))]
				}
				if m != want {
					t.Errorf("wait message status %q, want %q", m, want)
				}
			})
		}
	}
}

// exec of an a.out of either architecture from either, and of a #!
// script: the new image prints its argv.
func TestExecE2E(t *testing.T) {
	printer := func(arch aout.Arch) []byte {
		a := newAsm(arch)
		a.movReg(cpu.RBX, cpu.RSP)
		a.printArgv(cpu.RBX)
		a.exits("printed")
		return a.image()
	}
	for _, from := range arches {
		for _, to := range arches {
			t.Run(from.String()+"-to-"+to.String(), func(t *testing.T) {
				a := newAsm(from)
				argv := a.bytes(make([]byte, 4*8))
				strs := []uint64{a.str("p"), a.str("x y"), a.str("")}
				a.sys(7, a.str("/p"), argv)
				a.exits("exec failed")
				// Fill in argv now that the strings are placed.
				for i, s := range strs {
					putWord(a, argv+uint64(i)*a.w(), s)
				}
				r := runProg(t, a, runOpts{files: map[string]string{"p": string(printer(to))}, trace: true})
				if r.exit != "printed" {
					t.Fatalf("exit %q stderr %q trace %s", r.exit, r.stderr, r.trace)
				}
				if r.stdout != "p\nx y\n\n" {
					t.Errorf("argv printed %q", r.stdout)
				}
				if r.p.text != "p" {
					t.Errorf("process name %q", r.p.text)
				}
			})
		}
		t.Run(from.String()+"-script", func(t *testing.T) {
			a := newAsm(from)
			argv := a.bytes(make([]byte, 3*8))
			putWord(a, argv, a.str("s"))
			putWord(a, argv+a.w(), a.str("arg"))
			a.sys(7, a.str("/s"), argv)
			a.exits("exec failed")
			r := runProg(t, a, runOpts{files: map[string]string{"p": string(printer(from)), "s": "#!/p -f 'a b'\n"}})
			if r.exit != "printed" {
				t.Fatalf("exit %q stderr %q", r.exit, r.stderr)
			}
			if r.stdout != "s\n-f\na b\n/s\narg\n" {
				t.Errorf("argv printed %q", r.stdout)
			}
		})
	}
}

// putWord stores a word into the program's data.
func putWord(a *asm, addr, v uint64) {
	o := addr - a.dataBase()
	if a.is64() {
		copy(a.data[o:], le64(v))
	} else {
		copy(a.data[o:], le32(uint32(v)))
	}
}

// await's result is as from snprint(buf, n, ...): at most n-1 bytes and
// a NUL.
func TestAwaitShortBuffer(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			wbuf := a.bytes([]byte("????????"))
			n := a.bytes(make([]byte, 8))
			a.sys(19, RFPROC|RFFDG)
			a.cmpImm(cpu.RAX, 0)
			a.je("child")
			a.sys(47, wbuf, 5)
			a.store(n, cpu.RAX)
			a.exitsDump("")
			a.label("child")
			a.exits("")
			r := runProg(t, a, runOpts{})
			got := r.mem(t, wbuf, 8)
			if r.word(t, n) != 4 || string(got) != "2 0 \x00???" {
				t.Errorf("await(buf, 5) = %d, buf %q; want 4 and \"2 0 \\x00???\"", r.word(t, n), got)
			}
		})
	}
}
