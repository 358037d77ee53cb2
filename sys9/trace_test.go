package sys9

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"9emu/aout"
	"9emu/cpu"
)

// traceProg is the program of the trace golden test: one call of most
// kinds of argument and result, then a bad system call whose note goes to
// a handler that declines it (noted(NDFLT)), which kills the process.
func traceProg(arch aout.Arch) (a *asm, badPC uint64) {
	a = newAsm(arch)
	a.jmp("start")
	a.label("handler")
	a.sys(29, NDFLT)
	a.label("start")
	res := a.bytes(make([]byte, 8))
	buf := a.bytes(make([]byte, 256))
	a.sys(14, a.str("/dev/null"), OWRITE)
	a.sys(51, 3, a.str("hi\n\x01"), 4, -1)
	a.sys(51, 3, a.str(strings.Repeat("x", 40)), 40, 0)
	a.sys(39, res, 3, 0, 2)
	a.sys(23, 3, buf, 64)
	a.sys(43, 3, buf, 256)
	a.sys(4, 3)
	a.sys(14, a.str("/f"), OREAD)
	a.sys(50, 3, buf, 64, -1)
	a.sys(50, 3, buf, 64, -1)
	a.sys(4, 3)
	a.sys(14, a.str("/nope"), OREAD|OCEXEC)
	a.sys(41, buf, 128)
	a.sys(22, a.str("/tmp/x"), ORDWR|OEXCL, DMDIR|0750)
	a.sys(21, res)
	a.sys(2, a.str("#|"), a.str("/nodir"), MAFTER|MCREATE)
	a.sys(19, RFFDG|RFNOTEG)
	a.sys(17, 0)
	a.sys(5, 1, -1)
	a.sys(28, lbl("handler"))
	a.sys(48)
	badPC = a.trapEnd
	a.exits("done")
	return a, badPC
}

// statTimes hides the fields of a stat line that depend on the host file.
var statTimes = regexp.MustCompile(`q \([0-9a-f]{16} `)

// The trace (Config.Trace) of a small program, line for line: pid,
// process name, call, decoded arguments, result, error string, data
// returned; the start of the process, a note and its end.
func TestTraceGolden(t *testing.T) {
	golden := `1 t: start /t ["t"]
1 t: open("/dev/null", OWRITE) = 3
1 t: pwrite(3, "hi\n\x01", 4, -1) = 4
1 t: pwrite(3, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"..., 40, 0) = 40
1 t: seek({res}, 3, 0, 2) = 0 [0]
1 t: fd2path(3, {buf}, 64) = 0 "/dev/null"
1 t: fstat(3, {buf}, 256) = 71 {'null' 'glenda' 'glenda' 'glenda' q (PATH 0 00) m 0666 at 1700000000 mt 1700000000 l 0 t 99 d 0}
1 t: close(3) = 0
1 t: open("/f", OREAD) = 3
1 t: pread(3, {buf}, 64, -1) = 48 "line one\n\"two\"\t\x00\xff and many more "...
1 t: pread(3, {buf}, 64, -1) = 0 ""
1 t: close(3) = 0
1 t: open("/nope", OREAD|OCEXEC) = -1 'file does not exist'
1 t: errstr({buf}, 128) = 0 "file does not exist"
1 t: create("/tmp/x", ORDWR|OEXCL, DMDIR|0750) = -1 'file does not exist'
1 t: pipe({res}) = 0 [3 4]
1 t: bind("#|", "/nodir", MAFTER|MCREATE) = -1 'file does not exist'
1 t: rfork(RFFDG|RFNOTEG) = 0
1 t: sleep(0) = 0
1 t: dup(1, -1) = 5
1 t: notify({handler}) = 0
1 t: sys48(...) = -1 'bad arg in system call'
1 t: note "sys: bad sys call pc={pc}" to handler {handler}
1 t: noted(NDFLT)
1 t: note "sys: bad sys call pc={pc}" kills
1 t: exit "sys: bad sys call pc={pc}"
`
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a, badPC := traceProg(arch)
			r := runProg(t, a, runOpts{trace: true, files: map[string]string{
				"f": "line one\n\"two\"\t\x00\xff and many more bytes after them",
			}})
			if !strings.HasPrefix(r.exit, "sys: bad sys call pc=") {
				t.Errorf("exit %q", r.exit)
			}
			want := strings.NewReplacer(
				"{res}", fmt.Sprintf("%#x", a.dataBase()),
				"{buf}", fmt.Sprintf("%#x", a.dataBase()+8),
				"{handler}", fmt.Sprintf("%#x", a.addr("handler")),
				"{pc}", fmt.Sprintf("%#x", badPC),
			).Replace(golden)
			got := statTimes.ReplaceAllString(r.trace, "q (PATH ")
			compareLines(t, got, want)
		})
	}
}

