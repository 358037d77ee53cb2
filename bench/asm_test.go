package bench

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"9emu/aout"
)

// asm is just enough of an x86 assembler for the benchmark programs:
// bytes, 32-bit immediates, labels, and jumps and calls with 32-bit
// displacements resolved at the end. Everything it emits means the same
// in 32- and 64-bit mode unless a method says otherwise.
type asm struct {
	is64   bool
	b      []byte
	labels map[string]int
	fixups []fixup
}

type fixup struct {
	at    int // offset of the rel32 field
	label string
}

func newAsm(is64 bool) *asm { return &asm{is64: is64, labels: map[string]int{}} }

func (a *asm) emit(b ...byte) *asm { a.b = append(a.b, b...); return a }

func (a *asm) imm32(v uint32) *asm { a.b = binary.LittleEndian.AppendUint32(a.b, v); return a }

func (a *asm) label(name string) *asm { a.labels[name] = len(a.b); return a }

// rel32 emits op followed by a 32-bit displacement to label.
func (a *asm) rel32(label string, op ...byte) *asm {
	a.emit(op...)
	a.fixups = append(a.fixups, fixup{len(a.b), label})
	return a.imm32(0)
}

func (a *asm) jmp(label string) *asm  { return a.rel32(label, 0xE9) }
func (a *asm) call(label string) *asm { return a.rel32(label, 0xE8) }
func (a *asm) jnz(label string) *asm  { return a.rel32(label, 0x0F, 0x85) }
func (a *asm) jz(label string) *asm   { return a.rel32(label, 0x0F, 0x84) }
func (a *asm) js(label string) *asm   { return a.rel32(label, 0x0F, 0x88) }

// pushImm pushes a sign-extended 32-bit immediate.
func (a *asm) pushImm(v uint32) *asm { return a.emit(0x68).imm32(v) }

// wide emits a REX.W prefix in 64-bit mode, for an instruction that
// works on the whole stack pointer or another full-width register.
func (a *asm) wide() *asm {
	if a.is64 {
		a.emit(0x48)
	}
	return a
}

// addSP adds n (< 128) to the stack pointer.
func (a *asm) addSP(n byte) *asm { return a.wide().emit(0x83, 0xC4, n) }

// sys makes Plan 9 system call num with the arguments already pushed
// below a dummy return address: INT $0x40 with the number in AX on 386,
// SYSCALL with the number in BP on amd64.
func (a *asm) sys(num uint32) *asm {
	if a.is64 {
		return a.emit(0xBD).imm32(num).emit(0x0F, 0x05)
	}
	return a.emit(0xB8).imm32(num).emit(0xCD, 0x40)
}

// exits calls exits(msg); msg 0 is nil.
func (a *asm) exits(msg uint32) *asm {
	return a.pushImm(msg).emit(0x6A, 0x00).sys(sysExits)
}

// bytes resolves the fixups and returns the code.
func (a *asm) bytes() []byte {
	for _, f := range a.fixups {
		to, ok := a.labels[f.label]
		if !ok {
			panic("asm: undefined label " + f.label)
		}
		binary.LittleEndian.PutUint32(a.b[f.at:], uint32(int32(to-(f.at+4))))
	}
	return a.b
}

// Plan 9 system-call numbers (9front's sys.h).
const (
	sysExec   = 7
	sysExits  = 8
	sysOpen   = 14
	sysRfork  = 19
	sysErrstr = 41
	sysAwait  = 47
	sysPread  = 50
)

// program is a Plan 9 a.out under construction: code that may refer to
// strings and words in the data segment, whose address is only known
// once the text size is.
type program struct {
	arch aout.Arch
	data []byte
	code func(a *asm, data uint32) // emits the text, given the data address
}

// str adds a NUL-terminated string to the data and returns its offset.
func (p *program) str(s string) uint32 {
	for len(p.data)%8 != 0 {
		p.data = append(p.data, 0)
	}
	off := uint32(len(p.data))
	p.data = append(p.data, s...)
	p.data = append(p.data, 0)
	return off
}

// image links the program: the text is laid out once to learn where the
// data goes, then again with that address.
func (p *program) image() ([]byte, error) {
	is64 := p.arch == aout.ArchAMD64
	a := newAsm(is64)
	p.code(a, 0)
	bld := aout.Builder{Arch: p.arch, Text: a.bytes(), Data: p.data}
	img := bld.Bytes()
	f, err := aout.NewFile(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		return nil, err
	}
	base := f.Layout.DataBase
	if base >= 1<<31 {
		return nil, fmt.Errorf("data at %#x: beyond a 32-bit immediate", base)
	}
	a = newAsm(is64)
	p.code(a, uint32(base))
	bld.Text = a.bytes()
	if len(bld.Text) != len(f.Text) {
		return nil, fmt.Errorf("text changed size between passes")
	}
	return bld.Bytes(), nil
}
