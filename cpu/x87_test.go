package cpu

import (
	"encoding/binary"
	"math"
	"testing"
)

// Instruction-level tests of the x87 forms, in both modes. Each row sets
// the stack (ST(0) f80First), control word, memory operand (at x87Mem) and
// flags, runs the instruction followed by INT3, and checks the stack,
// memory, status word and flags. The bit-exact behaviour on every
// operand class is left to the hardware oracle (x87host_amd64_test.go);
// these rows pin the semantics of each form on every host.

const x87Mem = 0x20000

// fpMop encodes an x87 memory form: opcode, ModR/M with reg, SIB and an
// absolute disp32 of x87Mem (the same bytes in both modes).
func fpMop(op, reg byte) []byte {
	return []byte{op, reg<<3 | 4, 0x25, 0x00, 0x00, 0x02, 0x00}
}

func fpF64(v float64) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)) }
func fpF32(v float32) []byte { return binary.LittleEndian.AppendUint32(nil, math.Float32bits(v)) }
func fpI16(v int16) []byte   { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func fpI32(v int32) []byte   { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func fpI64(v int64) []byte   { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func fpF80(v F80) []byte {
	return binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint64(nil, v.Mant), v.SE)
}

func fpCat(bs ...[]byte) []byte {
	var r []byte
	for _, b := range bs {
		r = append(r, b...)
	}
	return r
}

func fpF80Of(v float64) F80 {
	f, _ := f80FromF64(math.Float64bits(v))
	return f
}

func fpFloat(f F80) float64 {
	v, _, _ := f80ToMem(f, 0x037F, false)
	return math.Float64frombits(v)
}

type x87Case struct {
	name      string
	code      []byte
	cw        uint16    // 0 means 0x037F
	st        []float64 // initial stack, ST(0) f80First
	mem       []byte    // memory operand at x87Mem
	flags     uint64    // initial arithmetic flags
	want      []float64 // final stack, ST(0) f80First; exactly these registers are in use
	wantMem   []byte    // compared at x87Mem when not nil
	swMask    uint16    // SW bits compared (besides TOP), with sw
	sw        uint16
	flagsMask uint64 // EFLAGS bits compared, with wantFlags
	wantFlags uint64
	check     func(t *testing.T, c *CPU)
}

// fpSetStack loads the stack, ST(0) f80First.
func fpSetStack(c *CPU, vals ...float64) {
	for i := len(vals) - 1; i >= 0; i-- {
		c.FPU.push(fpF80Of(vals[i]), 0)
	}
}

func runX87Case(t *testing.T, m Mode, tc x87Case) *CPU {
	t.Helper()
	c := newTest(t, m, append(append([]byte{}, tc.code...), 0xCC))
	if tc.cw != 0 {
		c.FPU.setCW(tc.cw)
	}
	fpSetStack(c, tc.st...)
	c.FPU.SW &^= 0x3FFF &^ swTop
	if tc.mem != nil {
		if err := c.WriteMem(x87Mem, tc.mem); err != nil {
			t.Fatal(err)
		}
	}
	c.SetFlags(tc.flags)
	if x := c.Run(10); x != ExitTrap || c.Fault.Trap != TrapBreakpoint {
		t.Fatalf("mode %d %s: exit %v %v", m, tc.name, x, c.Fault.String())
	}
	f := &c.FPU
	for i := 0; i < 8; i++ {
		p := f.phys(uint8(i))
		if i >= len(tc.want) {
			if f.valid(p) {
				t.Errorf("mode %d %s: ST%d in use (%v), want %d registers", m, tc.name, i, fpFloat(f.R[p]), len(tc.want))
			}
			continue
		}
		got := fpFloat(f.R[p])
		if !f.valid(p) {
			t.Errorf("mode %d %s: ST%d empty, want %v", m, tc.name, i, tc.want[i])
		} else if w := tc.want[i]; got != w && !(math.IsNaN(got) && math.IsNaN(w)) || got == 0 && math.Signbit(got) != math.Signbit(w) {
			t.Errorf("mode %d %s: ST%d = %v, want %v", m, tc.name, i, got, w)
		}
	}
	if tc.wantMem != nil {
		got := make([]byte, len(tc.wantMem))
		c.ReadMem(x87Mem, got)
		if string(got) != string(tc.wantMem) {
			t.Errorf("mode %d %s: memory % x, want % x", m, tc.name, got, tc.wantMem)
		}
	}
	if sw := f.SW & tc.swMask; sw != tc.sw {
		t.Errorf("mode %d %s: SW %#04x & %#04x = %#04x, want %#04x", m, tc.name, f.SW, tc.swMask, sw, tc.sw)
	}
	if fl := c.Flags() & tc.flagsMask; fl != tc.wantFlags {
		t.Errorf("mode %d %s: flags %#x, want %#x", m, tc.name, fl, tc.wantFlags)
	}
	if tc.check != nil {
		tc.check(t, c)
	}
	return c
}

const fpCCMask = swC0 | swC1 | swC2 | swC3

func TestX87Forms(t *testing.T) {
	nan := math.NaN()
	cases := []x87Case{
		{name: "FLD m32", code: fpMop(0xD9, 0), st: []float64{1}, mem: fpF32(2.5), want: []float64{2.5, 1}},
		{name: "FLD m64", code: fpMop(0xDD, 0), mem: fpF64(-3.25), want: []float64{-3.25}},
		{name: "FLD m80", code: fpMop(0xDB, 5), mem: fpF80(fpF80Of(7)), want: []float64{7}},
		{name: "FLD ST1", code: []byte{0xD9, 0xC1}, st: []float64{1, 2}, want: []float64{2, 1, 2}},
		{name: "FLD ST0", code: []byte{0xD9, 0xC0}, st: []float64{5}, want: []float64{5, 5}},
		{name: "FST m32", code: fpMop(0xD9, 2), st: []float64{1.5}, want: []float64{1.5}, wantMem: fpF32(1.5)},
		{name: "FSTP m32", code: fpMop(0xD9, 3), st: []float64{1.5, 2}, want: []float64{2}, wantMem: fpF32(1.5)},
		{name: "FST m64", code: fpMop(0xDD, 2), st: []float64{0.1}, want: []float64{0.1}, wantMem: fpF64(0.1)},
		{name: "FSTP m64", code: fpMop(0xDD, 3), st: []float64{math.Copysign(0, -1)}, want: nil, wantMem: fpF64(math.Copysign(0, -1))},
		{name: "FSTP m80", code: fpMop(0xDB, 7), st: []float64{3}, want: nil, wantMem: fpF80(fpF80Of(3))},
		{name: "FST ST2", code: []byte{0xDD, 0xD2}, st: []float64{1, 2, 3}, want: []float64{1, 2, 1}},
		{name: "FSTP ST1", code: []byte{0xDD, 0xD9}, st: []float64{1, 2, 3}, want: []float64{1, 3}},
		{name: "FSTP ST0", code: []byte{0xDD, 0xD8}, st: []float64{1, 2}, want: []float64{2}},
		{name: "FST m32 rounds", code: fpMop(0xD9, 2), st: []float64{0.1}, want: []float64{0.1}, wantMem: fpF32(0.1),
			swMask: exPE, sw: exPE},
		{name: "FILD m16", code: fpMop(0xDF, 0), mem: fpI16(-300), want: []float64{-300}},
		{name: "FILD m32", code: fpMop(0xDB, 0), mem: fpI32(123456), want: []float64{123456}},
		{name: "FILD m64", code: fpMop(0xDF, 5), mem: fpI64(-1 << 60), want: []float64{-1 << 60}},
		{name: "FIST m16", code: fpMop(0xDF, 2), st: []float64{-2.5}, want: []float64{-2.5}, wantMem: fpI16(-2),
			swMask: exPE | swC1, sw: exPE},
		{name: "FISTP m16", code: fpMop(0xDF, 3), st: []float64{40000}, want: nil, wantMem: fpI16(-32768),
			swMask: exIE, sw: exIE},
		{name: "FIST m32", code: fpMop(0xDB, 2), st: []float64{3.5}, want: []float64{3.5}, wantMem: fpI32(4),
			swMask: exPE | swC1, sw: exPE | swC1},
		{name: "FISTP m32", code: fpMop(0xDB, 3), st: []float64{-7, 1}, want: []float64{1}, wantMem: fpI32(-7)},
		{name: "FISTP m32 chop", code: fpMop(0xDB, 3), cw: 0x0F7F, st: []float64{-7.9}, want: nil, wantMem: fpI32(-7)},
		{name: "FISTP m64", code: fpMop(0xDF, 7), st: []float64{1 << 62}, want: nil, wantMem: fpI64(1 << 62)},
		{name: "FISTTP m16", code: fpMop(0xDF, 1), st: []float64{-9.99}, want: nil, wantMem: fpI16(-9)},
		{name: "FISTTP m32", code: fpMop(0xDB, 1), st: []float64{9.99}, want: nil, wantMem: fpI32(9)},
		{name: "FISTTP m64", code: fpMop(0xDD, 1), st: []float64{-1e15 - 0.5}, want: nil, wantMem: fpI64(-1e15)},
		{name: "FBLD", code: fpMop(0xDF, 4), mem: []byte{0x21, 0x43, 0x65, 0x87, 0, 0, 0, 0, 0, 0x80},
			want: []float64{-87654321}},
		{name: "FBSTP", code: fpMop(0xDF, 6), st: []float64{1234.5}, want: nil,
			wantMem: []byte{0x34, 0x12, 0, 0, 0, 0, 0, 0, 0, 0}},
		{name: "FLD1", code: []byte{0xD9, 0xE8}, want: []float64{1}},
		{name: "FLDZ", code: []byte{0xD9, 0xEE}, want: []float64{0}},
		{name: "FLDPI", code: []byte{0xD9, 0xEB}, want: []float64{math.Pi}},
		{name: "FLDL2T", code: []byte{0xD9, 0xE9}, want: []float64{3.32192809488736234787031942948939}},
		{name: "FLDL2E", code: []byte{0xD9, 0xEA}, want: []float64{math.Log2E}},
		{name: "FLDLG2", code: []byte{0xD9, 0xEC}, want: []float64{0.30102999566398119521373889472449}},
		{name: "FLDLN2", code: []byte{0xD9, 0xED}, want: []float64{math.Ln2}},

		{name: "FCOM m32 less", code: fpMop(0xD8, 2), st: []float64{1}, mem: fpF32(2), want: []float64{1},
			swMask: fpCCMask, sw: swC0},
		{name: "FCOM m64 equal", code: fpMop(0xDC, 2), st: []float64{2}, mem: fpF64(2), want: []float64{2},
			swMask: fpCCMask, sw: swC3},
		{name: "FCOMP m64 greater", code: fpMop(0xDC, 3), st: []float64{3, 4}, mem: fpF64(2), want: []float64{4},
			swMask: fpCCMask, sw: 0},
		{name: "FCOMP m32 NaN", code: fpMop(0xD8, 3), st: []float64{3}, mem: fpF32(float32(nan)), want: nil,
			swMask: fpCCMask | exIE, sw: swC0 | swC2 | swC3 | exIE},
		{name: "FCOM ST2", code: []byte{0xD8, 0xD2}, st: []float64{1, 9, 0}, want: []float64{1, 9, 0},
			swMask: fpCCMask, sw: 0},
		{name: "FCOMP ST1", code: []byte{0xD8, 0xD9}, st: []float64{-1, 0}, want: []float64{0},
			swMask: fpCCMask, sw: swC0},
		{name: "FCOMPP", code: []byte{0xDE, 0xD9}, st: []float64{5, 5, 1}, want: []float64{1},
			swMask: fpCCMask, sw: swC3},
		{name: "FUCOM ST1 NaN", code: []byte{0xDD, 0xE1}, st: []float64{1, nan}, want: []float64{1, nan},
			swMask: fpCCMask | exIE, sw: swC0 | swC2 | swC3},
		{name: "FUCOMP ST1", code: []byte{0xDD, 0xE9}, st: []float64{1, 2}, want: []float64{2},
			swMask: fpCCMask, sw: swC0},
		{name: "FUCOMPP", code: []byte{0xDA, 0xE9}, st: []float64{2, 1, 7}, want: []float64{7},
			swMask: fpCCMask, sw: 0},
		{name: "FICOM m16", code: fpMop(0xDE, 2), st: []float64{-3}, mem: fpI16(-3), want: []float64{-3},
			swMask: fpCCMask, sw: swC3},
		{name: "FICOMP m32", code: fpMop(0xDA, 3), st: []float64{-3}, mem: fpI32(5), want: nil,
			swMask: fpCCMask, sw: swC0},
		{name: "FCOMI less", code: []byte{0xDB, 0xF1}, st: []float64{1, 2}, want: []float64{1, 2},
			flags: FlagOF | FlagSF | FlagAF | FlagZF, flagsMask: flagsArith, wantFlags: FlagCF},
		{name: "FCOMIP equal", code: []byte{0xDF, 0xF1}, st: []float64{2, 2}, want: []float64{2},
			flagsMask: flagsArith, wantFlags: FlagZF},
		{name: "FUCOMI NaN", code: []byte{0xDB, 0xE9}, st: []float64{nan, 2}, want: []float64{nan, 2},
			flagsMask: flagsArith, wantFlags: FlagZF | FlagPF | FlagCF, swMask: exIE, sw: 0},
		{name: "FUCOMIP greater", code: []byte{0xDF, 0xE9}, st: []float64{3, 2}, want: []float64{2},
			flags: FlagCF, flagsMask: flagsArith, wantFlags: 0},
		{name: "FTST", code: []byte{0xD9, 0xE4}, st: []float64{-0.5}, want: []float64{-0.5},
			swMask: fpCCMask, sw: swC0},
		{name: "FTST zero", code: []byte{0xD9, 0xE4}, st: []float64{math.Copysign(0, -1)},
			want: []float64{math.Copysign(0, -1)}, swMask: fpCCMask, sw: swC3},
		{name: "FXAM normal", code: []byte{0xD9, 0xE5}, st: []float64{-2}, want: []float64{-2},
			swMask: fpCCMask, sw: swC2 | swC1},
		{name: "FXAM empty", code: []byte{0xD9, 0xE5}, want: nil, swMask: swC0 | swC2 | swC3, sw: swC3 | swC0},
		{name: "FXAM inf", code: []byte{0xD9, 0xE5}, st: []float64{math.Inf(1)}, want: []float64{math.Inf(1)},
			swMask: fpCCMask, sw: swC2 | swC0},

		{name: "FCHS", code: []byte{0xD9, 0xE0}, st: []float64{2}, want: []float64{-2}},
		{name: "FABS", code: []byte{0xD9, 0xE1}, st: []float64{-2}, want: []float64{2}},
		{name: "FSQRT", code: []byte{0xD9, 0xFA}, st: []float64{6.25}, want: []float64{2.5}},
		{name: "FSQRT -1", code: []byte{0xD9, 0xFA}, st: []float64{-1}, want: []float64{nan},
			swMask: exIE, sw: exIE},
		{name: "FRNDINT", code: []byte{0xD9, 0xFC}, st: []float64{2.5}, want: []float64{2}, swMask: exPE, sw: exPE},
		{name: "FRNDINT up", code: []byte{0xD9, 0xFC}, cw: 0x0B7F, st: []float64{2.1}, want: []float64{3}},
		{name: "FSCALE", code: []byte{0xD9, 0xFD}, st: []float64{3, -2.7}, want: []float64{0.75, -2.7}},
		{name: "FXTRACT", code: []byte{0xD9, 0xF4}, st: []float64{-12}, want: []float64{-1.5, 3}},
		{name: "FPREM", code: []byte{0xD9, 0xF8}, st: []float64{-7, 2}, want: []float64{-1, 2},
			swMask: fpCCMask, sw: swC3 | swC1}, // quotient 3: C0=Q2, C3=Q1, C1=Q0
		{name: "FPREM1", code: []byte{0xD9, 0xF5}, st: []float64{7, 2}, want: []float64{-1, 2},
			swMask: fpCCMask, sw: swC0}, // quotient 4
		{name: "FXCH ST2", code: []byte{0xD9, 0xCA}, st: []float64{1, 2, 3}, want: []float64{3, 2, 1}},
		{name: "FFREE ST1", code: []byte{0xDD, 0xC1}, st: []float64{1, 2}, want: []float64{1}},
		{name: "FFREEP ST0", code: []byte{0xDF, 0xC0}, st: []float64{1, 2}, want: []float64{2}},
		{name: "FINCSTP", code: []byte{0xD9, 0xF7, 0xDD, 0xC7}, st: []float64{1, 2}, want: []float64{2}}, // then FFREE ST7
		{name: "FDECSTP", code: []byte{0xD9, 0xF6, 0xD9, 0xF7}, st: []float64{1}, want: []float64{1}},
		{name: "FNOP", code: []byte{0xD9, 0xD0}, st: []float64{1}, want: []float64{1}},
		{name: "FWAIT", code: []byte{0x9B}, st: []float64{1}, want: []float64{1}},
		{name: "FNINIT", code: []byte{0xDB, 0xE3}, cw: 0x027F, st: []float64{1}, want: nil,
			check: func(t *testing.T, c *CPU) {
				if c.FPU.CW != 0x037F || c.FPU.SW != 0 || c.FPU.Tag != 0 {
					t.Errorf("after FNINIT CW %#x SW %#x tags %#x", c.FPU.CW, c.FPU.SW, c.FPU.Tag)
				}
			}},
		{name: "FINIT", code: []byte{0x9B, 0xDB, 0xE3}, st: []float64{1}, want: nil},
		{name: "FNCLEX", code: fpCat([]byte{0xD9, 0xFA}, []byte{0xDB, 0xE2}), st: []float64{-1},
			want: []float64{nan}, swMask: 0x80FF, sw: 0},
		{name: "FNSTSW AX", code: []byte{0xDF, 0xE0, 0x89, 0x04, 0x25, 0x00, 0x00, 0x02, 0x00},
			st: []float64{1, 2}, want: []float64{1, 2}, wantMem: []byte{0x00, 0x30, 0x00, 0x00}},
		{name: "FNSTSW m16", code: fpMop(0xDD, 7), st: []float64{1}, want: []float64{1}, wantMem: []byte{0x00, 0x38}},
		{name: "FNSTCW", code: fpMop(0xD9, 7), cw: 0x0232, want: nil, wantMem: []byte{0x72, 0x02}},
		{name: "FLDCW", code: fpMop(0xD9, 5), mem: []byte{0x7F, 0x0C}, want: nil,
			check: func(t *testing.T, c *CPU) {
				if c.FPU.CW != 0x0C7F {
					t.Errorf("CW %#x", c.FPU.CW)
				}
			}},
		{name: "FCMOVB taken", code: []byte{0xDA, 0xC1}, flags: FlagCF, st: []float64{1, 2}, want: []float64{2, 2}},
		{name: "FCMOVB not", code: []byte{0xDA, 0xC1}, st: []float64{1, 2}, want: []float64{1, 2}},
		{name: "FCMOVE", code: []byte{0xDA, 0xC9}, flags: FlagZF, st: []float64{1, 2}, want: []float64{2, 2}},
		{name: "FCMOVBE", code: []byte{0xDA, 0xD1}, flags: FlagZF, st: []float64{1, 2}, want: []float64{2, 2}},
		{name: "FCMOVU", code: []byte{0xDA, 0xD9}, flags: FlagPF, st: []float64{1, 2}, want: []float64{2, 2}},
		{name: "FCMOVNB", code: []byte{0xDB, 0xC1}, st: []float64{1, 2}, want: []float64{2, 2}},
		{name: "FCMOVNE", code: []byte{0xDB, 0xC9}, flags: FlagZF, st: []float64{1, 2}, want: []float64{1, 2}},
		{name: "FCMOVNBE", code: []byte{0xDB, 0xD1}, st: []float64{1, 2}, want: []float64{2, 2}},
		{name: "FCMOVNU", code: []byte{0xDB, 0xD9}, flags: FlagPF, st: []float64{1, 2}, want: []float64{1, 2}},

		// Stack faults, masked: the indefinite takes the missing value's place.
		{name: "underflow FADD", code: []byte{0xD8, 0xC1}, st: []float64{1}, want: []float64{nan},
			swMask: exIE | exSF | swC1, sw: exIE | exSF},
		{name: "overflow FLD1", code: []byte{0xD9, 0xE8}, st: []float64{1, 2, 3, 4, 5, 6, 7, 8},
			want: []float64{nan, 1, 2, 3, 4, 5, 6, 7}, swMask: exIE | exSF | swC1, sw: exIE | exSF | swC1},
	}
	// The arithmetic family: every operation in every form, on 6 and
	// 1.5 (or the integer 3), where each result is exact.
	ops := []struct {
		name string
		reg  byte // ModR/M reg field of the d8/dc memory and ST(0),ST(i) forms
		f    func(a, b float64) float64
	}{
		{"ADD", 0, func(a, b float64) float64 { return a + b }},
		{"MUL", 1, func(a, b float64) float64 { return a * b }},
		{"SUB", 4, func(a, b float64) float64 { return a - b }},
		{"SUBR", 5, func(a, b float64) float64 { return b - a }},
		{"DIV", 6, func(a, b float64) float64 { return a / b }},
		{"DIVR", 7, func(a, b float64) float64 { return b / a }},
	}
	for _, o := range ops {
		// The dc/de register forms encode SUB/SUBR and DIV/DIVR
		// swapped in the reg field (SDM: DC E8+i is FSUB ST(i), ST(0)).
		rreg := o.reg
		if rreg >= 4 {
			rreg ^= 1
		}
		cases = append(cases,
			x87Case{name: "F" + o.name + " m32", code: fpMop(0xD8, o.reg), st: []float64{6}, mem: fpF32(1.5),
				want: []float64{o.f(6, 1.5)}},
			x87Case{name: "F" + o.name + " m64", code: fpMop(0xDC, o.reg), st: []float64{6, 9}, mem: fpF64(1.5),
				want: []float64{o.f(6, 1.5), 9}},
			x87Case{name: "FI" + o.name + " m16", code: fpMop(0xDE, o.reg), st: []float64{6}, mem: fpI16(3),
				want: []float64{o.f(6, 3)}},
			x87Case{name: "FI" + o.name + " m32", code: fpMop(0xDA, o.reg), st: []float64{6}, mem: fpI32(3),
				want: []float64{o.f(6, 3)}},
			x87Case{name: "F" + o.name + " ST0,ST2", code: []byte{0xD8, 0xC2 | o.reg<<3}, st: []float64{6, 0, 1.5},
				want: []float64{o.f(6, 1.5), 0, 1.5}},
			x87Case{name: "F" + o.name + " ST2,ST0", code: []byte{0xDC, 0xC2 | rreg<<3}, st: []float64{1.5, 0, 6},
				want: []float64{1.5, 0, o.f(6, 1.5)}},
			x87Case{name: "F" + o.name + "P ST1,ST0", code: []byte{0xDE, 0xC1 | rreg<<3}, st: []float64{1.5, 6, 7},
				want: []float64{o.f(6, 1.5), 7}},
		)
	}
	for _, m := range []Mode{Mode32, Mode64} {
		for _, tc := range cases {
			runX87Case(t, m, tc)
		}
	}
}

// TestX87Trap checks the delayed x87 exception: 1/0 under Plan 9's
// control word (zero divide unmasked) flags the exception, and the next
// waiting instruction traps with the status word and the address of the
// division; non-waiting instructions do not trap.
func TestX87Trap(t *testing.T) {
	code := fpCat(
		fpMop(0xD9, 5),     // 0x1000 FLDCW [mem]  (0x0232)
		[]byte{0xD9, 0xE8}, // 0x1007 FLD1
		[]byte{0xD9, 0xEE}, // 0x1009 FLDZ
		[]byte{0xDE, 0xF9}, // 0x100b FDIVP ST1, ST0
		[]byte{0xDF, 0xE0}, // 0x100d FNSTSW AX (does not wait)
		[]byte{0xD9, 0x3C, 0x25, 0x08, 0x00, 0x02, 0x00}, // 0x100f FNSTCW [mem+8]
		fpMop(0xDD, 3), // 0x1016 FSTP m64: traps
	)
	for _, m := range []Mode{Mode32, Mode64} {
		c := newTest(t, m, append(code, 0xCC))
		c.WriteMem(x87Mem, []byte{0x32, 0x02})
		want := uint16(swB | swES | exZE | 6<<11)
		if x := c.Run(100); x != ExitTrap || c.Fault.Trap != TrapX87 {
			t.Fatalf("mode %d: exit %v %v", m, x, c.Fault.String())
		}
		if c.PC != 0x1016 || c.Fault.PC != 0x1016 {
			t.Errorf("mode %d: trap at %#x (fault pc %#x), want 0x1016", m, c.PC, c.Fault.PC)
		}
		if c.Fault.FPPC != 0x100b {
			t.Errorf("mode %d: FPPC %#x, want 0x100b", m, c.Fault.FPPC)
		}
		if c.Fault.FPStatus != uint32(want) {
			t.Errorf("mode %d: FPStatus %#x, want %#x", m, c.Fault.FPStatus, want)
		}
		if ax := uint16(c.R[RAX]); ax != want {
			t.Errorf("mode %d: FNSTSW AX = %#x, want %#x", m, ax, want)
		}
		if c.FPU.CW != 0x0272 {
			t.Errorf("mode %d: CW %#x", m, c.FPU.CW)
		}
		// The division was not performed: the stack still holds 0, 1.
		if v0, v1 := fpFloat(c.FPU.R[c.FPU.phys(0)]), fpFloat(c.FPU.R[c.FPU.phys(1)]); v0 != 0 || v1 != 1 {
			t.Errorf("mode %d: stack %v %v after the unmasked division", m, v0, v1)
		}
		// After the kernel clears the exception the program can go on.
		c.ClearFPExceptions()
		if x := c.Run(100); x != ExitTrap || c.Fault.Trap != TrapBreakpoint {
			t.Fatalf("mode %d: after FNCLEX exit %v %v", m, x, c.Fault.String())
		}
	}
}

// TestX87FWAITTraps checks that FWAIT (the wait of FINIT, FSTSW...)
// traps on a pending exception, and FNCLEX clears it f80First.
func TestX87FWAITTraps(t *testing.T) {
	for _, tc := range []struct {
		code []byte
		trap bool
	}{
		{[]byte{0xD9, 0xFA, 0x9B}, true},                    // FSQRT of -1; FWAIT
		{[]byte{0xD9, 0xFA, 0x9B, 0xDB, 0xE3}, true},        // FINIT
		{[]byte{0xD9, 0xFA, 0xDB, 0xE2, 0x9B}, false},       // FNCLEX; FWAIT
		{[]byte{0xD9, 0xFA, 0xDB, 0xE3, 0xD9, 0xE8}, false}, // FNINIT; FLD1
		{[]byte{0xD9, 0xFA, 0x0F, 0x77}, true},              // EMMS waits too
	} {
		c := newTest(t, Mode32, append(tc.code, 0xCC))
		c.FPU.CW = 0x0232
		fpSetStack(c, -1)
		x := c.Run(10)
		if trapped := x == ExitTrap && c.Fault.Trap == TrapX87; trapped != tc.trap {
			t.Errorf("% x: exit %v %v, want trap %v", tc.code, x, c.Fault.String(), tc.trap)
		}
		if tc.trap && c.Fault.FPStatus&exIE == 0 {
			t.Errorf("% x: status %#x", tc.code, c.Fault.FPStatus)
		}
	}
}

// TestX87CastSequence runs the 8c double-to-int conversion.
func TestX87CastSequence(t *testing.T) {
	code := fpCat(
		fpMop(0xDD, 0), // FLD m64 (mem)
		[]byte{0xD9, 0x3C, 0x25, 0x10, 0x00, 0x02, 0x00}, // FNSTCW [mem+16]
		[]byte{0xD9, 0x2C, 0x25, 0x18, 0x00, 0x02, 0x00}, // FLDCW [mem+24] (0x0F7F)
		[]byte{0xDB, 0x1C, 0x25, 0x20, 0x00, 0x02, 0x00}, // FISTP m32 [mem+32]
		[]byte{0xD9, 0x2C, 0x25, 0x10, 0x00, 0x02, 0x00}, // FLDCW [mem+16]
	)
	for _, m := range []Mode{Mode32, Mode64} {
		for _, v := range []float64{-2.7, 2.7, 1e10, -0.5} {
			c := newTest(t, m, append(code, 0xCC))
			c.FPU.setCW(0x0232)
			mem := make([]byte, 40)
			copy(mem, fpF64(v))
			binary.LittleEndian.PutUint16(mem[24:], 0x0F7F)
			c.WriteMem(x87Mem, mem)
			if x := c.Run(10); x != ExitTrap || c.Fault.Trap != TrapBreakpoint {
				t.Fatalf("%v: exit %v %v", v, x, c.Fault.String())
			}
			c.ReadMem(x87Mem, mem)
			want := int32(math.Trunc(v))
			if v >= 1<<31 {
				want = math.MinInt32
			}
			if got := int32(binary.LittleEndian.Uint32(mem[32:])); got != want {
				t.Errorf("mode %d: (int)%v = %d, want %d", m, v, got, want)
			}
			if c.FPU.CW != 0x0272 {
				t.Errorf("CW %#x after the cast", c.FPU.CW)
			}
		}
	}
}

// TestX87Env checks FNSTENV, FLDENV, FNSAVE and FRSTOR images, including
// the last-instruction pointers.
func TestX87Env(t *testing.T) {
	code := fpCat(
		[]byte{0xD9, 0xE8}, // 0x1000 FLD1
		fpMop(0xDC, 0),     // 0x1002 FADD m64 [mem]
		fpMop(0xD9, 6),     // 0x1009 FNSTENV [mem]
		[]byte{0xD9, 0xEE}, // 0x1010 FLDZ
		[]byte{0xDD, 0x34, 0x25, 0x40, 0x00, 0x02, 0x00}, // 0x1012 FNSAVE [mem+0x40]
		[]byte{0xDD, 0x24, 0x25, 0x40, 0x00, 0x02, 0x00}, // 0x1019 FRSTOR [mem+0x40]
	)
	for _, m := range []Mode{Mode32, Mode64} {
		c := newTest(t, m, append(code, 0xCC))
		c.WriteMem(x87Mem, fpF64(2))
		if x := c.Run(10); x != ExitTrap || c.Fault.Trap != TrapBreakpoint {
			t.Fatalf("exit %v %v", x, c.Fault.String())
		}
		env := make([]byte, 28)
		c.ReadMem(x87Mem, env)
		u32 := func(o int) uint32 { return binary.LittleEndian.Uint32(env[o:]) }
		if u32(0) != 0xFFFF037F || u32(4) != 0xFFFF3800 || u32(8) != 0xFFFF3FFF {
			t.Errorf("mode %d: env CW/SW/TW %#x %#x %#x", m, u32(0), u32(4), u32(8))
		}
		if u32(12) != 0x1002 || u32(16)>>16 != 0x404 || u32(20) != x87Mem {
			t.Errorf("mode %d: env FIP %#x FOP %#x FDP %#x", m, u32(12), u32(16)>>16, u32(20))
		}
		// After FNSAVE/FRSTOR: the state at FNSAVE (3 and 0 on the
		// stack) is back, FNSTENV's exception masking included.
		f := &c.FPU
		if f.CW != 0x037F || f.top() != 6 || fpFloat(f.R[f.phys(0)]) != 0 || fpFloat(f.R[f.phys(1)]) != 3 {
			t.Errorf("mode %d: after FRSTOR CW %#x top %d", m, f.CW, f.top())
		}
		st := c.SaveFP()
		if st.X87.FIP != 0x1010 {
			t.Errorf("mode %d: FIP %#x after FRSTOR, want 0x1010 (the FLDZ)", m, st.X87.FIP)
		}
	}
}

// TestFXSAVE checks the 512-byte image, its alignment check, and
// FXRSTOR's round trip.
func TestFXSAVE(t *testing.T) {
	for _, m := range []Mode{Mode32, Mode64} {
		code := fpCat(
			[]byte{0xD9, 0xE8}, // FLD1
			[]byte{0xD9, 0xEB}, // FLDPI
			[]byte{0x0F, 0xAE, 0x04, 0x25, 0x00, 0x00, 0x02, 0x00}, // FXSAVE [mem]
			[]byte{0xDB, 0xE3}, // FNINIT
			[]byte{0x0F, 0xAE, 0x0C, 0x25, 0x00, 0x00, 0x02, 0x00}, // FXRSTOR [mem]
		)
		c := newTest(t, m, append(code, 0xCC))
		c.X[1] = [2]uint64{0x1111, 0x2222}
		c.X[9] = [2]uint64{0x9999, 0x8888}
		if x := c.Run(10); x != ExitTrap || c.Fault.Trap != TrapBreakpoint {
			t.Fatalf("exit %v %v", x, c.Fault.String())
		}
		img := make([]byte, 512)
		c.ReadMem(x87Mem, img)
		u16 := func(o int) uint16 { return binary.LittleEndian.Uint16(img[o:]) }
		if u16(0) != 0x037F || u16(2) != 0x3000 || img[4] != 0xC0 || u16(6) != 0x1EB {
			t.Errorf("mode %d: FCW %#x FSW %#x FTW %#x FOP %#x", m, u16(0), u16(2), img[4], u16(6))
		}
		if binary.LittleEndian.Uint32(img[8:]) != 0x1002 || binary.LittleEndian.Uint32(img[24:]) != 0x1F80 ||
			binary.LittleEndian.Uint32(img[28:]) != 0xFFFF {
			t.Errorf("mode %d: FIP/MXCSR/MASK % x", m, img[8:32])
		}
		if got := binary.LittleEndian.Uint64(img[32:]); got != 0xC90FDAA22168C235 || u16(40) != 0x4000 {
			t.Errorf("mode %d: ST0 %04x_%016x", m, u16(40), got)
		}
		if binary.LittleEndian.Uint64(img[160+16:]) != 0x1111 {
			t.Errorf("mode %d: XMM1 not saved", m)
		}
		if x9 := binary.LittleEndian.Uint64(img[160+9*16:]); (x9 == 0x9999) != (m == Mode64) {
			t.Errorf("mode %d: XMM9 slot %#x", m, x9)
		}
		f := &c.FPU
		if f.top() != 6 || f.Tag != 0xC0 || f.R[f.phys(0)] != (F80{0xC90FDAA22168C235, 0x4000}) {
			t.Errorf("mode %d: after FXRSTOR top %d tags %#x", m, f.top(), f.Tag)
		}
	}
	// Misaligned: #GP.
	c := newTest(t, Mode32, []byte{0x0F, 0xAE, 0x04, 0x25, 0x08, 0x00, 0x02, 0x00})
	if x := c.Run(1); x != ExitTrap || c.Fault.Trap != TrapGP {
		t.Errorf("misaligned FXSAVE: exit %v %v", x, c.Fault.String())
	}
	// Reserved MXCSR bits: #GP.
	c = newTest(t, Mode32, []byte{0x0F, 0xAE, 0x0C, 0x25, 0x00, 0x00, 0x02, 0x00})
	c.WriteMem(x87Mem+24, []byte{0, 0, 1, 0})
	if x := c.Run(1); x != ExitTrap || c.Fault.Trap != TrapGP {
		t.Errorf("FXRSTOR with a reserved MXCSR bit: exit %v %v", x, c.Fault.String())
	}
}

// TestSaveRestoreFP checks SaveFP and RestoreFP.
func TestSaveRestoreFP(t *testing.T) {
	c := newTest(t, Mode32, []byte{0xD9, 0xEB, 0xCC}) // FLDPI
	c.Run(10)
	c.X[3][1] = 42
	c.MXCSR = 0x1F81
	s := c.SaveFP()
	c.FPU.reset()
	c.X[3][1] = 0
	c.MXCSR = 0x1F80
	c.RestoreFP(s)
	if c.FPU.Tag != 0x80 || c.X[3][1] != 42 || c.MXCSR != 0x1F81 || s.X87.FIP != 0x1000 {
		t.Errorf("restored tags %#x x3 %#x mxcsr %#x fip %#x", c.FPU.Tag, c.X[3][1], c.MXCSR, s.X87.FIP)
	}
}

// TestX87Lower runs every x87 opcode byte pair through decoding,
// lowering and one step: nothing may panic, and whatever does not
// execute must trap as an invalid opcode.
func TestX87Lower(t *testing.T) {
	for op := 0xD8; op <= 0xDF; op++ {
		for modrm := 0; modrm < 256; modrm++ {
			for _, m := range []Mode{Mode32, Mode64} {
				code := []byte{byte(op), byte(modrm), 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}
				if modrm < 0xC0 {
					// Address x87Mem through a SIB with no base.
					code = []byte{byte(op), byte(modrm&0x38 | 4), 0x25, 0x00, 0x00, 0x02, 0x00}
				}
				c := newTest(t, m, append(code, 0xCC))
				fpSetStack(c, 1, 2)
				x := c.Run(1)
				switch {
				case x == ExitLimit, x == ExitTrap && c.Fault.Trap == TrapBreakpoint:
				case x == ExitTrap && c.Fault.Trap == TrapInvalidOp:
					if c.Fault.Unimplemented != "" {
						t.Errorf("% x: unimplemented %s", code[:2], c.Fault.Unimplemented)
					}
				default:
					t.Errorf("mode %d % x: exit %v %v", m, code[:2], x, c.Fault.String())
				}
			}
		}
	}
}

// TestX87Transcendental checks the approximate transcendental
// instructions to about 50 bits, and their range checks.
func TestX87Transcendental(t *testing.T) {
	near := func(got, want float64) bool {
		return got == want || math.Abs(got-want) <= 1e-15*math.Abs(want)
	}
	cases := []struct {
		name string
		code []byte
		st   []float64
		want []float64
	}{
		{"FSIN", []byte{0xD9, 0xFE}, []float64{1}, []float64{math.Sin(1)}},
		{"FCOS", []byte{0xD9, 0xFF}, []float64{1}, []float64{math.Cos(1)}},
		{"FPTAN", []byte{0xD9, 0xF2}, []float64{0.5}, []float64{1, math.Tan(0.5)}},
		{"FSINCOS", []byte{0xD9, 0xFB}, []float64{2}, []float64{math.Cos(2), math.Sin(2)}},
		{"F2XM1", []byte{0xD9, 0xF0}, []float64{0.5}, []float64{math.Sqrt2 - 1}},
		{"FYL2X", []byte{0xD9, 0xF1}, []float64{8, 3}, []float64{9}},
		{"FYL2XP1", []byte{0xD9, 0xF9}, []float64{0.25, 2}, []float64{2 * math.Log2(1.25)}},
		{"FPATAN", []byte{0xD9, 0xF3}, []float64{-1, 1}, []float64{math.Atan2(1, -1)}},
		{"FSIN out of range", []byte{0xD9, 0xFE}, []float64{1e300}, []float64{1e300}},
	}
	for _, tc := range cases {
		c := newTest(t, Mode32, append(tc.code, 0xCC))
		fpSetStack(c, tc.st...)
		if x := c.Run(10); x != ExitTrap || c.Fault.Trap != TrapBreakpoint {
			t.Fatalf("%s: exit %v %v", tc.name, x, c.Fault.String())
		}
		f := &c.FPU
		for i, w := range tc.want {
			if got := fpFloat(f.R[f.phys(uint8(i))]); !near(got, w) {
				t.Errorf("%s: ST%d = %v, want %v", tc.name, i, got, w)
			}
		}
		if (f.SW&swC2 != 0) != (tc.st[0] == 1e300) {
			t.Errorf("%s: C2 = %v", tc.name, f.SW&swC2 != 0)
		}
	}
}

// TestX87NoAlloc checks that a warm run of x87 code does not allocate.
func TestX87NoAlloc(t *testing.T) {
	c := newTest(t, Mode32, x87BenchCode())
	c.WriteMem(x87Mem, fpF64(1.000001))
	run := func() {
		c.PC = 0x1000
		c.R[RCX] = 100
		c.Run(0)
	}
	run()
	if n := testing.AllocsPerRun(10, run); n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}

// x87BenchCode is an 8c-style loop: load, multiply, add, compare, store.
func x87BenchCode() []byte {
	body := fpCat(
		fpMop(0xDD, 0),     // FLD m64
		fpMop(0xDC, 1),     // FMUL m64
		fpMop(0xDC, 0),     // FADD m64
		[]byte{0xD9, 0xE8}, // FLD1
		fpMop(0xDC, 3),     // FCOMP m64
		[]byte{0xDF, 0xE0}, // FNSTSW AX
		[]byte{0x9E},       // SAHF
		[]byte{0xD9, 0xC0}, // FLD ST0
		[]byte{0xDD, 0xD8}, // FSTP ST0
		[]byte{0xDD, 0x1C, 0x25, 0x08, 0x00, 0x02, 0x00}, // FSTP m64 [mem+8]
	)
	loop := append(body, 0x49, 0x75) // DEC ECX; JNE
	loop = append(loop, byte(-(len(loop) + 1)))
	return append(loop, 0xCC)
}

func BenchmarkX87(b *testing.B) {
	c := newTest(b, Mode32, x87BenchCode())
	c.WriteMem(x87Mem, fpF64(1.000001))
	const n = 1000
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.PC = 0x1000
		c.R[RCX] = n
		c.Run(0)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(12*n), "ns/inst")
}

// TestX87FaultChangesNothing checks that an x87 instruction whose memory
// access faults leaves the FPU as it was, last-instruction pointers
// included.
func TestX87FaultChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		insn []byte
	}{
		{"FSTP m64", []byte{0xDD, 0x1C, 0x25, 0x00, 0x00, 0x50, 0x00}},
		{"FLD m64", []byte{0xDD, 0x04, 0x25, 0x00, 0x00, 0x50, 0x00}},
		{"FADD m64", []byte{0xDC, 0x04, 0x25, 0x00, 0x00, 0x50, 0x00}},
		{"FISTP m32", []byte{0xDB, 0x1C, 0x25, 0x00, 0x00, 0x50, 0x00}},
		{"FSTP m80", []byte{0xDB, 0x3C, 0x25, 0xFC, 0xFF, 0x0F, 0x00}}, // straddles the segment's end
	} {
		c := newTest(t, Mode32, fpCat([]byte{0xD9, 0xE8}, tc.insn, []byte{0xCC})) // FLD1 first
		before := func() FPState { c.Run(1); return c.SaveFP() }()
		if x := c.Run(1); x != ExitFault {
			t.Fatalf("%s: exit %v %v", tc.name, x, c.Fault.String())
		}
		if after := c.SaveFP(); after != before || c.PC != 0x1002 {
			t.Errorf("%s: FPU changed by a faulting instruction (pc %#x):\nbefore %+v\nafter  %+v", tc.name, c.PC, before.X87, after.X87)
		}
	}
}
