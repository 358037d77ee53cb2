package cpu

import (
	"encoding/hex"
	"hash/crc32"
	"math"
	"strings"
	"testing"
)

// Table tests for the SSE semantics that matter most to Plan 9 and Go
// programs and for the rules that are easy to get wrong. Every form also
// has hardware-computed cases in testdata/sse_golden.txt
// (sse_golden_test.go) and is checked against the host CPU by
// ssehost_linux_amd64_test.go.

// sseT is the input and expected output of one table case. Unset
// expectations are not checked.
type sseT struct {
	name string
	mode Mode   // 0: both modes
	code string // hex; INT3 is appended
	mx   uint32 // MXCSR in; 0 means 0x1F80
	x    map[int][2]uint64
	r    map[int]uint64
	mem  string // hex bytes at sseMem
	fl   uint64 // EFLAGS in (arithmetic flags)

	wantX    map[int][2]uint64
	wantR    map[int]uint64
	wantMem  string // hex bytes expected at sseMem
	wantMX   uint32 // 0: not checked
	wantFl   int64  // -1: not checked; else the arithmetic flags
	wantTrap Trap   // 0: no trap (the program reaches INT3)
	wantFPS  uint32 // FPStatus for TrapSIMD
}

const sseMem = 0x20000

func sseF64(v float64) uint64   { return math.Float64bits(v) }
func sseF32(v float32) uint64   { return uint64(math.Float32bits(v)) }
func sseXQ(lo uint64) [2]uint64 { return [2]uint64{lo, 0} }

func sseRunTable(t *testing.T, tests []sseT) {
	t.Helper()
	for _, tc := range tests {
		modes := []Mode{Mode64, Mode32}
		if tc.mode != 0 {
			modes = []Mode{tc.mode}
		}
		for _, m := range modes {
			code, err := hex.DecodeString(strings.ReplaceAll(tc.code, " ", "") + "cc")
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			c := newTest(t, m, code)
			c.MXCSR = tc.mx
			if c.MXCSR == 0 {
				c.MXCSR = 0x1F80
			}
			for i, v := range tc.x {
				c.X[i] = v
			}
			for i, v := range tc.r {
				c.R[i] = v
			}
			c.SetFlags(tc.fl)
			if tc.mem != "" {
				b, _ := hex.DecodeString(strings.ReplaceAll(tc.mem, " ", ""))
				if err := c.WriteMem(sseMem, b); err != nil {
					t.Fatal(err)
				}
			}
			before := c.X
			e := c.Run(100)
			switch {
			case tc.wantTrap == 0 && (e != ExitTrap || c.Fault.Trap != TrapBreakpoint):
				t.Errorf("%s mode %d: exit %v %s", tc.name, m, e, c.Fault.String())
				continue
			case tc.wantTrap != 0:
				if e != ExitTrap || c.Fault.Trap != tc.wantTrap || c.PC != 0x1000 {
					t.Errorf("%s mode %d: exit %v fault %+v, want trap %d at 0x1000", tc.name, m, e, c.Fault, tc.wantTrap)
					continue
				}
				if tc.wantTrap == TrapSIMD && (c.Fault.FPStatus != tc.wantFPS || c.Fault.FPPC != 0x1000) {
					t.Errorf("%s mode %d: FPStatus %#x FPPC %#x, want %#x 0x1000", tc.name, m, c.Fault.FPStatus, c.Fault.FPPC, tc.wantFPS)
				}
				if c.X != before {
					t.Errorf("%s mode %d: XMM registers changed by a faulting instruction", tc.name, m)
				}
			}
			for i, v := range tc.wantX {
				if c.X[i] != v {
					t.Errorf("%s mode %d: X%d = %016x_%016x, want %016x_%016x", tc.name, m, i, c.X[i][1], c.X[i][0], v[1], v[0])
				}
			}
			for i, v := range tc.wantR {
				if c.R[i] != v {
					t.Errorf("%s mode %d: R%d = %#x, want %#x", tc.name, m, i, c.R[i], v)
				}
			}
			if tc.wantMX != 0 && c.MXCSR != tc.wantMX {
				t.Errorf("%s mode %d: MXCSR = %#x, want %#x", tc.name, m, c.MXCSR, tc.wantMX)
			}
			if tc.wantFl >= 0 && c.Flags()&flagsArith != uint64(tc.wantFl) {
				t.Errorf("%s mode %d: flags = %#x, want %#x", tc.name, m, c.Flags()&flagsArith, tc.wantFl)
			}
			if tc.wantMem != "" {
				want, _ := hex.DecodeString(strings.ReplaceAll(tc.wantMem, " ", ""))
				got := make([]byte, len(want))
				if err := c.ReadMem(sseMem, got); err != nil {
					t.Fatal(err)
				}
				if string(got) != string(want) {
					t.Errorf("%s mode %d: memory = %x, want %x", tc.name, m, got, want)
				}
			}
		}
	}
}

// The registers: XMM1 destination, XMM2 source, [ESI]/[RSI] memory.

