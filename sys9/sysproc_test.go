package sys9

import (
	"strings"
	"testing"
	"time"

	"9emu/aout"
	"9emu/cpu"
	"9emu/mem"
)

func bssBounds(tp *tproc) (uint64, uint64) {
	b, t := tp.p.bss.Bounds()
	return uint64(b), uint64(t)
}

func TestBrk(t *testing.T) {
	at := func(f func(base, top uint64) uint64) func(tp *tproc) []any {
		return func(tp *tproc) []any { return []any{f(bssBounds(tp))} }
	}
	topIs := func(f func(base, top uint64) uint64) func(t *testing.T, tp *tproc, r callResult) {
		return func(t *testing.T, tp *tproc, r callResult) {
			t.Helper()
			// The fixture's bss is [base, base+1 MiB).
			base, _ := bssBounds(tp)
			want := f(base, base+0x100000)
			if _, top := bssBounds(tp); top != want {
				t.Errorf("top %#x, want %#x", top, want)
			}
			if err := tp.p.cpu.WriteU32(want-4, 1); err != nil {
				t.Errorf("last word of the new bss not writable: %v", err)
			}
			if _, err := tp.p.cpu.ReadU32(want); err == nil {
				t.Errorf("memory at the new top %#x is mapped", want)
			}
		}
	}
	runCases(t, 24, nil, []sysCase{
		{name: "zero", call: consts(0), anyRet: true,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if base, _ := bssBounds(tp); uint64(r.raw) != base {
					t.Errorf("brk_(0) = %#x, want the bss base %#x", r.raw, base)
				}
			}},
		{name: "grow", call: at(func(b, t uint64) uint64 { return t + 0x10000 }), ret: 0,
			check: topIs(func(b, t uint64) uint64 { return t + 0x10000 })},
		{name: "grow rounds up", call: at(func(b, t uint64) uint64 { return t + 1 }), ret: 0,
			check: topIs(func(b, t uint64) uint64 { return t + 0x1000 })},
		{name: "shrink", call: at(func(b, t uint64) uint64 { return b + 0x1000 }), ret: 0,
			check: topIs(func(b, t uint64) uint64 { return b + 0x1000 })},
		{name: "same", call: at(func(b, t uint64) uint64 { return t }), ret: 0,
			check: topIs(func(b, t uint64) uint64 { return t })},
		{name: "below bss in data", call: at(func(b, t uint64) uint64 { return b - 0x800 }), ret: 0, noWin: true,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if b, top := bssBounds(tp); top != b {
					t.Errorf("bss [%#x, %#x), want empty", b, top)
				}
			}},
		{name: "below data", call: at(func(b, t uint64) uint64 { return 0x100 }), ret: -1, err: string(Enovmem)},
		{name: "overlap", setup: func(tp *tproc) {
			_, top := bssBounds(tp)
			g := mem.NewSegment(mem.Shared, mem.Addr(top+0x20000), mem.Addr(top+0x30000), mem.RW)
			if err := tp.p.mem.Attach(g); err != nil {
				tp.t.Fatal(err)
			}
		}, call: at(func(b, t uint64) uint64 { return t + 0x28000 }), ret: -1, err: string(Esoverlap)},
		{name: "too big", call: func(tp *tproc) []any {
			b, _ := bssBounds(tp)
			if tp.arch == aout.Arch386 {
				return []any{b + 1984<<20 + 0x1000}
			}
			return []any{b + 64<<30 + 0x1000}
		}, ret: -1, err: string(Enovmem)},
		{name: "shrink shared", setup: func(tp *tproc) {
			q := tp.k.newProc()
			q.bss = tp.p.bss
			tp.k.addProc(q)
		}, call: at(func(b, t uint64) uint64 { return b + 0x1000 }), ret: -1, err: string(Einuse)},
	})
}

