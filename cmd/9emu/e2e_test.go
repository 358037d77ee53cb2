package main

// End-to-end tests: Go programs from testdata/guest, built for plan9/386 and
// plan9/amd64, run under 9emu and must print what the same programs print
// when built for the host and run natively, and exit with the same status.
// A few tests check 9emu's own contract (flags, exit statuses, errors) with
// exact expectations instead. The machinery is in harness_test.go.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// tempDir returns a new temporary directory with symbolic links resolved,
// so that a program's idea of its working directory can be compared with it.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestHello(t *testing.T) {
	t.Parallel()
	out, code := compareWithNative(t, guestRun{prog: "hello"})
	if out != "hello, world\n" || code != 0 {
		t.Errorf("natively, hello printed %q and exited %d", out, code)
	}
}

// TestRelativeCommand runs a command named by a path relative to the
// current directory.
func TestRelativeCommand(t *testing.T) {
	t.Parallel()
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			path := guest(t, arch, "hello")
			out, errOut, code := emu{cmd: "./hello", dir: filepath.Dir(path)}.run(t)
			if out != "hello, world\n" || code != 0 {
				t.Errorf("9emu ./hello printed %q and exited %d; stderr:\n%s", out, code, clip(errOut))
			}
		})
	}
}

func TestArgs(t *testing.T) {
	t.Parallel()
	many := make([]string, 300)
	for i := range many {
		many[i] = fmt.Sprintf("arg%03d", i)
	}
	many = append(many, strings.Repeat("long-argument/", 400))
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"none", nil, 0},
		{"exit0", []string{"-exit", "0", "a b", "", "ünïcödé", "日本語", "emoji 😀"}, 0},
		{"exit3", []string{"-exit", "3", "with  two spaces", "", "tab\there"}, 3},
		{"exit255", []string{"-exit=255", "x"}, 255},
		{"special", []string{"plain", "-", "--", "-exit", "quote\"d", `back\slash`, "$HOME", "*", "new\nline", "'"}, 0},
		{"many", many, 0},
		{"from-goroutine", []string{"-exit", "7", "-from-goroutine"}, 7},
		{"from-goroutine-0", []string{"-from-goroutine", "after"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, code := compareWithNative(t, guestRun{prog: "args", args: tc.args})
			if code != tc.code {
				t.Errorf("natively, args exited %d, want %d", code, tc.code)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	t.Parallel()
	env := []string{
		"NINEEMU_FOO=bar",
		"NINEEMU_EMPTY=",
		"NINEEMU_SPACES=a b  c ",
		"NINEEMU_UNICODE=ünïcödé 日本",
		"NINEEMU_EQUALS=x=y=z",
		"NINEEMU_MULTILINE=line1\nline2\n",
	}
	names := []string{"NINEEMU_FOO", "NINEEMU_EMPTY", "NINEEMU_SPACES", "NINEEMU_UNICODE",
		"NINEEMU_EQUALS", "NINEEMU_MULTILINE", "NINEEMU_UNSET"}
	out, code := compareWithNative(t, guestRun{prog: "env", args: names, env: env})
	if code != 0 || !strings.Contains(out, `NINEEMU_FOO lookup=true value="bar"`) {
		t.Errorf("natively, env exited %d and printed:\n%s", code, out)
	}
}

// TestEnvFlags checks -E and -U, which change the guest's environment only.
func TestEnvFlags(t *testing.T) {
	t.Parallel()
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := emu{
				flags: []string{"-E", "NINEEMU_A=override", "-E", "NINEEMU_NEW=new", "-E", "NINEEMU_EQ=a=b",
					"-E", "NINEEMU_NIL=", "-U", "NINEEMU_B"},
				cmd:  guest(t, arch, "env"),
				args: []string{"NINEEMU_A", "NINEEMU_B", "NINEEMU_C", "NINEEMU_NEW", "NINEEMU_EQ", "NINEEMU_NIL"},
				env:  []string{"NINEEMU_A=host", "NINEEMU_B=host", "NINEEMU_C=kept"},
			}.run(t)
			want := `NINEEMU_A lookup=true value="override" getenv="override" environ="override"
NINEEMU_B lookup=false value="" getenv="" environ=absent
NINEEMU_C lookup=true value="kept" getenv="kept" environ="kept"
NINEEMU_NEW lookup=true value="new" getenv="new" environ="new"
NINEEMU_EQ lookup=true value="a=b" getenv="a=b" environ="a=b"
NINEEMU_NIL lookup=true value="" getenv="" environ=""
after setenv lookup=true value="set by guest" environ="set by guest"
after unsetenv lookup=false value="" environ=absent
`
			if out != want || code != 0 {
				t.Errorf("exit status %d, output: %s\nstderr:\n%s", code, lineDiff(want, out), clip(errOut))
			}
		})
	}
}

