package sys9

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"9emu/aout"
	"9emu/cpu"
)

var arches = []aout.Arch{aout.Arch386, aout.ArchAMD64}

// syncBuf is a bytes.Buffer safe for the kernel's goroutines to write
// while a test reads it afterwards.
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

// fixedNow is the clock of the tests: a fixed instant, so that stat
// times and /dev/time are repeatable.
var fixedNow = time.Unix(1700000000, 123456789)

// runResult is what a finished test program left behind.
type runResult struct {
	k      *Kernel
	p      *Proc
	arch   aout.Arch
	dump   []byte // the data page the program wrote to /out/dump (asm.dumpData)
	stdout string
	stderr string
	exit   string
	trace  string
}

// runOpts adjusts runProg.
type runOpts struct {
	name  string            // file name of the program in the root ("t" by default)
	argv  []string          // default: the name
	files map[string]string // extra host files (relative path -> contents)
	stdin string
	trace bool
	env   []string
	root  string // host root; a new temporary directory by default
}

// progTimeout guards against hangs; it is not a synchronisation.
const progTimeout = 30 * time.Second

// runProg writes the program into a new root and runs it to completion
// as the first process of a new kernel.
func runProg(t *testing.T, a *asm, o runOpts) *runResult {
	t.Helper()
	root := o.root
	if root == "" {
		root = t.TempDir()
	}
	name := o.name
	if name == "" {
		name = "t"
	}
	os.Mkdir(filepath.Join(root, "out"), 0755)
	if err := os.WriteFile(filepath.Join(root, name), a.image(), 0755); err != nil {
		t.Fatal(err)
	}
	for n, s := range o.files {
		fn := filepath.Join(root, filepath.FromSlash(n))
		os.MkdirAll(filepath.Dir(fn), 0755)
		if err := os.WriteFile(fn, []byte(s), 0755); err != nil {
			t.Fatal(err)
		}
	}
	var out, errw, tr syncBuf
	cfg := Config{Root: root, Stdin: strings.NewReader(o.stdin), Stdout: &out, Stderr: &errw,
		Now: func() time.Time { return fixedNow }, Env: o.env}
	if o.trace {
		cfg.Trace = &tr
	}
	k, err := NewKernel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	argv := o.argv
	if argv == nil {
		argv = []string{name}
	}
	t.Cleanup(k.Shutdown)
	p, err := k.Start("/"+name, argv)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	waitDone(t, k, p.Done())
	dump, _ := os.ReadFile(filepath.Join(root, "out", "dump"))
	return &runResult{k: k, p: p, arch: a.arch, dump: dump, stdout: out.String(), stderr: errw.String(),
		exit: p.Wait(), trace: tr.String()}
}

// waitDone waits for done, failing the test (and ending every process)
// if it takes unreasonably long.
func waitDone(t *testing.T, k *Kernel, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(progTimeout):
		k.Shutdown()
		t.Fatalf("program did not finish within %v", progTimeout)
	}
}

// mem returns n bytes of the program's data page at addr, from the dump
// it wrote before exiting.
func (r *runResult) mem(t *testing.T, addr uint64, n int) []byte {
	t.Helper()
	base := newAsm(r.arch).dataBase()
	if r.dump == nil {
		t.Fatalf("the program wrote no dump (exit %q, stderr %q)", r.exit, r.stderr)
	}
	if addr < base || addr+uint64(n) > base+uint64(len(r.dump)) {
		t.Fatalf("%#x/%d is not in the dumped data page", addr, n)
	}
	return r.dump[addr-base : addr-base+uint64(n)]
}

// word reads a machine word of the program's data page.
func (r *runResult) word(t *testing.T, addr uint64) uint64 {
	t.Helper()
	b := r.mem(t, addr, r.arch.PtrSize())
	if len(b) == 8 {
		return binary.LittleEndian.Uint64(b)
	}
	return uint64(binary.LittleEndian.Uint32(b))
}