func TestSleep(t *testing.T) {
	var start time.Time
	mark := func(tp *tproc) { start = time.Now() }
	atLeast := func(d time.Duration) func(t *testing.T, tp *tproc, r callResult) {
		return func(t *testing.T, tp *tproc, r callResult) {
			if e := time.Since(start); e < d {
				t.Errorf("returned after %v, want at least %v", e, d)
			}
		}
	}
	interrupt := func(tp *tproc) { tp.p.postnote("interrupt", noteUser, false) }
	runCases(t, 17, nil, []sysCase{
		{name: "zero", call: consts(0), ret: 0, trace: `sleep(0) = 0`},
		{name: "negative", call: consts(-5), ret: 0},
		{name: "30ms", setup: mark, call: consts(30), ret: 0, check: atLeast(30 * time.Millisecond)},
		{name: "interrupted", setup: interrupt, call: consts(3600000), ret: -1, err: string(Eintr),
			notes: []string{"interrupt"}, trace: `sleep(3600000) = -1 'interrupted'`},
	})
}

func TestAlarm(t *testing.T) {
	runCases(t, 6, nil, []sysCase{
		{name: "none before", call: consts(0), ret: 0},
		{name: "set", call: consts(3600000), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				r = tp.call(6, 0)
				if r.ret <= 0 || r.ret > 3600000 {
					t.Errorf("alarm(0) after alarm(3600000) = %d", r.ret)
				}
				if r = tp.call(6, 0); r.ret != 0 {
					t.Errorf("alarm(0) after a cancel = %d", r.ret)
				}
			}},
	})
}

func TestRforkNoProc(t *testing.T) {
	runCases(t, 19, fileFixture, []sysCase{
		{name: "RFFDG|RFCFDG", call: consts(RFFDG | RFCFDG), ret: -1, err: string(Ebadarg)},
		{name: "RFNAMEG|RFCNAMEG", call: consts(RFNAMEG | RFCNAMEG), ret: -1, err: string(Ebadarg)},
		{name: "RFENVG|RFCENVG", call: consts(RFENVG | RFCENVG), ret: -1, err: string(Ebadarg)},
		{name: "RFMEM alone", call: consts(RFMEM), ret: -1, err: string(Ebadarg),
			trace: `rfork(RFMEM) = -1 'bad arg in system call'`},
		{name: "RFNOWAIT alone", call: consts(RFNOWAIT), ret: -1, err: string(Ebadarg)},
		{name: "RFPROC|RFFDG|RFCFDG", call: consts(RFPROC | RFFDG | RFCFDG), ret: -1, err: string(Ebadarg)},
		{name: "RFCFDG", call: consts(RFCFDG), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if _, err := tp.p.fgrp.get(0); err == nil {
					t.Errorf("fd 0 survived RFCFDG")
				}
			}},
		{name: "RFFDG", setup: func(tp *tproc) { tp.open("/f", OREAD) }, call: consts(RFFDG), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if s, _ := tp.read(3, 4, -1); s != "0123" {
					t.Errorf("fd 3 after RFFDG reads %q", s)
				}
			}},
		{name: "RFCENVG", call: consts(RFCENVG), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if got := readDir(t, tp, "/env", 4096); len(got) != 0 {
					t.Errorf("/env after RFCENVG: %q", got)
				}
			}},
		{name: "RFENVG", call: consts(RFENVG), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if got := readDir(t, tp, "/env", 4096); len(got) != 2 {
					t.Errorf("/env after RFENVG: %q", got)
				}
			}},
		{name: "RFCNAMEG", call: consts(RFCNAMEG), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if r := tp.call(14, tp.str("/dev/null"), OREAD); r.ret != -1 {
					t.Errorf("/dev/null opened in a clean name space")
				}
			}},
		{name: "RFNAMEG", call: consts(RFNAMEG), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				tp.close(tp.open("/dev/null", OREAD))
			}},
		{name: "RFNOTEG", call: consts(RFNOTEG), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if tp.p.noteid == 1 {
					t.Errorf("note group unchanged")
				}
			}},
		{name: "RFNOMNT", call: consts(RFNOMNT), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				tp.close(tp.open("#c/null", OREAD))
				tp.close(tp.open("#e", OREAD))
				if r := tp.call(14, tp.str("#s"), OREAD); r.ret != -1 || r.err != string(Enoattach) {
					t.Errorf("open #s after RFNOMNT = %d %q", r.ret, r.err)
				}
			}},
	})
}

