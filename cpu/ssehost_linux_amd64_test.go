package cpu

// The hardware oracle for the SSE instructions: every instruction form in
// sseHostForms runs natively (an assembly trampoline in ssehost_linux_amd64.s
// loads XMM0-15, RAX-RBX, RSI, RDI, EFLAGS and MXCSR, calls a small
// function holding the instruction, and stores everything back) and
// under the emulator, in both modes when the encoding has no REX prefix,
// from the same random and edge-case operands, MXCSR rounding modes,
// FTZ/DAZ settings and exception masks. Destination registers, memory,
// MXCSR and EFLAGS must agree. A SIMD exception (#XM) or an alignment
// #GP natively arrives as a Go panic (SIGFPE, SIGSEGV with
// debug.SetPanicOnFault) that the test recovers: the emulator must then
// trap the same way, with the same MXCSR flags, and change nothing else.
//
// The assembly is generated from the form list:
//
//	go test ./cpu -run TestSSEHostAsm -update-ssehost

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"unsafe"
)

var (
	updateSSEHost = flag.Bool("update-ssehost", false, "rewrite ssehost_linux_amd64.s from the form list")
	sseHostIters  = flag.Int("ssehost.n", 3000, "TestSSEHost: cases per form and mode")
	sseHostSeed   = flag.Uint64("ssehost.seed", 1, "TestSSEHost: random seed")
	sseHostOnly   = flag.String("ssehost.only", "", "TestSSEHost: only forms whose name has this prefix")
)

// Implemented in ssehost_linux_amd64.s.
func sseHostRun(st *sseHostState, idx int)
func sseHostTrapMXCSR(st *sseHostState)

