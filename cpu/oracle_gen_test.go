package cpu

// Instruction forms for the integer hardware oracle (oracle_test.go).
//
// The forms come from a sweep of opcode space: every opcode of the one-byte,
// 0F, 0F38 and 0F3A maps (and the VEX-encoded BMI group) under a set of
// legacy prefixes, REX bytes and ModRM/SIB shapes is decoded with x86asm in
// 64-bit mode; those that decode to an integer operation are grouped by form
// (operation, operand kinds and sizes, address size, the prefixes that change
// the meaning) and a few encodings of each are kept. Each encoding then
// gets variants: edge-case immediates, branch targets at the end of the
// snippet, absolute and RIP-relative operands aimed at the data window
// (oracle_state_test.go makes the machine states).

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/arch/x86/x86asm"
)

// oracleOps are the integer user-mode operations the oracle runs. Those the
// emulator does not lower show up as gaps in TestOracleCoverage.
var oracleOps = map[x86asm.Op]bool{}

func init() {
	for _, op := range []x86asm.Op{
		x86asm.ADD, x86asm.OR, x86asm.ADC, x86asm.SBB, x86asm.AND, x86asm.SUB, x86asm.XOR,
		x86asm.CMP, x86asm.TEST, x86asm.MOV, x86asm.INC, x86asm.DEC, x86asm.NEG, x86asm.NOT,
		x86asm.LEA, x86asm.MOVZX, x86asm.MOVSX, x86asm.MOVSXD, x86asm.XCHG,
		x86asm.CBW, x86asm.CWDE, x86asm.CDQE, x86asm.CWD, x86asm.CDQ, x86asm.CQO,
		x86asm.PUSH, x86asm.POP, x86asm.PUSHF, x86asm.PUSHFQ, x86asm.POPF, x86asm.POPFQ,
		x86asm.ENTER, x86asm.LEAVE,
		x86asm.SHL, x86asm.SHR, x86asm.SAR, x86asm.ROL, x86asm.ROR, x86asm.RCL, x86asm.RCR,
		x86asm.SHLD, x86asm.SHRD,
		x86asm.MUL, x86asm.IMUL, x86asm.DIV, x86asm.IDIV,
		x86asm.BT, x86asm.BTS, x86asm.BTR, x86asm.BTC,
		x86asm.BSF, x86asm.BSR, x86asm.TZCNT, x86asm.LZCNT, x86asm.POPCNT, x86asm.BSWAP,
		x86asm.XADD, x86asm.CMPXCHG, x86asm.CMPXCHG8B, x86asm.CMPXCHG16B,
		x86asm.MOVSB, x86asm.MOVSW, x86asm.MOVSD, x86asm.MOVSQ,
		x86asm.STOSB, x86asm.STOSW, x86asm.STOSD, x86asm.STOSQ,
		x86asm.LODSB, x86asm.LODSW, x86asm.LODSD, x86asm.LODSQ,
		x86asm.SCASB, x86asm.SCASW, x86asm.SCASD, x86asm.SCASQ,
		x86asm.CMPSB, x86asm.CMPSW, x86asm.CMPSD, x86asm.CMPSQ,
		x86asm.CLC, x86asm.STC, x86asm.CMC, x86asm.CLD, x86asm.STD, x86asm.SAHF, x86asm.LAHF,
		x86asm.LOOP, x86asm.LOOPE, x86asm.LOOPNE, x86asm.JRCXZ, x86asm.JECXZ,
		x86asm.JMP, x86asm.CALL, x86asm.RET, x86asm.XLATB,
		x86asm.NOP, x86asm.PAUSE, x86asm.LFENCE, x86asm.MFENCE, x86asm.SFENCE,
		x86asm.PREFETCHT0, x86asm.PREFETCHT1, x86asm.PREFETCHT2, x86asm.PREFETCHNTA, x86asm.PREFETCHW,
		x86asm.MOVBE, x86asm.CRC32,
		x86asm.ANDN, x86asm.BEXTR, x86asm.BLSI, x86asm.BLSMSK, x86asm.BLSR, x86asm.BZHI,
		x86asm.MULX, x86asm.PDEP, x86asm.PEXT, x86asm.RORX, x86asm.SARX, x86asm.SHLX, x86asm.SHRX,
	} {
		oracleOps[op] = true
	}
	for i := range 16 {
		oracleOps[jccOps[i]] = true
		oracleOps[setccOps[i]] = true
		oracleOps[cmovOps[i]] = true
	}
}