// TestEnvDefaults checks that the guest finds Plan 9's usual variables
// when the host has none of them, and the host's value when it has one.
func TestEnvDefaults(t *testing.T) {
	t.Parallel()
	defaults := []string{"user", "home", "sysname", "cputype", "objtype", "path"}
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := emu{cmd: guest(t, arch, "env"), args: defaults, unset: defaults}.run(t)
			if code != 0 {
				t.Fatalf("exit status %d; stderr:\n%s", code, clip(errOut))
			}
			for _, name := range defaults {
				re := regexp.MustCompile(`(?m)^` + name + ` lookup=true value="[^"]+"`)
				if !re.MatchString(out) {
					t.Errorf("no default for $%s; output:\n%s", name, out)
				}
			}
			// Without -U, a value from the host wins over a default.
			out, errOut, _ = emu{cmd: guest(t, arch, "env"), args: []string{"sysname"},
				env: []string{"sysname=fromhost"}}.run(t)
			if !strings.HasPrefix(out, `sysname lookup=true value="fromhost"`) {
				t.Errorf("host's $sysname not seen; output:\n%s\nstderr:\n%s", out, clip(errOut))
			}
		})
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	ndir := tempDir(t)
	want, wantErr, wantCode := runNative(t, "files", []string{ndir}, nil, "")
	if wantCode != 0 {
		t.Fatalf("natively, files exited %d; output:\n%s\nstderr:\n%s", wantCode, want, wantErr)
	}
	checkFilesLeftover(t, ndir)
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			dir := tempDir(t)
			out, errOut, code := run9emu(t, arch, "files", []string{dir}, nil, "")
			if out != want {
				t.Errorf("transcript differs from the native run's: %s\nstderr:\n%s", lineDiff(want, out), clip(errOut))
			}
			if code != 0 {
				t.Errorf("exit status %d; stderr:\n%s", code, clip(errOut))
			}
			checkFilesLeftover(t, dir)
		})
	}
}

// checkFilesLeftover checks on the host what the files guest leaves behind.
func checkFilesLeftover(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"final.txt"}) {
		t.Errorf("files left %q in its directory, want [\"final.txt\"]", names)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "final.txt")); err != nil || string(b) != "final\n" {
		t.Errorf("final.txt holds %q (error %v), want \"final\\n\"", b, err)
	}
}

func TestGoroutines(t *testing.T) {
	t.Parallel()
	out, code := compareWithNative(t, guestRun{prog: "goroutines"})
	if code != 0 || !strings.Contains(out, "mutex 80000 atomic 80000") {
		t.Errorf("natively, goroutines exited %d and printed:\n%s", code, out)
	}
}

func TestFloats(t *testing.T) {
	t.Parallel()
	if _, code := compareWithNative(t, guestRun{prog: "floats"}); code != 0 {
		t.Errorf("natively, floats exited %d", code)
	}
}

func TestBigHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in short mode: allocates 300 MiB")
	}
	t.Parallel()
	out, code := compareWithNative(t, guestRun{prog: "bigheap"})
	if code != 0 || !strings.Contains(out, "numgc>0=true heap<64MiB=true") {
		t.Errorf("natively, bigheap exited %d and printed:\n%s", code, out)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	out, code := compareWithNative(t, guestRun{prog: "faults"})
	if code != 0 || !strings.Contains(out, "nil read: runtime.Error=true recovered: runtime error: invalid memory address or nil pointer dereference") {
		t.Errorf("natively, faults exited %d and printed:\n%s", code, out)
	}
}

