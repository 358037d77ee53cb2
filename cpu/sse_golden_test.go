package cpu

// The SSE golden file: for every instruction form the hardware oracle
// knows (ssehost_linux_amd64_test.go), three cases computed by a real CPU, so
// that the emulator is checked against hardware results on every host.
// Regenerate on an amd64 host with
//
//	go test ./cpu -run TestSSEGoldenUpdate -update-ssegolden

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// sseHostState is the image the trampoline loads and stores; the
// assembly knows its offsets (checked by TestSSEHostAsm).
type sseHostState struct {
	X     [16][2]uint64 // 0
	R     [8]uint64     // 256: RAX RCX RDX RBX (RSP RBP unused) RSI RDI
	Flags uint64        // 320
	MXCSR uint32        // 328
	Host  uint32        // 332: the caller's MXCSR while the form runs
}

type sseHostForm struct {
	name   string
	code   []byte
	kind   int
	mem    bool // has a memory operand
	rexw   bool // has REX.W: 64-bit mode only
	approx bool // RCPxx/RSQRTxx: compare within the error bound
}

// sseCase is one test input.
type sseCase struct {
	st     sseHostState
	mem    [64]byte
	memOff uint64 // offset of [RSI] in the buffer: 0 or misaligned
}

// Emulated execution.

const sseGuestMem = 0x20000

func sseEmuRun(c *CPU, f *sseHostForm, in *sseCase) (out sseHostState, mem [128]byte, exit Exit) {
	c.X = in.st.X
	copy(c.R[:8], in.st.R[:])
	c.R[RSI] = sseGuestMem + in.memOff
	c.R[RDI] = sseGuestMem + 64 + in.memOff
	if c.Mode() == Mode32 {
		for i := 0; i < 8; i++ {
			c.R[i] &= 0xFFFFFFFF
		}
	}
	c.MXCSR = in.st.MXCSR
	c.SetFlags(in.st.Flags)
	var w [128]byte
	copy(w[:], in.mem[:])
	if err := c.WriteMem(sseGuestMem, w[:]); err != nil {
		panic(err)
	}
	c.PC = 0x1000
	c.Fault = Fault{}
	exit = c.Step()
	out.X = c.X
	copy(out.R[:], c.R[:8])
	out.Flags = c.Flags() & flagsArith
	out.MXCSR = c.MXCSR
	if err := c.ReadMem(sseGuestMem, mem[:]); err != nil {
		panic(err)
	}
	return out, mem, exit
}

// sseApproxEq compares RCP/RSQRT results: equal, or both finite within
// twice the architectural bound of each other, or both below the normal
// range (the flush threshold differs).
func sseApproxEq(a, b [2]uint64) bool {
	for i := 0; i < 4; i++ {
		x := uint32(a[i/2] >> (32 * (i % 2)))
		y := uint32(b[i/2] >> (32 * (i % 2)))
		if x == y {
			continue
		}
		fx, fy := float64(math.Float32frombits(x)), float64(math.Float32frombits(y))
		if math.IsNaN(fx) || math.IsNaN(fy) || math.IsInf(fx, 0) || math.IsInf(fy, 0) {
			return false
		}
		if math.Abs(fx) <= 0x1p-125 && math.Abs(fy) <= 0x1p-125 {
			continue
		}
		if math.Abs(fx-fy) > 3*0x1p-12*math.Abs(fy) {
			return false
		}
	}
	return true
}

const sseGoldenHeader = `# SSE golden cases, generated on real hardware by TestSSEGoldenUpdate.
# form mode code | MXCSR EFLAGS memoff X0 X1 X2 RAX RCX RDX mem[0:32] | trap MXCSR EFLAGS X0 X1 X2 RAX RCX RDX mem[0:32] mem[64:96]
# XMM registers are written high quadword first, "-" for zero; [RSI] is mem+memoff,
# [RDI] mem+64+memoff; "-" for all-zero memory.
`

type sseGoldenRow struct {
	name   string
	mode   Mode
	code   []byte
	in     sseCase
	trap   string // "-", "#XM" or "#GP"
	out    sseHostState
	outMem [64]byte
}

func (r *sseGoldenRow) String() string {
	x := func(v [2]uint64) string {
		if v == [2]uint64{} {
			return "-"
		}
		return fmt.Sprintf("%016x%016x", v[1], v[0])
	}
	s := &r.in.st
	o := &r.out
	m := func(b []byte) string {
		for _, c := range b {
			if c != 0 {
				return hex.EncodeToString(b)
			}
		}
		return "-"
	}
	return fmt.Sprintf("%s %d %x | %04x %03x %d %s %s %s %x %x %x %s | %s %04x %03x %s %s %s %x %x %x %s %s",
		r.name, r.mode, r.code,
		s.MXCSR, s.Flags, r.in.memOff, x(s.X[0]), x(s.X[1]), x(s.X[2]), s.R[0], s.R[1], s.R[2], m(r.in.mem[:32]),
		r.trap, o.MXCSR, o.Flags&flagsArith, x(o.X[0]), x(o.X[1]), x(o.X[2]), o.R[0], o.R[1], o.R[2], m(r.outMem[:32]), m(r.outMem[32:]))
}

