package main

// Tests of seeing inside a running program: the system-call trace (-s),
// the instruction trace (-t), crash reports (-crash), the debugger (-d),
// counts (-count) and guest profiles (-pprof), each on sum.c (a C program
// assembled by hand, cprog_test.go) and on Go programs, for both
// architectures.

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"9emu/aout"
)

var update = flag.Bool("update", false, "rewrite the debugger transcripts in testdata/debug from this run")

// runSum runs sum (built for arch into a new root) under 9emu with flags
// and args.
func runSum(t *testing.T, arch aout.Arch, flags []string, args ...string) (stdout, stderr string, code int, lay sumLayout, root string) {
	t.Helper()
	root, lay = sumRoot(t, arch)
	stdout, stderr, code = emu{flags: append([]string{"-r", root}, flags...), cmd: "/sum", args: args}.run(t)
	return stdout, stderr, code, lay, root
}

func hex(v uint64) string { return fmt.Sprintf("%#x", v) }

// The system-call trace of a C program, exactly; and -s=FILE puts the same
// into a file and nothing on standard error.
func TestSyscallTraceC(t *testing.T) {
	t.Parallel()
	for _, arch := range cArches {
		t.Run(archName(arch), func(t *testing.T) {
			t.Parallel()
			want := `1 sum: start /sum ["/sum"]
1 sum: pwrite(1, "sum done\n", 9, -1) = 9
1 sum: exits(nil)
1 sum: exit ""
`
			out, errOut, code, _, _ := runSum(t, arch, []string{"-s"})
			if out != "sum done\n" || code != 0 || errOut != want {
				t.Errorf("stdout %q, status %d, trace:\n%s\nwant:\n%s", out, code, errOut, want)
			}
			file := filepath.Join(t.TempDir(), "trace")
			_, errOut, _, _, _ = runSum(t, arch, []string{"-s=" + file})
			b, err := os.ReadFile(file)
			if err != nil || string(b) != want || errOut != "" {
				t.Errorf("-s=FILE: file %q (%v), stderr %q", b, err, errOut)
			}
			// A trap: the note and the end.
			_, errOut, _, lay, _ := runSum(t, arch, []string{"-s"}, "x")
			note := fmt.Sprintf("sys: trap: fault write addr=0x0 pc=%#x", lay.pokeStore)
			for _, l := range []string{`1 sum: start /sum ["/sum" "x"]`, `1 sum: note "` + note + `" kills`, `1 sum: exit "` + note + `"`} {
				if !strings.Contains(errOut, l+"\n") {
					t.Errorf("no line %q in\n%s", l, errOut)
				}
			}
		})
	}
}

// traceLine is the grammar of -s lines: pid, name, then a system call with
// its result, or an event.
var traceLine = regexp.MustCompile(`^\d+ [^ :]+: (start (\S+ \[.*\]|\(rfork of \d+\))|[a-z_0-9]+\(.*\)( = \S+( '.*'| .+)?)?|note ".*" (kills|to handler .*)|exit ".*")$`)

// The system-call trace of Go programs: every line parses, the greeting is
// written with pwrite, and threads made by rfork have start lines.
func TestSyscallTraceGo(t *testing.T) {
	t.Parallel()
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := emu{flags: []string{"-s"}, cmd: guest(t, arch, "hello")}.run(t)
			if out != "hello, world\n" || code != 0 {
				t.Fatalf("stdout %q status %d", out, code)
			}
			var n int
			for l := range strings.Lines(errOut) {
				l = strings.TrimSuffix(l, "\n")
				if !traceLine.MatchString(l) {
					t.Errorf("line does not parse: %q", l)
				}
				n++
			}
			for _, want := range []string{`pwrite(1, "hello, world\n", 13, -1) = 13`, ": start (rfork of 1)", `1 hello: exits("")`, `1 hello: exit ""`} {
				if !strings.Contains(errOut, want) {
					t.Errorf("no %q in the trace", want)
				}
			}
			if n < 20 {
				t.Errorf("only %d lines", n)
			}
		})
	}
}