// TestCrash compares how a Go program dies. The guest gets GOTRACEBACK=none
// (under 9emu through -E, so that the emulator's own tracebacks stay on), so
// standard error holds the panic message but no goroutine trace.
func TestCrash(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ mode, stderr string }{
		{"panic", "panic: crash test"},
		{"nil", "panic: runtime error: invalid memory address or nil pointer dereference"},
		{"deadlock", "fatal error: all goroutines are asleep - deadlock!"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			const quiet = "GOTRACEBACK=none"
			args := []string{tc.mode}
			nout, nerr, ncode := runNative(t, "crash", args, []string{quiet}, "")
			if ncode != 2 || !strings.Contains(nerr, tc.stderr) {
				t.Fatalf("natively, crash %s exited %d with stderr:\n%s", tc.mode, ncode, nerr)
			}
			for _, arch := range arches {
				t.Run(arch, func(t *testing.T) {
					t.Parallel()
					out, errOut, code := emu{flags: []string{"-E", quiet}, cmd: guest(t, arch, "crash"), args: args}.run(t)
					if code != ncode {
						t.Errorf("exit status %d, natively %d", code, ncode)
					}
					if out != nout {
						t.Errorf("standard output differs from the native run's: %s", lineDiff(nout, out))
					}
					if !strings.Contains(errOut, tc.stderr) {
						t.Errorf("standard error does not contain %q:\n%s", tc.stderr, clip(errOut))
					}
				})
			}
		})
	}
}

func TestCompute(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in short mode: a few seconds of CPU work natively")
	}
	t.Parallel()
	out, code := compareWithNative(t, guestRun{prog: "compute"})
	if code != 0 || !strings.Contains(out, "300! has 615 digits") {
		t.Errorf("natively, compute exited %d and printed:\n%s", code, out)
	}
}

func TestStdin(t *testing.T) {
	t.Parallel()
	var in strings.Builder
	for i := range 120 {
		fmt.Fprintf(&in, "line %03d: héllo wörld — straße ǆ ÿ %s\n", i, strings.Repeat("x", i%17))
	}
	in.WriteString("no newline at the end")
	for _, tc := range []struct{ name, stdin string }{
		{"text", in.String()},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, code := compareWithNative(t, guestRun{prog: "stdin", stdin: tc.stdin})
			if code != 0 || !strings.Contains(out, fmt.Sprintf("bytes %d ", len(tc.stdin))) {
				t.Errorf("natively, stdin exited %d and printed:\n%s", code, clip(out))
			}
		})
	}
}

func TestSysinfo(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o777); err != nil {
		t.Fatal(err)
	}
	out, code := compareWithNative(t, guestRun{prog: "sysinfo", args: []string{dir}, dir: dir})
	if code != 0 || strings.Contains(out, "false") || strings.Contains(out, "unexpected") {
		t.Errorf("natively, sysinfo exited %d and printed:\n%s", code, out)
	}
}

func TestPipe(t *testing.T) {
	t.Parallel()
	out, code := compareWithNative(t, guestRun{prog: "pipe"})
	if code != 0 || !strings.Contains(out, "same=true") || !strings.Contains(out, "closed: error=true") {
		t.Errorf("natively, pipe exited %d and printed:\n%s", code, out)
	}
}