func TestSSEHostAsm(t *testing.T) {
	var st sseHostState
	if unsafe.Offsetof(st.R) != 256 || unsafe.Offsetof(st.Flags) != 320 ||
		unsafe.Offsetof(st.MXCSR) != 328 || unsafe.Offsetof(st.Host) != 332 {
		t.Fatal("sseHostState layout does not match the assembly")
	}
	want := sseHostAsm(sseHostForms())
	if *updateSSEHost {
		if err := os.WriteFile("ssehost_linux_amd64.s", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("ssehost_linux_amd64.s")
	if err != nil || string(got) != want {
		t.Fatal("ssehost_linux_amd64.s is out of date: run go test -run TestSSEHostAsm -update-ssehost")
	}
}

// sseHostReady reports whether the assembly matches the form list (a
// stale file would run the wrong instructions).
func sseHostReady(t *testing.T, forms []sseHostForm) {
	t.Helper()
	got, err := os.ReadFile("ssehost_linux_amd64.s")
	if err != nil || string(got) != sseHostAsm(forms) {
		t.Skip("ssehost_linux_amd64.s is out of date (see TestSSEHostAsm)")
	}
}

// Operand generation.

type sseGen struct{ r *rand.Rand }

var (
	sseF32Specials = []uint32{0, 0x80000000, 1, 0x80000001, 0x007FFFFF, 0x00800000, 0x80800000,
		0x00800001, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
		0x7F800001, 0xFFA00000, 0x7FBFFFFF, 0x3F800000, 0xBF800000, 0x3F000000, 0x4B800000,
		0x4F000000, 0xCF000000, 0x5F000000, 0xDF000000, 0x4EFFFFFF, 0x3F800001, 0x00400000}
	sseF64Specials = []uint64{0, 1 << 63, 1, 1<<63 | 1, 0x000FFFFFFFFFFFFF, 0x0010000000000000,
		0x8010000000000000, 0x0010000000000001, 0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFF,
		0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 0xFFF8000000000000,
		0x7FF0000000000001, 0xFFF4000000000000, 0x7FF7FFFFFFFFFFFF, 0x3FF0000000000000,
		0xBFF0000000000000, 0x3FE0000000000000, 0x41E0000000000000, 0xC1E0000000000000,
		0x41DFFFFFFFC00000, 0xC1E0000000100000, 0x43E0000000000000, 0xC3E0000000000000,
		0x43DFFFFFFFFFFFFF, 0x3FF0000000000001, 0x0008000000000000, 0x4330000000000000}
	sseIntSpecials = []uint64{0, 1, ^uint64(0), 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
		0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 63, 1<<63 - 1, 0x8080808080808080,
		0x7F7F7F7F7F7F7F7F, 0x0001000100010001, 1 << 53, 1<<53 + 1, 1 << 24, 1<<24 + 1}
)

func (g *sseGen) f64() uint64 {
	r := g.r
	sign := uint64(r.IntN(2)) << 63
	mant := r.Uint64() & (1<<52 - 1)
	switch r.IntN(12) {
	case 0, 1:
		return sseF64Specials[r.IntN(len(sseF64Specials))]
	case 2:
		return r.Uint64()
	case 3:
		return sign | uint64(r.IntN(0x7FF))<<52 | mant
	case 4: // near 1, few significant bits: exact results and ties
		return sign | uint64(1020+r.IntN(8))<<52 | mant&^(1<<uint(52-r.IntN(12))-1)
	case 5: // tiny: denormals and small normals
		return sign | uint64(r.IntN(60))<<52 | mant>>uint(r.IntN(52))
	case 6: // huge
		return sign | uint64(0x7C0+r.IntN(0x3F))<<52 | mant
	case 7: // half the range: products and quotients near the thresholds
		e := 0x200 + r.IntN(60) - 30
		if r.IntN(2) == 0 {
			e = 0x5FF + r.IntN(60) - 30
		}
		return sign | uint64(e)<<52 | mant
	case 8: // integers and halves
		v := float64(int64(r.Uint64()) >> uint(r.IntN(64)))
		if r.IntN(2) == 0 {
			v += 0.5
		}
		return math.Float64bits(v)
	case 9: // near the int32 and int64 limits
		b := []float64{0x1p31, 0x1p63, 0x1p32, 0x1p64}[r.IntN(4)]
		return math.Float64bits(b)&^(1<<63) | sign + uint64(r.IntN(5)) - 2
	case 10: // few-bit mantissa anywhere
		return sign | uint64(r.IntN(0x7FF))<<52 | mant&^(1<<uint(52-r.IntN(6))-1)
	}
	return math.Float64bits(float64(r.NormFloat64()))
}

func (g *sseGen) f32() uint32 {
	r := g.r
	sign := uint32(r.IntN(2)) << 31
	mant := r.Uint32() & (1<<23 - 1)
	switch r.IntN(12) {
	case 0, 1:
		return sseF32Specials[r.IntN(len(sseF32Specials))]
	case 2:
		return r.Uint32()
	case 3:
		return sign | uint32(r.IntN(0xFF))<<23 | mant
	case 4:
		return sign | uint32(124+r.IntN(8))<<23 | mant&^(1<<uint(23-r.IntN(10))-1)
	case 5:
		return sign | uint32(r.IntN(30))<<23 | mant>>uint(r.IntN(23))
	case 6:
		return sign | uint32(0xE0+r.IntN(0x1F))<<23 | mant
	case 7:
		e := 0x40 + r.IntN(30) - 15
		if r.IntN(2) == 0 {
			e = 0xBF + r.IntN(30) - 15
		}
		return sign | uint32(e)<<23 | mant
	case 8:
		v := float32(int64(r.Uint64()) >> uint(r.IntN(64)))
		if r.IntN(2) == 0 {
			v += 0.5
		}
		return math.Float32bits(v)
	case 9:
		b := []float32{0x1p31, 0x1p63, 0x1p32, 0x1p64}[r.IntN(4)]
		return math.Float32bits(b)&^(1<<31) | sign + uint32(r.IntN(5)) - 2
	case 10:
		return sign | uint32(r.IntN(0xFF))<<23 | mant&^(1<<uint(23-r.IntN(6))-1)
	}
	return math.Float32bits(float32(r.NormFloat64()))
}

func (g *sseGen) int64() uint64 {
	r := g.r
	switch r.IntN(6) {
	case 0, 1:
		v := sseIntSpecials[r.IntN(len(sseIntSpecials))]
		if r.IntN(2) == 0 {
			v = -v
		}
		return v
	case 2:
		return uint64(int64(r.Uint64()) >> uint(r.IntN(64)))
	}
	return r.Uint64()
}

// quad returns a quadword of lanes of the kind.
func (g *sseGen) quad(kind int) uint64 {
	switch kind {
	case sseKF32:
		return uint64(g.f32()) | uint64(g.f32())<<32
	case sseKF64:
		return g.f64()
	case sseKStr:
		var v uint64
		alpha := []byte("aAbB09\x00\xff")
		for i := 0; i < 8; i++ {
			c := alpha[g.r.IntN(len(alpha))]
			if g.r.IntN(4) == 0 {
				c = byte(g.r.Uint32())
			}
			v |= uint64(c) << (8 * i)
		}
		return v
	}
	if g.r.IntN(3) == 0 {
		// Lanes of mixed special integers.
		var v uint64
		for i := 0; i < 4; i++ {
			v |= (g.int64() & 0xFFFF) << (16 * i)
		}
		return v
	}
	return g.int64()
}

func (g *sseGen) mxcsr() uint32 {
	r := g.r
	var m uint32
	switch r.IntN(5) {
	case 0, 1:
		m = 0x1F80
	case 2:
		m = 0x1900 // Plan 9 amd64 C programs: IM, ZM, OM unmasked
	case 3:
		m = uint32(r.IntN(64)) << 7
	default:
		m = 0x1F80 &^ (1 << uint(7+r.IntN(6)))
	}
	m |= uint32(r.IntN(4)) << 13
	if r.IntN(4) == 0 {
		m |= mxFTZ
	}
	if r.IntN(4) == 0 {
		m |= mxDAZ
	}
	if r.IntN(2) == 0 {
		m |= uint32(r.IntN(64))
	}
	return m
}

func (g *sseGen) newCase(f *sseHostForm) sseCase {
	var c sseCase
	for i := range c.st.X {
		c.st.X[i][0], c.st.X[i][1] = g.quad(f.kind), g.quad(f.kind)
	}
	if f.kind == sseKCount {
		c.st.X[2][0] = uint64(g.r.IntN(70))
		if g.r.IntN(8) == 0 {
			c.st.X[2][0] = g.r.Uint64()
		}
	}
	for i := range c.st.R {
		c.st.R[i] = g.int64()
	}
	if f.kind == sseKStr {
		c.st.R[0] = uint64(int64(g.r.IntN(41) - 20)) // EAX, EDX: lengths
		c.st.R[2] = uint64(int64(g.r.IntN(41) - 20))
		if g.r.IntN(8) == 0 {
			c.st.R[0] = g.r.Uint64()
		}
	}
	for i := 0; i < 64; i += 8 {
		v := g.quad(f.kind)
		if f.kind == sseKCount && i == 0 {
			v = uint64(g.r.IntN(70))
		}
		binary.LittleEndian.PutUint64(c.mem[i:], v)
	}
	c.st.Flags = uint64(g.r.IntN(0x1000)) & flagsArith
	c.st.MXCSR = g.mxcsr()
	if f.mem && g.r.IntN(16) == 0 {
		c.memOff = []uint64{1, 4, 8, 12}[g.r.IntN(4)]
		sseMaskForFault(&c)
	}
	return c
}

// sseMaskForFault masks all exceptions for a case with a misaligned
// memory operand: a #GP natively is a SIGSEGV, and the runtime code that
// turns it into a panic allocates and does float arithmetic, which must
// not trap.
func sseMaskForFault(c *sseCase) { c.st.MXCSR |= 0x3F << 7 }

// Native execution.

type sseNative struct {
	buf  []byte
	base uintptr // 64-byte aligned address inside buf
}

// sseNativeBufs keeps the buffers the native code addresses on the heap,
// where they do not move.
var sseNativeBufs [][]byte

// noGCDuring keeps garbage collection from running while a test traps
// natively: after a trap the Go runtime runs (sigpanic, the panic, the
// scheduler at its safe points) with the test's MXCSR, exceptions
// unmasked, until the recovery restores it, and the collector's pacing
// and sweeping do float64 arithmetic that would then trap in the runtime
// itself. A collection is finished first, so none is in progress.
func noGCDuring(tb testing.TB) {
	runtime.GC()
	old := debug.SetGCPercent(-1)
	tb.Cleanup(func() { debug.SetGCPercent(old) })
}

func newSSENative() *sseNative {
	n := &sseNative{buf: make([]byte, 256)}
	sseNativeBufs = append(sseNativeBufs, n.buf)
	n.base = (uintptr(unsafe.Pointer(&n.buf[0])) + 63) &^ 63
	return n
}

func (n *sseNative) window() []byte {
	off := n.base - uintptr(unsafe.Pointer(&n.buf[0]))
	return n.buf[off : off+128]
}

// run executes form idx natively; trap is "", "#XM" or "#GP". After a
// trap the registers are the inputs (the instruction changed nothing but
// MXCSR, which the recovery saves).
func (n *sseNative) run(idx int, c *sseCase) (out sseHostState, mem [128]byte, trap string) {
	w := n.window()
	clear(w)
	copy(w, c.mem[:])
	out = c.st
	out.R[6] = uint64(n.base) + c.memOff      // RSI
	out.R[7] = uint64(n.base) + 64 + c.memOff // RDI (MASKMOVDQU)
	trap = n.call(&out, idx)
	runtime.KeepAlive(n.buf)
	copy(mem[:], w)
	out.R[6], out.R[7] = c.st.R[6], c.st.R[7]
	return out, mem, trap
}

func (n *sseNative) call(st *sseHostState, idx int) (trap string) {
	defer func() {
		if r := recover(); r != nil {
			sseHostTrapMXCSR(st)
			s := fmt.Sprint(r)
			switch {
			case strings.Contains(s, "floating point"):
				trap = "#XM"
			case strings.Contains(s, "fault") || strings.Contains(s, "memory"):
				trap = "#GP"
			default:
				panic(r)
			}
		}
	}()
	sseHostRun(st, idx)
	return ""
}

// sseHostCheck runs one case both ways and returns a description of any
// difference.
func sseHostCheck(c *CPU, nat *sseNative, idx int, f *sseHostForm, in sseCase) string {
	if c.Mode() == Mode32 {
		for i := range in.st.R {
			in.st.R[i] &= 0xFFFFFFFF
		}
	}
	nout, nmem, trap := nat.run(idx, &in)
	eout, emem, exit := sseEmuRun(c, f, &in)
	var diffs []string
	switch trap {
	case "#XM", "#GP":
		want := TrapSIMD
		if trap == "#GP" {
			want = TrapGP
		}
		if exit != ExitTrap || c.Fault.Trap != want {
			diffs = append(diffs, fmt.Sprintf("native %s, emulator exit %v fault %+v", trap, exit, c.Fault))
		} else if trap == "#XM" && c.Fault.FPStatus != nout.MXCSR&mxFlags && c.Fault.FPStatus != nout.MXCSR&mxPre {
			diffs = append(diffs, fmt.Sprintf("emulator FPStatus %#x, native %#x", c.Fault.FPStatus, nout.MXCSR&mxFlags))
		}
	default:
		if exit != ExitLimit && exit != ExitNone {
			diffs = append(diffs, fmt.Sprintf("emulator exit %v: %s", exit, c.Fault.String()))
		}
	}
	if trap == "#GP" {
		// The runtime's float arithmetic on the way to the recovery may
		// have set flags; the instruction itself changed nothing.
		nout.MXCSR = in.st.MXCSR
	}
	if trap == "#XM" && exit == ExitTrap && eout.MXCSR&mxFlags&^mxPre == 0 &&
		(nout.MXCSR^eout.MXCSR)&^(mxFlags&^mxPre) == 0 {
		// The manuals have a packed instruction that meets an unmasked
		// pre-computation exception (invalid, denormal, zero divide) in
		// one element trap without looking for the post-computation
		// ones (overflow, underflow, inexact) in the others, and the
		// emulator does so; some processors set those flags too. Only
		// the post-computation flags may differ, and only then.
		nout.MXCSR = eout.MXCSR
	}
	for i := range nout.X {
		if c.Mode() == Mode32 && i >= 8 {
			break
		}
		if nout.X[i] != eout.X[i] && !(f.approx && trap == "" && sseApproxEq(nout.X[i], eout.X[i])) {
			diffs = append(diffs, fmt.Sprintf("X%d = %016x_%016x, want %016x_%016x", i,
				eout.X[i][1], eout.X[i][0], nout.X[i][1], nout.X[i][0]))
		}
	}
	for i := 0; i < 4; i++ {
		if nout.R[i] != eout.R[i] {
			diffs = append(diffs, fmt.Sprintf("%s = %#x, want %#x", []string{"RAX", "RCX", "RDX", "RBX"}[i], eout.R[i], nout.R[i]))
		}
	}
	if nout.Flags&flagsArith != eout.Flags {
		diffs = append(diffs, fmt.Sprintf("EFLAGS = %#x, want %#x", eout.Flags, nout.Flags&flagsArith))
	}
	if nout.MXCSR != eout.MXCSR {
		diffs = append(diffs, fmt.Sprintf("MXCSR = %#x, want %#x", eout.MXCSR, nout.MXCSR))
	}
	if nmem != emem {
		diffs = append(diffs, fmt.Sprintf("memory = %x, want %x", emem, nmem))
	}
	if diffs == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (% x) mode %d: MXCSR in %#x flags in %#x memoff %d\n", f.name, f.code, c.Mode(), in.st.MXCSR, in.st.Flags, in.memOff)
	for _, r := range []int{0, 1, 2} {
		fmt.Fprintf(&b, "\tin X%d = %016x_%016x\n", r, in.st.X[r][1], in.st.X[r][0])
	}
	fmt.Fprintf(&b, "\tin RAX %#x RCX %#x RDX %#x mem[0:16] %x\n", in.st.R[0], in.st.R[1], in.st.R[2], in.mem[in.memOff:in.memOff+16])
	if trap != "" {
		fmt.Fprintf(&b, "\tnative trap %s\n", trap)
	}
	for _, d := range diffs {
		b.WriteString("\t" + d + "\n")
	}
	return b.String()
}

// sseHostCPUs returns emulator CPUs holding form f's code, for each mode
// the form exists in.
func sseHostCPUs(t testing.TB, f *sseHostForm) []*CPU {
	cpus := []*CPU{newTest(t, Mode64, f.code)}
	if !f.rexw {
		cpus = append(cpus, newTest(t, Mode32, f.code))
	}
	return cpus
}

func TestSSEHost(t *testing.T) {
	forms := sseHostForms()
	sseHostReady(t, forms)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	noGCDuring(t)
	iters := *sseHostIters
	if testing.Short() {
		iters = 200
	}
	nat := newSSENative()
	g := &sseGen{rand.New(rand.NewPCG(*sseHostSeed, 2))}
	failed := 0
	for idx := range forms {
		f := &forms[idx]
		if !strings.HasPrefix(f.name, *sseHostOnly) {
			continue
		}
		fails := 0
		for _, c := range sseHostCPUs(t, f) {
			for it := 0; it < iters && fails < 3; it++ {
				if d := sseHostCheck(c, nat, idx, f, g.newCase(f)); d != "" {
					t.Error(d)
					fails++
				}
			}
		}
		if fails > 0 {
			failed++
		}
		if failed > 40 {
			t.Fatal("too many failing forms")
		}
	}
	t.Logf("%d forms, %d iterations per form and mode", len(forms), iters)
}

// FuzzSSEHost runs random operand bits through the differential check:
// the first two bytes pick the form, the rest fill the registers, the
// memory operand, MXCSR and EFLAGS.
func FuzzSSEHost(f *testing.F) {
	forms := sseHostForms()
	got, err := os.ReadFile("ssehost_linux_amd64.s")
	if err != nil || string(got) != sseHostAsm(forms) {
		f.Skip("ssehost_linux_amd64.s is out of date (see TestSSEHostAsm)")
	}
	g := &sseGen{rand.New(rand.NewPCG(3, 4))}
	for i := 0; i < 64; i++ {
		idx := g.r.IntN(len(forms))
		c := g.newCase(&forms[idx])
		f.Add(sseCaseBytes(idx, &c))
	}
	if fz := flag.Lookup("test.fuzz"); fz == nil || fz.Value.String() == "" {
		noGCDuring(f) // only the seeds run, briefly (see noGCDuring)
	}
	nat := newSSENative()
	cpus := make(map[int][]*CPU)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		idx := int(binary.LittleEndian.Uint16(data)) % len(forms)
		in := sseCaseFrom(data[2:])
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		fm := &forms[idx]
		if cpus[idx] == nil {
			cpus[idx] = sseHostCPUs(t, fm)
		}
		for _, c := range cpus[idx] {
			if d := sseHostCheck(c, nat, idx, fm, in); d != "" {
				t.Error(d)
			}
		}
	})
}

