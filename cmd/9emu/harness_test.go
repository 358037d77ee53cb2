package main

// The end-to-end tests run real programs under a freshly built 9emu. This
// file is their machinery: building 9emu, the guest programs in
// testdata/guest and standard-library test binaries (each once per test run,
// on first use, into the directory TestMain makes), running them with a
// time limit, and comparing results.
//
// Builds are done on first use rather than eagerly in TestMain so that
// running only some other test of this package (go test -run TestDeps) costs
// nothing; sync.OnceValues makes each build happen at most once per run.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	runTimeout = flag.Duration("e2e.timeout", 2*time.Minute,
		"time limit for one program run; a guard against a hung emulator, not a timing assertion")
	stdlibTimeout = flag.Duration("e2e.stdlibtimeout", 8*time.Minute,
		"time limit for one standard-library test binary under 9emu")
)

// buildFlagsVar names an environment variable holding extra flags for
// building 9emu itself, e.g. "-race" to run the whole suite against a
// race-enabled emulator.
const buildFlagsVar = "NINEEMU_E2E_BUILDFLAGS"

// arches are the guest architectures. Every end-to-end test runs one
// subtest per entry, named after it.
var arches = []string{"386", "amd64"}

// workDir holds everything the tests build. TestMain creates and removes it.
var workDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "9emu-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goTool describes the Go toolchain the tests build with.
type goTool struct {
	path    string // the go command
	modRoot string // the directory holding 9emu's go.mod
	goroot  string
}

var errNoGo = errors.New("the go command is not in $PATH")

var findGo = sync.OnceValues(func() (goTool, error) {
	path, err := exec.LookPath("go")
	if err != nil {
		return goTool{}, errNoGo
	}
	out, err := exec.Command(path, "env", "GOMOD", "GOROOT").Output()
	if err != nil {
		return goTool{}, fmt.Errorf("go env: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return goTool{}, fmt.Errorf("go env GOMOD GOROOT printed %q", out)
	}
	gomod, goroot := strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
	if gomod == "" || gomod == os.DevNull {
		return goTool{}, fmt.Errorf("go env GOMOD is %q: not inside the 9emu module", gomod)
	}
	return goTool{path: path, modRoot: filepath.Dir(gomod), goroot: goroot}, nil
})

// needGo returns the Go toolchain, or skips the test if there is none.
func needGo(t testing.TB) goTool {
	t.Helper()
	g, err := findGo()
	if errors.Is(err, errNoGo) {
		t.Skip("skipping: the go command is not in $PATH; the end-to-end tests need it to build 9emu and the guest programs")
	}
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// buildEnv returns the environment for the go command building for goos and
// goarch ("" for the host's). Plan 9 targets get a fixed instruction-set
// level, whatever the caller's environment says.
func buildEnv(goos, goarch string) []string {
	drop := []string{"GOOS", "GOARCH", "GO386", "GOAMD64", "CGO_ENABLED"}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(drop, name)
	})
	switch {
	case goos == "plan9" && goarch == "386":
		env = append(env, "GOOS=plan9", "GOARCH=386", "GO386=sse2", "CGO_ENABLED=0")
	case goos == "plan9" && goarch == "amd64":
		env = append(env, "GOOS=plan9", "GOARCH=amd64", "GOAMD64=v1", "CGO_ENABLED=0")
	case goos != "":
		panic("buildEnv: unexpected target " + goos + "/" + goarch)
	}
	return env
}

// goRun runs the go command in the module root and returns its output as
// part of the error if it fails.
func goRun(g goTool, env []string, args ...string) error {
	cmd := exec.Command(g.path, args...)
	cmd.Dir = g.modRoot
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

var exeSuffix = map[bool]string{true: ".exe"}[runtime.GOOS == "windows"]

var buildEmulator = sync.OnceValues(func() (string, error) {
	g, err := findGo()
	if err != nil {
		return "", err
	}
	out := filepath.Join(workDir, "9emu"+exeSuffix)
	args := append([]string{"build", "-o", out}, strings.Fields(os.Getenv(buildFlagsVar))...)
	args = append(args, "9emu/cmd/9emu")
	env := buildEnv("", "")
	return out, goRun(g, env, args...)
})

// emulator returns the path of the 9emu binary under test. If it does not
// build, every test that needs it fails with the compiler's output.
func emulator(t testing.TB) string {
	t.Helper()
	needGo(t)
	path, err := buildEmulator()
	if err != nil {
		t.Fatalf("building 9emu failed:\n%v", err)
	}
	return path
}

// guestBuilds builds every guest program for one target with a single go
// command. The keys are "host" and the entries of arches.
var guestBuilds = map[string]func() (string, error){
	"host":  sync.OnceValues(func() (string, error) { return buildGuests("host", "", "") }),
	"386":   sync.OnceValues(func() (string, error) { return buildGuests("plan9-386", "plan9", "386") }),
	"amd64": sync.OnceValues(func() (string, error) { return buildGuests("plan9-amd64", "plan9", "amd64") }),
}

func buildGuests(name, goos, goarch string) (string, error) {
	g, err := findGo()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(workDir, "guest-"+name)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", err
	}
	env := buildEnv(goos, goarch)
	if goos == "" {
		env = append(env, "CGO_ENABLED=0")
	}
	return dir, goRun(g, env, "build", "-o", dir+string(filepath.Separator), "./cmd/9emu/testdata/guest/...")
}