func TestSemacquire(t *testing.T) {
	val := func(v int32, args ...any) func(tp *tproc) []any {
		return func(tp *tproc) []any { tp.put(tp.scratch, le32(uint32(v))); return args }
	}
	runCases(t, 37, nil, []sysCase{
		{name: "acquire", call: val(1, buf(0), 1), ret: 1, win: le32(0), trace: `semacquire({buf}, 1) = 1`},
		{name: "non-blocking", call: val(3, buf(0), 0), ret: 1, win: le32(2)},
		{name: "not available", call: val(0, buf(0), 0), ret: 0, win: le32(0)},
		{name: "interrupted", setup: func(tp *tproc) { tp.p.postnote("interrupt", noteUser, false) },
			call: val(0, buf(0), 1), ret: -1, err: string(Eintr), win: le32(0), notes: []string{"interrupt"}},
		{name: "negative", call: val(-1, buf(0), 1), ret: -1, err: string(Ebadarg), win: le32(^uint32(0))},
		{name: "only 32 bits", call: func(tp *tproc) []any {
			// The semaphore is a 32-bit long on amd64 too: the word
			// after it is not part of it.
			tp.put(tp.scratch, cat(le32(0), le32(1)))
			return []any{buf(0), 0}
		}, ret: 0, win: cat(le32(0), le32(1))},
		{name: "unmapped", call: consts(badp{}, 0), ret: -1, err: string(Ebadarg), notes: []string{badAddrNote}},
		{name: "read-only", call: consts(textp{}, 0), ret: -1, err: string(Ebadarg), notes: []string{badAddrNote}},
	})
}

func TestTsemacquire(t *testing.T) {
	var start time.Time
	val := func(v int32, args ...any) func(tp *tproc) []any {
		return func(tp *tproc) []any { tp.put(tp.scratch, le32(uint32(v))); start = time.Now(); return args }
	}
	runCases(t, 52, nil, []sysCase{
		{name: "acquire", call: val(2, buf(0), 1000), ret: 1, win: le32(1)},
		{name: "timeout", call: val(0, buf(0), 20), ret: 0, win: le32(0),
			check: func(t *testing.T, tp *tproc, r callResult) {
				if e := time.Since(start); e < 20*time.Millisecond {
					t.Errorf("timed out after %v", e)
				}
			}},
		{name: "interrupted", setup: func(tp *tproc) { tp.p.postnote("interrupt", noteUser, false) },
			call: val(0, buf(0), 3600000), ret: -1, err: string(Eintr), win: le32(0), notes: []string{"interrupt"}},
		{name: "negative", call: val(-3, buf(0), 10), ret: -1, err: string(Ebadarg), win: le32(^uint32(2))},
	})
}

func TestSemrelease(t *testing.T) {
	val := func(v int32, args ...any) func(tp *tproc) []any {
		return func(tp *tproc) []any { tp.put(tp.scratch, le32(uint32(v))); return args }
	}
	runCases(t, 38, nil, []sysCase{
		{name: "release", call: val(0, buf(0), 2), ret: 2, win: le32(2), trace: `semrelease({buf}, 2) = 2`},
		{name: "zero", call: val(5, buf(0), 0), ret: 5, win: le32(5)},
		{name: "negative count", call: val(0, buf(0), -1), ret: -1, err: string(Ebadarg), win: le32(0)},
		{name: "negative value", call: val(-5, buf(0), 1), ret: -1, err: string(Ebadarg), win: le32(^uint32(4))},
		{name: "then acquire", call: val(0, buf(0), 1), ret: 1, win: le32(1),
			check: func(t *testing.T, tp *tproc, r callResult) {
				tp.ok("semacquire", tp.call(37, tp.scratch, 1), 1)
			}},
		{name: "unmapped", call: consts(badp{}, 1), ret: -1, err: string(Ebadarg), notes: []string{badAddrNote}},
	})
}