// sseCaseBytes and sseCaseFrom map a case to fuzzer bytes and back: X
// registers, general registers, memory, MXCSR, EFLAGS, memory offset.
func sseCaseBytes(idx int, c *sseCase) []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(idx))
	for _, x := range c.st.X {
		b = binary.LittleEndian.AppendUint64(b, x[0])
		b = binary.LittleEndian.AppendUint64(b, x[1])
	}
	for _, r := range c.st.R[:4] {
		b = binary.LittleEndian.AppendUint64(b, r)
	}
	b = append(b, c.mem[:]...)
	b = binary.LittleEndian.AppendUint32(b, c.st.MXCSR)
	b = append(b, byte(c.st.Flags), byte(c.st.Flags>>8), byte(c.memOff))
	return b
}

func sseCaseFrom(data []byte) sseCase {
	var buf [256 + 32 + 64 + 4 + 3]byte
	copy(buf[:], data)
	b := buf[:]
	var c sseCase
	for i := range c.st.X {
		c.st.X[i][0] = binary.LittleEndian.Uint64(b)
		c.st.X[i][1] = binary.LittleEndian.Uint64(b[8:])
		b = b[16:]
	}
	for i := 0; i < 4; i++ {
		c.st.R[i] = binary.LittleEndian.Uint64(b)
		b = b[8:]
	}
	copy(c.mem[:], b)
	b = b[64:]
	c.st.MXCSR = binary.LittleEndian.Uint32(b) & mxcsrValid
	c.st.Flags = (uint64(b[4]) | uint64(b[5])<<8) & flagsArith
	c.memOff = uint64(b[6]) % 16
	if c.memOff != 0 {
		sseMaskForFault(&c)
	}
	return c
}

