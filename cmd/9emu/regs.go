package main

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"9emu/cpu"
)

// regNames are the general registers in hardware order, named as Plan 9
// assembler names them (on 386 too).
var regNames = [16]string{"AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI",
	"R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"}

// regs is a copy of the registers a trace line or a report shows.
type regs struct {
	R     [16]uint64
	PC    uint64
	Flags uint64
	X     [16][2]uint64
	MXCSR uint32
	FSW   uint16 // x87 status word (TOP included), control word and tags
	FCW   uint16
	FTag  uint8
	F     [8]cpu.F80 // physical x87 registers
}

// snapshot copies c's registers. Reading the flags materialises the lazy
// arithmetic record; the CPU computes the same flags either way.
func snapshot(c *cpu.CPU) regs {
	var r regs
	copy(r.R[:], c.R[:16])
	r.PC = c.PC
	r.Flags = c.Flags()
	r.X = c.X
	r.MXCSR = c.MXCSR
	r.FSW, r.FCW, r.FTag, r.F = c.FPU.SW, c.FPU.CW, c.FPU.Tag, c.FPU.R
	return r
}

// nregs is the number of general registers of a mode.
func nregs(mode cpu.Mode) int {
	if mode == cpu.Mode64 {
		return 16
	}
	return 8
}

// hexWord formats a register value at the mode's width.
func hexWord(mode cpu.Mode, v uint64) string {
	if mode == cpu.Mode64 {
		return fmt.Sprintf("%#x", v)
	}
	return fmt.Sprintf("%#x", uint32(v))
}

// The EFLAGS bits a user program sees, by name.
var flagBits = []struct {
	bit  uint64
	name string
}{{1 << 0, "CF"}, {1 << 2, "PF"}, {1 << 4, "AF"}, {1 << 6, "ZF"}, {1 << 7, "SF"}, {1 << 8, "TF"},
	{1 << 9, "IF"}, {1 << 10, "DF"}, {1 << 11, "OF"}, {1 << 18, "AC"}, {1 << 21, "ID"}}

// flagString spells out the flags that are set, joined by sep.
func flagString(f uint64, sep string) string {
	var s []string
	for _, b := range flagBits {
		if f&b.bit != 0 {
			s = append(s, b.name)
		}
	}
	if len(s) == 0 {
		return "0"
	}
	return strings.Join(s, sep)
}

// stIndex returns the physical register that holds ST(i).
func (r *regs) stIndex(i int) int { return (int(r.FSW>>11) + i) & 7 }

// stValid reports whether ST(i) holds a value.
func (r *regs) stValid(i int) bool { return r.FTag&(1<<r.stIndex(i)) != 0 }

// changes lists the registers that differ between before and after, as
// NAME=value, for an instruction trace.
func changes(mode cpu.Mode, before, after *regs) string {
	var s []string
	for i := 0; i < nregs(mode); i++ {
		if before.R[i] != after.R[i] {
			s = append(s, regNames[i]+"="+hexWord(mode, after.R[i]))
		}
	}
	const arith = 0x8D5 // CF PF AF ZF SF OF
	if before.Flags&arith != after.Flags&arith || before.Flags&^arith != after.Flags&^arith {
		s = append(s, "FLAGS="+flagString(after.Flags, "|"))
	}
	for i := range after.X {
		if before.X[i] != after.X[i] {
			s = append(s, fmt.Sprintf("X%d=%s", i, xmmHex(after.X[i])))
		}
	}
	if before.MXCSR != after.MXCSR {
		s = append(s, fmt.Sprintf("MXCSR=%#x", after.MXCSR))
	}
	// The x87 stack, by stack position after the instruction.
	for i := 0; i < 8; i++ {
		bi := before.stIndex(i)
		ai := after.stIndex(i)
		bv, av := before.stValid(i), after.stValid(i)
		if av && (!bv || before.F[bi] != after.F[ai]) {
			s = append(s, fmt.Sprintf("F%d=%s", i, f80String(after.F[ai])))
		} else if bv && !av {
			s = append(s, fmt.Sprintf("F%d=empty", i))
		}
	}
	if before.FCW != after.FCW {
		s = append(s, fmt.Sprintf("FCW=%#x", after.FCW))
	}
	return strings.Join(s, " ")
}

// xmmHex shows an XMM register as one 128-bit hex number.
func xmmHex(x [2]uint64) string { return fmt.Sprintf("%#016x%016x", x[1], x[0]) }

// f80String shows an x87 value in decimal, exactly enough to tell apart
// any two values (21 significant digits).
func f80String(f cpu.F80) string {
	neg := f.SE&0x8000 != 0
	exp := int(f.SE & 0x7FFF)
	sign := ""
	if neg {
		sign = "-"
	}
	switch {
	case exp == 0x7FFF && f.Mant<<1 == 0:
		return sign + "Inf"
	case exp == 0x7FFF:
		return "NaN"
	case f.Mant == 0:
		return sign + "0"
	}
	if exp == 0 {
		exp = 1 // denormal
	}
	v := new(big.Float).SetPrec(64).SetUint64(f.Mant)
	v.SetMantExp(v, exp-16383-63)
	if neg {
		v.Neg(v)
	}
	return v.Text('g', 21)
}

// regsText formats the general registers, the PC and the flags spelled
// out, several to a line, as the debugger's regs command and the crash
// report show them.
func regsText(mode cpu.Mode, r *regs) string {
	var b strings.Builder
	n := nregs(mode)
	w := 10
	if mode == cpu.Mode64 {
		w = 18
	}
	for i := 0; i < n; i++ {
		if i%4 == 3 {
			fmt.Fprintf(&b, "%-3s %s\n", regNames[i], hexWord(mode, r.R[i]))
		} else {
			fmt.Fprintf(&b, "%-3s %-*s ", regNames[i], w, hexWord(mode, r.R[i]))
		}
	}
	fmt.Fprintf(&b, "PC  %-*s FLAGS %#x %s\n", w, hexWord(mode, r.PC), r.Flags, flagString(r.Flags, " "))
	return b.String()
}

// fpText formats the x87 stack and its control and status words.
func fpText(r *regs) string {
	var b strings.Builder
	fmt.Fprintf(&b, "FCW %#04x FSW %#04x TOP %d\n", r.FCW, r.FSW, r.FSW>>11&7)
	for i := 0; i < 8; i++ {
		if !r.stValid(i) {
			fmt.Fprintf(&b, "F%d  empty\n", i)
			continue
		}
		f := r.F[r.stIndex(i)]
		fmt.Fprintf(&b, "F%d  %-24s (%#04x %#016x)\n", i, f80String(f), f.SE, f.Mant)
	}
	return b.String()
}

// xmmText formats the XMM registers of a mode and MXCSR, each as hex and
// as two doubles.
func xmmText(mode cpu.Mode, r *regs) string {
	var b strings.Builder
	n := 8
	if mode == cpu.Mode64 {
		n = 16
	}
	for i := 0; i < n; i++ {
		x := r.X[i]
		fmt.Fprintf(&b, "X%-2d %s  (%g %g)\n", i, xmmHex(x), f64(x[0]), f64(x[1]))
	}
	fmt.Fprintf(&b, "MXCSR %#x\n", r.MXCSR)
	return b.String()
}

func f64(v uint64) float64 { return math.Float64frombits(v) }
