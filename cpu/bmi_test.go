package cpu

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// A bmiOp is one BMI1/BMI2 operation as the edge tests encode it: the
// opcode map (2 for 0F38, 3 for 0F3A), VEX.pp (0 none, 1 66, 2 F3, 3 F2)
// and opcode, and a fixed ModRM.reg (the BLS* group) or -1.
type bmiOp struct {
	name        string
	mp, pp, op  byte
	reg         int
	ctl, v, imm bool // VEX.vvvv is a control or count; a second source; an immediate
}

var bmiOps = []bmiOp{
	{name: "andn", mp: 2, pp: 0, op: 0xf2, reg: -1, v: true},
	{name: "bextr", mp: 2, pp: 0, op: 0xf7, reg: -1, ctl: true},
	{name: "blsr", mp: 2, pp: 0, op: 0xf3, reg: 1},
	{name: "blsmsk", mp: 2, pp: 0, op: 0xf3, reg: 2},
	{name: "blsi", mp: 2, pp: 0, op: 0xf3, reg: 3},
	{name: "bzhi", mp: 2, pp: 0, op: 0xf5, reg: -1, ctl: true},
	{name: "pdep", mp: 2, pp: 3, op: 0xf5, reg: -1, v: true},
	{name: "pext", mp: 2, pp: 2, op: 0xf5, reg: -1, v: true},
	{name: "mulx", mp: 2, pp: 3, op: 0xf6, reg: -1, v: true},
	{name: "rorx", mp: 3, pp: 3, op: 0xf0, reg: -1, imm: true},
	{name: "sarx", mp: 2, pp: 2, op: 0xf7, reg: -1, ctl: true},
	{name: "shlx", mp: 2, pp: 1, op: 0xf7, reg: -1, ctl: true},
	{name: "shrx", mp: 2, pp: 3, op: 0xf7, reg: -1, ctl: true},
}

// The registers the edge tests use: the destination (MULX: the high
// half), the r/m source, and the one VEX.vvvv names (BLS*: the
// destination; MULX: the low half).
const (
	bmiD  = RAX
	bmiRM = RCX
	bmiV  = RBX
)

// encode returns o with register operands, given VEX.W, VEX.B as encoded
// (inverted: 1 for none of R8 to R15), bit 3 of the register number
// VEX.vvvv holds, and RORX's count.
func (o *bmiOp) encode(w, b, v3 byte, imm byte) []byte {
	reg, vvvv := byte(bmiD), byte(bmiV)
	if o.reg >= 0 {
		reg, vvvv = byte(o.reg), bmiD
	}
	if !o.ctl && !o.v && o.reg < 0 {
		vvvv = 0 // RORX: VEX.vvvv 1111b
	}
	code := []byte{0xc4, 0xc0 | b<<5 | o.mp, w<<7 | (^(vvvv|v3<<3)&15)<<3 | o.pp, o.op, 0xc0 | reg<<3 | bmiRM}
	if o.imm {
		code = append(code, imm)
	}
	return code
}

// bmiSources are the edge values of a source operand.
var bmiSources = []uint64{0, 1, 2, 3, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	0x100000000, 0x180000001, 0x7fffffffffffffff, 0x8000000000000000, 0xfffffffffffffffe,
	0xffffffffffffffff, 0x5555555555555555, 0xf0f0f0f00f0f0f0f, 0x0123456789abcdef}

// bmiControls are the controls and counts: bmiIndexes, BEXTR's start and
// length pairs of them, and values with junk above the bits that count.
func bmiControls(o *bmiOp) []uint64 {
	junk := []uint64{0x100, 0x10000, 0x100000020, 0xffffffffffffff05, 0xffffffff00000140}
	if o.name != "bextr" {
		return append(junk, bmiIndexes...)
	}
	var cs []uint64
	for _, s := range bmiIndexes {
		for _, l := range bmiIndexes {
			cs = append(cs, s|l<<8)
		}
	}
	return append(cs, junk...)
}

