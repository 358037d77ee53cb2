package bench

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"9emu/aout"
	"9emu/sys9"
)

var arches = []struct {
	name string
	arch aout.Arch
}{{"386", aout.Arch386}, {"amd64", aout.ArchAMD64}}

// syncBuf is a bytes.Buffer that the kernel's goroutines may write while
// the benchmark reads it afterwards.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runTimeout bounds one program run; it guards against a hang, it is not
// a synchronisation.
const runTimeout = 5 * time.Minute

// runAout runs the a.out file name in directory root (the root of the
// name space) to its end, as the first process of a new kernel, and
// returns its exit string and what it wrote on standard error. With
// trace, the system-call trace is appended to the latter.
func runAout(tb testing.TB, root, name string, trace bool) (status, stderr string) {
	var errw syncBuf
	cfg := sys9.Config{Root: root, Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errw,
		User: "glenda", Sysname: "bench", Dot: "/"}
	if trace {
		cfg.Trace = &errw
	}
	k, err := sys9.NewKernel(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	defer k.Shutdown()
	p, err := k.Start("/"+name, []string{name})
	if err != nil {
		tb.Fatalf("Start %s: %v", name, err)
	}
	select {
	case <-p.Done():
	case <-time.After(runTimeout):
		tb.Fatalf("%s did not finish within %v", name, runTimeout)
	}
	return p.Wait(), errw.String()
}

// writeProg links p into dir under name.
func writeProg(tb testing.TB, dir, name string, p *program) {
	img, err := p.image()
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), img, 0o755); err != nil {
		tb.Fatal(err)
	}
}

// nullProg returns a program that makes a cheap system call n times and
// exits: errstr (swap the error string with a 128-byte buffer) or pread
// of 128 bytes from /dev/null (which returns 0 at once).
func nullProg(arch aout.Arch, call string, n uint32) *program {
	p := &program{arch: arch}
	devnull := p.str("/dev/null")
	failed := p.str("open failed")
	p.code = func(a *asm, data uint32) {
		w := byte(4)
		if a.is64 {
			w = 8
		}
		if call == "pread" {
			// fd = open("/dev/null", OREAD), kept in DI.
			a.pushImm(sys9.OREAD).pushImm(data+devnull).emit(0x6A, 0x00).sys(sysOpen).addSP(3 * w)
			a.emit(0x85, 0xC0) // test eax, eax
			a.js("fail")
			a.wide().emit(0x89, 0xC7) // mov edi, eax
		}
		a.wide().emit(0x81, 0xEC).imm32(256) // sub esp, 256: the buffer
		a.wide().emit(0x89, 0xE6)            // mov esi, esp
		a.emit(0xBB).imm32(n)                // mov ebx, n
		a.label("loop")
		switch call {
		case "errstr":
			// errstr(buf, 128)
			a.pushImm(128).emit(0x56, 0x6A, 0x00).sys(sysErrstr).addSP(3 * w)
		case "pread":
			// pread(fd, buf, 128, 0LL): the offset takes two slots on
			// 386, one on amd64.
			if !a.is64 {
				a.emit(0x6A, 0x00)
			}
			a.emit(0x6A, 0x00).pushImm(128).emit(0x56, 0x57, 0x6A, 0x00).sys(sysPread)
			if a.is64 {
				a.addSP(5 * 8)
			} else {
				a.addSP(6 * 4)
			}
		}
		a.emit(0xFF, 0xCB) // dec ebx
		a.jnz("loop")
		a.exits(0)
		a.label("fail")
		a.exits(data + failed)
	}
	return p
}

// BenchmarkSyscall is a null system call's round trip through sys9: the
// CPU stops at the trap, the kernel fetches the arguments from the guest
// stack, runs the handler, stores the result and resumes the CPU. One
// process makes b.N calls; ns/op is ns per call, start-up included but
// amortised.
func BenchmarkSyscall(b *testing.B) {
	for _, call := range []string{"errstr", "pread"} {
		for _, a := range arches {
			b.Run(call+"/"+a.name, func(b *testing.B) {
				dir := b.TempDir()
				writeProg(b, dir, "null", nullProg(a.arch, call, uint32(b.N)))
				b.ReportAllocs()
				b.ResetTimer()
				status, stderr := runAout(b, dir, "null", false)
				b.StopTimer()
				if status != "" {
					b.Fatalf("exit status %q; stderr: %s", status, stderr)
				}
			})
		}
	}
}