// traceInsts parses an instruction trace: the function of each line.
func traceInsts(t *testing.T, trace string) []string {
	t.Helper()
	var funcs []string
	for l := range strings.Lines(trace) {
		f := strings.Split(strings.TrimSuffix(l, "\n"), "\t")
		if len(f) < 3 {
			t.Fatalf("bad trace line %q", l)
		}
		fn, _, _ := strings.Cut(f[1], "+")
		funcs = append(funcs, fn)
	}
	return funcs
}

// The instruction trace of sum: its lines (from add, for 4 instructions)
// exactly, and the whole trace agrees with -count's instruction count.
func TestInstructionTraceC(t *testing.T) {
	t.Parallel()
	golden := map[aout.Arch]string{
		aout.Arch386: `1 sum: {add}	add	ADDL $0x1, calls(SB)	FLAGS=IF
1 sum: {add+8}	add+0x8	MOVL 0x4(SP), AX	AX=0x0
1 sum: {add+12}	add+0xc	ADDL 0x8(SP), AX	AX=0x1
1 sum: {add+16}	add+0x10	RET	SP=0xdfffef94
`,
		aout.ArchAMD64: `1 sum: {add}	add	ADDL $0x1, calls(SB)	FLAGS=IF
1 sum: {add+8}	add+0x8	MOVL 0x8(SP), AX	AX=0x0
1 sum: {add+12}	add+0xc	ADDL 0x10(SP), AX	AX=0x1
1 sum: {add+16}	add+0x10	RET	SP=0x7fffffffef60
`,
	}
	for _, arch := range cArches {
		t.Run(archName(arch), func(t *testing.T) {
			t.Parallel()
			_, errOut, _, lay, _ := runSum(t, arch, []string{"-t=add", "-tn", "4"})
			want := strings.NewReplacer("{add}", hex(lay.add), "{add+8}", hex(lay.add+8), "{add+12}", hex(lay.add+12),
				"{add+16}", hex(lay.add+16)).Replace(golden[arch])
			if errOut != want {
				t.Errorf("trace:\n%s\nwant:\n%s", errOut, want)
			}

			// The whole run, into a file, with the counts.
			file := filepath.Join(t.TempDir(), "itrace")
			_, errOut, _, _, _ = runSum(t, arch, []string{"-t", "-tout", file, "-count"})
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			funcs := traceInsts(t, string(b))
			m := regexp.MustCompile(`count: pid 1 sum: (\d+) instructions`).FindStringSubmatch(errOut)
			if m == nil || m[1] != strconv.Itoa(len(funcs)) {
				t.Errorf("%d lines of trace; counts:\n%s", len(funcs), errOut)
			}
			calls := 0
			for _, f := range funcs {
				if f == "add" {
					calls++
				}
			}
			if calls != 40 || funcs[0] != "_main" || funcs[len(funcs)-1] != "main" {
				t.Errorf("%d instructions in add (want 10 calls of 4), first in %s, last in %s", calls, funcs[0], funcs[len(funcs)-1])
			}

			// Only process 2: there is none.
			_, errOut, _, _, _ = runSum(t, arch, []string{"-t", "-tpid", "2"})
			if errOut != "" {
				t.Errorf("-tpid 2 traced:\n%s", errOut)
			}
		})
	}
}

// The instruction trace of a Go program from main.main.
func TestInstructionTraceGo(t *testing.T) {
	t.Parallel()
	line := regexp.MustCompile(`^(\d+) hello: 0x[0-9a-f]+\t[a-z][\w.]*(\+0x[0-9a-f]+)?\t[A-Z].*$`)
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			out, errOut, _ := emu{flags: []string{"-t=main.main", "-tn", "6"}, cmd: guest(t, arch, "hello")}.run(t)
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if out != "hello, world\n" || len(lines) != 6 {
				t.Fatalf("stdout %q, trace:\n%s", out, errOut)
			}
			// One process: the one that reached main.main.
			pid := ""
			for i, l := range lines {
				m := line.FindStringSubmatch(l)
				if m == nil || pid != "" && m[1] != pid {
					t.Errorf("line %d: %q", i, l)
				} else {
					pid = m[1]
				}
			}
			if !strings.Contains(lines[0], "\tmain.main\t") {
				t.Errorf("the trace does not start at main.main: %q", lines[0])
			}
			// The changed registers are named.
			if !regexp.MustCompile(`\t(SP|CX|FLAGS)=`).MatchString(errOut) {
				t.Errorf("no register changes shown:\n%s", errOut)
			}
		})
	}
}