// TestBMIEdges runs the BMI1 and BMI2 operations natively and in the
// emulator over the edges the random oracle seldom reaches: controls and
// counts at and past the operand size, zero and all-ones sources, MULX
// with one register as both destinations, every RORX count, a source at
// an absolute address.
func TestBMIEdges(t *testing.T) {
	h := hostOracle(t)
	rng := rand.New(rand.NewPCG(3, 9))
	var in oracleState
	for i := range in.R {
		in.R[i] = rng.Uint64()
	}
	in.R[RSP] = hkData + hkDataSize/2
	in.MXCSR = 0x1f80
	n := 0
	for oi := range bmiOps {
		o := &bmiOps[oi]
		x, _ := decode64(o.encode(0, 1, 0, 0))
		if why := hostLacks(h, x.Op); why != "" {
			t.Logf("%s: %s", o.name, why)
			continue
		}
		for w := byte(0); w < 2; w++ {
			var e emuOracle
			try := func(code []byte, v, rm uint64) {
				in.R[bmiV], in.R[bmiRM] = v, rm
				in.R[RDX] = v ^ rm<<1 // MULX's implicit source
				in.Flags = 0x202
				if n%2 == 1 {
					in.Flags |= flagsArith
				}
				n++
				if d := hostDiff(h, &e, code, &in); d != "" {
					t.Fatalf("%s (%s) vvvv=%#x r/m=%#x rdx=%#x flags=%#x:%s", hex.EncodeToString(code),
						disasm(code), v, rm, in.R[RDX], in.Flags, d)
				}
			}
			switch {
			case o.imm:
				for imm := range 256 {
					code := o.encode(w, 1, 0, byte(imm))
					for _, s := range []uint64{1, 0x8000000000000001, 0x0123456789abcdef} {
						try(code, 0, s)
					}
				}
			case o.ctl:
				code := o.encode(w, 1, 0, 0)
				for _, c := range bmiControls(o) {
					for _, s := range bmiSources {
						try(code, c, s)
					}
				}
			default:
				code := o.encode(w, 1, 0, 0)
				for _, v := range bmiSources {
					for _, s := range bmiSources {
						try(code, v, s)
					}
				}
				if o.name == "mulx" {
					// mulx rax, rax, rcx: the high half wins.
					same := []byte{0xc4, 0xe2, w<<7 | 0x7b, 0xf6, 0xc1}
					for _, s := range bmiSources {
						in.R[RAX] = s
						try(same, s, ^s)
					}
				}
			}
			// A memory source at an absolute address: the SIB form of
			// [disp32], which x86asm decodes as it does the RIP-relative
			// one, but with a scale.
			code := o.encode(w, 1, 0, 13)
			abs := append(append([]byte{}, code[:4]...), code[4]&^0xc7|0x04, 0x25)
			abs = binary.LittleEndian.AppendUint32(abs, hkData+0x100)
			abs = append(abs, code[5:]...)
			for _, s := range bmiSources {
				binary.LittleEndian.PutUint64(in.Mem[0x100:], s)
				try(abs, s>>3|0x0c05, 0)
			}
		}
	}
	t.Logf("%d cases", n)
}

// hostDiff runs code natively and in the emulator from in and says how
// the results differ ("" if they do not).
func hostDiff(h oracle, e *emuOracle, code []byte, in *oracleState) string {
	var host, emu oracleState
	e.run(code, in, &emu)
	h.run(code, in, &host)
	x, _ := decode64(code)
	d := compareStates(&host, &emu, hostUndefined(&x, in, hostKindOf(h)))
	if e.exit != ExitNone {
		d = fmt.Sprintf(" emulator exit %v (%s);", e.exit, e.c.Fault.String()) + d
	}
	return d
}

func disasm(code []byte) string {
	x, err := decode64(code)
	if err != nil {
		return err.Error()
	}
	return x86asm.IntelSyntax(x, hkSnip, nil)
}