// lockableOps may take a LOCK prefix, with a memory destination (SDM
// Vol. 2 "LOCK"); any other use raises #UD.
var lockableOps = map[x86asm.Op]bool{
	x86asm.ADD: true, x86asm.ADC: true, x86asm.AND: true, x86asm.BTC: true, x86asm.BTR: true,
	x86asm.BTS: true, x86asm.CMPXCHG: true, x86asm.CMPXCHG8B: true, x86asm.CMPXCHG16B: true,
	x86asm.DEC: true, x86asm.INC: true, x86asm.NEG: true, x86asm.NOT: true, x86asm.OR: true,
	x86asm.SBB: true, x86asm.SUB: true, x86asm.XOR: true, x86asm.XADD: true, x86asm.XCHG: true,
}

// Control transfers: their target must be the end of the snippet.
var branchOps = map[x86asm.Op]bool{
	x86asm.JMP: true, x86asm.CALL: true, x86asm.RET: true, x86asm.LOOP: true,
	x86asm.LOOPE: true, x86asm.LOOPNE: true, x86asm.JRCXZ: true, x86asm.JECXZ: true,
}

func init() {
	for _, op := range jccOps {
		branchOps[op] = true
	}
}

// String operations: kind and element size.
func stringOp(op x86asm.Op) (kind int, size uint8, ok bool) {
	switch op {
	case x86asm.MOVSB, x86asm.MOVSW, x86asm.MOVSD, x86asm.MOVSQ:
		kind = strMovs
	case x86asm.STOSB, x86asm.STOSW, x86asm.STOSD, x86asm.STOSQ:
		kind = strStos
	case x86asm.LODSB, x86asm.LODSW, x86asm.LODSD, x86asm.LODSQ:
		kind = strLods
	case x86asm.SCASB, x86asm.SCASW, x86asm.SCASD, x86asm.SCASQ:
		kind = strScas
	case x86asm.CMPSB, x86asm.CMPSW, x86asm.CMPSD, x86asm.CMPSQ:
		kind = strCmps
	default:
		return 0, 0, false
	}
	switch op {
	case x86asm.MOVSB, x86asm.STOSB, x86asm.LODSB, x86asm.SCASB, x86asm.CMPSB:
		size = 1
	case x86asm.MOVSW, x86asm.STOSW, x86asm.LODSW, x86asm.SCASW, x86asm.CMPSW:
		size = 2
	case x86asm.MOVSD, x86asm.STOSD, x86asm.LODSD, x86asm.SCASD, x86asm.CMPSD:
		size = 4
	default:
		size = 8
	}
	return kind, size, true
}

// oracleReg maps an x86asm general register to its number, size in bytes
// and whether it is a high-byte register (AH..BH). It is the test's own
// table, independent of the lowering's.
func oracleReg(r x86asm.Reg) (num int, size uint8, high, ok bool) {
	switch {
	case r >= x86asm.AL && r <= x86asm.BL:
		return int(r - x86asm.AL), 1, false, true
	case r >= x86asm.AH && r <= x86asm.BH:
		return int(r - x86asm.AH), 1, true, true
	case r >= x86asm.SPB && r <= x86asm.R15B:
		return 4 + int(r-x86asm.SPB), 1, false, true
	case r >= x86asm.AX && r <= x86asm.R15W:
		return int(r - x86asm.AX), 2, false, true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return int(r - x86asm.EAX), 4, false, true
	case r >= x86asm.RAX && r <= x86asm.R15:
		return int(r - x86asm.RAX), 8, false, true
	}
	return 0, 0, false, false
}

func (s *oracleState) reg(r x86asm.Reg) uint64 {
	n, size, high, _ := oracleReg(r)
	if high {
		return s.R[n] >> 8 & 0xff
	}
	return s.R[n] & (^uint64(0) >> (64 - 8*size))
}

// setReg writes v into r as a register write of that size would, except
// that a 32-bit write keeps the upper half (random junk there is part of
// the input).
func (s *oracleState) setReg(r x86asm.Reg, v uint64) {
	n, size, high, _ := oracleReg(r)
	if high {
		s.R[n] = s.R[n]&^0xff00 | (v&0xff)<<8
		return
	}
	m := ^uint64(0) >> (64 - 8*size)
	s.R[n] = s.R[n]&^m | v&m
}