// forkExecProgs returns a program that n times forks (rfork RFPROC|RFFDG|
// RFREND, as fork(2) does), execs /child in the child, and awaits it in
// the parent; and the child, which exits at once.
func forkExecProgs(arch aout.Arch, n uint32) (parent, child *program) {
	child = &program{arch: arch, code: func(a *asm, data uint32) { a.exits(0) }}
	p := &program{arch: arch}
	path := p.str("/child")
	msgs := map[string]uint32{
		"rfork": p.str("rfork failed"),
		"exec":  p.str("exec failed"),
		"await": p.str("await failed"),
	}
	p.code = func(a *asm, data uint32) {
		w := byte(4)
		if a.is64 {
			w = 8
		}
		a.wide().emit(0x81, 0xEC).imm32(256) // sub esp, 256: await's buffer
		a.wide().emit(0x89, 0xE6)            // mov esi, esp
		a.emit(0xBB).imm32(n)                // mov ebx, n
		a.label("loop")
		a.pushImm(sys9.RFPROC|sys9.RFFDG|sys9.RFREND).emit(0x6A, 0x00).sys(sysRfork).addSP(2 * w)
		a.emit(0x85, 0xC0) // test eax, eax
		a.js("rforkfail")
		a.jz("child")
		a.pushImm(128).emit(0x56, 0x6A, 0x00).sys(sysAwait).addSP(3 * w)
		a.emit(0x85, 0xC0) // test eax, eax
		a.js("awaitfail")
		a.emit(0xFF, 0xCB) // dec ebx
		a.jnz("loop")
		a.exits(0)
		a.label("child")
		// exec(path, argv) with argv = {path, nil} built on the stack.
		a.emit(0x6A, 0x00).pushImm(data + path)
		a.wide().emit(0x89, 0xE0) // mov eax, esp
		a.emit(0x50)              // push eax
		a.pushImm(data+path).emit(0x6A, 0x00).sys(sysExec).addSP(3 * w)
		a.exits(data + msgs["exec"])
		a.label("rforkfail")
		a.exits(data + msgs["rfork"])
		a.label("awaitfail")
		a.exits(data + msgs["await"])
	}
	return p, child
}

// BenchmarkForkExec is fork, exec of a tiny a.out and await, through
// sys9. ns/op is ns per child.
func BenchmarkForkExec(b *testing.B) {
	for _, a := range arches {
		b.Run(a.name, func(b *testing.B) {
			dir := b.TempDir()
			parent, child := forkExecProgs(a.arch, uint32(b.N))
			writeProg(b, dir, "parent", parent)
			writeProg(b, dir, "child", child)
			b.ReportAllocs()
			b.ResetTimer()
			status, stderr := runAout(b, dir, "parent", false)
			b.StopTimer()
			if status != "" {
				b.Skipf("fork+exec+await does not work yet: exit status %q; stderr: %s", status, firstLines(stderr, 5))
			}
		})
	}
}

// BenchmarkStart is the start-up of a whole program: a new kernel,
// loading, running "hello, world" to its end. The C programs are the 8c
// and 6c builds Go carries for debug/plan9obj (they exit with status
// "main", as C programs whose main returns do); the Go ones are the
// repository's.
func BenchmarkStart(b *testing.B) {
	goroot := goRoot()
	progs := []struct {
		name, path string
	}{
		{"C/386", filepath.Join(goroot, "src", "debug", "plan9obj", "testdata", "386-plan9-exec")},
		{"C/amd64", filepath.Join(goroot, "src", "debug", "plan9obj", "testdata", "amd64-plan9-exec")},
		{"Go/386", goHello(false)},
		{"Go/amd64", goHello(true)},
	}
	for _, p := range progs {
		b.Run(p.name, func(b *testing.B) {
			if goroot == "" && strings.HasPrefix(p.name, "C/") {
				b.Skip("no GOROOT: go env GOROOT failed")
			}
			abs, err := filepath.Abs(p.path)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := os.Stat(abs); err != nil {
				b.Skipf("no test program: %v", err)
			}
			dir, name := filepath.Split(abs)
			b.ReportAllocs()
			for b.Loop() {
				status, stderr := runAout(b, dir, name, false)
				if status != "" && status != "main" {
					b.Fatalf("exit status %q; stderr: %s", status, firstLines(stderr, 5))
				}
			}
		})
	}
}

// goRoot returns the Go installation's root directory, or "".
var goRoot = sync.OnceValue(func() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

// firstLines returns at most n lines of s.
func firstLines(s string, n int) string {
	l := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	if len(l) > n {
		l = append(l[:n], "…")
	}
	return strings.Join(l, " | ")
}

// TestPrograms runs the system-call benchmarks' programs a few times over
// with the trace on, to show that they make the calls they are meant to
// and that those calls succeed.
func TestPrograms(t *testing.T) {
	for _, a := range arches {
		for _, call := range []string{"errstr", "pread"} {
			t.Run(call+"/"+a.name, func(t *testing.T) {
				dir := t.TempDir()
				writeProg(t, dir, "null", nullProg(a.arch, call, 3))
				status, trace := runAout(t, dir, "null", true)
				if status != "" {
					t.Fatalf("exit status %q; trace:\n%s", status, trace)
				}
				if n := strings.Count(trace, " "+call+"("); n != 3 {
					t.Errorf("%d %s calls traced, want 3:\n%s", n, call, trace)
				}
			})
		}
		t.Run("forkexec/"+a.name, func(t *testing.T) {
			dir := t.TempDir()
			parent, child := forkExecProgs(a.arch, 2)
			writeProg(t, dir, "parent", parent)
			writeProg(t, dir, "child", child)
			status, trace := runAout(t, dir, "parent", true)
			if status != "" {
				t.Skipf("fork+exec+await does not work yet: exit status %q; trace:\n%s", status, trace)
			}
			if n := strings.Count(trace, " exec("); n != 2 {
				t.Errorf("%d exec calls traced, want 2:\n%s", n, trace)
			}
		})
	}
}