// TestBMIMode32 checks 32-bit mode against 64-bit mode, which the oracle
// proves: there the operations are 32 bits wide whatever VEX.W says, and
// VEX.B and the top bit of VEX.vvvv, which would name R8 to R15, are
// ignored (SDM Vol. 2A 2.3.5, 2.3.6). A memory source through a base
// register, with and without VEX.B, and at an absolute address (mod 00,
// r/m 101, which 64-bit mode makes RIP-relative) reads what the register
// form reads.
func TestBMIMode32(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	const src = 0x20000 // where the memory forms read their source
	// run runs code from registers r and flags; with mem, ECX holds the
	// source's address instead of the source.
	run := func(m Mode, code []byte, r *[8]uint64, flags uint64, mem bool) ([8]uint64, uint64) {
		c := newTest(t, m, append(append([]byte{}, code...), 0xcc))
		copy(c.R[:8], r[:])
		if mem {
			c.R[bmiRM] = src
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], r[bmiRM])
		if err := c.WriteMem(src, b[:]); err != nil {
			t.Fatal(err)
		}
		c.SetFlags(flags)
		if e := c.Run(1); e != ExitLimit {
			t.Fatalf("mode %d %x: exit %v (%s)", m, code, e, c.Fault.String())
		}
		var out [8]uint64
		copy(out[:], c.R[:8])
		if mem && out[bmiRM] == src {
			out[bmiRM] = r[bmiRM]
		}
		return out, c.Flags()
	}
	for oi := range bmiOps {
		o := &bmiOps[oi]
		// The memory forms: [ecx], [ecx] with VEX.B clear, [disp32].
		mem := func(w, b byte) []byte {
			code := o.encode(w, b, 0, 0x21)
			code[4] &^= 0xc0
			return code
		}
		abs := o.encode(0, 1, 0, 0x21)
		abs[4] = abs[4]&^0xc7 | 0x05
		abs = append(abs[:5], append(binary.LittleEndian.AppendUint32(nil, src), abs[5:]...)...)
		for range 200 {
			var r [8]uint64
			for i := range r {
				r[i] = uint64(rng.Uint32())
			}
			r[bmiV] = bmiSources[rng.IntN(len(bmiSources))] & 0xffffffff
			if o.ctl && rng.IntN(2) == 0 {
				r[bmiV] = bmiIndexes[rng.IntN(len(bmiIndexes))] | bmiIndexes[rng.IntN(len(bmiIndexes))]<<8
			}
			r[RSP] = 0x80000
			flags := uint64(rng.Uint32()) & flagsArith
			want, wantFlags := run(Mode64, o.encode(0, 1, 0, 0x21), &r, flags, false)
			for i, code := range [][]byte{o.encode(0, 1, 0, 0x21), o.encode(1, 1, 0, 0x21),
				o.encode(0, 0, 0, 0x21), o.encode(1, 0, 1, 0x21), abs, mem(0, 1), mem(0, 0), mem(1, 1)} {
				got, gotFlags := run(Mode32, code, &r, flags, i >= 5)
				if got != want || gotFlags != wantFlags {
					t.Fatalf("%s %x from %#x flags %#x: mode 32 gives %#x flags %#x, mode 64 %#x flags %#x",
						o.name, code, r, flags, got, gotFlags, want, wantFlags)
				}
			}
		}
	}
}

// TestRORXReservedVVVV: RORX with VEX.vvvv other than 1111b raises #UD
// (SDM Vol. 2A 2.3.6; the oracle sees the host do it); in 32-bit mode
// only the low three bits count.
func TestRORXReservedVVVV(t *testing.T) {
	for _, tc := range []struct {
		m    Mode
		code string
		ud   bool
	}{
		{Mode64, "c4e37bf0c101", false}, // rorx eax, ecx, 1
		{Mode64, "c4e353f0c101", true},  // vvvv = 1010b
		{Mode64, "c4e33bf0c101", true},  // vvvv = 0111b
		{Mode32, "c4e33bf0c101", false}, // bit 3 ignored
		{Mode32, "c4e373f0c101", true},  // vvvv = 1110b
	} {
		code, _ := hex.DecodeString(tc.code + "cc")
		c := newTest(t, tc.m, code)
		e := c.Run(1)
		if ud := e == ExitTrap && c.Fault.Trap == TrapInvalidOp && c.Fault.Unimplemented == ""; ud != tc.ud {
			t.Errorf("mode %d %s: exit %v (%s), want #UD %v", tc.m, tc.code, e, c.Fault.String(), tc.ud)
		}
	}
}