func sseRSI(extra map[int]uint64) map[int]uint64 {
	m := map[int]uint64{RSI: sseMem, RDI: sseMem + 32}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func TestSSEMoves(t *testing.T) {
	junk := [2]uint64{0x1111111111111111, 0x2222222222222222}
	sseRunTable(t, []sseT{
		{name: "MOVSS reg keeps the rest", code: "f30f10ca", x: map[int][2]uint64{1: junk, 2: {0xAAAAAAAABBBBBBBB, 3}},
			wantX: map[int][2]uint64{1: {0x11111111BBBBBBBB, 0x2222222222222222}}, wantFl: -1},
		{name: "MOVSS load zeroes", code: "f30f100e", x: map[int][2]uint64{1: junk}, r: sseRSI(nil), mem: "44332211 55555555",
			wantX: map[int][2]uint64{1: {0x11223344, 0}}, wantFl: -1},
		{name: "MOVSS store", code: "f30f110e", x: map[int][2]uint64{1: {0x5566778811223344, 1}}, r: sseRSI(nil), mem: "ffffffff ffffffff",
			wantMem: "44332211 ffffffff", wantFl: -1},
		{name: "MOVSD reg keeps the high half", code: "f20f10ca", x: map[int][2]uint64{1: junk, 2: {5, 6}},
			wantX: map[int][2]uint64{1: {5, 0x2222222222222222}}, wantFl: -1},
		{name: "MOVSD load zeroes", code: "f20f100e", x: map[int][2]uint64{1: junk}, r: sseRSI(nil), mem: "0102030405060708",
			wantX: map[int][2]uint64{1: {0x0807060504030201, 0}}, wantFl: -1},
		{name: "MOVAPS misaligned", code: "0f280e", r: sseRSI(map[int]uint64{RSI: sseMem + 8}), wantTrap: TrapGP},
		{name: "MOVAPS store misaligned", code: "0f290e", r: sseRSI(map[int]uint64{RSI: sseMem + 4}), wantTrap: TrapGP},
		{name: "MOVUPS misaligned", code: "0f100e", r: sseRSI(map[int]uint64{RSI: sseMem + 1}), mem: "00 0102030405060708 090a0b0c0d0e0f10",
			wantX: map[int][2]uint64{1: {0x0807060504030201, 0x100f0e0d0c0b0a09}}, wantFl: -1},
		{name: "MOVDQA aligned", code: "660f6f0e", r: sseRSI(nil), mem: "0102030405060708 090a0b0c0d0e0f10",
			wantX: map[int][2]uint64{1: {0x0807060504030201, 0x100f0e0d0c0b0a09}}, wantFl: -1},
		{name: "ADDPS misaligned", code: "0f580e", r: sseRSI(map[int]uint64{RSI: sseMem + 8}), wantTrap: TrapGP},
		{name: "ADDSD unaligned m64 is fine", code: "f20f580e", r: sseRSI(map[int]uint64{RSI: sseMem + 3}),
			x: map[int][2]uint64{1: sseXQ(sseF64(1))}, mem: "000000 000000000000f03f", wantX: map[int][2]uint64{1: sseXQ(sseF64(2))}, wantFl: -1},
		{name: "MOVD xmm, r32 zero-extends", code: "660f6ec8", x: map[int][2]uint64{1: junk}, r: map[int]uint64{RAX: 0xDEADBEEF},
			wantX: map[int][2]uint64{1: {0xDEADBEEF, 0}}, wantFl: -1},
		{name: "MOVD r32, xmm", code: "660f7ec8", x: map[int][2]uint64{1: {0x123456789, 7}}, r: map[int]uint64{RAX: 0xFFFFFFFF},
			wantR: map[int]uint64{RAX: 0x23456789}, wantFl: -1},
		{name: "MOVQ r64, xmm", mode: Mode64, code: "66480f7ec8", x: map[int][2]uint64{1: {0x123456789, 7}},
			wantR: map[int]uint64{RAX: 0x123456789}, wantFl: -1},
		{name: "MOVQ xmm, r64", mode: Mode64, code: "66480f6ec8", x: map[int][2]uint64{1: junk}, r: map[int]uint64{RAX: 0x8000000000000001},
			wantX: map[int][2]uint64{1: {0x8000000000000001, 0}}, wantFl: -1},
		{name: "MOVQ xmm, xmm zeroes", code: "f30f7eca", x: map[int][2]uint64{1: junk, 2: {9, 8}},
			wantX: map[int][2]uint64{1: {9, 0}}, wantFl: -1},
		{name: "MOVQ xmm/m64, xmm (reg) zeroes", code: "660fd6d1", x: map[int][2]uint64{1: {9, 8}, 2: junk},
			wantX: map[int][2]uint64{1: {junk[0], 0}}, wantFl: -1},
		{name: "MOVHPS load", code: "0f160e", x: map[int][2]uint64{1: junk}, r: sseRSI(nil), mem: "0102030405060708",
			wantX: map[int][2]uint64{1: {0x1111111111111111, 0x0807060504030201}}, wantFl: -1},
		{name: "MOVLPD store", code: "660f130e", x: map[int][2]uint64{1: {0x0807060504030201, 5}}, r: sseRSI(nil),
			wantMem: "0102030405060708", wantFl: -1},
		{name: "MOVHLPS", code: "0f12ca", x: map[int][2]uint64{1: {1, 2}, 2: {3, 4}}, wantX: map[int][2]uint64{1: {4, 2}}, wantFl: -1},
		{name: "MOVLHPS", code: "0f16ca", x: map[int][2]uint64{1: {1, 2}, 2: {3, 4}}, wantX: map[int][2]uint64{1: {1, 3}}, wantFl: -1},
		{name: "MOVMSKPD", code: "660f50c2", x: map[int][2]uint64{2: {1 << 63, 1 << 63}}, r: map[int]uint64{RAX: 0xFFFF},
			wantR: map[int]uint64{RAX: 3}, wantFl: -1},
		{name: "MOVMSKPS", code: "0f50c2", x: map[int][2]uint64{2: {0x80000000, 0x8000000000000000}},
			wantR: map[int]uint64{RAX: 9}, wantFl: -1},
		{name: "PMOVMSKB", code: "660fd7c2", x: map[int][2]uint64{2: {0x80000000000080FF, 0x7F80}},
			wantR: map[int]uint64{RAX: 0x0183}, wantFl: -1},
		{name: "MOVNTI", code: "0fc306", r: sseRSI(map[int]uint64{RAX: 0x44332211}), wantMem: "11223344", wantFl: -1},
		{name: "MOVNTDQ misaligned", code: "660fe70e", r: sseRSI(map[int]uint64{RSI: sseMem + 8}), wantTrap: TrapGP},
		{name: "MASKMOVDQU", code: "660ff7ca", r: sseRSI(map[int]uint64{RDI: sseMem + 16}), x: map[int][2]uint64{1: {0x0807060504030201, 0x100f0e0d0c0b0a09}, 2: {0x80000000000000FF, 0x80}},
			mem:     "00000000000000000000000000000000 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
			wantMem: "00000000000000000000000000000000 01eeeeeeeeeeee0809eeeeeeeeeeeeee", wantFl: -1},
		{name: "LDDQU", code: "f20ff00e", r: sseRSI(map[int]uint64{RSI: sseMem + 1}), mem: "00 0102030405060708 090a0b0c0d0e0f10",
			wantX: map[int][2]uint64{1: {0x0807060504030201, 0x100f0e0d0c0b0a09}}, wantFl: -1},
		{name: "MOVDDUP", code: "f20f12ca", x: map[int][2]uint64{2: {5, 6}}, wantX: map[int][2]uint64{1: {5, 5}}, wantFl: -1},
		{name: "MOVSHDUP", code: "f30f16ca", x: map[int][2]uint64{2: {0x0000000200000001, 0x0000000400000003}},
			wantX: map[int][2]uint64{1: {0x0000000200000002, 0x0000000400000004}}, wantFl: -1},
		{name: "MOVSLDUP", code: "f30f12ca", x: map[int][2]uint64{2: {0x0000000200000001, 0x0000000400000003}},
			wantX: map[int][2]uint64{1: {0x0000000100000001, 0x0000000300000003}}, wantFl: -1},
		{name: "LDMXCSR", code: "0fae16", r: sseRSI(nil), mem: "801f0000", wantMX: 0x1F80, wantFl: -1, mx: 0x1900},
		{name: "LDMXCSR reserved bit", code: "0fae16", r: sseRSI(nil), mem: "801f0100", wantTrap: TrapGP},
		{name: "STMXCSR", code: "0fae1e", r: sseRSI(nil), mx: 0x1900 | mxPE, wantMem: "20190000", wantFl: -1},
		{name: "XMM8 in 64-bit mode", mode: Mode64, code: "66450fefc0 66440f6fc1", x: map[int][2]uint64{8: {1, 2}, 1: {3, 4}},
			wantX: map[int][2]uint64{8: {3, 4}}, wantFl: -1},
	})
}

func TestSSEFloat(t *testing.T) {
	one, two := sseF64(1), sseF64(2)
	tiny := sseF64(0x1p-1022)
	sseRunTable(t, []sseT{
		// Plan 9's amd64 kernel starts C programs with MXCSR 0x1900:
		// invalid, divide-by-zero and overflow unmasked.
		{name: "1.0/0.0 traps under 0x1900", code: "f20f5eca", mx: 0x1900, x: map[int][2]uint64{1: sseXQ(one), 2: sseXQ(0)},
			wantTrap: TrapSIMD, wantFPS: mxZE, wantMX: 0x1900 | mxZE},
		{name: "1.0/0.0 masked", code: "f20f5eca", x: map[int][2]uint64{1: sseXQ(one), 2: sseXQ(0)},
			wantX: map[int][2]uint64{1: sseXQ(sseF64(math.Inf(1)))}, wantMX: 0x1F80 | mxZE, wantFl: -1},
		{name: "0/0 invalid gives the default NaN", code: "f20f5eca", x: map[int][2]uint64{1: sseXQ(0), 2: sseXQ(0)},
			wantX: map[int][2]uint64{1: sseXQ(0xFFF8000000000000)}, wantMX: 0x1F80 | mxIE, wantFl: -1},
		{name: "1/3 sets PE", code: "f20f5eca", x: map[int][2]uint64{1: sseXQ(one), 2: sseXQ(sseF64(3))},
			wantX: map[int][2]uint64{1: sseXQ(sseF64(1.0 / 3))}, wantMX: 0x1F80 | mxPE, wantFl: -1},
		{name: "overflow unmasked traps with OE and PE", code: "f20f59ca", mx: 0x1900, x: map[int][2]uint64{1: sseXQ(sseF64(math.MaxFloat64)), 2: sseXQ(sseF64(3))},
			wantTrap: TrapSIMD, wantFPS: mxOE | mxPE},
		{name: "overflow masked", code: "f20f59ca", x: map[int][2]uint64{1: sseXQ(sseF64(math.MaxFloat64)), 2: sseXQ(sseF64(3))},
			wantX: map[int][2]uint64{1: sseXQ(sseF64(math.Inf(1)))}, wantMX: 0x1F80 | mxOE | mxPE, wantFl: -1},
		{name: "overflow toward zero gives MAX", code: "f20f59ca", mx: 0x1F80 | mxRZ, x: map[int][2]uint64{1: sseXQ(sseF64(math.MaxFloat64)), 2: sseXQ(sseF64(3))},
			wantX: map[int][2]uint64{1: sseXQ(sseF64(math.MaxFloat64))}, wantFl: -1},
		{name: "SNaN first operand wins, quieted", code: "f20f58ca", x: map[int][2]uint64{1: sseXQ(0x7FF0000000000001), 2: sseXQ(0x7FF8000000000002)},
			wantX: map[int][2]uint64{1: sseXQ(0x7FF8000000000001)}, wantMX: 0x1F80 | mxIE, wantFl: -1},
		{name: "QNaN source propagates", code: "f20f5cca", x: map[int][2]uint64{1: sseXQ(one), 2: sseXQ(0xFFF8000000000005)},
			wantX: map[int][2]uint64{1: sseXQ(0xFFF8000000000005)}, wantMX: 0x1F80, wantFl: -1},
		{name: "round up", code: "f20f58ca", mx: 0x1F80 | mxRU, x: map[int][2]uint64{1: sseXQ(one), 2: sseXQ(sseF64(0x1p-60))},
			wantX: map[int][2]uint64{1: sseXQ(one + 1)}, wantMX: 0x1F80 | mxRU | mxPE, wantFl: -1},
		{name: "round down", code: "f20f5cca", mx: 0x1F80 | mxRD, x: map[int][2]uint64{1: sseXQ(one), 2: sseXQ(sseF64(0x1p-60))},
			wantX: map[int][2]uint64{1: sseXQ(sseF64(1 - 0x1p-53))}, wantFl: -1},
		{name: "x-x is -0 rounding down", code: "f20f5cca", mx: 0x1F80 | mxRD, x: map[int][2]uint64{1: sseXQ(one), 2: sseXQ(one)},
			wantX: map[int][2]uint64{1: sseXQ(1 << 63)}, wantFl: -1},
		{name: "denormal result", code: "f20f59ca", x: map[int][2]uint64{1: sseXQ(tiny), 2: sseXQ(sseF64(0.5))},
			wantX: map[int][2]uint64{1: sseXQ(sseF64(0x1p-1023))}, wantMX: 0x1F80, wantFl: -1},
		{name: "inexact denormal result: UE PE", code: "f20f59ca", x: map[int][2]uint64{1: sseXQ(tiny + 1), 2: sseXQ(sseF64(0.5))},
			wantX: map[int][2]uint64{1: sseXQ(sseF64(0x1p-1023))}, wantMX: 0x1F80 | mxUE | mxPE, wantFl: -1},
		{name: "FTZ", code: "f20f59ca", mx: 0x1F80 | mxFTZ, x: map[int][2]uint64{1: sseXQ(tiny), 2: sseXQ(sseF64(-0.5))},
			wantX: map[int][2]uint64{1: sseXQ(1 << 63)}, wantMX: 0x1F80 | mxFTZ | mxUE | mxPE, wantFl: -1},
		{name: "denormal operand", code: "f20f58ca", x: map[int][2]uint64{1: sseXQ(1), 2: sseXQ(0)},
			wantX: map[int][2]uint64{1: sseXQ(1)}, wantMX: 0x1F80 | mxDE, wantFl: -1},
		{name: "DAZ", code: "f20f58ca", mx: 0x1F80 | mxDAZ, x: map[int][2]uint64{1: sseXQ(1), 2: sseXQ(0)},
			wantX: map[int][2]uint64{1: sseXQ(0)}, wantMX: 0x1F80 | mxDAZ, wantFl: -1},
		{name: "SQRTSD -1", code: "f20f51ca", x: map[int][2]uint64{2: sseXQ(sseF64(-1))},
			wantX: map[int][2]uint64{1: sseXQ(0xFFF8000000000000)}, wantMX: 0x1F80 | mxIE, wantFl: -1},
		{name: "SQRTSD 2", code: "f20f51ca", x: map[int][2]uint64{1: {0, 7}, 2: sseXQ(two)},
			wantX: map[int][2]uint64{1: {sseF64(math.Sqrt2), 7}}, wantMX: 0x1F80 | mxPE, wantFl: -1},
		{name: "ADDSS keeps the upper elements", code: "f30f58ca", x: map[int][2]uint64{1: {0xAAAAAAAA00000000 | sseF32(1), 5}, 2: sseXQ(sseF32(2))},
			wantX: map[int][2]uint64{1: {0xAAAAAAAA00000000 | sseF32(3), 5}}, wantFl: -1},
		{name: "ADDPS", code: "0f58ca", x: map[int][2]uint64{1: {sseF32(1) | sseF32(2)<<32, sseF32(3) | sseF32(4)<<32}, 2: {sseF32(10) | sseF32(20)<<32, sseF32(30) | sseF32(40)<<32}},
			wantX: map[int][2]uint64{1: {sseF32(11) | sseF32(22)<<32, sseF32(33) | sseF32(44)<<32}}, wantMX: 0x1F80, wantFl: -1},
		{name: "ADDPS: an unmasked overflow in one lane stores nothing", code: "0f58ca", mx: 0x1900,
			x:        map[int][2]uint64{1: {sseF32(1) | sseF32(math.MaxFloat32)<<32, 0}, 2: {sseF32(1) | sseF32(math.MaxFloat32)<<32, 0}},
			wantTrap: TrapSIMD, wantFPS: mxOE}, // 2×MAX is exact with an unbounded exponent: no PE
		{name: "MULPD", code: "660f59ca", x: map[int][2]uint64{1: {sseF64(3), sseF64(-2)}, 2: {sseF64(0.5), sseF64(4)}},
			wantX: map[int][2]uint64{1: {sseF64(1.5), sseF64(-8)}}, wantFl: -1},
		{name: "MINSD picks the source on NaN", code: "f20f5dca", x: map[int][2]uint64{1: sseXQ(0x7FF8000000000000), 2: sseXQ(two)},
			wantX: map[int][2]uint64{1: sseXQ(two)}, wantMX: 0x1F80 | mxIE, wantFl: -1},
		{name: "MAXSD of zeros picks the source", code: "f20f5fca", x: map[int][2]uint64{1: sseXQ(0), 2: sseXQ(1 << 63)},
			wantX: map[int][2]uint64{1: sseXQ(1 << 63)}, wantFl: -1},
		{name: "MINPS", code: "0f5dca", x: map[int][2]uint64{1: {sseF32(1) | sseF32(-2)<<32, 0}, 2: {sseF32(2) | sseF32(-1)<<32, sseF32(1)}},
			wantX: map[int][2]uint64{1: {sseF32(1) | sseF32(-2)<<32, 0}}, wantFl: -1},
		{name: "CMPSD LT", code: "f20fc2ca01", x: map[int][2]uint64{1: {sseF64(1), 9}, 2: sseXQ(two)},
			wantX: map[int][2]uint64{1: {^uint64(0), 9}}, wantFl: -1},
		{name: "CMPSD LT signals on QNaN", code: "f20fc2ca01", x: map[int][2]uint64{1: sseXQ(0x7FF8000000000000), 2: sseXQ(two)},
			wantX: map[int][2]uint64{1: sseXQ(0)}, wantMX: 0x1F80 | mxIE, wantFl: -1},
		{name: "CMPSD UNORD is quiet", code: "f20fc2ca03", x: map[int][2]uint64{1: sseXQ(0x7FF8000000000000), 2: sseXQ(two)},
			wantX: map[int][2]uint64{1: sseXQ(^uint64(0))}, wantMX: 0x1F80, wantFl: -1},
		{name: "CMPPS NEQ", code: "0fc2ca04", x: map[int][2]uint64{1: {sseF32(1) | sseF32(2)<<32, 0}, 2: {sseF32(1) | sseF32(3)<<32, 0}},
			wantX: map[int][2]uint64{1: {0xFFFFFFFF00000000, 0}}, wantFl: -1},
		{name: "CMPPD NLE", code: "660fc2ca06", x: map[int][2]uint64{1: {sseF64(3), sseF64(1)}, 2: {sseF64(2), sseF64(2)}},
			wantX: map[int][2]uint64{1: {^uint64(0), 0}}, wantFl: -1},
		{name: "CMPSS ORD", code: "f30fc2ca07", x: map[int][2]uint64{1: {sseF32(1), 0}, 2: sseXQ(sseF32(2))},
			wantX: map[int][2]uint64{1: {0xFFFFFFFF, 0}}, wantFl: -1},
		{name: "ANDPD abs", code: "660f54ca", x: map[int][2]uint64{1: {sseF64(-3), sseF64(-4)}, 2: {1<<63 - 1, 1<<63 - 1}},
			wantX: map[int][2]uint64{1: {sseF64(3), sseF64(4)}}, wantFl: -1},
		{name: "XORPD negates", code: "660f57ca", x: map[int][2]uint64{1: {sseF64(3), 0}, 2: {1 << 63, 0}},
			wantX: map[int][2]uint64{1: {sseF64(-3), 0}}, wantFl: -1},
		{name: "ANDNPS", code: "0f55ca", x: map[int][2]uint64{1: {0xFF00, 0}, 2: {0xFFFF, 1}},
			wantX: map[int][2]uint64{1: {0x00FF, 1}}, wantFl: -1},
		{name: "ORPS", code: "0f56ca", x: map[int][2]uint64{1: {0xF0, 0}, 2: {0x0F, 2}}, wantX: map[int][2]uint64{1: {0xFF, 2}}, wantFl: -1},
		{name: "RCPSS", code: "f30f53ca", x: map[int][2]uint64{2: sseXQ(sseF32(4))}, wantX: map[int][2]uint64{1: sseXQ(sseF32(0.25))}, wantFl: -1},
		{name: "RSQRTPS", code: "0f52ca", x: map[int][2]uint64{2: {sseF32(4) | sseF32(0)<<32, sseF32(-1) | sseF32(float32(math.Inf(1)))<<32}},
			wantX: map[int][2]uint64{1: {sseF32(0.5) | sseF32(float32(math.Inf(1)))<<32, 0xFFC00000}}, wantFl: -1},
		{name: "HADDPD", code: "660f7cca", x: map[int][2]uint64{1: {sseF64(1), sseF64(2)}, 2: {sseF64(3), sseF64(4)}},
			wantX: map[int][2]uint64{1: {sseF64(3), sseF64(7)}}, wantFl: -1},
		{name: "HSUBPS", code: "f20f7dca", x: map[int][2]uint64{1: {sseF32(5) | sseF32(1)<<32, sseF32(7) | sseF32(2)<<32}, 2: {sseF32(1) | sseF32(1)<<32, sseF32(0) | sseF32(3)<<32}},
			wantX: map[int][2]uint64{1: {sseF32(4) | sseF32(5)<<32, sseF32(0) | sseF32(-3)<<32}}, wantFl: -1},
		{name: "ADDSUBPD", code: "660fd0ca", x: map[int][2]uint64{1: {sseF64(5), sseF64(5)}, 2: {sseF64(1), sseF64(1)}},
			wantX: map[int][2]uint64{1: {sseF64(4), sseF64(6)}}, wantFl: -1},
		{name: "DPPS", code: "660f3a40caf1", x: map[int][2]uint64{1: {sseF32(1) | sseF32(2)<<32, sseF32(3) | sseF32(4)<<32}, 2: {sseF32(5) | sseF32(6)<<32, sseF32(7) | sseF32(8)<<32}},
			wantX: map[int][2]uint64{1: {sseF32(70), 0}}, wantFl: -1},
		{name: "DPPD", code: "660f3a41ca31", x: map[int][2]uint64{1: {sseF64(1), sseF64(2)}, 2: {sseF64(3), sseF64(4)}},
			wantX: map[int][2]uint64{1: {sseF64(11), 0}}, wantFl: -1},
		{name: "ROUNDSD floor", code: "660f3a0bca01", x: map[int][2]uint64{1: {0, 3}, 2: sseXQ(sseF64(-1.5))},
			wantX: map[int][2]uint64{1: {sseF64(-2), 3}}, wantMX: 0x1F80 | mxPE, wantFl: -1},
		{name: "ROUNDPS nearest, no PE", code: "660f3a08ca08", x: map[int][2]uint64{2: {sseF32(2.5) | sseF32(-0.4)<<32, sseF32(3) | sseF32(1e30)<<32}},
			wantX: map[int][2]uint64{1: {sseF32(2) | 0x80000000<<32, sseF32(3) | sseF32(1e30)<<32}}, wantMX: 0x1F80, wantFl: -1},
		{name: "ROUNDPD MXCSR up", code: "660f3a09ca04", mx: 0x1F80 | mxRU, x: map[int][2]uint64{2: {sseF64(1.1), sseF64(-1.1)}},
			wantX: map[int][2]uint64{1: {sseF64(2), sseF64(-1)}}, wantFl: -1},
		{name: "ROUNDSS trunc", code: "660f3a0aca03", x: map[int][2]uint64{2: sseXQ(sseF32(-2.7))},
			wantX: map[int][2]uint64{1: sseXQ(sseF32(-2))}, wantFl: -1},
	})
}

func TestSSECompareFlags(t *testing.T) {
	const zpc = FlagZF | FlagPF | FlagCF
	all := uint64(flagsArith)
	sseRunTable(t, []sseT{
		{name: "UCOMISD less", code: "660f2eca", fl: all, x: map[int][2]uint64{1: sseXQ(sseF64(1)), 2: sseXQ(sseF64(2))}, wantFl: FlagCF},
		{name: "UCOMISD greater", code: "660f2eca", fl: all, x: map[int][2]uint64{1: sseXQ(sseF64(3)), 2: sseXQ(sseF64(2))}, wantFl: 0},
		{name: "UCOMISD equal", code: "660f2eca", fl: all, x: map[int][2]uint64{1: sseXQ(0), 2: sseXQ(1 << 63)}, wantFl: FlagZF},
		{name: "UCOMISD unordered (QNaN, quiet)", code: "660f2eca", x: map[int][2]uint64{1: sseXQ(0x7FF8000000000000), 2: sseXQ(0)},
			wantFl: zpc, wantMX: 0x1F80},
		{name: "COMISD QNaN is invalid", code: "660f2fca", x: map[int][2]uint64{1: sseXQ(0x7FF8000000000000), 2: sseXQ(0)},
			wantFl: zpc, wantMX: 0x1F80 | mxIE},
		{name: "COMISD QNaN traps under 0x1900, flags unchanged", code: "660f2fca", mx: 0x1900, fl: FlagOF,
			x: map[int][2]uint64{1: sseXQ(0x7FF8000000000000), 2: sseXQ(0)}, wantTrap: TrapSIMD, wantFPS: mxIE, wantFl: FlagOF},
		{name: "UCOMISD SNaN is invalid", code: "660f2eca", x: map[int][2]uint64{1: sseXQ(0), 2: sseXQ(0x7FF0000000000001)},
			wantFl: zpc, wantMX: 0x1F80 | mxIE},
		{name: "UCOMISS", code: "0f2eca", fl: all, x: map[int][2]uint64{1: sseXQ(sseF32(-1)), 2: sseXQ(sseF32(1))}, wantFl: FlagCF},
		{name: "COMISS", code: "0f2fca", x: map[int][2]uint64{1: sseXQ(sseF32(2)), 2: sseXQ(sseF32(2))}, wantFl: FlagZF},
		{name: "UCOMISD m64", code: "660f2e0e", r: sseRSI(nil), mem: "000000000000f03f", x: map[int][2]uint64{1: sseXQ(sseF64(2))}, wantFl: 0},
		{name: "PTEST", code: "660f3817ca", fl: all, x: map[int][2]uint64{1: {0xF0, 0}, 2: {0x0F, 0}}, wantFl: FlagZF},
		{name: "PTEST CF", code: "660f3817ca", x: map[int][2]uint64{1: {0xFF, 1}, 2: {0x0F, 1}}, wantFl: FlagCF},
	})
}

func TestSSEConvert(t *testing.T) {
	sseRunTable(t, []sseT{
		{name: "CVTSI2SD r32", code: "f20f2ac8", x: map[int][2]uint64{1: {0, 5}}, r: map[int]uint64{RAX: 0xFFFFFFFF},
			wantX: map[int][2]uint64{1: {sseF64(-1), 5}}, wantFl: -1},
		{name: "CVTSI2SD m32", code: "f20f2a0e", r: sseRSI(nil), mem: "07000000", wantX: map[int][2]uint64{1: sseXQ(sseF64(7))}, wantFl: -1},
		{name: "CVTSI2SD r64 inexact", mode: Mode64, code: "f2480f2ac8", r: map[int]uint64{RAX: 1<<62 + 1},
			wantX: map[int][2]uint64{1: sseXQ(sseF64(0x1p62))}, wantMX: 0x1F80 | mxPE, wantFl: -1},
		{name: "CVTSI2SS r32 rounds per MXCSR", code: "f30f2ac8", mx: 0x1F80 | mxRU, r: map[int]uint64{RAX: 1<<24 + 1},
			wantX: map[int][2]uint64{1: sseXQ(sseF32(1<<24 + 2))}, wantMX: 0x1F80 | mxRU | mxPE, wantFl: -1},
		{name: "CVTTSD2SI truncates", code: "f20f2cc2", x: map[int][2]uint64{2: sseXQ(sseF64(-2.9))}, r: map[int]uint64{RAX: 0xFFFFFFFFFF},
			wantR: map[int]uint64{RAX: 0xFFFFFFFE}, wantMX: 0x1F80 | mxPE, wantFl: -1},
		{name: "CVTTSD2SI NaN is the integer indefinite", code: "f20f2cc2", x: map[int][2]uint64{2: sseXQ(0x7FF8000000000000)},
			wantR: map[int]uint64{RAX: 0x80000000}, wantMX: 0x1F80 | mxIE, wantFl: -1},
		{name: "CVTTSD2SI out of range traps under 0x1900", code: "f20f2cc2", mx: 0x1900, x: map[int][2]uint64{2: sseXQ(sseF64(3e9))},
			r: map[int]uint64{RAX: 5}, wantR: map[int]uint64{RAX: 5}, wantTrap: TrapSIMD, wantFPS: mxIE},
		{name: "CVTTSD2SI r64 -2^63", mode: Mode64, code: "f2480f2cc2", x: map[int][2]uint64{2: sseXQ(sseF64(-0x1p63))},
			wantR: map[int]uint64{RAX: 1 << 63}, wantMX: 0x1F80, wantFl: -1},
		{name: "CVTSD2SI rounds to even", code: "f20f2dc2", x: map[int][2]uint64{2: sseXQ(sseF64(2.5))}, wantR: map[int]uint64{RAX: 2}, wantFl: -1},
		{name: "CVTSS2SI round down", code: "f30f2dc2", mx: 0x1F80 | mxRD, x: map[int][2]uint64{2: sseXQ(sseF32(-0.5))},
			wantR: map[int]uint64{RAX: 0xFFFFFFFF}, wantFl: -1},
		{name: "CVTTSS2SI r64", mode: Mode64, code: "f3480f2cc2", x: map[int][2]uint64{2: sseXQ(sseF32(-1e10))},
			wantR: map[int]uint64{RAX: 0xFFFFFFFDABF41C00}, wantFl: -1},
		{name: "CVTSS2SD", code: "f30f5aca", x: map[int][2]uint64{1: {0, 3}, 2: sseXQ(sseF32(1.5))}, wantX: map[int][2]uint64{1: {sseF64(1.5), 3}}, wantFl: -1},
		{name: "CVTSD2SS keeps the upper elements", code: "f20f5aca", x: map[int][2]uint64{1: {0x5555555500000000, 3}, 2: sseXQ(sseF64(0.1))},
			wantX: map[int][2]uint64{1: {0x5555555500000000 | sseF32(0.1), 3}}, wantMX: 0x1F80 | mxPE, wantFl: -1},
		{name: "CVTSD2SS overflow", code: "f20f5aca", x: map[int][2]uint64{2: sseXQ(sseF64(1e300))},
			wantX: map[int][2]uint64{1: sseXQ(sseF32(float32(math.Inf(1))))}, wantMX: 0x1F80 | mxOE | mxPE, wantFl: -1},
		{name: "CVTSD2SS SNaN", code: "f20f5aca", x: map[int][2]uint64{2: sseXQ(0xFFF4000000000000)},
			wantX: map[int][2]uint64{1: sseXQ(0xFFE00000)}, wantMX: 0x1F80 | mxIE, wantFl: -1},
		{name: "CVTPS2PD", code: "0f5aca", x: map[int][2]uint64{2: {sseF32(1) | sseF32(-2)<<32, 7}}, wantX: map[int][2]uint64{1: {sseF64(1), sseF64(-2)}}, wantFl: -1},
		{name: "CVTPD2PS zeroes the high half", code: "660f5aca", x: map[int][2]uint64{1: {0, 9}, 2: {sseF64(1), sseF64(-2)}},
			wantX: map[int][2]uint64{1: {sseF32(1) | sseF32(-2)<<32, 0}}, wantFl: -1},
		{name: "CVTDQ2PS", code: "0f5bca", x: map[int][2]uint64{2: {1 | 0xFFFFFFFF<<32, 0x7FFFFFFF}},
			wantX: map[int][2]uint64{1: {sseF32(1) | sseF32(-1)<<32, sseF32(0x1p31)}}, wantMX: 0x1F80 | mxPE, wantFl: -1},
		{name: "CVTDQ2PD", code: "f30fe6ca", x: map[int][2]uint64{2: {3 | 0x80000000<<32, 9}}, wantX: map[int][2]uint64{1: {sseF64(3), sseF64(-0x1p31)}}, wantFl: -1},
		{name: "CVTPS2DQ", code: "660f5bca", x: map[int][2]uint64{2: {sseF32(1.5) | sseF32(-1.5)<<32, sseF32(3e9) | sseF32(7)<<32}},
			wantX: map[int][2]uint64{1: {2 | 0xFFFFFFFE<<32, 0x80000000 | 7<<32}}, wantMX: 0x1F80 | mxIE | mxPE, wantFl: -1},
		{name: "CVTTPS2DQ", code: "f30f5bca", x: map[int][2]uint64{2: {sseF32(1.5) | sseF32(-1.5)<<32, 0}},
			wantX: map[int][2]uint64{1: {1 | 0xFFFFFFFF<<32, 0}}, wantFl: -1},
		{name: "CVTPD2DQ", code: "f20fe6ca", x: map[int][2]uint64{1: {0, 5}, 2: {sseF64(2.5), sseF64(-3.5)}},
			wantX: map[int][2]uint64{1: {2 | 0xFFFFFFFC<<32, 0}}, wantFl: -1},
		{name: "CVTTPD2DQ", code: "660fe6ca", x: map[int][2]uint64{2: {sseF64(2.5), sseF64(-3.5)}},
			wantX: map[int][2]uint64{1: {2 | 0xFFFFFFFD<<32, 0}}, wantFl: -1},
		{name: "CVTPI2PS m64", code: "0f2a0e", r: sseRSI(nil), mem: "02000000 fdffffff", x: map[int][2]uint64{1: {0, 8}},
			wantX: map[int][2]uint64{1: {sseF32(2) | sseF32(-3)<<32, 8}}, wantFl: -1},
		{name: "CVTPI2PD m64", code: "660f2a0e", r: sseRSI(nil), mem: "02000000 fdffffff",
			wantX: map[int][2]uint64{1: {sseF64(2), sseF64(-3)}}, wantFl: -1},
	})
}

func TestSSEMMXForms(t *testing.T) {
	// MOVQ2DQ xmm1, mm2; MOVDQ2Q mm0, xmm1; CVTPI2PS xmm1, mm0;
	// CVTTPS2PI mm3, xmm1; CVTPD2PI mm4, xmm2 (then MOVQ to memory to
	// look at the MM registers).
	code := "f30fd6ca f20fd6c1 0f2ac8 0f2cd9 660f2de2 0f7f1e 0f7f6608"
	c := newTest(t, Mode64, sseMustHex(t, code+"cc"))
	c.FPU.R[2].Mant = 0x0000000300000002
	c.X[2] = [2]uint64{sseF64(2.5), sseF64(-7.5)}
	c.R[RSI] = sseMem
	if e := c.Run(100); e != ExitTrap || c.Fault.Trap != TrapBreakpoint {
		t.Fatalf("exit %v %s", e, c.Fault.String())
	}
	if c.X[1] != [2]uint64{sseF32(2) | sseF32(3)<<32, 0} {
		t.Errorf("X1 = %x", c.X[1])
	}
	var m [16]byte
	c.ReadMem(sseMem, m[:])
	if got := hex.EncodeToString(m[:]); got != "0200000003000000"+"02000000f8ffffff" {
		t.Errorf("mm3, mm4 = %s", got)
	}
	if c.FPU.R[0].Mant != 0x0000000300000002 {
		t.Errorf("mm0 = %#x", c.FPU.R[0].Mant)
	}
}

func sseMustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSSEInteger(t *testing.T) {
	a := [2]uint64{0x0102030405060708, 0x1112131415161718}
	b := [2]uint64{0xF0E0D0C0B0A09080, 0x7F8001FF00FE0102}
	x := map[int][2]uint64{1: a, 2: b}
	sseRunTable(t, []sseT{
		{name: "PADDB", code: "660ffcca", x: x, wantX: map[int][2]uint64{1: {0xF1E2D3C4B5A69788, 0x909214131514181A}}, wantFl: -1},
		{name: "PADDW", code: "660ffdca", x: x, wantX: map[int][2]uint64{1: {0xF1E2D3C4B5A69788, 0x909215131614181A}}, wantFl: -1},
		{name: "PADDD", code: "660ffeca", x: x, wantX: map[int][2]uint64{1: {0xF1E2D3C4B5A69788, 0x909215131614181A}}, wantFl: -1},
		{name: "PADDQ", code: "660fd4ca", x: map[int][2]uint64{1: {^uint64(0), 1}, 2: {1, 2}}, wantX: map[int][2]uint64{1: {0, 3}}, wantFl: -1},
		{name: "PSUBB", code: "660ff8ca", x: map[int][2]uint64{1: {0x0000000000000100, 0}, 2: {0x0000000000000001, 0}},
			wantX: map[int][2]uint64{1: {0x00000000000001FF, 0}}, wantFl: -1},
		{name: "PSUBW", code: "660ff9ca", x: map[int][2]uint64{1: {0x00010000, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {0x0001FFFF, 0}}, wantFl: -1},
		{name: "PSUBD", code: "660ffaca", x: map[int][2]uint64{1: {1 << 32, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {1<<32 | 0xFFFFFFFF, 0}}, wantFl: -1},
		{name: "PSUBQ", code: "660ffbca", x: map[int][2]uint64{1: {0, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {^uint64(0), 0}}, wantFl: -1},
		{name: "PADDSB", code: "660fecca", x: map[int][2]uint64{1: {0x807F, 0}, 2: {0x8001, 0}}, wantX: map[int][2]uint64{1: {0x807F, 0}}, wantFl: -1},
		{name: "PADDSW", code: "660fedca", x: map[int][2]uint64{1: {0x7FFF, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {0x7FFF, 0}}, wantFl: -1},
		{name: "PADDUSB", code: "660fdcca", x: map[int][2]uint64{1: {0xF0, 0}, 2: {0x20, 0}}, wantX: map[int][2]uint64{1: {0xFF, 0}}, wantFl: -1},
		{name: "PADDUSW", code: "660fddca", x: map[int][2]uint64{1: {0xFFF0, 0}, 2: {0x20, 0}}, wantX: map[int][2]uint64{1: {0xFFFF, 0}}, wantFl: -1},
		{name: "PSUBSB", code: "660fe8ca", x: map[int][2]uint64{1: {0x80, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {0x80, 0}}, wantFl: -1},
		{name: "PSUBSW", code: "660fe9ca", x: map[int][2]uint64{1: {0x8000, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {0x8000, 0}}, wantFl: -1},
		{name: "PSUBUSB", code: "660fd8ca", x: map[int][2]uint64{1: {0x10, 0}, 2: {0x20, 0}}, wantX: map[int][2]uint64{1: {0, 0}}, wantFl: -1},
		{name: "PSUBUSW", code: "660fd9ca", x: map[int][2]uint64{1: {0x30, 0}, 2: {0x20, 0}}, wantX: map[int][2]uint64{1: {0x10, 0}}, wantFl: -1},
		{name: "PMULLW", code: "660fd5ca", x: map[int][2]uint64{1: {0x0100_FFFF, 0}, 2: {0x0100_0002, 0}}, wantX: map[int][2]uint64{1: {0x0000_FFFE, 0}}, wantFl: -1},
		{name: "PMULHW", code: "660fe5ca", x: map[int][2]uint64{1: {0x4000_FFFF, 0}, 2: {0x0004_0002, 0}}, wantX: map[int][2]uint64{1: {0x0001_FFFF, 0}}, wantFl: -1},
		{name: "PMULHUW", code: "660fe4ca", x: map[int][2]uint64{1: {0xFFFF, 0}, 2: {0x0002, 0}}, wantX: map[int][2]uint64{1: {0x0001, 0}}, wantFl: -1},
		{name: "PMULUDQ", code: "660ff4ca", x: map[int][2]uint64{1: {0x5_FFFFFFFF, 2}, 2: {0x7_FFFFFFFF, 3}}, wantX: map[int][2]uint64{1: {0xFFFFFFFE00000001, 6}}, wantFl: -1},
		{name: "PMADDWD", code: "660ff5ca", x: map[int][2]uint64{1: {0x8000_8000, 0}, 2: {0x8000_8000, 0}}, wantX: map[int][2]uint64{1: {0x80000000, 0}}, wantFl: -1},
		{name: "PSADBW", code: "660ff6ca", x: map[int][2]uint64{1: {0x00FF, 0x10}, 2: {0xFF00, 0x01}}, wantX: map[int][2]uint64{1: {0x1FE, 0xF}}, wantFl: -1},
		{name: "PAVGB", code: "660fe0ca", x: map[int][2]uint64{1: {0x01FF, 0}, 2: {0x0200, 0}}, wantX: map[int][2]uint64{1: {0x0280, 0}}, wantFl: -1},
		{name: "PAVGW", code: "660fe3ca", x: map[int][2]uint64{1: {0xFFFF, 0}, 2: {0xFFFE, 0}}, wantX: map[int][2]uint64{1: {0xFFFF, 0}}, wantFl: -1},
		{name: "PMINUB", code: "660fdaca", x: map[int][2]uint64{1: {0x80_01, 0}, 2: {0x7F_02, 0}}, wantX: map[int][2]uint64{1: {0x7F_01, 0}}, wantFl: -1},
		{name: "PMAXUB", code: "660fdeca", x: map[int][2]uint64{1: {0x80_01, 0}, 2: {0x7F_02, 0}}, wantX: map[int][2]uint64{1: {0x80_02, 0}}, wantFl: -1},
		{name: "PMINSW", code: "660feaca", x: map[int][2]uint64{1: {0x8000_0001, 0}, 2: {0x7FFF_0002, 0}}, wantX: map[int][2]uint64{1: {0x8000_0001, 0}}, wantFl: -1},
		{name: "PMAXSW", code: "660feeca", x: map[int][2]uint64{1: {0x8000_0001, 0}, 2: {0x7FFF_0002, 0}}, wantX: map[int][2]uint64{1: {0x7FFF_0002, 0}}, wantFl: -1},
		{name: "PCMPEQB", code: "660f74ca", x: map[int][2]uint64{1: {0x4100_4142, 0}, 2: {0x4141_4141, 0}}, wantX: map[int][2]uint64{1: {0xFFFFFFFF_FF00FF00, 0xFFFFFFFFFFFFFFFF}}, wantFl: -1},
		{name: "PCMPEQW", code: "660f75ca", x: map[int][2]uint64{1: {0x0001_0000, 1}, 2: {0x0001_0001, 1}}, wantX: map[int][2]uint64{1: {0xFFFFFFFF_FFFF_0000, 0xFFFFFFFFFFFFFFFF}}, wantFl: -1},
		{name: "PCMPEQD", code: "660f76ca", x: map[int][2]uint64{1: {5, 0}, 2: {5 | 1<<32, 0}}, wantX: map[int][2]uint64{1: {0xFFFFFFFF, ^uint64(0)}}, wantFl: -1},
		{name: "PCMPGTB", code: "660f64ca", x: map[int][2]uint64{1: {0x01_80, 0}, 2: {0x00_7F, 0}}, wantX: map[int][2]uint64{1: {0xFF_00, 0}}, wantFl: -1},
		{name: "PCMPGTW", code: "660f65ca", x: map[int][2]uint64{1: {0x0001_8000, 0}, 2: {0x0000_7FFF, 0}}, wantX: map[int][2]uint64{1: {0xFFFF_0000, 0}}, wantFl: -1},
		{name: "PCMPGTD", code: "660f66ca", x: map[int][2]uint64{1: {2, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {0xFFFFFFFF, 0}}, wantFl: -1},
		{name: "PAND", code: "660fdbca", x: x, wantX: map[int][2]uint64{1: {a[0] & b[0], a[1] & b[1]}}, wantFl: -1},
		{name: "PANDN", code: "660fdfca", x: x, wantX: map[int][2]uint64{1: {^a[0] & b[0], ^a[1] & b[1]}}, wantFl: -1},
		{name: "POR", code: "660febca", x: x, wantX: map[int][2]uint64{1: {a[0] | b[0], a[1] | b[1]}}, wantFl: -1},
		{name: "PXOR self", code: "660fefc9", x: x, wantX: map[int][2]uint64{1: {0, 0}}, wantFl: -1},
		{name: "PSLLW imm", code: "660f71f104", x: x, wantX: map[int][2]uint64{1: {0x1020304050607080, 0x1120314051607180}}, wantFl: -1},
		{name: "PSRLW imm", code: "660f71d104", x: x, wantX: map[int][2]uint64{1: {0x0010003000500070, 0x0111013101510171}}, wantFl: -1},
		{name: "PSRAW imm", code: "660f71e10f", x: map[int][2]uint64{1: {0x8000_7FFF, 0}}, wantX: map[int][2]uint64{1: {0xFFFF_0000, 0}}, wantFl: -1},
		{name: "PSLLD imm 32 clears", code: "660f72f120", x: x, wantX: map[int][2]uint64{1: {0, 0}}, wantFl: -1},
		{name: "PSRLD imm", code: "660f72d108", x: x, wantX: map[int][2]uint64{1: {0x0001020300050607, 0x0011121300151617}}, wantFl: -1},
		{name: "PSRAD imm", code: "660f72e11f", x: map[int][2]uint64{1: {0x80000000_7FFFFFFF, 0}}, wantX: map[int][2]uint64{1: {0xFFFFFFFF_00000000, 0}}, wantFl: -1},
		{name: "PSLLQ imm", code: "660f73f108", x: x, wantX: map[int][2]uint64{1: {0x0203040506070800, 0x1213141516171800}}, wantFl: -1},
		{name: "PSRLQ imm", code: "660f73d108", x: x, wantX: map[int][2]uint64{1: {0x0001020304050607, 0x0011121314151617}}, wantFl: -1},
		{name: "PSLLDQ", code: "660f73f902", x: x, wantX: map[int][2]uint64{1: {0x0304050607080000, 0x1314151617180102}}, wantFl: -1},
		{name: "PSRLDQ", code: "660f73d902", x: x, wantX: map[int][2]uint64{1: {0x1718010203040506, 0x0000111213141516}}, wantFl: -1},
		{name: "PSRLDQ 16 clears", code: "660f73d910", x: x, wantX: map[int][2]uint64{1: {0, 0}}, wantFl: -1},
		{name: "PSLLW xmm", code: "660ff1ca", x: map[int][2]uint64{1: {0x0001_8001, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {0x0002_0002, 0}}, wantFl: -1},
		{name: "PSRLD xmm 64-bit count", code: "660fd2ca", x: map[int][2]uint64{1: {5, 5}, 2: {1 << 32, 0}}, wantX: map[int][2]uint64{1: {0, 0}}, wantFl: -1},
		{name: "PSRAW xmm big count", code: "660fe1ca", x: map[int][2]uint64{1: {0x8000_0001, 0}, 2: {100, 0}}, wantX: map[int][2]uint64{1: {0xFFFF_0000, 0}}, wantFl: -1},
		{name: "PSLLQ xmm", code: "660ff3ca", x: map[int][2]uint64{1: {1, 2}, 2: {63, 0}}, wantX: map[int][2]uint64{1: {1 << 63, 0}}, wantFl: -1},
		{name: "PSRLQ xmm", code: "660fd3ca", x: map[int][2]uint64{1: {1 << 63, 2}, 2: {63, 0}}, wantX: map[int][2]uint64{1: {1, 0}}, wantFl: -1},
		{name: "PSRLW xmm", code: "660fd1ca", x: map[int][2]uint64{1: {0x8000, 0}, 2: {15, 0}}, wantX: map[int][2]uint64{1: {1, 0}}, wantFl: -1},
		{name: "PSLLD xmm", code: "660ff2ca", x: map[int][2]uint64{1: {1, 0}, 2: {31, 0}}, wantX: map[int][2]uint64{1: {0x80000000, 0}}, wantFl: -1},
		{name: "PSRAD xmm", code: "660fe2ca", x: map[int][2]uint64{1: {0x80000000, 0}, 2: {4, 0}}, wantX: map[int][2]uint64{1: {0xF8000000, 0}}, wantFl: -1},
		{name: "PSHUFD", code: "660f70ca1b", x: map[int][2]uint64{2: {0x0000000100000000, 0x0000000300000002}},
			wantX: map[int][2]uint64{1: {0x0000000200000003, 0x0000000000000001}}, wantFl: -1},
		{name: "PSHUFLW", code: "f20f70ca1b", x: map[int][2]uint64{2: {0x0003000200010000, 9}}, wantX: map[int][2]uint64{1: {0x0000000100020003, 9}}, wantFl: -1},
		{name: "PSHUFHW", code: "f30f70ca1b", x: map[int][2]uint64{2: {9, 0x0003000200010000}}, wantX: map[int][2]uint64{1: {9, 0x0000000100020003}}, wantFl: -1},
		{name: "PUNPCKLBW", code: "660f60ca", x: map[int][2]uint64{1: {0x0706050403020100, 0}, 2: {0x1716151413121110, 0}},
			wantX: map[int][2]uint64{1: {0x1303120211011000, 0x1707160615051404}}, wantFl: -1},
		{name: "PUNPCKHBW", code: "660f68ca", x: map[int][2]uint64{1: {0, 0x0706050403020100}, 2: {0, 0x1716151413121110}},
			wantX: map[int][2]uint64{1: {0x1303120211011000, 0x1707160615051404}}, wantFl: -1},
		{name: "PUNPCKLWD", code: "660f61ca", x: map[int][2]uint64{1: {0x0003000200010000, 0}, 2: {0x0013001200110010, 0}},
			wantX: map[int][2]uint64{1: {0x0011000100100000, 0x0013000300120002}}, wantFl: -1},
		{name: "PUNPCKHWD", code: "660f69ca", x: map[int][2]uint64{1: {0, 0x0003000200010000}, 2: {0, 0x0013001200110010}},
			wantX: map[int][2]uint64{1: {0x0011000100100000, 0x0013000300120002}}, wantFl: -1},
		{name: "PUNPCKLDQ", code: "660f62ca", x: map[int][2]uint64{1: {0x0000000100000000, 0}, 2: {0x0000001100000010, 0}},
			wantX: map[int][2]uint64{1: {0x0000001000000000, 0x0000001100000001}}, wantFl: -1},
		{name: "PUNPCKHDQ", code: "660f6aca", x: map[int][2]uint64{1: {0, 0x0000000100000000}, 2: {0, 0x0000001100000010}},
			wantX: map[int][2]uint64{1: {0x0000001000000000, 0x0000001100000001}}, wantFl: -1},
		{name: "PUNPCKLQDQ", code: "660f6cca", x: map[int][2]uint64{1: {1, 2}, 2: {3, 4}}, wantX: map[int][2]uint64{1: {1, 3}}, wantFl: -1},
		{name: "PUNPCKHQDQ", code: "660f6dca", x: map[int][2]uint64{1: {1, 2}, 2: {3, 4}}, wantX: map[int][2]uint64{1: {2, 4}}, wantFl: -1},
		{name: "UNPCKLPS", code: "0f14ca", x: map[int][2]uint64{1: {0x0000000100000000, 0}, 2: {0x0000001100000010, 0}},
			wantX: map[int][2]uint64{1: {0x0000001000000000, 0x0000001100000001}}, wantFl: -1},
		{name: "UNPCKHPS", code: "0f15ca", x: map[int][2]uint64{1: {0, 0x0000000100000000}, 2: {0, 0x0000001100000010}},
			wantX: map[int][2]uint64{1: {0x0000001000000000, 0x0000001100000001}}, wantFl: -1},
		{name: "UNPCKLPD", code: "660f14ca", x: map[int][2]uint64{1: {1, 2}, 2: {3, 4}}, wantX: map[int][2]uint64{1: {1, 3}}, wantFl: -1},
		{name: "UNPCKHPD", code: "660f15ca", x: map[int][2]uint64{1: {1, 2}, 2: {3, 4}}, wantX: map[int][2]uint64{1: {2, 4}}, wantFl: -1},
		{name: "SHUFPS", code: "0fc6ca4e", x: map[int][2]uint64{1: {0x0000000100000000, 0x0000000300000002}, 2: {0x0000001100000010, 0x0000001300000012}},
			wantX: map[int][2]uint64{1: {0x0000000300000002, 0x0000001100000010}}, wantFl: -1},
		{name: "SHUFPD", code: "660fc6ca01", x: map[int][2]uint64{1: {1, 2}, 2: {3, 4}}, wantX: map[int][2]uint64{1: {2, 3}}, wantFl: -1},
		{name: "PACKSSWB", code: "660f63ca", x: map[int][2]uint64{1: {0x0080_FF7F_0100_FFFF, 0}, 2: {0, 0x8000_0001_7FFF_0002}},
			wantX: map[int][2]uint64{1: {0x7F80_7FFF, 0x80017F02_00000000}}, wantFl: -1},
		{name: "PACKUSWB", code: "660f67ca", x: map[int][2]uint64{1: {0x0100_FFFF_00FF_0001, 0}, 2: {0, 0}}, wantX: map[int][2]uint64{1: {0xFF00FF01, 0}}, wantFl: -1},
		{name: "PACKSSDW", code: "660f6bca", x: map[int][2]uint64{1: {0xFFFF0000_00010000, 0x80000000_00000005}}, wantX: map[int][2]uint64{1: {0x8000_0005_8000_7FFF, 0}}, wantFl: -1},
		{name: "PACKUSDW", code: "660f382bca", x: map[int][2]uint64{1: {0xFFFF0000_00010000, 0x80000000_00000005}}, wantX: map[int][2]uint64{1: {0x0000_0005_0000_FFFF, 0}}, wantFl: -1},
		{name: "PINSRW", code: "660fc4c803", x: map[int][2]uint64{1: {0, 0}}, r: map[int]uint64{RAX: 0x12345678}, wantX: map[int][2]uint64{1: {0x5678 << 48, 0}}, wantFl: -1},
		{name: "PINSRW m16", code: "660fc40e07", r: sseRSI(nil), mem: "3412", wantX: map[int][2]uint64{1: {0, 0x1234 << 48}}, wantFl: -1},
		{name: "PEXTRW", code: "660fc5c207", x: map[int][2]uint64{2: {0, 0xABCD << 48}}, r: map[int]uint64{RAX: ^uint64(0) >> 32}, wantR: map[int]uint64{RAX: 0xABCD}, wantFl: -1},
	})
}

func TestSSE4(t *testing.T) {
	a := [2]uint64{0x0102030405060708, 0x1112131415161718}
	b := [2]uint64{0xF0E0D0C0B0A09080, 0x7F8001FF00FE0102}
	x := map[int][2]uint64{1: a, 2: b}
	sseRunTable(t, []sseT{
		// SSSE3
		{name: "PSHUFB", code: "660f3800ca", x: map[int][2]uint64{1: a, 2: {0x80000000000F0001, 0x0202020202020202}},
			wantX: map[int][2]uint64{1: {0x0008080808110807, 0x0606060606060606}}, wantFl: -1},
		{name: "PALIGNR", code: "660f3a0fca03", x: x, wantX: map[int][2]uint64{1: {0xFE0102F0E0D0C0B0, 0x0607087F8001FF00}}, wantFl: -1},
		{name: "PHADDW", code: "660f3801ca", x: map[int][2]uint64{1: {0x0004_0003_0002_0001, 0}, 2: {0, 0xFFFF_0001_0000_0000}},
			wantX: map[int][2]uint64{1: {0x0007_0003, 0x0000_0000_0000_0000}}, wantFl: -1},
		{name: "PHADDD", code: "660f3802ca", x: map[int][2]uint64{1: {2<<32 | 1, 4<<32 | 3}, 2: {6<<32 | 5, 0}}, wantX: map[int][2]uint64{1: {7<<32 | 3, 11}}, wantFl: -1},
		{name: "PHADDSW", code: "660f3803ca", x: map[int][2]uint64{1: {0x7FFF_7FFF, 0}}, wantX: map[int][2]uint64{1: {0x7FFF, 0}}, wantFl: -1},
		{name: "PHSUBW", code: "660f3805ca", x: map[int][2]uint64{1: {0x0001_0003, 0}}, wantX: map[int][2]uint64{1: {0x0002, 0}}, wantFl: -1},
		{name: "PHSUBD", code: "660f3806ca", x: map[int][2]uint64{1: {5<<32 | 3, 0}}, wantX: map[int][2]uint64{1: {0xFFFFFFFE, 0}}, wantFl: -1},
		{name: "PHSUBSW", code: "660f3807ca", x: map[int][2]uint64{1: {0x0001_8000, 0}}, wantX: map[int][2]uint64{1: {0x8000, 0}}, wantFl: -1},
		{name: "PMADDUBSW", code: "660f3804ca", x: map[int][2]uint64{1: {0xFF_FF, 0}, 2: {0x7F_7F, 0}}, wantX: map[int][2]uint64{1: {0x7FFF, 0}}, wantFl: -1},
		{name: "PMULHRSW", code: "660f380bca", x: map[int][2]uint64{1: {0x4000, 0}, 2: {0x4000, 0}}, wantX: map[int][2]uint64{1: {0x2000, 0}}, wantFl: -1},
		{name: "PSIGNB", code: "660f3808ca", x: map[int][2]uint64{1: {0x050505, 0}, 2: {0xFF_00_01, 0}}, wantX: map[int][2]uint64{1: {0xFB_00_05, 0}}, wantFl: -1},
		{name: "PSIGNW", code: "660f3809ca", x: map[int][2]uint64{1: {0x0005_0005, 0}, 2: {0x8000_0000, 0}}, wantX: map[int][2]uint64{1: {0xFFFB_0000, 0}}, wantFl: -1},
		{name: "PSIGND", code: "660f380aca", x: map[int][2]uint64{1: {5, 0}, 2: {0xFFFFFFFF, 0}}, wantX: map[int][2]uint64{1: {0xFFFFFFFB, 0}}, wantFl: -1},
		{name: "PABSB", code: "660f381cca", x: map[int][2]uint64{2: {0x80_FF_01, 0}}, wantX: map[int][2]uint64{1: {0x80_01_01, 0}}, wantFl: -1},
		{name: "PABSW", code: "660f381dca", x: map[int][2]uint64{2: {0xFFFE, 0}}, wantX: map[int][2]uint64{1: {2, 0}}, wantFl: -1},
		{name: "PABSD", code: "660f381eca", x: map[int][2]uint64{2: {0xFFFFFFFD, 0}}, wantX: map[int][2]uint64{1: {3, 0}}, wantFl: -1},
		// SSE4.1
		{name: "PINSRB", code: "660f3a20c80f", x: map[int][2]uint64{1: {0, 0}}, r: map[int]uint64{RAX: 0x1AB}, wantX: map[int][2]uint64{1: {0, 0xAB << 56}}, wantFl: -1},
		{name: "PINSRD", code: "660f3a22c801", x: map[int][2]uint64{1: {0, 0}}, r: map[int]uint64{RAX: 0xDEADBEEF}, wantX: map[int][2]uint64{1: {0xDEADBEEF << 32, 0}}, wantFl: -1},
		{name: "PINSRQ", mode: Mode64, code: "66480f3a22c801", x: map[int][2]uint64{1: {0, 0}}, r: map[int]uint64{RAX: 0x123456789}, wantX: map[int][2]uint64{1: {0, 0x123456789}}, wantFl: -1},
		{name: "PEXTRB", code: "660f3a14c80f", x: map[int][2]uint64{1: {0, 0xAB << 56}}, wantR: map[int]uint64{RAX: 0xAB}, wantFl: -1},
		{name: "PEXTRB m8", code: "660f3a140e00", x: map[int][2]uint64{1: {0xCD, 0}}, r: sseRSI(nil), mem: "ffff", wantMem: "cdff", wantFl: -1},
		{name: "PEXTRW m16", code: "660f3a150e01", x: map[int][2]uint64{1: {0xABCD0000, 0}}, r: sseRSI(nil), mem: "ffffff", wantMem: "cdabff", wantFl: -1},
		{name: "PEXTRD", code: "660f3a16c803", x: map[int][2]uint64{1: {0, 0xDEADBEEF << 32}}, wantR: map[int]uint64{RAX: 0xDEADBEEF}, wantFl: -1},
		{name: "PEXTRQ", mode: Mode64, code: "66480f3a16c801", x: map[int][2]uint64{1: {0, 7}}, wantR: map[int]uint64{RAX: 7}, wantFl: -1},
		{name: "EXTRACTPS", code: "660f3a17c802", x: map[int][2]uint64{1: {0, sseF32(2.5)}}, wantR: map[int]uint64{RAX: sseF32(2.5)}, wantFl: -1},
		{name: "INSERTPS", code: "660f3a21ca9c", x: map[int][2]uint64{1: {0x1111111122222222, 0x3333333344444444}, 2: {0, 0x5555555566666666}},
			wantX: map[int][2]uint64{1: {0x6666666622222222, 0}}, wantFl: -1},
		{name: "BLENDPS", code: "660f3a0cca05", x: x, wantX: map[int][2]uint64{1: {0x01020304B0A09080, 0x1112131400FE0102}}, wantFl: -1},
		{name: "BLENDPD", code: "660f3a0dca02", x: x, wantX: map[int][2]uint64{1: {a[0], b[1]}}, wantFl: -1},
		{name: "PBLENDW", code: "660f3a0eca81", x: x, wantX: map[int][2]uint64{1: {0x0102030405069080, 0x7F80131415161718}}, wantFl: -1},
		{name: "BLENDVPS", code: "660f3814ca", x: map[int][2]uint64{0: {0x80000000, 0x8000000000000000}, 1: a, 2: b},
			wantX: map[int][2]uint64{1: {0x01020304B0A09080, 0x7F8001FF15161718}}, wantFl: -1},
		{name: "BLENDVPD", code: "660f3815ca", x: map[int][2]uint64{0: {0, 1 << 63}, 1: a, 2: b}, wantX: map[int][2]uint64{1: {a[0], b[1]}}, wantFl: -1},
		{name: "PBLENDVB", code: "660f3810ca", x: map[int][2]uint64{0: {0x80, 0x8000000000000000}, 1: a, 2: b},
			wantX: map[int][2]uint64{1: {0x0102030405060780, 0x7F12131415161718}}, wantFl: -1},
		{name: "PMOVSXBW", code: "660f3820ca", x: map[int][2]uint64{2: {0x807F, 0}}, wantX: map[int][2]uint64{1: {0xFF80_007F, 0}}, wantFl: -1},
		{name: "PMOVZXBW", code: "660f3830ca", x: map[int][2]uint64{2: {0x807F, 0}}, wantX: map[int][2]uint64{1: {0x0080_007F, 0}}, wantFl: -1},
		{name: "PMOVSXBD", code: "660f3821ca", x: map[int][2]uint64{2: {0x80, 0}}, wantX: map[int][2]uint64{1: {0xFFFFFF80, 0}}, wantFl: -1},
		{name: "PMOVZXBD", code: "660f3831ca", x: map[int][2]uint64{2: {0x8000, 0}}, wantX: map[int][2]uint64{1: {0x80 << 32, 0}}, wantFl: -1},
		{name: "PMOVSXBQ m16", code: "660f38220e", r: sseRSI(nil), mem: "ff01", wantX: map[int][2]uint64{1: {^uint64(0), 1}}, wantFl: -1},
		{name: "PMOVZXBQ", code: "660f3832ca", x: map[int][2]uint64{2: {0xFF01, 0}}, wantX: map[int][2]uint64{1: {1, 0xFF}}, wantFl: -1},
		{name: "PMOVSXWD", code: "660f3823ca", x: map[int][2]uint64{2: {0x8000, 0}}, wantX: map[int][2]uint64{1: {0xFFFF8000, 0}}, wantFl: -1},
		{name: "PMOVZXWD", code: "660f3833ca", x: map[int][2]uint64{2: {0x8000, 0}}, wantX: map[int][2]uint64{1: {0x8000, 0}}, wantFl: -1},
		{name: "PMOVSXWQ", code: "660f3824ca", x: map[int][2]uint64{2: {0x8000_0001, 0}}, wantX: map[int][2]uint64{1: {1, ^uint64(0x7FFF)}}, wantFl: -1},
		{name: "PMOVZXWQ", code: "660f3834ca", x: map[int][2]uint64{2: {0x8000_0001, 0}}, wantX: map[int][2]uint64{1: {1, 0x8000}}, wantFl: -1},
		{name: "PMOVSXDQ", code: "660f3825ca", x: map[int][2]uint64{2: {0x80000000_00000001, 0}}, wantX: map[int][2]uint64{1: {1, 0xFFFFFFFF80000000}}, wantFl: -1},
		{name: "PMOVZXDQ", code: "660f3835ca", x: map[int][2]uint64{2: {0x80000000_00000001, 0}}, wantX: map[int][2]uint64{1: {1, 0x80000000}}, wantFl: -1},
		{name: "PMINSB", code: "660f3838ca", x: map[int][2]uint64{1: {0x80_01, 0}, 2: {0x7F_02, 0}}, wantX: map[int][2]uint64{1: {0x80_01, 0}}, wantFl: -1},
		{name: "PMAXSB", code: "660f383cca", x: map[int][2]uint64{1: {0x80_01, 0}, 2: {0x7F_02, 0}}, wantX: map[int][2]uint64{1: {0x7F_02, 0}}, wantFl: -1},
		{name: "PMINUW", code: "660f383aca", x: map[int][2]uint64{1: {0x8000, 0}, 2: {0x7FFF, 0}}, wantX: map[int][2]uint64{1: {0x7FFF, 0}}, wantFl: -1},
		{name: "PMAXUW", code: "660f383eca", x: map[int][2]uint64{1: {0x8000, 0}, 2: {0x7FFF, 0}}, wantX: map[int][2]uint64{1: {0x8000, 0}}, wantFl: -1},
		{name: "PMINSD", code: "660f3839ca", x: map[int][2]uint64{1: {0x80000000, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {0x80000000, 0}}, wantFl: -1},
		{name: "PMAXSD", code: "660f383dca", x: map[int][2]uint64{1: {0x80000000, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {1, 0}}, wantFl: -1},
		{name: "PMINUD", code: "660f383bca", x: map[int][2]uint64{1: {0x80000000, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {1, 0}}, wantFl: -1},
		{name: "PMAXUD", code: "660f383fca", x: map[int][2]uint64{1: {0x80000000, 0}, 2: {1, 0}}, wantX: map[int][2]uint64{1: {0x80000000, 0}}, wantFl: -1},
		{name: "PMULLD", code: "660f3840ca", x: map[int][2]uint64{1: {0x10000 | 3<<32, 0}, 2: {0x10000 | 5<<32, 0}}, wantX: map[int][2]uint64{1: {15 << 32, 0}}, wantFl: -1},
		{name: "PMULDQ", code: "660f3828ca", x: map[int][2]uint64{1: {0xFFFFFFFF, 2}, 2: {3, 3}}, wantX: map[int][2]uint64{1: {^uint64(2), 6}}, wantFl: -1},
		{name: "PCMPEQQ", code: "660f3829ca", x: map[int][2]uint64{1: {1, 2}, 2: {1, 3}}, wantX: map[int][2]uint64{1: {^uint64(0), 0}}, wantFl: -1},
		{name: "PHMINPOSUW", code: "660f3841ca", x: map[int][2]uint64{2: {0x0005_0003_0007_0009, 0x0003_0004_0005_0006}},
			wantX: map[int][2]uint64{1: {0x0002_0003, 0}}, wantFl: -1},
		{name: "MPSADBW", code: "660f3a42ca00", x: map[int][2]uint64{1: {0x0706050403020100, 0x0F0E0D0C0B0A0908}, 2: {0x03020100, 0}},
			wantX: map[int][2]uint64{1: {0x000C_0008_0004_0000, 0x001C_0018_0014_0010}}, wantFl: -1},
		{name: "MOVNTDQA", code: "660f382a0e", r: sseRSI(nil), mem: "0102030405060708 090a0b0c0d0e0f10",
			wantX: map[int][2]uint64{1: {0x0807060504030201, 0x100f0e0d0c0b0a09}}, wantFl: -1},
		// SSE4.2
		{name: "PCMPGTQ", code: "660f3837ca", x: map[int][2]uint64{1: {1, 1 << 63}, 2: {0, 0}}, wantX: map[int][2]uint64{1: {^uint64(0), 0}}, wantFl: -1},
		{name: "CRC32 r32, r8", code: "f20f38f0c1", r: map[int]uint64{RAX: 0xFFFFFFFF, RCX: 'a'},
			wantR: map[int]uint64{RAX: uint64(^crc32.Checksum([]byte("a"), crc32.MakeTable(crc32.Castagnoli)))}, wantFl: -1},
		{name: "CRC32 r64, r64", mode: Mode64, code: "f2480f38f1c1", r: map[int]uint64{RAX: 0xFFFFFFFF_FFFFFFFF, RCX: 0x0807060504030201},
			wantR: map[int]uint64{RAX: uint64(^crc32.Checksum([]byte{1, 2, 3, 4, 5, 6, 7, 8}, crc32.MakeTable(crc32.Castagnoli)))}, wantFl: -1},
		{name: "CRC32 r32, m16", code: "66f20f38f106", r: sseRSI(map[int]uint64{RAX: 0xFFFFFFFF}), mem: "6162",
			wantR: map[int]uint64{RAX: uint64(^crc32.Checksum([]byte("ab"), crc32.MakeTable(crc32.Castagnoli)))}, wantFl: -1},
		// PCMPISTRI, equal any, bytes: the first of "ab" in "xxbxa".
		{name: "PCMPISTRI equal any", code: "660f3a63ca00", x: map[int][2]uint64{1: {0x6261, 0}, 2: {0x6178627878, 0}},
			wantR: map[int]uint64{RCX: 2}, wantFl: FlagCF | FlagZF | FlagSF},
		{name: "PCMPISTRI equal ordered", code: "660f3a63ca0c", x: map[int][2]uint64{1: {0x6261, 0}, 2: {0x6261787878, 0}},
			wantR: map[int]uint64{RCX: 3}, wantFl: FlagCF | FlagZF | FlagSF},
		{name: "PCMPESTRI no match", code: "660f3a61ca00", x: map[int][2]uint64{1: {0x7A, 0}, 2: {0x6161616161616161, 0x6161616161616161}},
			r: map[int]uint64{RAX: 1, RDX: 16}, wantR: map[int]uint64{RCX: 16}, wantFl: FlagSF},
		{name: "PCMPESTRM ranges", code: "660f3a60ca44", x: map[int][2]uint64{1: {0x7A61, 0}, 2: {0x2E61415A7A, 0}},
			r: map[int]uint64{RAX: 2, RDX: 5}, wantX: map[int][2]uint64{0: {0xFF0000FF, 0}}, wantFl: FlagCF | FlagZF | FlagSF | FlagOF},
		{name: "PCMPISTRM equal each, bit mask", code: "660f3a62ca08", x: map[int][2]uint64{1: {0x646362, 0}, 2: {0x646162, 0}},
			wantX: map[int][2]uint64{0: {0xFFFD, 0}}, wantFl: FlagCF | FlagZF | FlagSF | FlagOF},
		// AES-NI (FIPS 197 appendix C.1, first round) and PCLMULQDQ.
		{name: "AESENC", code: "660f38dcca", x: map[int][2]uint64{1: {0x7060504030201000, 0xf0e0d0c0b0a09080},
			2: {0xfa72afd2fd74aad6, 0xfe76abd6f178a6da}}, wantX: map[int][2]uint64{1: {0x68ce5a85e810d889, 0xe48f12cbd843182d}}, wantFl: -1},
		{name: "PCLMULQDQ", code: "660f3a44ca11", x: map[int][2]uint64{1: {0, 3}, 2: {0, 3}}, wantX: map[int][2]uint64{1: {5, 0}}, wantFl: -1},
	})
}