func TestRendezvousInterrupted(t *testing.T) {
	runCases(t, 34, nil, []sysCase{
		// An interrupted rendezvous returns ~0 and leaves errstr alone.
		{name: "interrupted", errstr0: "keep", setup: func(tp *tproc) { tp.p.postnote("interrupt", noteUser, false) },
			call: consts(5, 7), ret: -1, notes: []string{"interrupt"},
			check: func(t *testing.T, tp *tproc, r callResult) {
				if r.raw != uint64(^uintptr(0)) && r.raw != 0xFFFFFFFF {
					t.Errorf("AX %#x, want ~0", r.raw)
				}
				if tp.arch == aout.ArchAMD64 && r.raw != ^uint64(0) {
					t.Errorf("RAX %#x, want all ones", r.raw)
				}
			}},
	})
}

func TestAwaitNoChildren(t *testing.T) {
	runCases(t, 47, nil, []sysCase{
		{name: "none", call: consts(buf(0), 128), ret: -1, err: string(Enochild),
			trace: `await({buf}, 128) = -1 'no living children'`},
	})
}

func TestBadSyscall(t *testing.T) {
	for _, n := range []int{48, 49, 54, 200, 1 << 20, -1} {
		runCases(t, n, nil, []sysCase{
			{name: sysName(n), call: consts(), ret: -1, err: string(Ebadarg), notes: []string{"sys: bad sys call"}},
		})
	}
	runCases(t, 26, nil, []sysCase{
		{name: "old wstat", call: consts(), ret: -1, err: string(Eoldwstat)},
	})
}

func TestNotify(t *testing.T) {
	runCases(t, 28, nil, []sysCase{
		{name: "set", call: consts(0x1234), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if tp.p.notifyPC != 0x1234 {
					t.Errorf("handler %#x", tp.p.notifyPC)
				}
			}},
	})
}

// noted outside a handler kills the process: 9front prints "call to
// noted() when not notified" and exits with "Suicide" (port/.../noted).
func TestNotedNotNotified(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.call(29, NCONT)
			select {
			case <-tp.p.Done():
			default:
				t.Fatalf("process survived noted(NCONT) outside a handler")
			}
			if msg := tp.p.Wait(); msg != "Suicide" {
				t.Errorf("exit status %q, want Suicide", msg)
			}
			if s := tp.errw.String(); s != "t 1: call to noted() when not notified\n" {
				t.Errorf("stderr %q", s)
			}
		})
	}
}

func TestExitsDirect(t *testing.T) {
	long := strings.Repeat("y", 200)
	for _, arch := range arches {
		for _, c := range []struct {
			name string
			arg  func(tp *tproc) any
			want string
		}{
			{"nil", func(tp *tproc) any { return 0 }, ""},
			{"empty", func(tp *tproc) any { return tp.str("") }, ""},
			{"status", func(tp *tproc) any { return tp.str("bad thing") }, "bad thing"},
			{"truncated", func(tp *tproc) any { return tp.str(long) }, long[:127]},
			{"bad pointer", func(tp *tproc) any { return tp.unmapped() }, "invalid exit string"},
		} {
			t.Run(arch.String()+"/"+c.name, func(t *testing.T) {
				tp := newTP(t, arch, tpOpts{})
				tp.open("/dev/null", OREAD)
				tp.call(8, c.arg(tp))
				select {
				case <-tp.p.Done():
				default:
					t.Fatalf("exits returned")
				}
				if msg := tp.p.Wait(); msg != c.want {
					t.Errorf("status %q, want %q", msg, c.want)
				}
				if _, err := tp.p.fgrp.get(3); err == nil {
					t.Errorf("fd 3 open after exits")
				}
			})
		}
	}
}

// helloImage is a program that writes "hello" and exits.
func helloImage(arch aout.Arch) []byte {
	a := newAsm(arch)
	a.write(1, a.str("hello"), 5)
	a.exits("")
	return a.image()
}

func execFixture(tp *tproc) {
	tp.hostFile("bin/hello", string(helloImage(tp.arch)), 0755)
	tp.hostFile("bin/noexec", string(helloImage(tp.arch)), 0644)
	tp.hostFile("bin/text", "just text\n", 0755)
	tp.hostFile("bin/script", "#!/bin/hello -x\n", 0755)
	tp.hostFile("bin/noint", "#!/bin/none\n", 0755)
	tp.hostFile("bin/nested", "#!/bin/script\n", 0755)
	tp.hostFile("bin/longline", "#!/bin/hello "+strings.Repeat("a", 300)+"\n", 0755)
}

