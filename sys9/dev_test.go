package sys9

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"9emu/aout"
	"9emu/cpu"
)

// readFile opens name, reads it once with a buffer of n bytes at offset
// off and closes it.
func (tp *tproc) readFile(name string, n int, off int64) string {
	tp.t.Helper()
	fd := tp.open(name, OREAD)
	defer tp.close(fd)
	s, r := tp.read(fd, n, off)
	if r.ret < 0 {
		tp.t.Fatalf("read %s: %s", name, r.err)
	}
	return s
}

func TestDevCons(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			for _, c := range []struct{ name, want string }{
				{"/dev/pid", "          1 "},
				{"#c/pid", "          1 "},
				{"/dev/ppid", "          0 "},
				{"/dev/user", "glenda"},
				{"/dev/sysname", "9emu"},
				{"/dev/null", ""},
				{"/dev/zero", "\x00\x00\x00\x00\x00\x00\x00\x00"},
			} {
				n := 100
				if c.name == "/dev/zero" {
					n = 8
				}
				if got := tp.readFile(c.name, n, 0); got != c.want {
					t.Errorf("%s = %q, want %q", c.name, got, c.want)
				}
			}
			// "%11d " numbers: Go's syscall.Getpid reads 12 bytes.
			if got := tp.readFile("#c/pid", 12, 0); got != fmt.Sprintf("%11d ", tp.p.pid) {
				t.Errorf("#c/pid %q", got)
			}
			if got := tp.readFile("#c/pid", 100, 5); got != "     1 " {
				t.Errorf("#c/pid at offset 5: %q", got)
			}

			// /dev/time: seconds, nanoseconds, ticks, tick frequency.
			tm := tp.readFile("/dev/time", 200, 0)
			if !regexp.MustCompile(`^ {0,10}\d{1,11} ( {0,20}\d{1,21} ){3}$`).MatchString(tm) || len(tm) != 12+3*22 {
				t.Errorf("/dev/time %q", tm)
			}
			if f := strings.Fields(tm); len(f) != 4 || f[0] != fmt.Sprint(fixedNow.Unix()) ||
				f[1] != fmt.Sprint(fixedNow.UnixNano()) || f[3] != "1000000000" {
				t.Errorf("/dev/time fields %q", f)
			}

			// /dev/bintime: big-endian values, as many whole ones as fit,
			// the offset ignored.
			bt := tp.readFile("/dev/bintime", 32, 0)
			if len(bt) != 32 {
				t.Fatalf("/dev/bintime read %d bytes", len(bt))
			}
			if ns := binary.BigEndian.Uint64([]byte(bt)); ns != uint64(fixedNow.UnixNano()) {
				t.Errorf("bintime ns %d, want %d", ns, fixedNow.UnixNano())
			}
			if f := binary.BigEndian.Uint64([]byte(bt[16:])); f != 1e9 {
				t.Errorf("bintime frequency %d", f)
			}
			for _, c := range []struct{ n, off, want int }{{20, 0, 16}, {7, 0, 0}, {8, 0, 8}, {100, 0, 32}, {32, 4096, 32}} {
				if got := tp.readFile("/dev/bintime", c.n, int64(c.off)); len(got) != c.want {
					t.Errorf("bintime read of %d at %d: %d bytes, want %d", c.n, c.off, len(got), c.want)
				}
			}

			ss := tp.readFile("/dev/sysstat", 1<<16, 0)
			lines := strings.Split(strings.TrimSuffix(ss, "\n"), "\n")
			if len(lines) != runtime.NumCPU() {
				t.Errorf("sysstat has %d lines for %d CPUs", len(lines), runtime.NumCPU())
			}
			for _, l := range lines {
				if len(l) != 10*12 || len(strings.Fields(l)) != 10 {
					t.Errorf("sysstat line %q", l)
				}
			}
			if sw := tp.readFile("/dev/swap", 4096, 0); !strings.Contains(sw, "\n4096 pagesize\n") {
				t.Errorf("/dev/swap %q", sw)
			}
			if ct := tp.readFile("/dev/cputime", 4096, 0); len(ct) != 6*12 || len(strings.Fields(ct)) != 6 {
				t.Errorf("/dev/cputime %q", ct)
			}
			if dr := tp.readFile("/dev/drivers", 4096, 0); !strings.Contains(dr, "#c cons\n") {
				t.Errorf("/dev/drivers %q", dr)
			}
			if rnd := tp.readFile("/dev/random", 32, 0); len(rnd) != 32 {
				t.Errorf("/dev/random gave %d bytes", len(rnd))
			}
			// Writes.
			fd := tp.open("/dev/null", OWRITE)
			tp.ok("write /dev/null", tp.call(51, fd, tp.str("xyz"), 3, -1), 3)
			fd = tp.open("/dev/cons", OWRITE)
			tp.writeStr(fd, "to the console")
			if tp.out.String() != "to the console" {
				t.Errorf("stdout %q", tp.out.String())
			}
			r := tp.call(14, tp.str("/dev/pid"), OWRITE)
			tp.fails("open /dev/pid for writing", r, string(Eperm))
		})
	}
}

