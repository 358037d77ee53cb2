package cpu

// The integer hardware oracle's own reading of an instruction's bytes
// (oracle_state_test.go): its length, its ModRM or moffs memory operand
// and its relative branch target, from the encoding in 64-bit mode and
// tables of the opcode maps (SDM Vol. 2 appendix A), without x86asm. What
// runs natively must read the same both ways: x86asm has been wrong about
// VEX encodings (it decodes a VEX instruction cut off before its ModRM
// byte, taking the bytes that follow it for nothing, and ModRM mod 00 r/m
// 101 as [disp32]), and the host runs the bytes, not x86asm's view of them.

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// rawInst is an instruction as the oracle reads its bytes.
type rawInst struct {
	len    int
	vex    bool
	escape int  // the opcode map: 0 one-byte, 1 0F, 2 0F38, 3 0F3A
	op     byte // the opcode byte in its map
	hasMem bool // a memory operand in ModRM, or a moffs
	rip    bool // RIP-relative (EIP-relative with 67)
	base   int  // the base register, or -1
	index  int  // the index register, or -1
	scale  int
	disp   int64
	addr32 bool // a 67 prefix
	hasRel bool // a relative branch
	rel    int64
	reg    int // ModRM.reg, without REX.R
}

// Opcode map tables, 16 opcodes a row, in 64-bit mode:
//
//	.  no ModRM, no immediate
//	m  ModRM
//	b  ModRM and an 8-bit immediate
//	z  ModRM and a 16- or 32-bit immediate (the operand size; 32 with REX.W)
//	f  ModRM, and with /0 or /1 an immediate of the operand size (F6, F7)
//	c  ModRM that always names registers (MOV to and from control and
//	   debug registers)
//	1  an 8-bit immediate; 2 a 16-bit one; 3 a 16-bit and an 8-bit one
//	Z  a 16- or 32-bit immediate
//	V  a 16-, 32- or 64-bit immediate (MOV r, imm)
//	M  a moffs: an 8-byte absolute address, 4 bytes with 67
//	r  an 8-bit relative branch; R a 32-bit one
//	p  a prefix; e the 0F escape
//	x  invalid in 64-bit mode, or not read by the oracle
var rawMap0 = [16]string{
	"mmmm1Zxxmmmm1Zxe", // 00
	"mmmm1Zxxmmmm1Zxx", // 10
	"mmmm1Zpxmmmm1Zpx", // 20
	"mmmm1Zpxmmmm1Zpx", // 30
	"pppppppppppppppp", // 40: REX
	"................", // 50
	"xxxmppppZz1b....", // 60
	"rrrrrrrrrrrrrrrr", // 70
	"bzxbmmmmmmmmmmmm", // 80
	"..........x.....", // 90
	"MMMM....1Z......", // A0
	"11111111VVVVVVVV", // B0
	"bb2.ppbz3.2..1x.", // C0: C4 and C5 are VEX
	"mmmmxxx.mmmmmmmm", // D0
	"rrrr1111RRxr....", // E0
	"p.pp..ff......mm", // F0
}

var rawMap0F = [16]string{
	"mmmmx.....x.xm.b", // 00: 0F 0F is 3DNow!, with an 8-bit opcode suffix
	"mmmmmmmmmmmmmmmm", // 10
	"ccccxxxxmmmmmmmm", // 20
	"........exexxxxx", // 30: 38 and 3A are escapes
	"mmmmmmmmmmmmmmmm", // 40
	"mmmmmmmmmmmmmmmm", // 50
	"mmmmmmmmmmmmmmmm", // 60
	"bbbbmmm.mmmmmmmm", // 70
	"RRRRRRRRRRRRRRRR", // 80
	"mmmmmmmmmmmmmmmm", // 90
	"...mbmxx...mbmmm", // A0
	"mmmmmmmmmmbmmmmm", // B0
	"mmbmbbbm........", // C0
	"mmmmmmmmmmmmmmmm", // D0
	"mmmmmmmmmmmmmmmm", // E0
	"mmmmmmmmmmmmmmmx", // F0: UD0 has a ModRM byte on Intel only
}