func TestExecErrors(t *testing.T) {
	argv := func(name string, args ...string) func(tp *tproc) []any {
		return func(tp *tproc) []any {
			var v []byte
			for _, s := range args {
				v = append(v, tp.word(tp.str(s))...)
			}
			v = append(v, tp.word(0)...)
			tp.put(tp.scratch+2048, v)
			return []any{tp.str(name), tp.scratch + 2048}
		}
	}
	unchanged := func(t *testing.T, tp *tproc, r callResult) {
		if tp.p.text != "t" || tp.p.cpu.PC != tp.pcAfterTrap() {
			t.Errorf("image changed by a failed exec: text %q pc %#x", tp.p.text, tp.p.cpu.PC)
		}
	}
	runCases(t, 7, execFixture, []sysCase{
		{name: "nonexistent", call: argv("/bin/none", "none"), ret: -1, err: string(Enonexist), check: unchanged},
		{name: "not executable", call: argv("/bin/noexec", "noexec"), ret: -1, err: string(Eperm), check: unchanged},
		{name: "not an a.out", call: argv("/bin/text", "text"), ret: -1, err: string(Ebadexec), check: unchanged},
		{name: "directory", call: argv("/bin", "bin"), ret: -1, err: string(Eperm), check: unchanged},
		{name: "interpreter missing", call: argv("/bin/noint", "noint"), ret: -1, err: string(Enonexist), check: unchanged},
		{name: "nested script", call: argv("/bin/nested", "nested"), ret: -1, err: string(Ebadexec), check: unchanged},
		{name: "bad name", call: consts(badp{}, buf(0)), ret: -1, err: string(Ebadarg), notes: []string{badAddrNote},
			check: unchanged},
		{name: "bad argv", call: consts(sarg("/bin/hello"), badp{}), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote}, check: unchanged},
		{name: "bad argv string", call: func(tp *tproc) []any {
			tp.put(tp.scratch+2048, append(tp.word(tp.unmapped()), tp.word(0)...))
			return []any{tp.str("/bin/hello"), tp.scratch + 2048}
		}, ret: -1, err: string(Ebadarg), notes: []string{badAddrNote}, check: unchanged},
	})
}

// word encodes a guest word.
func (tp *tproc) word(v uint64) []byte {
	if tp.arch == aout.ArchAMD64 {
		return le64(v)
	}
	return le32(uint32(v))
}

func TestExecCloseOnExec(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			execFixture(tp)
			tp.hostFile("f", "data", 0644)
			tp.open("/f", OREAD|OCEXEC)
			tp.open("/f", OREAD)
			tp.call(28, 0x1234) // a handler, dropped by exec
			v := append(tp.word(tp.str("hello")), tp.word(0)...)
			tp.put(tp.scratch+2048, v)
			r := tp.call(7, tp.str("/bin/hello"), tp.scratch+2048)
			if r.err != "" || len(r.notes) != 0 {
				t.Fatalf("exec: %q %q", r.err, r.notes)
			}
			if _, err := tp.p.fgrp.get(3); err == nil {
				t.Errorf("close-on-exec fd 3 survived exec")
			}
			if _, err := tp.p.fgrp.get(4); err != nil {
				t.Errorf("fd 4 closed by exec")
			}
			if tp.p.notifyPC != 0 {
				t.Errorf("note handler survived exec")
			}
			if tp.p.text != "hello" {
				t.Errorf("process name %q", tp.p.text)
			}
		})
	}
}

func TestExecScriptDirect(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			execFixture(tp)
			tp.hostFile("bin/quoted", "#!/bin/hello -a 'b c' d''e\n", 0755)
			var v []byte
			for _, s := range []string{"quoted", "arg1", "arg 2"} {
				v = append(v, tp.word(tp.str(s))...)
			}
			tp.put(tp.scratch+2048, append(v, tp.word(0)...))
			r := tp.call(7, tp.str("/bin/quoted"), tp.scratch+2048)
			if r.err != "" {
				t.Fatalf("exec: %q", r.err)
			}
			want := []string{"quoted", "-a", "b c", "de", "/bin/quoted", "arg1", "arg 2"}
			if got := stackArgs(t, tp.p); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("argv %q, want %q", got, want)
			}
			if tp.p.text != "quoted" {
				t.Errorf("process name %q, want the script's", tp.p.text)
			}
		})
	}
}