func parseSSEGolden(line string) (*sseGoldenRow, error) {
	f := strings.Fields(strings.ReplaceAll(line, "|", " "))
	if len(f) != 24 {
		return nil, fmt.Errorf("%d fields", len(f))
	}
	var err error
	num := func(s string, base int) uint64 {
		v, e := strconv.ParseUint(s, base, 64)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	xmm := func(s string) [2]uint64 {
		if s == "-" {
			return [2]uint64{}
		}
		if len(s) != 32 {
			err = fmt.Errorf("bad xmm %q", s)
			return [2]uint64{}
		}
		return [2]uint64{num(s[16:], 16), num(s[:16], 16)}
	}
	bytes := func(dst []byte, s string) {
		if s == "-" {
			return
		}
		b, e := hex.DecodeString(s)
		if e != nil || len(b) != len(dst) {
			err = fmt.Errorf("bad bytes %q", s)
		}
		copy(dst, b)
	}
	r := &sseGoldenRow{name: f[0], mode: Mode(num(f[1], 10))}
	r.code, err = hex.DecodeString(f[2])
	s := &r.in.st
	s.MXCSR = uint32(num(f[3], 16))
	s.Flags = num(f[4], 16)
	r.in.memOff = num(f[5], 10)
	s.X[0], s.X[1], s.X[2] = xmm(f[6]), xmm(f[7]), xmm(f[8])
	s.R[0], s.R[1], s.R[2] = num(f[9], 16), num(f[10], 16), num(f[11], 16)
	bytes(r.in.mem[:32], f[12])
	r.trap = f[13]
	o := &r.out
	o.MXCSR = uint32(num(f[14], 16))
	o.Flags = num(f[15], 16)
	o.X[0], o.X[1], o.X[2] = xmm(f[16]), xmm(f[17]), xmm(f[18])
	o.R[0], o.R[1], o.R[2] = num(f[19], 16), num(f[20], 16), num(f[21], 16)
	bytes(r.outMem[:32], f[22])
	bytes(r.outMem[32:], f[23])
	return r, err
}

func TestSSEGolden(t *testing.T) {
	fd, err := os.Open("testdata/sse_golden.txt")
	if err != nil {
		t.Skip(err)
	}
	defer fd.Close()
	cpus := map[string]*CPU{}
	sc := bufio.NewScanner(fd)
	sc.Buffer(nil, 1<<20)
	n, fails := 0, 0
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		r, err := parseSSEGolden(line)
		if err != nil {
			t.Fatalf("line %d: %v", ln, err)
		}
		key := fmt.Sprintf("%d %x", r.mode, r.code)
		c := cpus[key]
		if c == nil {
			c = newTest(t, r.mode, r.code)
			cpus[key] = c
		}
		f := &sseHostForm{name: r.name, code: r.code, approx: strings.HasPrefix(r.name, "RCP") || strings.HasPrefix(r.name, "RSQRT")}
		eout, emem, exit := sseEmuRun(c, f, &r.in)
		var d []string
		switch r.trap {
		case "#XM", "#GP":
			want := TrapSIMD
			if r.trap == "#GP" {
				want = TrapGP
			}
			if exit != ExitTrap || c.Fault.Trap != want {
				d = append(d, fmt.Sprintf("want %s, got exit %v fault %+v", r.trap, exit, c.Fault))
			} else if r.trap == "#XM" && c.Fault.FPStatus != r.out.MXCSR&mxFlags {
				d = append(d, fmt.Sprintf("FPStatus %#x, want %#x", c.Fault.FPStatus, r.out.MXCSR&mxFlags))
			}
		default:
			if exit != ExitLimit {
				d = append(d, fmt.Sprintf("exit %v: %s", exit, c.Fault.String()))
			}
		}
		for i := 0; i < 3; i++ {
			if eout.X[i] != r.out.X[i] && !(f.approx && sseApproxEq(eout.X[i], r.out.X[i])) {
				d = append(d, fmt.Sprintf("X%d = %016x%016x, want %016x%016x", i, eout.X[i][1], eout.X[i][0], r.out.X[i][1], r.out.X[i][0]))
			}
		}
		for i := 0; i < 3; i++ {
			if eout.R[i] != r.out.R[i] {
				d = append(d, fmt.Sprintf("R%d = %#x, want %#x", i, eout.R[i], r.out.R[i]))
			}
		}
		if eout.MXCSR != r.out.MXCSR {
			d = append(d, fmt.Sprintf("MXCSR = %#x, want %#x", eout.MXCSR, r.out.MXCSR))
		}
		if eout.Flags != r.out.Flags {
			d = append(d, fmt.Sprintf("EFLAGS = %#x, want %#x", eout.Flags, r.out.Flags))
		}
		if [32]byte(emem[:32]) != [32]byte(r.outMem[:32]) || [32]byte(emem[64:96]) != [32]byte(r.outMem[32:]) {
			d = append(d, fmt.Sprintf("memory = %x %x, want %x %x", emem[:32], emem[64:96], r.outMem[:32], r.outMem[32:]))
		}
		n++
		if d != nil {
			fails++
			t.Errorf("line %d: %s mode %d (% x): %s", ln, r.name, r.mode, r.code, strings.Join(d, "; "))
			if fails > 30 {
				t.Fatal("too many failures")
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d golden cases", n)
}