// guest returns the path of guest program prog (a directory name under
// testdata/guest) built for target: "host" or one of arches.
func guest(t testing.TB, target, prog string) string {
	t.Helper()
	needGo(t)
	dir, err := guestBuilds[target]()
	if err != nil {
		t.Fatalf("building the guest programs for %s failed:\n%v", target, err)
	}
	path := filepath.Join(dir, prog)
	if target == "host" {
		path += exeSuffix
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("guest program %s for %s: %v", prog, target, err)
	}
	return path
}

// runtimeVars change how any Go program behaves, the emulator included. They
// are removed from the environment of every program the tests run.
var runtimeVars = []string{"GOGC", "GODEBUG", "GOMAXPROCS", "GOMEMLIMIT", "GOTRACEBACK"}

// runEnv returns this process's environment without runtimeVars and the
// variables named in unset, followed by extra (later entries win).
func runEnv(extra, unset []string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(runtimeVars, name) || slices.Contains(unset, name)
	})
	return append(env, extra...)
}

// proc is one run of a host program.
type proc struct {
	path  string
	args  []string
	env   []string      // added to runEnv
	unset []string      // removed from runEnv
	stdin string        // "" means the null device
	dir   string        // working directory; "" means the test's
	limit time.Duration // 0 means *runTimeout
}

// run runs p and returns its standard output and error and its exit status
// (-1 if a host signal killed it). A run that outlives its time limit is
// killed and fails the test.
func (p proc) run(t testing.TB) (stdout, stderr string, code int) {
	t.Helper()
	limit := p.limit
	if limit == 0 {
		limit = *runTimeout
	}
	// Leave time to report before the test binary's own deadline.
	if dt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := dt.Deadline(); ok {
			limit = max(min(limit, time.Until(dl)-30*time.Second), 5*time.Second)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.path, p.args...)
	cmd.Dir = p.dir
	cmd.Env = runEnv(p.env, p.unset)
	if p.dir != "" {
		cmd.Env = append(cmd.Env, "PWD="+p.dir)
	}
	if p.stdin != "" {
		cmd.Stdin = strings.NewReader(p.stdin)
	}
	var outb, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outb, &errb
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	stdout, stderr = outb.String(), errb.String()
	var ee *exec.ExitError
	switch {
	case err != nil && ctx.Err() != nil:
		t.Fatalf("%s did not finish within %v and was killed; stdout:\n%s\nstderr:\n%s",
			p.describe(), limit, clip(stdout), clip(stderr))
	case err == nil:
		code = 0
	case errors.As(err, &ee):
		code = ee.ExitCode()
		if code < 0 {
			t.Logf("%s: %v", p.describe(), ee)
		}
	default:
		t.Fatalf("%s: %v", p.describe(), err)
	}
	return stdout, stderr, code
}

func (p proc) describe() string {
	return fmt.Sprintf("%q", append([]string{filepath.Base(p.path)}, p.args...))
}

// emu is one run of 9emu.
type emu struct {
	flags []string // 9emu's own flags, before the command
	cmd   string   // the command, as 9emu is to find it; none if ""
	args  []string
	env   []string // added to the environment (which /env mirrors)
	unset []string // removed from the environment
	stdin string
	dir   string
	limit time.Duration
}

// run runs 9emu as e describes and returns what proc.run returns. It also
// fails the test if 9emu printed a Go goroutine trace (see checkNoPanicTrace).
func (e emu) run(t testing.TB) (stdout, stderr string, code int) {
	t.Helper()
	argv := slices.Clone(e.flags)
	if e.cmd != "" {
		argv = append(argv, e.cmd)
	}
	argv = append(argv, e.args...)
	stdout, stderr, code = proc{
		path: emulator(t), args: argv, env: e.env, unset: e.unset, stdin: e.stdin, dir: e.dir, limit: e.limit,
	}.run(t)
	checkNoPanicTrace(t, stderr)
	return stdout, stderr, code
}

// runNative runs guest program prog built for the host, with args, with env
// added to the environment and stdin as its standard input.
func runNative(t testing.TB, prog string, args, env []string, stdin string) (stdout, stderr string, code int) {
	t.Helper()
	return proc{path: guest(t, "host", prog), args: args, env: env, stdin: stdin}.run(t)
}