func readWord(t *testing.T, p *Proc, addr uint64) uint64 {
	t.Helper()
	if p.abi.w == 8 {
		v, err := p.cpu.ReadU64(addr)
		if err != nil {
			t.Fatalf("read %#x: %v", addr, err)
		}
		return v
	}
	v, err := p.cpu.ReadU32(addr)
	if err != nil {
		t.Fatalf("read %#x: %v", addr, err)
	}
	return uint64(v)
}

func readMem(t *testing.T, p *Proc, addr uint64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if err := p.cpu.ReadGuest(b, addr); err != nil {
		t.Fatalf("read %#x/%d: %v", addr, n, err)
	}
	return b
}

// A tproc is a process with a loaded image whose system calls the test
// makes directly, one at a time, through the dispatcher: the arguments
// go on its stack as the guest would put them, the number into AX or
// BP, and p.syscall does the rest. Its goroutine is never started.
type tproc struct {
	t     *testing.T
	k     *Kernel
	p     *Proc
	root  string
	arch  aout.Arch
	trace *syncBuf
	out   *syncBuf
	errw  *syncBuf

	keepErr bool // call leaves errstr as it is instead of clearing it first

	scratch uint64 // 64 KiB window for results, in bss
	strs    uint64 // next free byte for strings
}

type tpOpts struct {
	confine bool
	term    string // host directory at /mnt/term (with confine)
	env     []string
	root    string
	stdin   string
	maxMem  int64 // Config.MaxMem
}

const (
	scratchSize = 64 << 10
	winSize     = 256 // the window compared after each call
)