// TestRootFlag runs a guest inside a root directory given with -r and checks
// what it can see: the files under the root, nothing outside it, whether
// through "..", a host path or a symbolic link.
func TestRootFlag(t *testing.T) {
	t.Parallel()
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			base := tempDir(t)
			root := filepath.Join(base, "root")
			outside := filepath.Join(base, "outside")
			// Not /bin: in a confined name space that is the union of
			// /$cputype/bin and /rc/bin, as on Plan 9.
			for _, d := range []string{root, outside, filepath.Join(root, "guest"), filepath.Join(root, "dir")} {
				if err := os.MkdirAll(d, 0o777); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(guest(t, arch, "stat"))
			if err != nil {
				t.Fatal(err)
			}
			writeExecutable(t, filepath.Join(root, "guest"), "stat", data)
			for path, s := range map[string]string{
				filepath.Join(root, "a.txt"):         "hello",
				filepath.Join(outside, "secret.txt"): "secret",
			} {
				if err := os.WriteFile(path, []byte(s), 0o666); err != nil {
					t.Fatal(err)
				}
			}
			paths := []string{"/a.txt", "/dir", "/missing", "/../a.txt", "/dir/../a.txt",
				"/../outside/secret.txt", filepath.ToSlash(filepath.Join(outside, "secret.txt"))}
			want := []string{"exists=true size=5", "exists=true dir", "exists=false notexist=true",
				"exists=true size=5", "exists=true size=5", "exists=false", "exists=false"}
			if err := os.Symlink(outside, filepath.Join(root, "link")); err == nil {
				paths = append(paths, "/link/secret.txt")
				want = append(want, "exists=false")
			} else {
				t.Logf("no symbolic link test: %v", err)
			}
			out, errOut, code := emu{flags: []string{"-r", root}, cmd: "/guest/stat", args: paths, dir: root}.run(t)
			if code != 0 {
				t.Errorf("exit status %d; stderr:\n%s", code, clip(errOut))
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != len(paths) {
				t.Fatalf("got %d lines for %d paths:\n%s\nstderr:\n%s", len(lines), len(paths), out, clip(errOut))
			}
			for i, p := range paths {
				if !strings.HasPrefix(lines[i], p+": "+want[i]) {
					t.Errorf("stat %s: got %q, want it to start with %q", p, lines[i], p+": "+want[i])
				}
			}
		})
	}
}

// TestGOROOTHelloC runs the two real 8c/6c-built Plan 9 C programs that
// every Go installation carries (for debug/plan9obj's tests). They are
// copied out first because GOROOT does not mark them executable. Their main
// returns instead of calling exits, so libc's _main calls exits("main"),
// which 9emu reports as exit status 0, as a C main returning is elsewhere.
func TestGOROOTHelloC(t *testing.T) {
	t.Parallel()
	g := needGo(t)
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			path := writeExecutable(t, t.TempDir(), "hello", goRootHelloC(t, g, arch))
			out, errOut, code := emu{cmd: path}.run(t)
			if out != "hello, world\n" || code != 0 || errOut != "" {
				t.Errorf("printed %q and exited %d with stderr %q; want \"hello, world\\n\", 0 and nothing",
					out, code, clip(errOut))
			}
		})
	}
}

// TestExitStatus checks how a Plan 9 exit string becomes a host exit status,
// with hand-assembled C-convention programs (arguments on the stack, the
// trap instruction, a vlong offset of -1 to pwrite).
func TestExitStatus(t *testing.T) {
	t.Parallel()
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				name string
				msg  string // "nil" means exits(nil)
				code int
			}{
				{"nil", "nil", 0},
				{"empty", "", 0},
				{"three", "3", 3},
				{"max", "255", 255},
				{"text", "boom", 1},
				{"main returned", "main", 0},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					a := &aoutAsm{arch: arch}
					a.pwrite(1, "out\n")
					a.pwrite(2, "err\n")
					if tc.msg == "nil" {
						a.exitsNil()
					} else {
						a.exits(tc.msg)
					}
					path := writeExecutable(t, t.TempDir(), "exits", a.image(0))
					out, errOut, code := emu{cmd: path}.run(t)
					if out != "out\n" || code != tc.code {
						t.Errorf("printed %q and exited %d, want \"out\\n\" and %d; stderr:\n%s", out, code, tc.code, clip(errOut))
					}
					if !strings.HasPrefix(errOut, "err\n") {
						t.Errorf("standard error %q does not start with \"err\\n\"", errOut)
					}
				})
			}
		})
	}
}