// A trap kills sum: with -crash, a report of the instruction, the
// registers and the stack; without, only Plan 9's line.
func TestCrashReport(t *testing.T) {
	t.Parallel()
	for _, arch := range cArches {
		t.Run(archName(arch), func(t *testing.T) {
			t.Parallel()
			_, errOut, code, lay, _ := runSum(t, arch, nil, "x")
			note := fmt.Sprintf("sys: trap: fault write addr=0x0 pc=%#x", lay.pokeStore)
			if want := "sum 1: suicide: " + note + "\n"; errOut != want || code == 0 {
				t.Errorf("without -crash: status %d, stderr %q, want %q", code, errOut, want)
			}
			_, errOut, _, _, _ = runSum(t, arch, []string{"-crash"}, "x")
			mainOff := lay.callPoke + 5 - lay.main
			want := []string{
				"9emu: crash: 1 sum: " + note,
				fmt.Sprintf("at %#x poke %s:16", lay.pokeStore, sumFile),
				"\tMOVL $0x2a, 0",
				fmt.Sprintf("PC  %#x", lay.pokeStore),
				"FLAGS 0x202 IF",
				"backtrace:",
				fmt.Sprintf("\t%#x poke %s:16", lay.pokeStore, sumFile),
				fmt.Sprintf("\t%#x main+%#x %s:30", lay.callPoke+5, mainOff, sumFile),
				"_main+0x",
			}
			for _, w := range want {
				if !strings.Contains(errOut, w) {
					t.Errorf("no %q in the report:\n%s", w, errOut)
				}
			}
			if !strings.HasPrefix(errOut, "sum 1: suicide: ") {
				t.Errorf("the report comes before Plan 9's line:\n%s", errOut)
			}
		})
	}
}

// debugSession runs 9emu -d=script and compares its standard output with
// the transcript testdata/debug/name.golden (rewritten with -update).
func debugSession(t *testing.T, name string, e emu, script string, norm func(string) string) {
	t.Helper()
	dir := t.TempDir()
	sf := filepath.Join(dir, "script")
	if err := os.WriteFile(sf, []byte(script), 0o666); err != nil {
		t.Fatal(err)
	}
	e.flags = append([]string{"-d=" + sf}, e.flags...)
	out, errOut, _ := e.run(t)
	if norm != nil {
		out = norm(out)
	}
	golden := filepath.Join("testdata", "debug", name+".golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o666); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to make it)", err)
	}
	if out != string(want) {
		t.Errorf("transcript differs from %s: %s\nstandard error:\n%s", golden, lineDiff(string(want), out), clip(errOut))
	}
}

// sumScript is a debugging session of sum: breakpoints by symbol and by
// line, the stack, finish, next over a call, step, a watchpoint, memory
// in several formats, registers, changing a register and memory, the
// system call and note in progress, processes, a trap, help.
const sumScript = `help x
break add
breaks
cont
bt
x/2d $SP+{w}
finish
next
next
step
step
next
delete 1
step 5
next
dis $PC 3
watch total 4
cont
x/2xw total
x/s .string
x/4xb .string
x/3c .string
x/2i $PC
x/a $SP+{f}
regs
sys
ps
write/w calls 99
x/dw calls
set BX 0x1234
regs
break sum.c:29
cont
break poke
cont
finish
bt
cont
`