func TestDevEnv(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{env: []string{"FOO=bar", "path=/bin\x00.\x00"}})
			if got := tp.readFile("/env/FOO", 100, 0); got != "bar" {
				t.Errorf("/env/FOO %q", got)
			}
			if got := tp.readFile("/env/path", 100, 0); got != "/bin\x00.\x00" {
				t.Errorf("rc list %q", got)
			}
			if got := tp.readFile("/env/cputype", 100, 0); got != arch.String() {
				t.Errorf("cputype %q", got)
			}
			// create, write an rc list, read it back.
			fd := tp.create("/env/list", OWRITE, 0666)
			tp.writeStr(fd, "a\x00")
			tp.writeStr(fd, "b c\x00")
			tp.close(fd)
			if got := tp.readFile("/env/list", 100, 0); got != "a\x00b c\x00" {
				t.Errorf("/env/list %q", got)
			}
			// The empty list is an empty file; one empty element is "\0".
			tp.close(tp.create("/env/empty", OWRITE, 0666))
			if got := tp.readFile("/env/empty", 100, 0); got != "" {
				t.Errorf("/env/empty %q", got)
			}
			// Writes at an offset extend; OTRUNC truncates.
			fd = tp.open("/env/FOO", OWRITE)
			tp.ok("pwrite at 5", tp.call(51, fd, tp.str("x"), 1, 5), 1)
			tp.close(fd)
			if got := tp.readFile("/env/FOO", 100, 0); got != "bar\x00\x00x" {
				t.Errorf("/env/FOO after pwrite %q", got)
			}
			tp.close(tp.open("/env/FOO", OWRITE|OTRUNC))
			if got := tp.readFile("/env/FOO", 100, 0); got != "" {
				t.Errorf("/env/FOO after OTRUNC %q", got)
			}
			// create of an existing variable truncates it.
			tp.close(tp.create("/env/list", OWRITE, 0666))
			if got := tp.readFile("/env/list", 100, 0); got != "" {
				t.Errorf("/env/list after create %q", got)
			}
			// stat: the length is the value's size, the mode 0666.
			fd = tp.create("/env/v", OWRITE, 0666)
			tp.writeStr(fd, "12345")
			tp.fill()
			r := tp.call(43, fd, tp.scratch, winSize)
			d := parseStat(t, tp.get(tp.scratch, int(r.ret)))
			if d.typ != 'e' || d.length != 5 || d.mode != 0666 || d.name != "v" {
				t.Errorf("stat /env/v %+v", d)
			}
			tp.ok("remove", tp.call(25, tp.str("/env/v")), 0)
			tp.fails("open removed", tp.call(14, tp.str("/env/v"), OREAD), string(Enonexist))
			tp.fails("create a directory", tp.call(22, tp.str("/env/dir"), OREAD, uint64(DMDIR|0777)), string(Eperm))
		})
	}
}