// compareLines reports the lines of got that differ from want.
func compareLines(t *testing.T, got, want string) {
	t.Helper()
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, gl, wl)
		}
	}
}

// exits has no result: its line ends with the argument list, and comes
// before the line of the process's end.
func TestTraceExits(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			a.sys(17, 0)
			a.exits("done")
			r := runProg(t, a, runOpts{trace: true})
			want := "1 t: start /t [\"t\"]\n1 t: sleep(0) = 0\n" + `1 t: exits("done")` + "\n1 t: exit \"done\"\n"
			if r.trace != want {
				t.Errorf("trace\n%s\nwant\n%s", r.trace, want)
			}
		})
	}
}

// An rfork child starts with a line of its own; exec shows the argument
// list and the name changes after it.
func TestTraceForkExec(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			child := newAsm(arch)
			child.exits("")
			a := newAsm(arch)
			argv := a.bytes(make([]byte, 3*8))
			s0, s1 := a.str("c"), a.str("-x")
			a.sys(19, RFPROC|RFFDG)
			a.cmpImm(cpu.RAX, 0)
			a.jne("parent")
			a.sys(7, a.str("/c"), argv)
			a.exits("exec failed")
			a.label("parent")
			a.sys(47, a.bytes(make([]byte, 128)), 128)
			a.exits("")
			putWord(a, argv, s0)
			putWord(a, argv+a.w(), s1)
			r := runProg(t, a, runOpts{trace: true, files: map[string]string{"c": string(child.image())}})
			if r.exit != "" {
				t.Fatalf("exit %q\n%s", r.exit, r.trace)
			}
			var kid []string
			for l := range strings.Lines(r.trace) {
				if strings.HasPrefix(l, "2 ") {
					kid = append(kid, strings.TrimSuffix(l, "\n"))
				}
			}
			want := []string{`2 t: start (rfork of 1)`, `2 t: exec("/c", ["c" "-x"])`, `2 c: exits(nil)`, `2 c: exit ""`}
			if strings.Join(kid, "\n") != strings.Join(want, "\n") {
				t.Errorf("child's lines:\n%s\nwant\n%s\nwhole trace:\n%s", strings.Join(kid, "\n"), strings.Join(want, "\n"), r.trace)
			}
			if !strings.Contains(r.trace, "1 t: rfork(RFFDG|RFPROC) = 2\n") || !awaitLine.MatchString(r.trace) {
				t.Errorf("parent's lines:\n%s", r.trace)
			}
		})
	}
}

// awaitLine matches the parent's await: the child's wait message, with
// its real time.
var awaitLine = regexp.MustCompile(`(?m)^1 t: await\(0x[0-9a-f]+, 128\) = \d+ "2 0 0 \d+ ''"$`)

// The argument formatters on their own.
func TestTraceFormatters(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{openModeString(ORDWR | OTRUNC | ORCLOSE), "ORDWR|OTRUNC|ORCLOSE"},
		{openModeString(OREAD | 0x800), "OREAD|0x800"},
		{rforkString(0), "0"},
		{rforkString(RFPROC | RFMEM | RFNOWAIT), "RFPROC|RFMEM|RFNOWAIT"},
		{bindFlagString(MREPL), "MREPL"},
		{bindFlagString(MBEFORE | MCREATE), "MBEFORE|MCREATE"},
		{bindFlagString(MAFTER | MCACHE), "MAFTER|MCACHE"},
		{permString(0644), "0644"},
		{permString(DMDIR | DMAPPEND | 0775), "DMDIR|DMAPPEND|0775"},
		{permString(0), "0"},
		{notedString(NCONT), "NCONT"},
		{notedString(7), "7"},
		{segattrString(SG_RONLY), "SG_RONLY"},
		{segattrString(0), "0"},
		{segattrString(SG_CEXEC | 2), "SG_CEXEC|02"},
		{dirString(&Dir{Name: "a b", Uid: "u", Gid: "g", Muid: "", Qid: Qid{Path: 0x10, Vers: 3, Type: QTDIR},
			Mode: DMDIR | 0755, Atime: 5, Mtime: 6, Length: 0, Type: 'M', Dev: 2}),
			"{'a b' 'u' 'g' '' q (0000000000000010 3 80) m 020000000755 at 5 mt 6 l 0 t 77 d 2}"},
		{quoteList([]string{"a", "b c", ""}), `["a" "b c" ""]`},
	} {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}