// TestMOVBE: loads and stores in both modes; a 16-bit load keeps the
// rest of the register, a 32-bit one clears the upper half (64-bit mode),
// and a REP prefix raises #UD (SDM MOVBE).
func TestMOVBE(t *testing.T) {
	for _, tc := range []struct {
		m      Mode
		code   string
		rax    uint64 // after
		memory uint64 // the quadword at 0x20000 after
	}{
		{Mode64, "480f38f001", 0x0011223344556677, 0x7766554433221100},           // movbe rax, [rcx]
		{Mode64, "0f38f001", 0x00112233, 0x7766554433221100},                     // movbe eax, [rcx]
		{Mode64, "660f38f001", 0xfedcba9876540011, 0x7766554433221100},           // movbe ax, [rcx]
		{Mode64, "480f38f101", 0xfedcba9876543210, 0x1032547698badcfe},           // movbe [rcx], rax
		{Mode64, "0f38f101", 0xfedcba9876543210, 0x7766554410325476},             // movbe [rcx], eax
		{Mode64, "660f38f101", 0xfedcba9876543210, 0x7766554433221032},           // movbe [rcx], ax
		{Mode32, "0f38f001", 0x00112233, 0x7766554433221100},                     // movbe eax, [ecx]
		{Mode32, "660f38f001", 0x76540011, 0x7766554433221100},                   // movbe ax, [ecx]
		{Mode32, "0f38f101", 0x76543210, 0x7766554410325476},                     // movbe [ecx], eax
		{Mode32, "660f38f101", 0x76543210, 0x7766554433221032},                   // movbe [ecx], ax
		{Mode64, "f30f38f001", 0xfedcba9876543210, 0x7766554433221100},           // #UD
		{Mode64, "f00f38f001", 0xfedcba9876543210, 0x7766554433221100},           // LOCK: #UD
		{Mode32, "66f30f38f101", 0x76543210, 0x7766554433221100},                 // #UD
		{Mode64, "f30f38f101", 0xfedcba9876543210, 0x7766554433221100},           // #UD
		{Mode64, "480f38f0042500000200", 0x0011223344556677, 0x7766554433221100}, // movbe rax, [0x20000]
	} {
		code, _ := hex.DecodeString(tc.code + "cc")
		c := newTest(t, tc.m, code)
		c.R[RAX], c.R[RCX] = 0xfedcba9876543210, 0x20000
		if tc.m == Mode32 {
			c.R[RAX] &= 0xffffffff
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], 0x7766554433221100)
		if err := c.WriteMem(0x20000, b[:]); err != nil {
			t.Fatal(err)
		}
		e := c.Run(1)
		if err := c.ReadMem(0x20000, b[:]); err != nil {
			t.Fatal(err)
		}
		if c.R[RAX] != tc.rax || binary.LittleEndian.Uint64(b[:]) != tc.memory {
			t.Errorf("mode %d %s: rax %#x memory %#x, want %#x and %#x", tc.m, tc.code, c.R[RAX], binary.LittleEndian.Uint64(b[:]), tc.rax, tc.memory)
		}
		if ud := e == ExitTrap && c.Fault.Trap == TrapInvalidOp; ud != (c.PC == 0x1000) {
			t.Errorf("mode %d %s: exit %v at %#x", tc.m, tc.code, e, c.PC)
		}
	}
}

// TestBMIAllocs: the new handlers allocate nothing when warm.
func TestBMIAllocs(t *testing.T) {
	body, _ := hex.DecodeString("c4e2f8f2c3" + "c4e2f8f7c1" + "c4e2f8f3c9" + // l: andn rax, rax, rbx; bextr rax, rcx, rax; blsr rax, rcx
		"c4e2f0f5c3" + "c4e2fbf6c1" + "c4e2fbf5c1" + // bzhi rax, rbx, rcx; mulx rax, rax, rcx; pdep rax, rax, rcx
		"c4e2faf5c1" + "c4e3fbf0c107" + "c4e2f2f7c3" + // pext rax, rax, rcx; rorx rax, rcx, 7; sarx rax, rbx, rcx
		"480f38f00424" + "480f38f10424" + // movbe rax, [rsp]; movbe [rsp], rax
		"c8100002" + "c9" + // enter 16, 2; leave
		"ffc9") // dec ecx
	code := append([]byte{0xb9, 0xe8, 0x03, 0, 0}, body...) // mov ecx, 1000
	code = append(code, 0x75, byte(-len(body)-2), 0xcc)     // jne l; int3
	c := newTest(t, Mode64, code)
	c.R[RBP] = 0x80000
	warmLoopNoAllocs(t, c, 1+15*1000+1, func() { c.R[RSP] = 0x90000 })
}

// TestCPUIDBMI: the default configuration advertises MOVBE, BMI1 and
// BMI2, which are implemented, and not AVX, AVX2, ADX or OSXSAVE, which
// are not.
func TestCPUIDBMI(t *testing.T) {
	for _, m := range []Mode{Mode32, Mode64} {
		cfg := DefaultCPUID(m)
		_, _, ecx1, _ := cfg.query(1, 0)
		_, ebx7, _, _ := cfg.query(7, 0)
		for _, f := range []struct {
			name string
			reg  uint32
			bit  uint
			want bool
		}{
			{"MOVBE", ecx1, 22, true}, {"OSXSAVE", ecx1, 27, false}, {"AVX", ecx1, 28, false},
			{"BMI1", ebx7, 3, true}, {"AVX2", ebx7, 5, false}, {"BMI2", ebx7, 8, true}, {"ADX", ebx7, 19, false},
		} {
			if got := f.reg>>f.bit&1 != 0; got != f.want {
				t.Errorf("mode %d: %s advertised %v, want %v", m, f.name, got, f.want)
			}
		}
	}
}
