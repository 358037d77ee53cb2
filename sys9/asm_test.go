package sys9

import (
	"encoding/binary"
	"fmt"

	"9emu/aout"
	"9emu/cpu"
)

// A tiny x86 assembler for the test programs: just the instructions the
// C conventions need (pushes, moves to and from absolute addresses, the
// system-call traps, compares and jumps), for either architecture. The
// text is padded to a fixed size so that data always starts at the same
// address: 0x4000 on 386, 0x400000 on amd64.

const (
	text386Pad    = 0x4000 - 0x1020 // text [0x1020, 0x4000), data at 0x4000
	dataBase386   = 0x4000
	dataBaseAMD64 = 0x400000
)

type asm struct {
	arch   aout.Arch
	b      []byte
	labels map[string]int
	fixups []asmFixup
	data   []byte
	bss    uint64
	// trapEnd is the address just after the last system-call trap
	// emitted: the PC a note delivered at that call's return names.
	trapEnd uint64
}

type asmFixup struct {
	at    int
	label string
	rel   bool // rel32 from the end of the field; else an absolute address of size width
	width int
}

func newAsm(arch aout.Arch) *asm {
	return &asm{arch: arch, labels: map[string]int{}, bss: 1 << 20}
}

func (a *asm) is64() bool { return a.arch == aout.ArchAMD64 }

// w is the word size.
func (a *asm) w() uint64 { return uint64(a.arch.PtrSize()) }

func (a *asm) textStart() uint64 {
	if a.is64() {
		return 0x200028
	}
	return 0x1020
}

func (a *asm) dataBase() uint64 {
	if a.is64() {
		return dataBaseAMD64
	}
	return dataBase386
}

// bssBase is where the bss starts, given a data segment of at most one
// page (the tests keep data small).
func (a *asm) bssBase() uint64 { return a.dataBase() + 0x1000 }

// pc returns the address the next instruction will have.
func (a *asm) pc() uint64 { return a.textStart() + uint64(len(a.b)) }

func (a *asm) emit(b ...byte) { a.b = append(a.b, b...) }

func (a *asm) imm32(v uint32) { a.b = binary.LittleEndian.AppendUint32(a.b, v) }

func (a *asm) imm64(v uint64) { a.b = binary.LittleEndian.AppendUint64(a.b, v) }

// label defines name at the current position.
func (a *asm) label(name string) {
	if _, ok := a.labels[name]; ok {
		panic("duplicate label " + name)
	}
	a.labels[name] = len(a.b)
}

// addr returns the address of a defined text label.
func (a *asm) addr(name string) uint64 {
	o, ok := a.labels[name]
	if !ok {
		panic("undefined label " + name)
	}
	return a.textStart() + uint64(o)
}

// str places a NUL-terminated string in data and returns its address.
func (a *asm) str(s string) uint64 { return a.bytes([]byte(s + "\x00")) }

// bytes places b in data (8-byte aligned) and returns its address.
func (a *asm) bytes(b []byte) uint64 {
	for len(a.data)%8 != 0 {
		a.data = append(a.data, 0)
	}
	at := a.dataBase() + uint64(len(a.data))
	a.data = append(a.data, b...)
	if len(a.data) > 0x1000 {
		panic("test data larger than a page")
	}
	return at
}

// rex emits a REX prefix on amd64 when needed: w for 64-bit operand
// size, r for the ModRM reg field, b for the ModRM rm or opcode register.
func (a *asm) rex(w bool, r, b int) {
	if !a.is64() {
		return
	}
	x := byte(0x40)
	if w {
		x |= 8
	}
	if r >= 8 {
		x |= 4
	}
	if b >= 8 {
		x |= 1
	}
	if x != 0x40 || w {
		a.emit(x)
	}
}

// movImm loads a register with an immediate (the full word on amd64).
func (a *asm) movImm(r int, v uint64) {
	if a.is64() {
		a.rex(true, 0, r)
		a.emit(0xB8 + byte(r&7))
		a.imm64(v)
		return
	}
	a.emit(0xB8 + byte(r))
	a.imm32(uint32(v))
}

// movLabel loads a register with the address of a text label.
func (a *asm) movLabel(r int, name string) {
	a.movImm(r, 0)
	width := 4
	if a.is64() {
		width = 8
	}
	a.fixups = append(a.fixups, asmFixup{at: len(a.b) - width, label: name, width: width})
}

// movReg copies src into dst (word size).
func (a *asm) movReg(dst, src int) {
	a.rex(true, src, dst)
	a.emit(0x89, 0xC0|byte(src&7)<<3|byte(dst&7))
}