func argKind(x *x86asm.Inst, a x86asm.Arg) string {
	switch a := a.(type) {
	case x86asm.Reg:
		_, size, high, ok := oracleReg(a)
		switch {
		case !ok:
			return "x" + a.String() // not a general register
		case high:
			return "r8h"
		case size == 1 && a >= x86asm.SPB:
			return "r8x"
		}
		return [...]string{1: "r8", 2: "r16", 4: "r32", 8: "r64"}[size]
	case x86asm.Mem:
		return "m" + strconv.Itoa(x.MemBytes*8)
	case x86asm.Imm:
		return "i"
	case x86asm.Rel:
		return "rel"
	}
	return "?"
}

func hasPrefix(x *x86asm.Inst, p x86asm.Prefix) bool {
	for _, q := range prefixesOf(x) {
		if q == 0 {
			break
		}
		if q&0xff == p&0xff && q&x86asm.PrefixIgnored == 0 {
			return true
		}
	}
	return false
}

// prefixesOf returns x's legacy and REX prefixes. x86asm keeps the bytes
// of a VEX prefix there too, and decodes one only when nothing precedes
// it: then there are none.
func prefixesOf(x *x86asm.Inst) []x86asm.Prefix {
	switch x.Prefix[0] & 0xff {
	case x86asm.PrefixVEX3Bytes, x86asm.PrefixVEX2Bytes, x86asm.PrefixEVEX:
		return nil
	}
	return x.Prefix[:]
}

// rawPrefix reports whether x has prefix p, even one x86asm calls ignored.
func rawPrefix(x *x86asm.Inst, p x86asm.Prefix) bool {
	for _, q := range prefixesOf(x) {
		if q == 0 {
			break
		}
		if q&0xff == p&0xff {
			return true
		}
	}
	return false
}

// decode64 decodes code in 64-bit mode as the oracle reads it. x86asm
// takes a VEX-encoded ModRM with mod 00 and r/m 101 for [disp32], as in
// 32-bit mode; in 64-bit mode it is [rip+disp32] (SDM Vol. 2A 2.2.1.6),
// so the oracle looks at the ModRM byte itself and says so.
func decode64(code []byte) (x86asm.Inst, error) {
	x, err := x86asm.Decode(code, 64)
	if err != nil || len(code) == 0 {
		return x, err
	}
	at := -1 // the ModRM byte: after the VEX bytes and the opcode
	switch code[0] {
	case 0xc4:
		at = 4
	case 0xc5:
		at = 3
	}
	if at < 0 || at >= len(code) || code[at]&0xc7 != 0x05 {
		return x, err
	}
	for i, a := range x.Args {
		if m, ok := a.(x86asm.Mem); ok {
			m.Base = x86asm.RIP
			x.Args[i] = m
		}
	}
	return x, err
}

func memArg(x *x86asm.Inst) (x86asm.Mem, bool) {
	for _, a := range x.Args {
		if m, ok := a.(x86asm.Mem); ok {
			return m, true
		}
	}
	return x86asm.Mem{}, false
}

// usesAddr reports whether the address size matters to x: a memory
// operand, a string operation, XLAT or a count-register branch.
func usesAddr(x *x86asm.Inst) bool {
	if _, ok := memArg(x); ok {
		return true
	}
	if _, _, ok := stringOp(x.Op); ok {
		return true
	}
	switch x.Op {
	case x86asm.XLATB, x86asm.LOOP, x86asm.LOOPE, x86asm.LOOPNE, x86asm.JRCXZ, x86asm.JECXZ:
		return true
	}
	return false
}