// rawDecode reads the instruction at the start of code in 64-bit mode.
// why says what it could not read ("" if it read it all).
func rawDecode(code []byte) (r rawInst, why string) {
	r.base, r.index = -1, -1
	pos := 0
	var rex byte
	op16, other := false, false // 66; 66, F0, F2, F3 or REX (for VEX)
	var rep byte
prefixes:
	for ; ; pos++ {
		if pos >= len(code) || pos >= 15 {
			return r, "truncated encoding"
		}
		b := code[pos]
		if b&0xf0 == 0x40 {
			rex, other = b, true
			continue
		}
		switch b {
		case 0x66:
			op16, other = true, true
		case 0x67:
			r.addr32 = true
		case 0xf2, 0xf3:
			rep, other = b, true
		case 0xf0:
			other = true
		case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65:
		default:
			break prefixes
		}
		rex = 0 // a REX counts only right before the opcode
	}
	var kind byte
	var w, rx, rb bool // REX.W, X and B or their VEX forms
	switch code[pos] {
	case 0xc4, 0xc5:
		if other {
			return r, "VEX after a 66, F0, F2, F3 or REX prefix" // #UD
		}
		r.vex = true
		n := 3
		if code[pos] == 0xc5 {
			n = 2
		}
		if pos+n >= len(code) {
			return r, "truncated encoding"
		}
		p1 := code[pos+1]
		if n == 3 {
			rx, rb = p1&0x40 == 0, p1&0x20 == 0
			r.escape = int(p1 & 0x1f)
			w = code[pos+2]&0x80 != 0
		} else {
			r.escape = 1
		}
		pos += n
		r.op = code[pos]
		pos++
		switch r.escape {
		case 2:
			kind = 'm'
		case 3:
			kind = 'b'
		default:
			return r, "VEX map the oracle does not read"
		}
	default:
		w, rx, rb = rex&8 != 0, rex&2 != 0, rex&1 != 0
		r.op = code[pos]
		pos++
		kind = rawMap0[r.op>>4][r.op&15]
		if kind == 'e' {
			if pos >= len(code) {
				return r, "truncated encoding"
			}
			r.escape = 1
			r.op = code[pos]
			pos++
			kind = rawMap0F[r.op>>4][r.op&15]
			if kind == 'e' {
				if pos >= len(code) {
					return r, "truncated encoding"
				}
				r.escape = 2
				kind = 'm'
				if r.op == 0x3a {
					r.escape, kind = 3, 'b'
				}
				r.op = code[pos]
				pos++
			}
			if r.escape == 1 && r.op == 0x78 && (op16 || rep == 0xf2) {
				return r, "SSE4a EXTRQ or INSERTQ" // two immediates
			}
		}
	}
	if kind == 'x' || kind == 'p' {
		return r, "opcode invalid in 64-bit mode"
	}
	opSize := 4 // of an immediate of the operand size (REX.W overrides 66)
	if op16 && !w {
		opSize = 2
	}
	imm := 0
	switch kind {
	case 'm', 'b', 'z', 'f', 'c':
		if pos >= len(code) {
			return r, "truncated encoding"
		}
		modrm := code[pos]
		pos++
		mod, rm := modrm>>6, int(modrm&7)
		r.reg = int(modrm >> 3 & 7)
		if mod != 3 && kind != 'c' {
			r.hasMem = true
			dispLen := [4]int{0, 1, 4, 0}[mod]
			switch {
			case rm == 4:
				if pos >= len(code) {
					return r, "truncated encoding"
				}
				sib := code[pos]
				pos++
				r.scale = 1 << (sib >> 6)
				if idx := int(sib >> 3 & 7); idx != 4 || rx {
					r.index = idx
					if rx {
						r.index |= 8
					}
				}
				if base := int(sib & 7); base == 5 && mod == 0 {
					dispLen = 4
				} else {
					r.base = base
					if rb {
						r.base |= 8
					}
				}
			case rm == 5 && mod == 0:
				r.rip = true
				dispLen = 4
			default:
				r.base = rm
				if rb {
					r.base |= 8
				}
			}
			if pos+dispLen > len(code) {
				return r, "truncated encoding"
			}
			switch dispLen {
			case 1:
				r.disp = int64(int8(code[pos]))
			case 4:
				r.disp = int64(int32(binary.LittleEndian.Uint32(code[pos:])))
			}
			pos += dispLen
		}
		switch kind {
		case 'b':
			imm = 1
		case 'z':
			imm = opSize
		case 'f':
			if r.reg < 2 {
				imm = opSize
				if r.op == 0xf6 {
					imm = 1
				}
			}
		}
		if r.escape == 0 && r.op == 0x8f && r.reg != 0 {
			return r, "XOP prefix" // AMD before Zen; #UD since
		}
	case '1':
		imm = 1
	case '2':
		imm = 2
	case '3':
		imm = 3
	case 'Z':
		imm = opSize
	case 'V':
		imm = opSize
		if w {
			imm = 8
		}
	case 'M':
		imm = 8
		if r.addr32 {
			imm = 4
		}
		r.hasMem = true
	case 'r':
		imm = 1
		r.hasRel = true
	case 'R':
		if op16 && !w {
			// Intel ignores the 66 (a 32-bit displacement); AMD reads a
			// 16-bit one and truncates RIP. REX.W overrides it.
			return r, "operand-size prefix on a near branch"
		}
		imm = 4
		r.hasRel = true
	}
	if pos+imm > len(code) {
		return r, "truncated encoding"
	}
	switch {
	case kind == 'M' && imm == 8:
		r.disp = int64(binary.LittleEndian.Uint64(code[pos:]))
	case kind == 'M':
		r.disp = int64(binary.LittleEndian.Uint32(code[pos:]))
	case kind == 'r':
		r.rel = int64(int8(code[pos]))
	case kind == 'R':
		r.rel = int64(int32(binary.LittleEndian.Uint32(code[pos:])))
	}
	pos += imm
	if pos > 15 {
		return r, "longer than 15 bytes" // #GP
	}
	r.len = pos
	return r, ""
}