func TestDebuggerC(t *testing.T) {
	t.Parallel()
	for _, arch := range cArches {
		t.Run(archName(arch), func(t *testing.T) {
			t.Parallel()
			root, _ := sumRoot(t, arch)
			// {f} is the frame of main, where its return address is.
			w := arch.PtrSize()
			script := strings.NewReplacer("{w}", strconv.Itoa(w), "{f}", strconv.Itoa(4*w)).Replace(sumScript)
			debugSession(t, "sum-"+archName(arch), emu{flags: []string{"-r", root}, cmd: "/sum", args: []string{"x"}}, script, nil)
		})
	}
}

// Commands may come on standard input; the program then reads nothing.
func TestDebuggerStdin(t *testing.T) {
	t.Parallel()
	root, lay := sumRoot(t, aout.ArchAMD64)
	out, _, code := emu{flags: []string{"-d", "-r", root}, cmd: "/sum", stdin: "break main\ncont\nbt\nstep\n"}.run(t)
	want := fmt.Sprintf(`1 sum: start at %#x _main ?
	SUBQ $0x10, SP
(9emu) break main
breakpoint 1 at %#x main %s:21
(9emu) cont
1 sum: breakpoint 1 at %#x main %s:21
	SUBQ $0x20, SP
(9emu) bt
#0 %#x main %s:21
#1 %#x _main+0x10 ?
(9emu) step
1 sum: at %#x main+0x4 %s:24
	MOVL $0x0, 0x18(SP)
sum done
`, lay._main, lay.main, sumFile, lay.main, sumFile, lay.main, sumFile, lay._main+0x10, lay.main+4, sumFile)
	if out != want || code != 0 {
		t.Errorf("status %d, transcript:\n%s\nwant:\n%s", code, out, want)
	}
}

// A session with a Go program (the repository's own hello binaries, whose
// addresses do not change): a breakpoint at main.main, its stack through
// the runtime, a listing, next over instructions and a call, finish.
func TestDebuggerGo(t *testing.T) {
	t.Parallel()
	// The process that runs main.main is the Go runtime's choice.
	pid := regexp.MustCompile(`(?m)^(#\d+ )?\d+ hello\.`)
	norm := func(s string) string { return pid.ReplaceAllString(s, "${1}N hello.") }
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			bin, err := filepath.Abs(filepath.Join("testdata", "hello."+arch))
			if err != nil {
				t.Fatal(err)
			}
			// The breakpoint in fmt.Fprintln goes before finish: the
			// goroutine may be preempted in Fprintln's stack check and
			// enter it again, which would stop there a second time.
			// Only one instruction of main.main's stack check is stepped
			// over: the runtime may have asked the goroutine to give up
			// its thread, and then the check's branch goes to morestack.
			// Breakpoint 1 goes before cont too: a goroutine that
			// morestack preempts starts main.main again.
			script := "break main.main\ncont\nbt\ndis main.main 4\nnext\ndelete 1\nbreak fmt.Fprintln\ncont\nbt\ndelete 2\nfinish\nnext\nnext\n"
			debugSession(t, "hello-"+arch, emu{cmd: bin}, script, norm)
		})
	}
}

// countRe matches the per-process line of -count.
var countRe = regexp.MustCompile(`(?m)^count: pid (\d+) (\S+): (\d+) instructions, (\d+) system calls, (\d+) pages touched, peak memory (\d+) bytes$`)

// -count is exact and does not depend on the host: two runs of sum print
// the same report, whose figures agree with the trace.
func TestCountDeterministic(t *testing.T) {
	t.Parallel()
	for _, arch := range cArches {
		t.Run(archName(arch), func(t *testing.T) {
			t.Parallel()
			_, first, _, _, _ := runSum(t, arch, []string{"-count"})
			for range 2 {
				_, again, _, _, _ := runSum(t, arch, []string{"-count"})
				if again != first {
					t.Errorf("two runs differ:\n%s\n%s", first, again)
				}
			}
			m := countRe.FindStringSubmatch(first)
			if m == nil || m[1] != "1" || m[2] != "sum" || m[4] != "2" || m[5] == "0" || m[6] == "0" {
				t.Fatalf("report:\n%s", first)
			}
			for _, l := range []string{"count: total: " + m[3] + " instructions, 2 system calls, 1 process\n",
				"count: system calls: exits 1, pwrite 1\n"} {
				if !strings.Contains(first, l) {
					t.Errorf("no %q in\n%s", l, first)
				}
			}
			// The program's output is untouched.
			out, _, code, _, _ := runSum(t, arch, []string{"-count"})
			if out != "sum done\n" || code != 0 {
				t.Errorf("stdout %q status %d", out, code)
			}
		})
	}
}