// formOf names the form of x: the operation, the operand kinds, and the
// operand size, address size and prefixes where they change the meaning.
func formOf(x *x86asm.Inst) string {
	var b strings.Builder
	b.WriteString(x.Op.String())
	for i, a := range x.Args {
		if a == nil {
			break
		}
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(argKind(x, a))
	}
	if x.Args[0] == nil || x.Op == x86asm.PUSH || x.Op == x86asm.POP {
		fmt.Fprintf(&b, " o%d", x.DataSize)
	}
	if usesAddr(x) {
		fmt.Fprintf(&b, " a%d", x.AddrSize)
	}
	if _, _, ok := stringOp(x.Op); ok {
		if hasPrefix(x, x86asm.PrefixREP) {
			b.WriteString(" rep")
		}
		if hasPrefix(x, x86asm.PrefixREPN) {
			b.WriteString(" repne")
		}
	}
	if hasPrefix(x, x86asm.PrefixLOCK) {
		b.WriteString(" lock")
	}
	return b.String()
}

// An oracleForm is one form with a few of its encodings.
type oracleForm struct {
	key  string
	op   x86asm.Op
	encs [][]byte
	seen int // encodings found by the sweep
}

const formEncodings = 8

type oracleSweep struct {
	forms map[string]*oracleForm
	keys  []string // sorted
	// system lists the forms of integer operations with a segment,
	// control or debug register operand, which the oracle leaves out.
	system []string
}

var (
	sweepOnce sync.Once
	sweepRes  *oracleSweep
)

// integerForms sweeps opcode space once per process.
func integerForms() *oracleSweep {
	sweepOnce.Do(func() { sweepRes = sweep() })
	return sweepRes
}