func TestDevDup(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.hostFile("f", "0123456789", 0644)
			f := tp.open("/f", OREAD)
			tp.read(f, 3, -1)
			// #d/N opens the same channel: the offset is shared.
			d := tp.open("#d/3", OREAD)
			if s, _ := tp.read(d, 3, -1); s != "345" {
				t.Errorf("read via #d/3 %q", s)
			}
			if s, _ := tp.read(f, 3, -1); s != "678" {
				t.Errorf("read via fd 3 after #d/3 %q", s)
			}
			d2 := tp.open("/fd/3", OREAD|OCEXEC)
			if !cexec(tp, d2) {
				t.Errorf("OCEXEC on a #d open ignored")
			}
			tp.fails("mode mismatch", tp.call(14, tp.str("#d/1"), OREAD), string(Eperm))
			tp.fails("closed fd", tp.call(14, tp.str("#d/17"), OREAD), string(Enonexist))
			tp.fails("ORCLOSE", tp.call(14, tp.str("#d/3"), OREAD|ORCLOSE), string(Eperm))
			ctl := tp.readFile("#d/0ctl", 200, 0)
			if want := fmt.Sprintf("  0 r  c    0 (%016x 0 00)     0        0 /dev/cons\n", uint64(qCons)); ctl != want {
				t.Errorf("#d/0ctl %q, want %q", ctl, want)
			}
			ctl = tp.readFile("#d/3ctl", 200, 0)
			if !regexp.MustCompile(`^  3 r  M    0 \([0-9a-f]{16} \d+ 00\)     0        9 /f\n$`).MatchString(ctl) {
				t.Errorf("#d/3ctl %q", ctl)
			}
		})
	}
}

func TestDevProc(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			st := tp.readFile("/proc/1/status", 1000, 0)
			// "%-27s %-27s %-11s " and nine "%11d" separated by blanks.
			num := regexp.MustCompile(`^ *\d+$`)
			ok := len(st) == 176 && st[:28] == "t"+strings.Repeat(" ", 27) &&
				st[28:56] == "glenda"+strings.Repeat(" ", 22) && regexp.MustCompile(`^[A-Z][a-z]* *$`).MatchString(st[56:67]) &&
				st[67] == ' ' && st[175] == '\n'
			for i := 0; ok && i < 9; i++ {
				f := st[68+12*i : 68+12*i+11]
				ok = num.MatchString(f) && (i == 8 || st[68+12*i+11] == ' ')
			}
			if !ok {
				t.Errorf("/proc/1/status (%d bytes) %q", len(st), st)
			} else if kib, _ := strconv.Atoi(strings.TrimSpace(st[68+12*6 : 68+12*6+11])); kib < 4 {
				t.Errorf("/proc/1/status gives %d KiB of memory, want the pages touched (at least the text's)", kib)
			}
			if got := tp.readFile("/proc/1/args", 100, 0); got != "t" {
				t.Errorf("args %q", got)
			}
			if got := tp.readFile("/proc/1/noteid", 100, 0); got != "          1 " {
				t.Errorf("noteid %q", got)
			}
			if got := tp.readFile("/proc/1/ppid", 100, 0); got != "          0 " {
				t.Errorf("ppid %q", got)
			}
			fdt := tp.readFile("/proc/1/fd", 4096, 0)
			if !strings.HasPrefix(fdt, "/\n  0 r  c ") || !strings.Contains(fdt, "\n  1 w  c ") {
				t.Errorf("/proc/1/fd %q", fdt)
			}
			ns := tp.readFile("/proc/1/ns", 4096, 0)
			for _, l := range []string{"bind #c /dev\n", "bind #d /fd\n", "bind -c #e /env\n", "bind #p /proc\n", "bind -c #s /srv\n"} {
				if !strings.Contains(ns, l) {
					t.Errorf("/proc/1/ns lacks %q:\n%s", l, ns)
				}
			}
			if !strings.HasSuffix(ns, "cd /\n") {
				t.Errorf("/proc/1/ns does not end with cd:\n%s", ns)
			}
			seg := tp.readFile("/proc/1/segment", 4096, 0)
			if !regexp.MustCompile(`(?m)^Text   R  +[0-9a-f]+ +[0-9a-f]+ +\d+$`).MatchString(seg) ||
				!strings.Contains(seg, "Stack ") || !strings.Contains(seg, "Bss ") {
				t.Errorf("/proc/1/segment %q", seg)
			}
			// Posting a note.
			fd := tp.open("/proc/1/note", OWRITE)
			r := tp.call(51, fd, tp.str("hello"), 5, -1)
			if r.ret != 5 || len(r.notes) != 1 || r.notes[0] != "hello" {
				t.Errorf("note write = %d %q notes %q", r.ret, r.err, r.notes)
			}
			// At most five pending notes.
			for i := 0; i < 5; i++ {
				tp.p.postnote("x", noteUser, false)
			}
			r = tp.call(51, fd, tp.str("sixth"), 5, -1)
			if r.ret != -1 || r.err != string(Enoteposted) {
				t.Errorf("sixth note = %d %q", r.ret, r.err)
			}
			tp.fails("nonexistent process", tp.call(14, tp.str("/proc/99/status"), OREAD), string(Enonexist))
		})
	}
}