// modrmAbs emits the ModRM (and SIB) for an absolute 32-bit address.
func (a *asm) modrmAbs(reg int, addr uint64) {
	if a.is64() {
		a.emit(byte(reg&7)<<3|4, 0x25)
	} else {
		a.emit(byte(reg&7)<<3 | 5)
	}
	a.imm32(uint32(addr))
}

// modrmBase emits the ModRM for [base+disp32].
func (a *asm) modrmBase(reg, base int, disp int32) {
	a.emit(0x80 | byte(reg&7)<<3 | byte(base&7))
	if base&7 == cpu.RSP {
		a.emit(0x24)
	}
	a.imm32(uint32(disp))
}

// far reports whether an absolute address does not fit a sign-extended
// 32-bit displacement (amd64 stack addresses); such accesses go through
// R11.
func (a *asm) far(addr uint64) bool { return a.is64() && addr >= 1<<31 }

// store writes a register (word size) to an absolute address.
func (a *asm) store(addr uint64, r int) {
	if a.far(addr) {
		a.movImm(cpu.R11, addr)
		a.storeBase(cpu.R11, 0, r)
		return
	}
	a.rex(true, r, 0)
	a.emit(0x89)
	a.modrmAbs(r, addr)
}

// store32 writes the low 32 bits of a register to an absolute address.
func (a *asm) store32(addr uint64, r int) {
	if a.far(addr) {
		panic("store32: far address")
	}
	a.rex(false, r, 0)
	a.emit(0x89)
	a.modrmAbs(r, addr)
}

// load reads a word from an absolute address.
func (a *asm) load(r int, addr uint64) {
	if a.far(addr) {
		a.movImm(cpu.R11, addr)
		a.loadBase(r, cpu.R11, 0)
		return
	}
	a.rex(true, r, 0)
	a.emit(0x8B)
	a.modrmAbs(r, addr)
}

// loadBase reads a word from [base+disp].
func (a *asm) loadBase(r, base int, disp int32) {
	a.rex(true, r, base)
	a.emit(0x8B)
	a.modrmBase(r, base, disp)
}

// storeBase writes a word to [base+disp].
func (a *asm) storeBase(base int, disp int32, r int) {
	a.rex(true, r, base)
	a.emit(0x89)
	a.modrmBase(r, base, disp)
}

// storeImmBase writes a sign-extended 32-bit immediate word to [base+disp].
func (a *asm) storeImmBase(base int, disp int32, v int32) {
	a.rex(true, 0, base)
	a.emit(0xC7)
	a.modrmBase(0, base, disp)
	a.imm32(uint32(v))
}

// cmpImm compares a register (word size) with a sign-extended immediate.
func (a *asm) cmpImm(r int, v int32) {
	a.rex(true, 0, r)
	a.emit(0x81, 0xF8|byte(r&7))
	a.imm32(uint32(v))
}

// lea computes base+disp into dst.
func (a *asm) lea(dst, base int, disp int32) {
	a.rex(true, dst, base)
	a.emit(0x8D)
	a.modrmBase(dst, base, disp)
}

// addImm adds a sign-extended immediate to a register.
func (a *asm) addImm(r int, v int32) {
	a.rex(true, 0, r)
	a.emit(0x81, 0xC0|byte(r&7))
	a.imm32(uint32(v))
}

// subReg subtracts src from dst.
func (a *asm) subReg(dst, src int) {
	a.rex(true, src, dst)
	a.emit(0x29, 0xC0|byte(src&7)<<3|byte(dst&7))
}

// cmpByte0 compares the byte at [r] with zero.
func (a *asm) cmpByte0(r int) {
	a.rex(false, 0, r)
	if r&7 == cpu.RSP || r&7 == cpu.RBP {
		panic("cmpByte0: unsupported base")
	}
	a.emit(0x80, 0x38|byte(r&7), 0)
}

func (a *asm) push(r int) {
	if r >= 8 {
		a.emit(0x41)
	}
	a.emit(0x50 + byte(r&7))
}

func (a *asm) pop(r int) {
	if r >= 8 {
		a.emit(0x41)
	}
	a.emit(0x58 + byte(r&7))
}

// pushImm pushes a full word.
func (a *asm) pushImm(v uint64) {
	if a.is64() {
		if int64(v) == int64(int32(v)) {
			a.emit(0x68)
			a.imm32(uint32(v))
			return
		}
		a.movImm(cpu.R11, v)
		a.push(cpu.R11)
		return
	}
	a.emit(0x68)
	a.imm32(uint32(v))
}