// mem returns r's memory operand as x86asm writes it.
func (r *rawInst) mem() x86asm.Mem {
	regs := x86asm.RAX
	if r.addr32 {
		regs = x86asm.EAX
	}
	m := x86asm.Mem{Disp: r.disp}
	switch {
	case r.rip && r.addr32:
		m.Base = x86asm.EIP
	case r.rip:
		m.Base = x86asm.RIP
	case r.base >= 0:
		m.Base = regs + x86asm.Reg(r.base)
	}
	if r.index >= 0 {
		m.Index = regs + x86asm.Reg(r.index)
		m.Scale = uint8(r.scale)
	}
	return m
}

// sameMem reports whether x86asm's memory operand m is the raw one: the
// same registers, scale (where there is an index) and displacement within
// the address size. The segment is not compared: FS and GS are never run
// natively, and 64-bit mode ignores the others.
func sameMem(m, raw x86asm.Mem, addr32 bool) bool {
	mask := ^uint64(0)
	if addr32 {
		mask = 0xffffffff
	}
	return m.Base == raw.Base && m.Index == raw.Index && (m.Index == 0 || m.Scale == raw.Scale) &&
		(uint64(m.Disp)^uint64(raw.Disp))&mask == 0
}

// rawMisread says how x86asm's decoding x of code differs from the
// oracle's own reading, in what decides where the host's accesses and
// branches go ("" if it does not): the length, the explicit memory
// operand (whether there is one, its address, whether it is accessed at
// all), the relative branch and the operations with implicit memory
// operands.
func rawMisread(code []byte, x *x86asm.Inst) string {
	r, why := rawDecode(code)
	if why != "" {
		return "raw encoding: " + why
	}
	if r.len != x.Len || r.len != len(code) {
		return "x86asm misreads the length"
	}
	rel, isRel := x.Args[0].(x86asm.Rel)
	if isRel != r.hasRel || int64(rel) != r.rel {
		return "x86asm misreads the branch"
	}
	// String operations and XLAT have implicit operands, which x86asm
	// lists as memory arguments; their opcodes have no ModRM.
	_, _, str := stringOp(x.Op)
	strOp := r.escape == 0 && !r.vex && (r.op >= 0xa4 && r.op <= 0xa7 || r.op >= 0xaa && r.op <= 0xaf)
	if str != strOp || (x.Op == x86asm.XLATB) != (r.escape == 0 && !r.vex && r.op == 0xd7) {
		return "x86asm misreads an implicit memory operand"
	}
	m, hasMem := memArg(x)
	if str || x.Op == x86asm.XLATB {
		hasMem = false
	}
	if hasMem != r.hasMem {
		return "x86asm misreads the memory operand"
	}
	if !hasMem {
		return ""
	}
	if !sameMem(m, r.mem(), r.addr32) || (x.AddrSize == 32) != r.addr32 {
		return "x86asm misreads the memory operand"
	}
	// LEA and the hints compute an address but access nothing: 8D, and
	// 0F 0D and 0F 18 to 1F (prefetches and hint NOPs).
	noAccess := !r.vex && (r.escape == 0 && r.op == 0x8d || r.escape == 1 && (r.op == 0x0d || r.op >= 0x18 && r.op <= 0x1f))
	if noAccess != (x.Op == x86asm.LEA || isHint(x.Op)) {
		return "x86asm misreads the memory operand"
	}
	if !noAccess && x.MemBytes <= 0 {
		return "x86asm gives no access size"
	}
	return ""
}