// -count for Go programs: a line per process, and totals that add up.
func TestCountGo(t *testing.T) {
	t.Parallel()
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			_, errOut, _ := emu{flags: []string{"-count"}, cmd: guest(t, arch, "hello")}.run(t)
			var insts, sys, n int
			for _, m := range countRe.FindAllStringSubmatch(errOut, -1) {
				i, _ := strconv.Atoi(m[3])
				s, _ := strconv.Atoi(m[4])
				insts, sys, n = insts+i, sys+s, n+1
			}
			want := fmt.Sprintf("count: total: %d instructions, %d system calls, %d processes\n", insts, sys, n)
			if n < 2 || insts < 10000 || !strings.Contains(errOut, want) || !strings.Contains(errOut, ", pwrite ") {
				t.Errorf("report:\n%s\nwant a total line %q", errOut, want)
			}
		})
	}
}

// readProfile reads a pprof file.
func readProfile(t *testing.T, file string) *profile.Profile {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// flat sums a profile's instructions by leaf function.
func flat(p *profile.Profile) map[string]int64 {
	m := make(map[string]int64)
	for _, s := range p.Sample {
		if len(s.Location) > 0 && len(s.Location[0].Line) > 0 {
			m[s.Location[0].Line[0].Function.Name] += s.Value[1]
		}
	}
	return m
}

// The exact profile of sum agrees with its instruction trace, function by
// function, and has lines and labels; a sampled one has whole stacks.
func TestPprofC(t *testing.T) {
	t.Parallel()
	for _, arch := range cArches {
		t.Run(archName(arch), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			pf, tf := filepath.Join(dir, "prof"), filepath.Join(dir, "trace")
			runSum(t, arch, []string{"-pprof", pf, "-pprofrate", "1", "-t", "-tout", tf})
			b, err := os.ReadFile(tf)
			if err != nil {
				t.Fatal(err)
			}
			want := make(map[string]int64)
			for _, f := range traceInsts(t, string(b)) {
				want[f]++
			}
			p := readProfile(t, pf)
			got := flat(p)
			if fmt.Sprint(got) != fmt.Sprint(want) || got["add"] != 40 {
				t.Errorf("profile %v, trace %v", got, want)
			}
			lines := make(map[int64]bool)
			for _, s := range p.Sample {
				if s.Label["program"][0] != "sum" || s.NumLabel["pid"][0] != 1 {
					t.Fatalf("labels %v %v", s.Label, s.NumLabel)
				}
				l := s.Location[0].Line[0]
				if l.Function.Name == "add" {
					if l.Function.Filename != sumFile {
						t.Errorf("add in %q", l.Function.Filename)
					}
					lines[l.Line] = true
				}
			}
			if !lines[9] || !lines[10] || !lines[11] || len(lines) != 3 {
				t.Errorf("add's lines: %v", lines)
			}

			// Sampled every 5 instructions: stacks through main to _main,
			// each sample standing for 5 instructions.
			runSum(t, arch, []string{"-pprof", pf, "-pprofrate", "5"})
			p = readProfile(t, pf)
			deep := false
			var total int64
			for _, s := range p.Sample {
				var names []string
				for _, l := range s.Location {
					names = append(names, l.Line[0].Function.Name)
				}
				if strings.Join(names, " ") == "add main _main" {
					deep = true
				}
				total += s.Value[1]
			}
			if !deep || total%5 != 0 || total == 0 {
				t.Errorf("no add-main-_main stack, or %d instructions", total)
			}
		})
	}
}