// run9emu runs guest program prog built for plan9/arch under 9emu, by its
// absolute host path, with args, env and stdin as for runNative.
func run9emu(t testing.TB, arch, prog string, args, env []string, stdin string) (stdout, stderr string, code int) {
	t.Helper()
	return emu{cmd: guest(t, arch, prog), args: args, env: env, stdin: stdin}.run(t)
}

// emuFrame matches a stack frame of the emulator's own code in a goroutine
// trace: a function in one of its packages, or a file of cmd/9emu (guest
// frames are in package main and in files under cmd/9emu/testdata).
var emuFrame = regexp.MustCompile(`(?m)^9emu/|/cmd/9emu/\w+\.go:\d`)

// checkNoPanicTrace fails the test if stderr holds a Go goroutine trace. No
// run of 9emu in this suite may print one: the guests are written so that
// they never do (crash runs with GOTRACEBACK=none), so a trace means that the
// emulator crashed, or that a guest died in a way it should not have.
func checkNoPanicTrace(t testing.TB, stderr string) {
	t.Helper()
	if !strings.Contains(stderr, "goroutine ") || !strings.Contains(stderr, "[running]") {
		return
	}
	who := "from the guest, or from 9emu itself"
	if emuFrame.MatchString(stderr) {
		who = "from 9emu itself: its own code is on the stack"
	}
	t.Errorf("a Go goroutine trace appeared on standard error (%s):\n%s", who, clip(stderr))
}

// guestRun describes a guest program to run both natively and under 9emu.
type guestRun struct {
	prog  string
	args  []string
	env   []string // added to the environment of both runs
	stdin string
	dir   string // working directory of both runs; "" means the test's

	nativeEnv []string // added to the native run's environment only
	emuFlags  []string // extra 9emu flags (such as -E, the same for the guest only)
}

// compareWithNative runs g natively, then as one parallel subtest per
// architecture under 9emu, where standard output and exit status must equal
// the native ones. It returns the native results so that the caller can
// check that the guest itself behaved.
func compareWithNative(t *testing.T, g guestRun) (nativeStdout string, nativeCode int) {
	t.Helper()
	wantOut, wantErr, wantCode := proc{
		path: guest(t, "host", g.prog), args: g.args, env: append(slices.Clone(g.env), g.nativeEnv...),
		stdin: g.stdin, dir: g.dir,
	}.run(t)
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := emu{
				flags: g.emuFlags, cmd: guest(t, arch, g.prog), args: g.args, env: g.env,
				stdin: g.stdin, dir: g.dir,
			}.run(t)
			var problems []string
			if out != wantOut {
				problems = append(problems, "standard output differs from the native run's: "+lineDiff(wantOut, out))
			}
			if code != wantCode {
				problems = append(problems, fmt.Sprintf("exit status %d, natively %d", code, wantCode))
			}
			if problems != nil {
				t.Errorf("%s\n9emu's standard error:\n%s\nnative standard error:\n%s",
					strings.Join(problems, "\n"), clip(errOut), clip(wantErr))
			}
		})
	}
	return wantOut, wantCode
}