var updateSSEGolden = flag.Bool("update-ssegolden", false, "regenerate testdata/sse_golden.txt from the host CPU")

// TestSSEGoldenUpdate writes the golden file sse_golden_test.go checks on
// every host: a few cases per form, computed by this CPU.
func TestSSEGoldenUpdate(t *testing.T) {
	if !*updateSSEGolden {
		t.Skip("run with -update-ssegolden to regenerate testdata/sse_golden.txt")
	}
	forms := sseHostForms()
	sseHostReady(t, forms)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	noGCDuring(t)
	nat := newSSENative()
	g := &sseGen{rand.New(rand.NewPCG(11, 12))}
	var b strings.Builder
	b.WriteString(sseGoldenHeader)
	for idx := range forms {
		f := &forms[idx]
		rows := 1
		if f.kind == sseKF32 || f.kind == sseKF64 {
			rows = 2
		}
		usesX0 := false
		for _, p := range []string{"BLENDV", "PBLENDVB", "PCMPESTRM", "PCMPISTRM"} {
			usesX0 = usesX0 || strings.HasPrefix(f.name, p)
		}
		for k := 0; k < rows; k++ {
			in := g.newCase(f)
			// Only X0-X2 and RAX-RDX take part in the forms.
			for i := 3; i < 16; i++ {
				in.st.X[i] = [2]uint64{}
			}
			if !usesX0 {
				in.st.X[0] = [2]uint64{}
			}
			in.st.R[3] = 0
			clear(in.mem[32:])
			if !f.mem {
				clear(in.mem[:])
				in.memOff = 0
			}
			if in.memOff > 16 {
				in.memOff = 0
			}
			modes := []Mode{Mode64}
			if !f.rexw && k == rows-1 && (rows == 2 || idx%2 == 0) {
				modes = []Mode{Mode32}
				for i := range in.st.R {
					in.st.R[i] &= 0xFFFFFFFF
				}
			}
			for _, m := range modes {
				out, mem, trap := nat.run(idx, &in)
				if trap == "#GP" {
					out.MXCSR = in.st.MXCSR
				}
				if trap == "" {
					trap = "-"
				}
				g := sseGoldenRow{name: f.name, mode: m, code: f.code, in: in, trap: trap, out: out}
				copy(g.outMem[:32], mem[:32])
				copy(g.outMem[32:], mem[64:96])
				b.WriteString(g.String())
				b.WriteByte('\n')
			}
		}
	}
	if err := os.WriteFile("testdata/sse_golden.txt", []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