// Profiles of Go programs: the runtime's functions, with files and lines,
// whole stacks, labels; go tool pprof reads them.
func TestPprofGo(t *testing.T) {
	t.Parallel()
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			pf := filepath.Join(t.TempDir(), "prof")
			out, _, code := emu{flags: []string{"-pprof", pf, "-pprofrate", "1000"}, cmd: guest(t, arch, "hello")}.run(t)
			if out != "hello, world\n" || code != 0 {
				t.Fatalf("stdout %q status %d", out, code)
			}
			p := readProfile(t, pf)
			var runtime, deep, goFile bool
			pids := map[int64]bool{}
			for _, s := range p.Sample {
				pids[s.NumLabel["pid"][0]] = true
				if s.Label["program"][0] != "hello" {
					t.Fatalf("program label %v", s.Label)
				}
				if len(s.Location) >= 3 {
					deep = true
				}
				for _, l := range s.Location {
					for _, ln := range l.Line {
						runtime = runtime || strings.HasPrefix(ln.Function.Name, "runtime.")
						goFile = goFile || strings.HasSuffix(ln.Function.Filename, ".go") && ln.Line > 0
					}
				}
			}
			if !runtime || !deep || !goFile || len(pids) < 2 {
				t.Errorf("runtime functions %v, stacks of 3 or more %v, .go files %v, processes %v", runtime, deep, goFile, pids)
			}
			if arch == "amd64" {
				g := needGo(t)
				cmd := goCmd(g, "tool", "pprof", "-top", pf)
				top, err := cmd.CombinedOutput()
				if err != nil || !strings.Contains(string(top), "runtime.") {
					t.Errorf("go tool pprof -top: %v\n%s", err, top)
				}
			}
		})
	}
}

// goCmd returns the go command with args, run in the module.
func goCmd(g goTool, args ...string) *exec.Cmd {
	cmd := exec.Command(g.path, args...)
	cmd.Dir = g.modRoot
	cmd.Env = buildEnv("", "")
	return cmd
}

// The processes of a Go program while it is stopped: ps lists them, each
// held or in a system call, and proc switches to another, whose system
// call in progress and registers can be seen.
func TestDebuggerProcs(t *testing.T) {
	t.Parallel()
	row := regexp.MustCompile(`(?m)^([* ])(\d+)\thello\t(stopped at 0x[0-9a-f]+ \S+ \S+|in [a-z_]+|running|exited ".*")$`)
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			sf := filepath.Join(dir, "script")
			os.WriteFile(sf, []byte("break main.main\ncont\nps\nproc 2\nsys\nregs\nbt\n"), 0o666)
			out, _, code := emu{flags: []string{"-d=" + sf}, cmd: guest(t, arch, "hello")}.run(t)
			if code != 0 || !strings.HasSuffix(out, "hello, world\n") {
				t.Fatalf("status %d, transcript:\n%s", code, out)
			}
			ps, rest, _ := strings.Cut(out, "(9emu) ps\n")
			ps, rest, _ = strings.Cut(rest, "(9emu) proc 2\n")
			rows := row.FindAllStringSubmatch(ps, -1)
			cur := 0
			for _, r := range rows {
				if r[1] == "*" {
					cur++
				}
			}
			if len(rows) < 2 || cur != 1 || strings.Count(ps, "\n") != len(rows) {
				t.Errorf("ps:\n%s", ps)
			}
			if !strings.HasPrefix(rest, "2 hello: ") {
				t.Errorf("proc 2 printed %q", rest)
			}
			sys := regexp.MustCompile(`(?m)^system call: (none|[a-z_]+\(.*\))$`)
			if !sys.MatchString(rest) || !strings.Contains(rest, "notes pending: ") {
				t.Errorf("sys:\n%s", rest)
			}
			// A process in a system call goes on with it while the
			// program is stopped, and may leave it between sys and regs;
			// one that was in none cannot enter one.
			if strings.Contains(rest, "system call: none") && strings.Contains(rest, "(as at the system call") {
				t.Errorf("regs of process 2 are not as its state says:\n%s", rest)
			}
			if !strings.Contains(rest, "PC  0x") || !strings.Contains(rest, "FLAGS 0x") {
				t.Errorf("no registers:\n%s", rest)
			}
		})
	}
}