// Process names and arguments with spaces are quoted in args.
func TestDevProcArgsQuoted(t *testing.T) {
	tp := newTP(t, aout.ArchAMD64, tpOpts{})
	tp.p.args = []string{"t", "a b", "it's", ""}
	if got := tp.readFile("/proc/1/args", 100, 0); got != "t 'a b' 'it''s' ''" {
		t.Errorf("args %q", got)
	}
}

func TestDevSrv(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.ok("pipe", tp.call(21, tp.scratch+2048), 0)
			s := tp.create("/srv/svc", OWRITE, 0666)
			tp.writeStr(s, "3")
			r := tp.call(51, s, tp.str("4"), 1, -1)
			if r.ret != -1 {
				t.Errorf("second post succeeded")
			}
			tp.close(s)
			tp.close(3)
			if got := readDir(t, tp, "/srv", 4096); len(got) != 1 || got[0] != "svc" {
				t.Errorf("/srv = %q", got)
			}
			// The posted channel outlives the fd; opening the name gives it.
			c := tp.open("/srv/svc", ORDWR)
			tp.writeStr(c, "via srv")
			if got, _ := tp.read(4, 100, -1); got != "via srv" {
				t.Errorf("read %q", got)
			}
			tp.close(c)
			tp.ok("remove", tp.call(25, tp.str("/srv/svc")), 0)
			tp.fails("open removed", tp.call(14, tp.str("/srv/svc"), ORDWR), string(Enonexist))
			// With the posted reference gone, the other end sees EOF.
			tp.ok("EOF", tp.call(50, 4, tp.scratch, 10, -1), 0)
		})
	}
}

// Writing "kill" to /proc/N/ctl ends N with the status "Killed" (9front's
// Proc_exitme: pexit("Killed")).
func TestDevProcCtlKill(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			wbuf := a.bytes(make([]byte, 128))
			n := a.bytes(make([]byte, 8))
			a.sys(19, RFPROC|RFFDG)
			a.cmpImm(cpu.RAX, 0)
			a.je("child")
			a.sys(14, a.str("/proc/2/ctl"), OWRITE)
			a.sys(51, reg(cpu.RAX), a.str("kill"), 4, -1)
			a.sys(47, wbuf, 128)
			a.store(n, cpu.RAX)
			a.exitsDump("")
			a.label("child")
			a.label("loop")
			a.sys(17, 3600000)
			a.jmp("loop")
			r := runProg(t, a, runOpts{})
			msg := string(r.mem(t, wbuf, int(r.word(t, n)&0xFF)))
			if _, m := parseWait(t, msg); m != "t 2: Killed" {
				t.Errorf("wait message %q, want status 't 2: Killed'", msg)
			}
		})
	}
}