// lineDiff describes how got differs from want: the first differing line,
// with a little context from both, each line quoted.
func lineDiff(want, got string) string {
	wl, gl := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	col := 0
	if i < len(wl) && i < len(gl) {
		for col < len(wl[i]) && col < len(gl[i]) && wl[i][col] == gl[i][col] {
			col++
		}
	}
	ndiff := 0
	for j := range max(len(wl), len(gl)) {
		if j >= len(wl) || j >= len(gl) || wl[j] != gl[j] {
			ndiff++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d, byte %d; %d of the lines differ (native: %d bytes, 9emu: %d bytes)",
		i+1, col+1, ndiff, len(want), len(got))
	for _, side := range []struct {
		name  string
		lines []string
	}{{"native", wl}, {"9emu", gl}} {
		fmt.Fprintf(&b, "\n--- %s:", side.name)
		for j := max(0, i-1); j < min(len(side.lines), i+2); j++ {
			mark := "  "
			if j == i {
				mark = "> "
			}
			fmt.Fprintf(&b, "\n%s%q", mark, clip(side.lines[j]))
		}
	}
	return b.String()
}

// clip shortens s for a failure message, keeping its beginning and end.
func clip(s string) string {
	const keep = 2000
	if len(s) <= 2*keep {
		return s
	}
	return fmt.Sprintf("%s\n[... %d bytes ...]\n%s", s[:keep], len(s)-2*keep, s[len(s)-keep:])
}

// Hand-assembled Plan 9 executables, for the C conventions (arguments on
// the stack, INT $0x40 or SYSCALL, exits strings) that Go programs do not
// exercise. See plan9-abi.md §1 and §3.

// Plan 9 system-call numbers used by the hand-assembled programs.
const (
	sysExits  = 8
	sysPwrite = 51
)

// aoutLayout gives, per architecture, the a.out magic, the header size and
// the address of the first text byte (the text segment includes the header).
var aoutLayout = map[string]struct {
	magic    uint32
	hdrSize  int
	textAddr uint32
}{
	"386":   {0x01EB, 32, 0x1020},
	"amd64": {0x8A97, 40, 0x200028},
}

// aoutStrOff is where in the text the assembler places string constants:
// the code must be shorter.
const aoutStrOff = 0x100

// aoutAsm accumulates machine code for one architecture.
type aoutAsm struct {
	arch string
	code []byte
	strs []byte
}

// str places s (NUL-terminated) among the string constants and returns its
// address.
func (a *aoutAsm) str(s string) uint32 {
	addr := aoutLayout[a.arch].textAddr + aoutStrOff + uint32(len(a.strs))
	a.strs = append(append(a.strs, s...), 0)
	return addr
}

func (a *aoutAsm) emit(b ...byte) { a.code = append(a.code, b...) }

// push pushes a word: PUSH imm32 (sign-extended to 64 bits on amd64).
func (a *aoutAsm) push(v int32) {
	a.emit(0x68)
	a.code = binary.LittleEndian.AppendUint32(a.code, uint32(v))
}

// syscall makes system call num with args, which are pushed in reverse order
// under a zero fake return address, so that they sit where the kernel looks
// (ESP+4 on 386, RSP+8 on amd64, one word each), and then popped again.
// It does not support 64-bit arguments on 386 except -1, given as two words.
func (a *aoutAsm) syscall(num int32, args ...int32) {
	for _, v := range slices.Backward(args) {
		a.push(v)
	}
	a.push(0) // the return address a libc stub's CALL would have pushed
	frame := byte(4 * (len(args) + 1))
	if a.arch == "386" {
		a.emit(0xB8) // MOVL $num, AX
		a.code = binary.LittleEndian.AppendUint32(a.code, uint32(num))
		a.emit(0xCD, 0x40)        // INT $0x40
		a.emit(0x83, 0xC4, frame) // ADDL $frame, SP
		return
	}
	a.emit(0xBD) // MOVL $num, BP (zero-extends into RBP)
	a.code = binary.LittleEndian.AppendUint32(a.code, uint32(num))
	a.emit(0x0F, 0x05)                // SYSCALL
	a.emit(0x48, 0x83, 0xC4, 2*frame) // ADDQ $frame, SP
}

// pwrite writes s to fd with pwrite(fd, s, len(s), -1).
func (a *aoutAsm) pwrite(fd int32, s string) {
	addr := int32(a.str(s))
	if a.arch == "386" {
		a.syscall(sysPwrite, fd, addr, int32(len(s)), -1, -1) // the vlong offset is two words
	} else {
		a.syscall(sysPwrite, fd, addr, int32(len(s)), -1)
	}
}

// exits calls exits(msg).
func (a *aoutAsm) exits(msg string) { a.exitsAt(int32(a.str(msg))) }

// exitsNil calls exits(nil).
func (a *aoutAsm) exitsNil() { a.exitsAt(0) }

func (a *aoutAsm) exitsAt(msg int32) {
	a.syscall(sysExits, msg)
	a.emit(0x0F, 0x0B) // UD2: if exits returned, die of an invalid-opcode note
}

// storeNil writes to address 0: MOVL $42, 0 with an absolute SIB address,
// which means the same in both modes.
func (a *aoutAsm) storeNil() {
	a.emit(0xC7, 0x04, 0x25, 0, 0, 0, 0, 42, 0, 0, 0)
}

// image returns the a.out file: header, text (code, padding, strings) and 8
// bytes of data, with the entry point at the first text byte plus entryOff.
func (a *aoutAsm) image(entryOff uint32) []byte {
	if len(a.code) > aoutStrOff {
		panic("aoutAsm: code overlaps the strings")
	}
	l := aoutLayout[a.arch]
	text := append(make([]byte, 0, aoutStrOff+len(a.strs)), a.code...)
	text = append(text, make([]byte, aoutStrOff-len(a.code))...)
	text = append(text, a.strs...)
	entry := l.textAddr + entryOff
	var hdr []byte
	for _, v := range []uint32{l.magic, uint32(len(text)), 8, 0, 0, entry, 0, 0} {
		hdr = binary.BigEndian.AppendUint32(hdr, v)
	}
	if l.hdrSize == 40 {
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(entry))
	}
	return append(append(hdr, text...), make([]byte, 8)...)
}

// writeExecutable writes data as an executable file name in dir and returns
// its path.
func writeExecutable(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}