func newTP(t *testing.T, arch aout.Arch, o tpOpts) *tproc {
	t.Helper()
	root := o.root
	if root == "" {
		root = t.TempDir()
	}
	tp := &tproc{t: t, root: root, arch: arch, trace: &syncBuf{}, out: &syncBuf{}, errw: &syncBuf{}}
	k, err := NewKernel(Config{Root: root, Confine: o.confine, Term: o.term, Trace: tp.trace, Stdout: tp.out,
		Stderr: tp.errw, Stdin: strings.NewReader(o.stdin), Env: o.env, MaxMem: o.maxMem,
		Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	tp.k = k
	a := newAsm(arch)
	a.label("spin")
	a.jmp("spin")
	img := a.image()
	f, err := aout.NewFile(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	p := k.newProc()
	p.setDot("/")
	p.fgrp = newFgrp()
	p.egrp = newEgrp(o.env)
	p.rgrp = newRgrp()
	p.noteid = 1
	if err := k.namespace(p, arch.String()); err != nil {
		t.Fatal(err)
	}
	p.egrp.setDefault("cputype", arch.String())
	p.egrp.setDefault("objtype", arch.String())
	for i, h := range []*Chan{k.stdChan(consStdin), k.stdChan(consStdout), k.stdChan(consStderr)} {
		if fd, _ := p.fgrp.install(h, false); fd != i {
			t.Fatalf("std fd %d", fd)
		}
	}
	if err := p.load(f, "/t", []string{"t"}); err != nil {
		t.Fatal(err)
	}
	k.addProc(p)
	tp.p = p
	tp.scratch = a.bssBase()
	tp.strs = tp.scratch + scratchSize
	t.Cleanup(func() {
		if p.fgrp != nil {
			p.fgrp.closeAll(p, false)
		}
		k.Shutdown()
	})
	return tp
}

// sysSP is where the tests put the stack pointer for a system call.
func (tp *tproc) sysSP() uint64 { return tp.arch.StackTop() - 0x2000 }

// str writes a NUL-terminated string into the string area (after the
// scratch window) and returns its address.
func (tp *tproc) str(s string) uint64 {
	a := tp.strs
	tp.put(a, []byte(s+"\x00"))
	tp.strs += uint64(len(s)+1+7) &^ 7
	return a
}

func (tp *tproc) put(addr uint64, b []byte) {
	tp.t.Helper()
	if err := tp.p.cpu.WriteGuest(b, addr); err != nil {
		tp.t.Fatalf("write %#x: %v", addr, err)
	}
}

func (tp *tproc) get(addr uint64, n int) []byte {
	tp.t.Helper()
	return readMem(tp.t, tp.p, addr, n)
}

// fill sets the scratch window to '?'.
func (tp *tproc) fill() {
	tp.put(tp.scratch, bytes.Repeat([]byte{'?'}, winSize))
}

// window returns the scratch window.
func (tp *tproc) window() []byte { return tp.get(tp.scratch, winSize) }

// callResult is what one system call did.
type callResult struct {
	ret    int64  // the result as the guest sees it (sign-extended from 32 bits on 386)
	err    string // errstr after the call ("" when the call succeeded)
	notes  []string
	trace  string
	raw    uint64 // AX as left
	regsOK bool   // registers other than AX are as before
}

// call makes system call n with args (uint64 or int) through the
// dispatcher, as the guest would. Pending notes are collected and
// dropped.
func (tp *tproc) call(n int, args ...any) callResult {
	tp.t.Helper()
	p := tp.p
	c := p.cpu
	kinds := ""
	if n >= 0 && n < len(systab) {
		kinds = systab[n].kinds
	}
	sp := tp.sysSP()
	off := sp + p.abi.w
	for i, v := range args {
		x := toU64(v)
		k := byte('p')
		if i < len(kinds) {
			k = kinds[i]
		}
		switch {
		case p.abi.w == 8:
			tp.put(off, binary.LittleEndian.AppendUint64(nil, x))
			off += 8
		case k == 'v':
			tp.put(off, binary.LittleEndian.AppendUint64(nil, x))
			off += 8
		default:
			tp.put(off, binary.LittleEndian.AppendUint32(nil, uint32(x)))
			off += 4
		}
	}
	c.R[cpu.RSP] = sp
	c.PC = tp.pcAfterTrap()
	// Registers the dispatcher must leave alone: on 386 all but AX; on
	// amd64 RCX and R11 are SYSRET's, so they are not checked.
	marker := []uint64{0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666}
	regs := []int{cpu.RBX, cpu.RDX, cpu.RSI, cpu.RDI, cpu.R12, cpu.R15}
	if p.abi.w == 4 {
		regs = []int{cpu.RBX, cpu.RCX, cpu.RDX, cpu.RSI, cpu.RDI}
	}
	for i, r := range regs {
		c.R[r] = marker[i]
	}
	if p.abi.w == 8 {
		c.R[cpu.RBP] = uint64(n)
	} else {
		c.R[cpu.RAX] = uint64(n)
		c.R[cpu.RBP] = 0x7777
	}
	if !tp.keepErr {
		p.errstr = ""
	}
	tr0 := len(tp.trace.String())
	if !tp.dispatch(n) {
		return callResult{ret: -999, err: "panic"}
	}
	var r callResult
	r.raw = c.R[cpu.RAX]
	if p.abi.w == 4 {
		r.ret = int64(int32(r.raw))
	} else {
		r.ret = int64(r.raw)
	}
	r.err = p.errstr
	r.regsOK = c.R[cpu.RSP] == sp
	for i, rg := range regs {
		if c.R[rg] != marker[i] {
			r.regsOK = false
		}
	}
	p.nmu.Lock()
	for _, nt := range p.notes {
		r.notes = append(r.notes, nt.msg)
	}
	p.notes = nil
	p.nmu.Unlock()
	select {
	case <-p.intr:
	default:
	}
	r.trace = tp.trace.String()[tr0:]
	return r
}

// dispatch runs the dispatcher, turning a Go panic (an emulator bug)
// into a test failure instead of the end of the test binary.
func (tp *tproc) dispatch(n int) (ok bool) {
	tp.t.Helper()
	defer func() {
		if r := recover(); r != nil {
			tp.t.Errorf("system call %d panicked: %v\n%s", n, r, panicSite(debug.Stack()))
			ok = false
		}
	}()
	tp.p.syscall()
	return true
}

// pcAfterTrap is the PC a system call leaves: just after the trap at the
// start of text.
func (tp *tproc) pcAfterTrap() uint64 { return tp.arch.UTZero() + 0x40 }

// ok fails the test unless the call succeeded with want.
func (tp *tproc) ok(what string, r callResult, want int64) {
	tp.t.Helper()
	if r.ret != want || r.err != "" || len(r.notes) != 0 {
		tp.t.Errorf("%s = %d %q notes %q, want %d", what, r.ret, r.err, r.notes, want)
	}
}

// fails fails the test unless the call returned -1 with errstr err.
func (tp *tproc) fails(what string, r callResult, err string) {
	tp.t.Helper()
	if r.ret != -1 || r.err != err {
		tp.t.Errorf("%s = %d %q, want -1 %q", what, r.ret, r.err, err)
	}
}

// open opens name and returns the fd, failing the test on error.
func (tp *tproc) open(name string, mode int) int {
	tp.t.Helper()
	r := tp.call(14, tp.str(name), mode)
	if r.ret < 0 {
		tp.t.Fatalf("open(%q, %#x): %s", name, mode, r.err)
	}
	return int(r.ret)
}

func (tp *tproc) create(name string, mode int, perm uint32) int {
	tp.t.Helper()
	r := tp.call(22, tp.str(name), mode, uint64(perm))
	if r.ret < 0 {
		tp.t.Fatalf("create(%q, %#x, %#o): %s", name, mode, perm, r.err)
	}
	return int(r.ret)
}

// writeStr writes s to fd at the channel offset.
func (tp *tproc) writeStr(fd int, s string) {
	tp.t.Helper()
	a := tp.str(s)
	if r := tp.call(51, fd, a, len(s), -1); r.ret != int64(len(s)) {
		tp.t.Fatalf("write(%d, %q) = %d %q", fd, s, r.ret, r.err)
	}
}

// readAll reads fd from offset off (-1: the channel offset) with a
// buffer of n bytes, once.
func (tp *tproc) read(fd int, n int, off int64) (string, callResult) {
	tp.t.Helper()
	tp.fill()
	r := tp.call(50, fd, tp.scratch, n, off)
	if r.ret < 0 {
		return "", r
	}
	return string(tp.get(tp.scratch, int(r.ret))), r
}

func (tp *tproc) close(fd int) {
	tp.t.Helper()
	if r := tp.call(4, fd); r.ret != 0 {
		tp.t.Fatalf("close(%d) = %d %q", fd, r.ret, r.err)
	}
}

// hostFile writes a file in the host root.
func (tp *tproc) hostFile(name, s string, perm os.FileMode) {
	tp.t.Helper()
	fn := filepath.Join(tp.root, filepath.FromSlash(name))
	os.MkdirAll(filepath.Dir(fn), 0755)
	if err := os.WriteFile(fn, []byte(s), perm); err != nil {
		tp.t.Fatal(err)
	}
}

func (tp *tproc) hostRead(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(tp.root, filepath.FromSlash(name)))
	return string(b), err
}

// unmapped is an address no segment covers.
func (tp *tproc) unmapped() uint64 {
	if tp.arch == aout.ArchAMD64 {
		return 0x100000
	}
	return 0x800
}

// textAddr is an address in the read-only text segment.
func (tp *tproc) textAddr() uint64 { return tp.arch.UTZero() + 0x100 }

// window helper: want returns the expected window: b at the start, '?'
// after.
func want(b []byte) []byte {
	w := bytes.Repeat([]byte{'?'}, winSize)
	copy(w, b)
	return w
}

// panicSite returns the frames of a panic's stack that are in sys9's
// non-test files: where the bug is.
func panicSite(stack []byte) string {
	var out []string
	lines := strings.Split(string(stack), "\n")
	for i := 1; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if strings.Contains(l, "/sys9/") && !strings.Contains(l, "_test.go") && strings.HasPrefix(l, "/") {
			out = append(out, strings.TrimSpace(lines[i-1])+" at "+filepath.Base(strings.Fields(l)[0]))
		}
	}
	return strings.Join(out, "\n")
}