// TestNoteDeath checks that a process killed by a note (here a write to
// address 0, with no note handler) reports the note as Plan 9 does, on one
// line of standard error, and exits with a failure status.
func TestNoteDeath(t *testing.T) {
	t.Parallel()
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			a := &aoutAsm{arch: arch}
			a.pwrite(1, "before\n")
			faultPC := aoutLayout[arch].textAddr + uint32(len(a.code))
			a.storeNil()
			a.exits("not reached")
			path := writeExecutable(t, t.TempDir(), "fault", a.image(0))
			out, errOut, code := emu{cmd: path}.run(t)
			if out != "before\n" || code == 0 {
				t.Errorf("printed %q and exited %d, want \"before\\n\" and a failure", out, code)
			}
			re := regexp.MustCompile(fmt.Sprintf(`^(\S*/)?fault \d+: (suicide: )?sys: trap: fault write addr=0x0 pc=%#x\n?$`, faultPC))
			if !re.MatchString(errOut) {
				t.Errorf("standard error is %q, want one line matching %s", errOut, re)
			}
		})
	}
}

// TestMalformed gives 9emu files that are not Plan 9 executables. Each must
// be refused with one line on standard error and a failure status.
func TestMalformed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	garbage := make([]byte, 4096)
	x := uint32(2463534242)
	for i := range garbage {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		garbage[i] = byte(x)
	}
	cases := map[string]string{ // name → path given to 9emu
		"missing":   filepath.Join(dir, "missing"),
		"directory": dir,
		"empty":     writeExecutable(t, dir, "empty", nil),
		"garbage":   writeExecutable(t, dir, "garbage", garbage),
		"text":      writeExecutable(t, dir, "text", []byte("hello, world\n")),
	}
	hostHello, err := os.ReadFile(guest(t, "host", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	cases["host-binary"] = writeExecutable(t, dir, "host-binary", hostHello)
	for _, arch := range arches {
		good, err := os.ReadFile(guest(t, arch, "hello"))
		if err != nil {
			t.Fatal(err)
		}
		hdr := aoutLayout[arch].hdrSize
		cases["truncated-"+arch] = writeExecutable(t, dir, "truncated-"+arch, good[:4096])
		cases["header-only-"+arch] = writeExecutable(t, dir, "header-only-"+arch, good[:hdr])
		cases["short-header-"+arch] = writeExecutable(t, dir, "short-header-"+arch, good[:hdr-1])
		a := &aoutAsm{arch: arch}
		a.exitsNil()
		cases["entry-outside-text-"+arch] = writeExecutable(t, dir, "bad-entry-"+arch, a.image(0x10000))
		img := a.image(0)
		img[0], img[1], img[2], img[3] = 0, 0, 0x12, 0x34
		cases["bad-magic-"+arch] = writeExecutable(t, dir, "bad-magic-"+arch, img)
	}
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := emu{cmd: path, dir: dir}.run(t)
			if code == 0 {
				t.Errorf("exit status 0, want a failure")
			}
			if out != "" {
				t.Errorf("standard output is %q, want nothing", clip(out))
			}
			checkOneLineError(t, errOut)
		})
	}
}

// TestNoCommand runs 9emu without a command and with an unknown flag.
func TestNoCommand(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"no-arguments": nil,
		"unknown-flag": {"-no-such-flag", "x"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := proc{path: emulator(t), args: args}.run(t)
			checkNoPanicTrace(t, errOut)
			if code == 0 || errOut == "" || strings.Contains(strings.ToLower(errOut+out), "panic") {
				t.Errorf("exit status %d, stderr %q: want a failure status and a message", code, clip(errOut))
			}
		})
	}
}

// checkOneLineError checks 9emu's complaint about a bad command: exactly one
// line, and not a Go crash.
func checkOneLineError(t *testing.T, stderr string) {
	t.Helper()
	line := strings.TrimSuffix(stderr, "\n")
	if line == "" || strings.Contains(line, "\n") {
		t.Errorf("standard error is %q, want exactly one line", clip(stderr))
	}
	if strings.Contains(stderr, "goroutine ") || strings.Contains(strings.ToLower(stderr), "panic") {
		t.Errorf("standard error looks like a crash:\n%s", clip(stderr))
	}
}