// addSP adds n to the stack pointer.
func (a *asm) addSP(n int32) {
	a.rex(true, 0, 0)
	a.emit(0x81, 0xC4)
	a.imm32(uint32(n))
}

func (a *asm) jmp(name string) { a.emit(0xE9); a.rel(name) }
func (a *asm) je(name string)  { a.emit(0x0F, 0x84); a.rel(name) }
func (a *asm) jne(name string) { a.emit(0x0F, 0x85); a.rel(name) }

func (a *asm) rel(name string) {
	a.fixups = append(a.fixups, asmFixup{at: len(a.b), label: name, rel: true})
	a.imm32(0)
}

// A register argument to sys.
type reg int

// A text-label argument to sys: the label's address.
type lbl string

// sys makes system call n with the given arguments (uint64, int, reg or
// lbl values) in the architecture's convention: on 386 the words are
// pushed with a fake return address below them (vlong arguments, by the
// call's kinds, take two words), on amd64 each takes an 8-byte slot. The
// result is in AX.
func (a *asm) sys(n int, args ...any) {
	kinds := ""
	if n >= 0 && n < len(systab) {
		kinds = systab[n].kinds
	}
	words := 0
	for i := len(args) - 1; i >= 0; i-- {
		vlong := i < len(kinds) && kinds[i] == 'v'
		switch v := args[i].(type) {
		case reg:
			a.push(int(v))
			words++
		case lbl:
			a.movLabel(cpu.RAX, string(v))
			a.push(cpu.RAX)
			words++
		default:
			x := toU64(v)
			if vlong && !a.is64() {
				a.pushImm(x >> 32)
				words++
			}
			a.pushImm(x)
			words++
		}
	}
	a.pushImm(0) // the stub's return address
	words++
	if a.is64() {
		a.movImm(cpu.RBP, uint64(n))
		a.emit(0x0F, 0x05)
	} else {
		a.movImm(cpu.RAX, uint64(n))
		a.emit(0xCD, 0x40)
	}
	a.trapEnd = a.pc()
	a.addSP(int32(words) * int32(a.w()))
}

func toU64(v any) uint64 {
	switch v := v.(type) {
	case int:
		return uint64(int64(v))
	case int64:
		return uint64(v)
	case uint64:
		return v
	case uint32:
		return uint64(v)
	}
	panic(fmt.Sprintf("bad sys argument %T", v))
}

// write writes the bytes at addr to fd.
func (a *asm) write(fd int, addr uint64, n int) { a.sys(51, fd, addr, n, -1) }

// exits ends the program with status s ("" for success).
func (a *asm) exits(s string) {
	if s == "" {
		a.sys(8, 0)
		return
	}
	a.sys(8, a.str(s))
}

// dumpData writes the program's data page to the host file /out/dump, for
// the test to read: a process's memory is released when it exits.
func (a *asm) dumpData() {
	a.sys(22, a.str("/out/dump"), OWRITE, 0644)
	a.sys(51, reg(cpu.RAX), a.dataBase(), 0x1000, 0)
}

// exitsDump dumps the data page, then exits with status s.
func (a *asm) exitsDump(s string) {
	a.dumpData()
	a.exits(s)
}

// copyMem emits rep movsb: n bytes from the address in register src to
// the absolute address dst. It uses SI, DI and CX.
func (a *asm) copyMem(dst uint64, src int, n int) {
	if src != cpu.RSI {
		a.movReg(cpu.RSI, src)
	}
	a.movImm(cpu.RDI, dst)
	a.movImm(cpu.RCX, uint64(n))
	a.emit(0xF3, 0xA4)
}

// image returns the a.out file.
func (a *asm) image() []byte {
	text := append([]byte(nil), a.b...)
	for _, f := range a.fixups {
		o, ok := a.labels[f.label]
		if !ok {
			panic("undefined label " + f.label)
		}
		if f.rel {
			binary.LittleEndian.PutUint32(text[f.at:], uint32(int32(o-(f.at+4))))
			continue
		}
		v := a.textStart() + uint64(o)
		if f.width == 8 {
			binary.LittleEndian.PutUint64(text[f.at:], v)
		} else {
			binary.LittleEndian.PutUint32(text[f.at:], uint32(v))
		}
	}
	if !a.is64() {
		if len(text) > text386Pad {
			panic("386 test text too large")
		}
		text = append(text, make([]byte, text386Pad-len(text))...)
	}
	data := a.data
	if len(data) == 0 {
		data = make([]byte, 8)
	}
	b := aout.Builder{Arch: a.arch, Text: text, Data: data, Bss: a.bss}
	return b.Bytes()
}