func sweep() *oracleSweep {
	s := &oracleSweep{forms: map[string]*oracleForm{}}
	rng := rand.New(rand.NewPCG(1, 2))
	sys := map[string]bool{}
	tail := []byte{0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	// add records the instruction at the start of code and returns its
	// length (0 if it does not decode).
	// isOp is oracleOps as a slice, for speed.
	var isOp []bool
	for op := range oracleOps {
		if int(op) >= len(isOp) {
			isOp = append(isOp, make([]bool, int(op)+1-len(isOp))...)
		}
		isOp[op] = true
	}
	integer := func(op x86asm.Op) bool { return int(op) < len(isOp) && isOp[op] }
	add := func(code []byte) int {
		x, err := decode64(code)
		if err != nil {
			return 0
		}
		if !integer(x.Op) {
			return x.Len
		}
		enc := code[:x.Len]
		k := formOf(&x)
		if strings.Contains(k, "x") {
			if !sys[k] {
				sys[k] = true
				s.system = append(s.system, k)
			}
			return x.Len
		}
		f := s.forms[k]
		if f == nil {
			f = &oracleForm{key: k, op: x.Op}
			s.forms[k] = f
		}
		f.seen++
		e := append([]byte{}, enc...)
		// The first encoding found has the fewest prefixes; the others
		// are a uniform sample of the rest (reservoir sampling).
		if len(f.encs) < formEncodings {
			f.encs = append(f.encs, e)
		} else if j := 1 + rng.IntN(f.seen-1); j < formEncodings {
			f.encs[j] = e
		}
		return x.Len
	}
	// ModRM (and SIB, displacement) shapes: registers, [reg], [reg+disp8],
	// [reg+disp32], [rip+disp32], SIB with and without base or index.
	var modrms [][]byte
	for reg := byte(0); reg < 8; reg++ {
		r := reg << 3
		modrms = append(modrms,
			[]byte{0xc0 | r | 1}, []byte{0xc0 | r}, []byte{0xc0 | r | 4}, []byte{0xc0 | r | 5}, []byte{0xc0 | r | 7},
			[]byte{r | 3}, []byte{0x40 | r | 6, 0x08}, []byte{0x80 | r | 5, 0, 1, 0, 0},
			[]byte{r | 5, 0, 0, 0, 0}, []byte{r | 4, 0x4b}, // [rbx+rcx*2]
			[]byte{r | 4, 0x8d, 0, 0, 0, 0},  // [rcx*4+disp32]
			[]byte{0x40 | r | 4, 0x24, 0x10}) // [rsp+disp8]
	}
	legacy := [][]byte{{}, {0x66}, {0x67}, {0xf3}, {0xf2}, {0xf0}, {0x66, 0x67}, {0xf3, 0x67},
		{0xf2, 0x67}, {0xf3, 0x66}, {0xf2, 0x66}, {0xf0, 0x66}}
	rexes := []int{-1, 0x40, 0x48, 0x41, 0x44, 0x42, 0x4d, 0x4f}
	maps := [][]byte{{}, {0x0f}, {0x0f, 0x38}, {0x0f, 0x3a}}
	isPrefix := func(b byte) bool {
		switch b {
		case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x0f, 0xc4, 0xc5, 0x62:
			return true
		}
		return b&0xf0 == 0x40
	}
	var buf []byte
	build := func(l []byte, rex int, m []byte, op byte, modrm []byte) []byte {
		buf = append(buf[:0], l...)
		if rex >= 0 {
			buf = append(buf, byte(rex))
		}
		buf = append(append(append(buf, m...), op), modrm...)
		return append(buf, tail...)
	}
	for mi, m := range maps {
		for op := 0; op < 256; op++ {
			if mi == 0 && isPrefix(byte(op)) || mi == 1 && (op == 0x38 || op == 0x3a) {
				continue
			}
			for _, l := range legacy {
				// Skip combinations that decode to nothing integer.
				any := false
				for reg := byte(0); reg < 8 && !any; reg++ {
					for _, mr := range []byte{0xc0 | reg<<3, reg << 3} {
						x, err := x86asm.Decode(build(l, 0x48, m, byte(op), []byte{mr}), 64)
						if err == nil && integer(x.Op) {
							any = true
						}
					}
				}
				if !any {
					continue
				}
				for _, rex := range rexes {
					// Without a ModRM byte every shape decodes the same.
					at := len(build(l, rex, m, byte(op), nil)) - len(tail)
					x1, err1 := x86asm.Decode(build(l, rex, m, byte(op), []byte{0xc0}), 64)
					x2, err2 := x86asm.Decode(build(l, rex, m, byte(op), []byte{0xff}), 64)
					if err1 == nil && err2 == nil && x1.Op != 0 && x1.Op == x2.Op && x1.Len <= at && x2.Len <= at {
						add(build(l, rex, m, byte(op), nil))
						continue
					}
					for _, mr := range modrms {
						add(build(l, rex, m, byte(op), mr))
					}
				}
			}
		}
	}
	// VEX-encoded BMI1/BMI2 (maps 0F38 F0-F7 and 0F3A F0).
	for mp := byte(2); mp <= 3; mp++ {
		for op := 0xf0; op <= 0xf7; op++ {
			for w := byte(0); w < 2; w++ {
				for pp := byte(0); pp < 4; pp++ {
					// 0xe: W1 and pp 0, 2 or 3 make the second VEX
					// byte F0, F3 or F2, which are not prefixes.
					for _, vvvv := range []byte{0xf, 0xe, 0xa, 0x3} {
						for _, mr := range modrms {
							code := append([]byte{0xc4, 0xe0 | mp, w<<7 | vvvv<<3 | pp, byte(op)}, mr...)
							add(append(code, tail...))
						}
					}
				}
			}
		}
	}
	for k := range s.forms {
		s.keys = append(s.keys, k)
	}
	sort.Strings(s.keys)
	sort.Strings(s.system)
	return s
}

// An oracleVariant is an encoding with its immediate, relative target or
// absolute displacement fixed, ready to run from many states.
type oracleVariant struct {
	x      x86asm.Inst
	code   []byte // the instruction
	snip   []byte // the instruction and, for branches, the marker
	target uint64 // memory operand address fixed in the encoding, or 0
}

// hkMarker follows a branch: it runs only when the branch is not taken
// (not rax, which leaves the flags alone). Taken branches go to its end.
var hkMarker = []byte{0x48, 0xf7, 0xd0}

// immBytes finds the bytes of the immediate and of the displacement of
// x's encoding: the positions where changing the byte changes only that
// value.
func immBytes(code []byte, x *x86asm.Inst) (immOff, immLen, dispOff, dispLen int) {
	immOff, dispOff = -1, -1
	c := append([]byte{}, code...)
	for i := len(code) - 1; i >= 0; i-- {
		c[i] ^= 0x5a
		y, err := decode64(c)
		c[i] = code[i]
		if err != nil || y.Op != x.Op || y.Len != x.Len {
			continue
		}
		imm, disp := false, false
		same := true
		for j, a := range x.Args {
			b := y.Args[j]
			if a == b {
				continue
			}
			switch a := a.(type) {
			case x86asm.Imm:
				if _, ok := b.(x86asm.Imm); ok {
					imm = true
					continue
				}
			case x86asm.Mem:
				if m, ok := b.(x86asm.Mem); ok && m.Base == a.Base && m.Index == a.Index && m.Scale == a.Scale && m.Segment == a.Segment {
					disp = true
					continue
				}
			}
			same = false
		}
		switch {
		case !same:
		case imm && !disp:
			immOff = i
			immLen++
		case disp && !imm:
			dispOff = i
			dispLen++
		}
	}
	return
}

// Edge values for immediates and registers.
var oracleEdges = []uint64{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff,
	0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
	0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe,
	0xffffffff80000000, 0xffffffffffff8000, 0xffffffffffffff80, 0x5555555555555555, 0xaaaaaaaaaaaaaaaa}

// variants makes n variants of an encoding: edge and random immediates,
// branch targets at the end of the snippet, absolute and RIP-relative
// memory operands aimed into the data window. ok is false when the
// encoding cannot be aimed (it is then not run natively).
func variants(enc []byte, n int, rng *rand.Rand) (vs []oracleVariant, ok bool) {
	x, err := decode64(enc)
	if err != nil {
		return nil, false
	}
	immOff, immLen, dispOff, dispLen := immBytes(enc, &x)
	branch := branchOps[x.Op]
	m, hasMem := memArg(&x)
	// An operand with neither base nor index register, or RIP-relative,
	// is aimed here; the others by setting their registers (constrain).
	fixedMem := hasMem && (m.Base == 0 && m.Index == 0 || m.Base == x86asm.RIP || m.Base == x86asm.EIP)
	if _, rel := x.Args[0].(x86asm.Rel); rel && (x.PCRel == 0 || x.Args[1] != nil) {
		return nil, false
	}
	if immLen == 0 && !fixedMem {
		n = 1
	}
	for i := range n {
		code := append([]byte{}, enc...)
		if x.Op == x86asm.ENTER {
			// A small frame; nesting level 0 first, then 1 to 3, any
			// level up to 31, or one that is taken modulo 32.
			binary.LittleEndian.PutUint16(code[len(code)-3:], uint16(rng.IntN(64)))
			level := 0
			if i > 0 {
				switch rng.IntN(4) {
				case 0, 1:
					level = 1 + rng.IntN(3)
				case 2:
					level = rng.IntN(32)
				default:
					level = 32*(1+rng.IntN(7)) + rng.IntN(4)
				}
			}
			code[len(code)-1] = byte(level)
		} else if immLen > 0 {
			v := oracleEdges[rng.IntN(len(oracleEdges))]
			if i > 0 && rng.IntN(2) == 0 {
				v = rng.Uint64()
			}
			if i == 0 && rng.IntN(2) == 0 {
				v = 1
			}
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], v)
			copy(code[immOff:immOff+immLen], b[:])
		}
		v := oracleVariant{code: code}
		end := uint64(hkSnip + len(code))
		if branch {
			end += uint64(len(hkMarker))
		}
		if _, rel := x.Args[0].(x86asm.Rel); rel {
			d := int64(len(hkMarker))
			switch x.PCRel {
			case 1:
				code[x.PCRelOff] = byte(d)
			case 2:
				binary.LittleEndian.PutUint16(code[x.PCRelOff:], uint16(d))
			case 4:
				binary.LittleEndian.PutUint32(code[x.PCRelOff:], uint32(d))
			}
		}
		if fixedMem {
			if dispLen != 4 && dispLen != 8 {
				return nil, false
			}
			t := uint64(hkData + 0x1000 + rng.IntN(0x2000))
			if x.Op == x86asm.CMPXCHG16B {
				t &^= 15
			}
			d := t
			if m.Base != 0 {
				d = t - uint64(hkSnip+len(code)) // RIP-relative: from the next instruction
			}
			if dispLen == 4 {
				binary.LittleEndian.PutUint32(code[dispOff:], uint32(d))
			} else {
				binary.LittleEndian.PutUint64(code[dispOff:], d)
			}
			v.target = t
		}
		v.x, err = decode64(code)
		if err != nil || v.x.Len != len(code) || v.x.Op != x.Op {
			return nil, false
		}
		v.snip = code
		if branch {
			v.snip = append(append([]byte{}, code...), hkMarker...)
		}
		vs = append(vs, v)
	}
	return vs, true
}