// TestOracleRawReading: the oracle reads every encoding of the sweep as
// x86asm does (but the 16-bit branches, which it never runs natively), and
// refuses the encodings x86asm misreads.
func TestOracleRawReading(t *testing.T) {
	sw := integerForms()
	rng := rand.New(rand.NewPCG(1, 5))
	n := 0
	for _, k := range sw.keys {
		for _, enc := range sw.forms[k].encs {
			vs, _ := variants(enc, 2, rng)
			for _, v := range vs {
				if branchOps[v.x.Op] && v.x.DataSize == 16 {
					continue
				}
				n++
				if why := rawMisread(v.code, &v.x); why != "" {
					t.Errorf("%s: %s: %s", k, hex.EncodeToString(v.code), why)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no encoding")
	}
	for _, tc := range []struct {
		code   string
		x86asm bool // x86asm.Decode, not decode64
		why    string
	}{
		{"c44243f6", false, "raw encoding: truncated encoding"},                   // MULX cut off before its ModRM byte
		{"c4e2f8f21500000000", true, "x86asm misreads the memory operand"},        // ANDN [rip+0]: [0] to x86asm
		{"c4e2f8f21500000000", false, ""},                                         // decode64 makes it RIP-relative
		{"c4e2f8f2142500000000", false, ""},                                       // ANDN [0] with a SIB byte
		{"c4c2f8f2048c", false, ""},                                               // ANDN [r12+rcx*4]
		{"c4a2f8f20424", false, ""},                                               // ANDN [rsp+r12]: VEX.X names r12
		{"66e80000", false, "raw encoding: operand-size prefix on a near branch"}, // CALL rel16 on AMD, rel32 on Intel
		{"6648e800000000", false, ""},                                             // REX.W overrides the 66
		{"6648c7c078563412", false, ""},                                           // MOV r/m64, imm32 (not imm16)
		{"66b83412", false, ""},                                                   // MOV ax, imm16
		{"48b8efcdab8967452301", false, ""},                                       // MOV rax, imm64
		{"a1efcdab8967452301", false, ""},                                         // MOV eax, [moffs64]
		{"67a1efcdab89", false, ""},                                               // MOV eax, [moffs32]
		{"f6c101", false, ""},                                                     // TEST cl, imm8
		{"f7d1", false, ""},                                                       // NOT ecx: no immediate
		{"c8100003", false, ""},                                                   // ENTER imm16, imm8
	} {
		code, _ := hex.DecodeString(tc.code)
		x, err := decode64(code)
		if tc.x86asm {
			x, err = x86asm.Decode(code, 64)
		}
		if err != nil {
			t.Errorf("%s: %v", tc.code, err)
			continue
		}
		if why := rawMisread(code, &x); why != tc.why {
			t.Errorf("%s (%s): %q, want %q", tc.code, x86asm.IntelSyntax(x, 0, nil), why, tc.why)
		}
	}
}