// Reading /proc/N/status, fd and ns of a process while it makes system
// calls: run with -race, this shows whether devproc reads the other
// process's state without synchronisation.
func TestDevProcOfRunningProcess(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			buf := a.bytes(make([]byte, 512))
			counter := a.bytes(make([]byte, 8))
			a.sys(19, RFPROC|RFFDG)
			a.cmpImm(cpu.RAX, 0)
			a.je("child")
			for i := 0; i < 30; i++ {
				for _, f := range []string{"/proc/2/status", "/proc/2/fd", "/proc/2/ns"} {
					a.sys(14, a.str(f), OREAD)
					a.push(cpu.RAX)
					a.sys(50, reg(cpu.RAX), buf, 512, 0)
					a.pop(cpu.RAX)
					a.sys(4, reg(cpu.RAX))
				}
			}
			a.sys(14, a.str("/proc/2/ctl"), OWRITE)
			a.sys(51, reg(cpu.RAX), a.str("kill"), 4, -1)
			a.sys(47, a.bytes(make([]byte, 128)), 128)
			a.exits("")
			a.label("child")
			a.label("loop")
			a.sys(17, 0)
			a.sys(3, a.str("/dev"))
			a.sys(3, a.str("/"))
			a.load(cpu.RAX, counter)
			a.addImm(cpu.RAX, 1)
			a.store(counter, cpu.RAX)
			a.jmp("loop")
			r := runProg(t, a, runOpts{})
			if r.exit != "" {
				t.Errorf("exit %q stderr %q", r.exit, r.stderr)
			}
		})
	}
}

// /proc/N/mem reads the process's memory at the file offset, up to the
// end of a segment; /proc/N/regs holds its Ureg. Both are read-only.
func TestDevProcMemRegs(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			a := tp.scratch + 0x800
			tp.put(a, []byte("remember me"))
			if got := tp.readFile("/proc/1/mem", 11, int64(a)); got != "remember me" {
				t.Errorf("mem at %#x = %q", a, got)
			}
			// A read running off the end of the stack stops there.
			top := arch.StackTop()
			if got := tp.readFile("/proc/1/mem", 64, int64(top-8)); len(got) != 8 {
				t.Errorf("read across the stack top returned %d bytes, want 8", len(got))
			}
			fd := tp.open("/proc/1/mem", OREAD)
			_, r := tp.read(fd, 16, int64(tp.unmapped()))
			if r.ret != -1 || r.err != string(Ebadarg) {
				t.Errorf("read of unmapped memory = %d %q, want -1 %q", r.ret, r.err, Ebadarg)
			}
			tp.close(fd)
			tp.fails("open mem for writing", tp.call(14, tp.str("/proc/1/mem"), ORDWR), string(Eperm))
			tp.fails("open regs for writing", tp.call(14, tp.str("/proc/1/regs"), OWRITE), string(Eperm))
			regs := tp.readFile("/proc/1/regs", 1024, 0)
			if uint64(len(regs)) != tp.p.abi.uregSize {
				t.Errorf("regs is %d bytes, want a Ureg of %d", len(regs), tp.p.abi.uregSize)
			}
		})
	}
}

// With a confined root, /mnt/term shows the host tree given as Term, and
// /tmp and /n exist even when the root directory lacks them: /tmp is a
// private host directory, writable, removed when the kernel shuts down.
func TestConfinedMountPoints(t *testing.T) {
	term := t.TempDir()
	if err := os.WriteFile(filepath.Join(term, "hostfile"), []byte("from the host"), 0o644); err != nil {
		t.Fatal(err)
	}
	tp := newTP(t, aout.ArchAMD64, tpOpts{confine: true, term: term})
	if got := tp.readFile("/mnt/term/hostfile", 100, 0); got != "from the host" {
		t.Errorf("/mnt/term/hostfile = %q", got)
	}
	if got := readDir(t, tp, "/mnt", 4096); !slices.Equal(got, []string{"term"}) {
		t.Errorf("/mnt holds %q, want [term]", got)
	}
	if got := readDir(t, tp, "/n", 4096); len(got) != 0 {
		t.Errorf("/n holds %q", got)
	}
	fd := tp.create("/tmp/scratch", OWRITE, 0o644)
	tp.writeStr(fd, "temporary")
	tp.close(fd)
	if got := tp.readFile("/tmp/scratch", 100, 0); got != "temporary" {
		t.Errorf("/tmp/scratch = %q", got)
	}
	if _, err := os.Stat(filepath.Join(tp.root, "tmp")); err == nil {
		t.Error("/tmp was made inside the root directory")
	}
	dir := tp.k.tmpDir
	if dir == "" {
		t.Fatal("no private /tmp directory")
	}
	tp.k.Shutdown()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("private /tmp %s still there after Shutdown: %v", dir, err)
	}
}