// stackArgs reads argc and argv from a freshly started image.
func stackArgs(t *testing.T, p *Proc) []string {
	t.Helper()
	sp := p.cpu.R[cpu.RSP]
	argc := readWord(t, p, sp)
	var out []string
	for i := uint64(0); i < argc; i++ {
		a := readWord(t, p, sp+(i+1)*p.abi.w)
		s, ok, err := p.cpu.ReadString(a, 4096)
		if err != nil || !ok {
			t.Fatalf("argv[%d] at %#x: %v", i, a, err)
		}
		out = append(out, s)
	}
	if readWord(t, p, sp+(argc+1)*p.abi.w) != 0 {
		t.Errorf("argv[argc] is not nil")
	}
	return out
}

// With MaxProcs, rfork fails with "no procs" once the table is full, and
// a failed rfork holds no place.
func TestMaxProcs(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.k.cfg.MaxProcs = len(tp.k.pids()) + 2
			for range 2 {
				q := tp.k.newProc()
				tp.k.addProc(q)
				defer tp.k.delProc(q)
			}
			for range 3 {
				if r := tp.call(19, RFPROC|RFFDG); r.ret != -1 || r.err != string(Enoprocs) {
					t.Fatalf("rfork with a full table = %d %q, want -1 %q", r.ret, r.err, Enoprocs)
				}
			}
			if tp.k.reserved != 0 {
				t.Errorf("%d places still held after failed rforks", tp.k.reserved)
			}
		})
	}
}

// With MaxMem, brk beyond the limit fails with Plan 9's error and leaves
// the segment as it was; memory given back by a shrink can be taken again.
func TestBrkMaxMem(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{maxMem: 16 << 20})
			base, top := bssBounds(tp)
			if r := tp.call(24, top+0x10000); r.ret != 0 {
				t.Fatalf("brk within the limit = %d %q", r.ret, r.err)
			}
			if r := tp.call(24, base+32<<20); r.ret != -1 || r.err != string(Enovmem) {
				t.Errorf("brk past the limit = %d %q, want -1 %q", r.ret, r.err, Enovmem)
			}
			if _, now := bssBounds(tp); now != top+0x10000 {
				t.Errorf("a failed brk moved the top to %#x", now)
			}
			if r := tp.call(24, base+0x1000); r.ret != 0 {
				t.Fatalf("shrink = %d %q", r.ret, r.err)
			}
			if r := tp.call(24, base+8<<20); r.ret != 0 {
				t.Errorf("brk within the limit after a shrink = %d %q", r.ret, r.err)
			}
		})
	}
}

// A child's user and system times reach its parent twice, as on Plan 9:
// in the wait record (its own times plus its children's) and in the
// parent's children's times, which /proc/N/status shows.
func TestExitTimes(t *testing.T) {
	tp := newTP(t, aout.ArchAMD64, tpOpts{})
	q := tp.k.newProc()
	q.parent, q.text = tp.p, "child"
	tp.p.wmu.Lock()
	tp.p.nchild++
	tp.p.wmu.Unlock()
	q.utime.Store(7e6)
	q.stime.Store(2e6)
	q.cutime.Store(5e6)
	q.exits("")
	if u, s := tp.p.cutime.Load(), tp.p.cstime.Load(); u != 12e6 || s != 2e6 {
		t.Errorf("parent's children's times %d, %d ns, want 12e6, 2e6", u, s)
	}
	tp.p.wmu.Lock()
	defer tp.p.wmu.Unlock()
	if len(tp.p.waitq) != 1 || tp.p.waitq[0].utime != 12 || tp.p.waitq[0].stime != 2 {
		t.Errorf("wait records %+v, want one with user 12 ms, sys 2 ms", tp.p.waitq)
	}
}
