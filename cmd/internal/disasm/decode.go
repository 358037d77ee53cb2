package disasm

import (
	"golang.org/x/arch/x86/x86asm"
)

// SymLookup names an address for an instruction operand: the symbol
// holding it and the symbol's value, or "" if there is none.
type SymLookup func(addr uint64) (name string, base uint64)

// Decode decodes the instruction at the start of b, which lies at pc, for
// a CPU in mode 32 or 64, and returns its length and its text in Go (Plan
// 9) assembler syntax with addresses named by sym (nil names nothing).
// ok is false if b does not start with a valid instruction.
func Decode(b []byte, mode int, pc uint64, sym SymLookup) (n int, text string, ok bool) {
	// x86asm v0.33.0 gives VZEROUPPER and VZEROALL (VEX.L 0/1, 0F 77)
	// a ModRM byte they do not have (plan9-abi.md §10 item 21), which
	// would throw a listing out of step.
	if len(b) >= 3 && b[0] == 0xC5 && b[1]&^0x04 == 0xF8 && b[2] == 0x77 {
		if b[1]&0x04 != 0 {
			return 3, "VZEROALL", true
		}
		return 3, "VZEROUPPER", true
	}
	inst, err := x86asm.Decode(b, mode)
	if err != nil || inst.Len == 0 {
		return 0, "", false
	}
	for i, a := range inst.Args {
		// An absolute address encoded with a SIB byte and no index (as
		// 6l writes them) comes with Scale 1, which keeps GoSyntax from
		// naming it; the scale means nothing without an index.
		if m, ok := a.(x86asm.Mem); ok && m.Base == 0 && m.Index == 0 && m.Scale != 0 {
			m.Scale = 0
			inst.Args[i] = m
		}
	}
	return inst.Len, x86asm.GoSyntax(inst, pc, operandNames(inst, sym)), true
}

// pageSize is the lowest address that is taken for one: page 0 is never
// mapped.
const pageSize = 4096

// operandNames returns the symbol lookup for GoSyntax for one instruction.
// GoSyntax also offers the immediate of a MOVL or PUSHL as an address; an
// immediate below 0x1000 is not taken for one, since page 0 is never
// mapped (it would otherwise name small constants after the functions of a
// file linked at 0).
func operandNames(inst x86asm.Inst, sym SymLookup) x86asm.SymLookup {
	if sym == nil {
		return func(uint64) (string, uint64) { return "", 0 }
	}
	var small [4]uint64
	imm := small[:0]
	for _, a := range inst.Args {
		if v, ok := a.(x86asm.Imm); ok && uint64(v) < pageSize {
			imm = append(imm, uint64(v))
		}
	}
	return func(addr uint64) (string, uint64) {
		for _, v := range imm {
			if v == addr {
				return "", 0
			}
		}
		return sym(addr)
	}
}

// Call reports whether the instruction at the start of b is a call (of any
// form), and its length.
func Call(b []byte, mode int) (n int, ok bool) {
	inst, err := x86asm.Decode(b, mode)
	if err != nil || inst.Len == 0 {
		return 0, false
	}
	return inst.Len, inst.Op == x86asm.CALL || inst.Op == x86asm.LCALL
}