// TestRootOneArch gives -r a tree that has binaries of one architecture
// only, as Plan 9 distributions for 386 do. Before the first binary is
// found its cputype is unknown, so /bin, /bin/NAME and the default /bin/rc
// must find it in either /386/bin or /amd64/bin.
func TestRootOneArch(t *testing.T) {
	t.Parallel()
	g := needGo(t)
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			data := goRootHelloC(t, g, arch)
			root := tempDir(t)
			bin := filepath.Join(root, arch, "bin")
			if err := os.MkdirAll(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			writeExecutable(t, bin, "hello", data)
			writeExecutable(t, bin, "rc", data)
			for _, c := range []emu{
				{flags: []string{"-r", root}, cmd: "/bin/hello"},
				{flags: []string{"-r", root}, cmd: "hello"},
				{flags: []string{"-r", root}},
			} {
				c.dir = root
				out, errOut, code := c.run(t)
				if out != "hello, world\n" || code != 0 {
					t.Errorf("9emu %q %q printed %q and exited %d; stderr:\n%s", c.flags, c.cmd, out, code, clip(errOut))
				}
			}
		})
	}
}

// TestHomeInRoot: inside a tree given with -r, $home is a name in that
// tree (/usr/$user when the tree has it, else /), not the host's $HOME.
func TestHomeInRoot(t *testing.T) {
	t.Parallel()
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			root := tempDir(t)
			data, err := os.ReadFile(guest(t, arch, "env"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(root, "usr", "ken"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeExecutable(t, root, "printenv", data)
			for user, want := range map[string]string{"ken": "/usr/ken", "rob": "/"} {
				out, errOut, code := emu{flags: []string{"-r", root, "-u", user}, cmd: "/printenv", args: []string{"home"},
					unset: []string{"home"}, env: []string{"HOME=/host/home"}, dir: root}.run(t)
				if w := fmt.Sprintf("home lookup=true value=%q", want); !strings.HasPrefix(out, w) || code != 0 {
					t.Errorf("-u %s: exit status %d, printed:\n%s\nwant it to start with %s; stderr:\n%s", user, code, out, w, clip(errOut))
				}
			}
		})
	}
}

// TestRootDotOutside: run from a host directory outside the tree given
// with -r, the current directory is that directory's name under
// /mnt/term, so relative names reach the files there.
func TestRootDotOutside(t *testing.T) {
	t.Parallel()
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			base := tempDir(t)
			root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
			for _, d := range []string{root, outside} {
				if err := os.MkdirAll(d, 0o777); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(outside, "here.txt"), []byte("outside"), 0o666); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(guest(t, arch, "stat"))
			if err != nil {
				t.Fatal(err)
			}
			writeExecutable(t, root, "stat", data)
			out, errOut, code := emu{flags: []string{"-r", root}, cmd: "/stat", args: []string{"here.txt"}, dir: outside}.run(t)
			if !strings.HasPrefix(out, "here.txt: exists=true size=7") || code != 0 {
				t.Errorf("exit status %d, printed %q; stderr:\n%s", code, out, clip(errOut))
			}
		})
	}
}

// goRootHelloC returns the 8c (386) or 6c (amd64) "hello, world" that
// GOROOT carries, skipping the test if it is missing.
func goRootHelloC(t *testing.T, g goTool, arch string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(g.goroot, "src", "debug", "plan9obj", "testdata", arch+"-plan9-exec"))
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	return data
}

// TestWaitTimes: a child's wait record carries its user and system
// milliseconds, as Plan 9's does. (Which process's /proc/N/status then
// counts them among its children's depends on the Go thread that forked,
// so the guest does not look.)
func TestWaitTimes(t *testing.T) {
	t.Parallel()
	out, code := compareWithNative(t, guestRun{prog: "times"})
	if code != 0 || strings.Count(out, ": true\n") != 2 {
		t.Errorf("natively, times exited %d and printed:\n%s", code, out)
	}
}
