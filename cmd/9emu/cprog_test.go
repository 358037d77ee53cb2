package main

// sum.c, a small C program assembled by hand the way 8c/6c and 8l/6l
// would compile and link it, with the symbol table (text and data
// symbols, .frame sizes, the source history) and the pc/line table that
// the tracer, the debugger, crash reports and profiles read. It exercises
// the C conventions Go programs do not: arguments on the stack, frames
// unwound by .frame, INT $0x40 and SYSCALL.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"9emu/aout"
)

// sumSource is the program, as its pc/line table and history tell it.
const sumSource = `/* sum.c: a small C program, assembled by hand for 9emu's tests */

int	total;
int	calls;

int
add(int a, int b)
{
	calls++;
	return a + b;
}

void
poke(void)
{
	*(int*)0 = 42;
}

void
main(int argc, char **argv)
{
	int i, s;

	s = 0;
	for(i = 1; i <= 10; i++)
		s = add(s, i);
	total = s;
	pwrite(1, "sum done\n", 9, -1);
	if(argc > 1)
		poke();
	exits(nil);
}
`

// sumFile is the source file's name in the program's history.
const sumFile = "/sys/src/9emu/sum.c"

// cAsm assembles text for one architecture, remembering the source line
// of each instruction and the labels it jumps to.
type cAsm struct {
	arch   aout.Arch
	w      int // word size
	text   []byte
	lines  []pcLine // instruction start offsets and lines
	labels map[string]int
	fixups []cFixup
	line   int // the line of the instructions being emitted
}

type pcLine struct{ off, line int }

type cFixup struct {
	at    int // offset of the rel field
	size  int // 1 or 4
	label string
}

func newCAsm(arch aout.Arch) *cAsm {
	return &cAsm{arch: arch, w: arch.PtrSize(), labels: map[string]int{}}
}

func (a *cAsm) textStart() uint64 {
	return a.arch.UTZero() + map[aout.Arch]uint64{aout.Arch386: 32, aout.ArchAMD64: 40}[a.arch]
}

// inst emits one instruction.
func (a *cAsm) inst(b ...byte) {
	a.lines = append(a.lines, pcLine{len(a.text), a.line})
	a.text = append(a.text, b...)
}

func (a *cAsm) label(name string) { a.labels[name] = len(a.text) }

func (a *cAsm) le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// rexW is the REX.W prefix on amd64 (for SP arithmetic), nothing on 386.
func (a *cAsm) rexW() []byte {
	if a.arch == aout.ArchAMD64 {
		return []byte{0x48}
	}
	return nil
}

func (a *cAsm) subSP(n byte) { a.inst(append(a.rexW(), 0x83, 0xEC, n)...) }
func (a *cAsm) addSP(n byte) { a.inst(append(a.rexW(), 0x83, 0xC4, n)...) }

// loadSP: MOVL d(SP), AX; storeSP: MOVL AX, d(SP).
func (a *cAsm) loadSP(d byte)  { a.inst(0x8B, 0x44, 0x24, d) }
func (a *cAsm) storeSP(d byte) { a.inst(0x89, 0x44, 0x24, d) }

// rel emits an instruction with a rel8 or rel32 to label.
func (a *cAsm) rel(label string, size int, op ...byte) {
	a.inst(append(op, make([]byte, size)...)...)
	a.fixups = append(a.fixups, cFixup{len(a.text) - size, size, label})
}

// pushImm pushes a sign-extended 32-bit value.
func (a *cAsm) pushImm(v int32) { a.inst(append([]byte{0x68}, a.le32(uint32(v))...)...) }

// sys makes a system call as a libc stub would be called: arguments
// pushed, a zero return address under them.
func (a *cAsm) sys(n int, args ...int32) {
	for i := len(args) - 1; i >= 0; i-- {
		a.pushImm(args[i])
	}
	a.pushImm(0)
	if a.arch == aout.ArchAMD64 {
		a.inst(append([]byte{0xBD}, a.le32(uint32(n))...)...) // MOVL $n, BP
		a.inst(0x0F, 0x05)                                    // SYSCALL
	} else {
		a.inst(append([]byte{0xB8}, a.le32(uint32(n))...)...) // MOVL $n, AX
		a.inst(0xCD, 0x40)                                    // INT $0x40
	}
	a.addSP(byte((len(args) + 1) * a.w))
}

// resolve fills in the jumps and calls.
func (a *cAsm) resolve(t testing.TB) {
	for _, f := range a.fixups {
		to, ok := a.labels[f.label]
		if !ok {
			t.Fatalf("no label %s", f.label)
		}
		d := to - (f.at + f.size)
		if f.size == 1 {
			if d < -128 || d > 127 {
				t.Fatalf("jump to %s too far", f.label)
			}
			a.text[f.at] = byte(int8(d))
		} else {
			binary.LittleEndian.PutUint32(a.text[f.at:], uint32(int32(d)))
		}
	}
}

// pcLineTable encodes the pc/line table (plan9-abi.md §1.6): from (text
// start - 1, line 0), each byte either changes the line or advances the
// pc, and then advances the pc by one; a query answers the line of the
// first state whose pc is at least the one asked for.
func (a *cAsm) pcLineTable() []byte {
	var out []byte
	pc, line := -1, 0
	ends := make([]int, len(a.lines))
	for i := range a.lines {
		ends[i] = len(a.text)
		if i+1 < len(a.lines) {
			ends[i] = a.lines[i+1].off
		}
	}
	advance := func(n int) { // pc += n with advance bytes, each adding k+1 (k <= 126)
		for n > 0 {
			k := min(n, 127)
			out = append(out, byte(129+k-1))
			pc += k
			n -= k
		}
	}
	for i, l := range a.lines {
		// Invariant: pc == l.off-1.
		if d := l.line - line; d != 0 {
			switch {
			case d > 0 && d <= 64:
				out = append(out, byte(d))
			case d < 0 && d >= -64:
				out = append(out, byte(64-d))
			default:
				out = append(out, 0)
				out = binary.BigEndian.AppendUint32(out, uint32(int32(d)))
			}
			line = l.line
			pc++
			advance(ends[i] - 1 - pc)
		} else {
			advance(ends[i] - 1 - pc)
		}
	}
	out = append(out, 129) // a last state, so that the last instruction's is checked
	if len(out)%2 != 0 {
		out = append(out, 129)
	}
	return out
}

// sumLayout are the addresses of sum's data and functions.
type sumLayout struct {
	total, calls, msg        uint64
	main, add, poke, _main   uint64
	callAdd, callPoke, after uint64 // the CALLs in main and the instruction after CALL add
	pokeStore                uint64
}

// buildSum assembles sum.c for arch and returns the a.out and its
// addresses.
func buildSum(t testing.TB, arch aout.Arch) ([]byte, sumLayout) {
	a := newCAsm(arch)
	w := a.w
	textLen := 0x100 // fixed, so that the data address is known up front
	start := a.textStart()
	dataBase := (start + uint64(textLen) + arch.SegAlign() - 1) &^ (arch.SegAlign() - 1)
	var lay sumLayout
	lay.total, lay.calls, lay.msg = dataBase, dataBase+4, dataBase+8
	abs := func(v uint64) []byte { return a.le32(uint32(v)) }

	// _main: the libc start-up, with no source line.
	a.label("_main")
	a.line = 0
	a.subSP(byte(2 * w))
	a.loadSP(byte(2 * w))    // argc
	a.inst(0x89, 0x04, 0x24) // MOVL AX, 0(SP)
	a.rel("main", 4, 0xE8)
	a.sys(8, 0) // exits(nil)

	// main: frame F: 0 a, w b, 2w i, 3w s; .frame F+w.
	F := byte(4 * w)
	I, S := byte(2*w), byte(3*w)
	a.label("main")
	a.line = 21
	a.subSP(F)
	a.line = 24
	a.inst(0xC7, 0x44, 0x24, S, 0, 0, 0, 0) // MOVL $0, s
	a.line = 25
	a.inst(0xC7, 0x44, 0x24, I, 1, 0, 0, 0) // MOVL $1, i
	a.label("loop")
	a.loadSP(I)
	a.inst(0x83, 0xF8, 10) // CMPL AX, $10
	a.rel("done", 1, 0x7F) // JGT done
	a.line = 26
	a.loadSP(S)
	a.inst(0x89, 0x04, 0x24) // MOVL AX, 0(SP)
	a.loadSP(I)
	a.storeSP(byte(w))
	a.label("calladd")
	a.rel("add", 4, 0xE8)
	a.label("afteradd")
	a.storeSP(S)
	a.line = 25
	a.inst(0x83, 0x44, 0x24, I, 1) // ADDL $1, i
	a.rel("loop", 1, 0xEB)
	a.label("done")
	a.line = 27
	a.loadSP(S)
	a.inst(append([]byte{0x89, 0x04, 0x25}, abs(lay.total)...)...) // MOVL AX, total
	a.line = 28
	if arch == aout.Arch386 {
		a.sys(51, 1, int32(lay.msg), 9, -1, -1)
	} else {
		a.sys(51, 1, int32(lay.msg), 9, -1)
	}
	a.line = 29
	a.loadSP(F + byte(w))  // argc
	a.inst(0x83, 0xF8, 1)  // CMPL AX, $1
	a.rel("skip", 1, 0x7E) // JLE skip
	a.line = 30
	a.label("callpoke")
	a.rel("poke", 4, 0xE8)
	a.label("skip")
	a.line = 31
	a.sys(8, 0)
	a.line = 32
	a.addSP(F)
	a.inst(0xC3)

	// add: a leaf with no frame (.frame w).
	a.label("add")
	a.line = 9
	a.inst(append(append([]byte{0x83, 0x04, 0x25}, abs(lay.calls)...), 1)...) // ADDL $1, calls
	a.line = 10
	a.loadSP(byte(w))
	a.inst(0x03, 0x44, 0x24, byte(2*w)) // ADDL b, AX
	a.line = 11
	a.inst(0xC3)

	// poke.
	a.label("poke")
	a.line = 16
	a.label("pokestore")
	a.inst(0xC7, 0x04, 0x25, 0, 0, 0, 0, 42, 0, 0, 0) // MOVL $42, 0
	a.line = 17
	a.inst(0xC3)
	a.label("etext")

	a.resolve(t)
	if len(a.text) > textLen {
		t.Fatalf("sum: text is %d bytes", len(a.text))
	}
	pcl := a.pcLineTable()
	end := len(a.text)
	text := append(a.text, make([]byte, textLen-len(a.text))...)
	at := func(name string) uint64 { return start + uint64(a.labels[name]) }
	lay.main, lay.add, lay.poke, lay._main = at("main"), at("add"), at("poke"), at("_main")
	lay.callAdd, lay.callPoke, lay.after, lay.pokeStore = at("calladd"), at("callpoke"), at("afteradd"), at("pokestore")
	data := make([]byte, 8)
	data = append(data, "sum done\n\x00"...)
	b := aout.Builder{
		Arch: arch, Text: text, Data: data, Entry: lay._main, PCLine: pcl,
		Syms: []aout.Sym{
			{Value: 1, Type: 'z', Name: sumFile},
			{Value: 33, Type: 'z', Name: ""},
			{Value: lay._main, Type: 'T', Name: "_main"},
			{Value: uint64(3 * w), Type: 'm', Name: ".frame"},
			{Value: lay.main, Type: 'T', Name: "main"},
			{Value: uint64(F) + uint64(w), Type: 'm', Name: ".frame"},
			{Value: lay.add, Type: 'T', Name: "add"},
			{Value: uint64(w), Type: 'm', Name: ".frame"},
			{Value: lay.poke, Type: 'T', Name: "poke"},
			{Value: uint64(w), Type: 'm', Name: ".frame"},
			{Value: start + uint64(end), Type: 'T', Name: "etext"},
			{Value: lay.total, Type: 'D', Name: "total"},
			{Value: lay.calls, Type: 'D', Name: "calls"},
			{Value: lay.msg, Type: 'D', Name: ".string"},
		},
	}
	img := b.Bytes()
	f, err := aout.NewFile(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatalf("sum for %v does not load: %v", arch, err)
	}
	if f.Layout.DataBase != dataBase {
		t.Fatalf("sum: data at %#x, want %#x", f.Layout.DataBase, dataBase)
	}
	return img, lay
}

// sumRoot writes sum for arch as /sum in a new root directory.
func sumRoot(t testing.TB, arch aout.Arch) (root string, lay sumLayout) {
	img, lay := buildSum(t, arch)
	root = t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "sum"), img, 0o755); err != nil {
		t.Fatal(err)
	}
	return root, lay
}

var cArches = []aout.Arch{aout.Arch386, aout.ArchAMD64}

func archName(a aout.Arch) string { return fmt.Sprint(a) }

// The hand-made tables say what sum.c says.
func TestSumTables(t *testing.T) {
	for _, arch := range cArches {
		img, lay := buildSum(t, arch)
		f, err := aout.NewFile(bytes.NewReader(img), int64(len(img)))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			pc   uint64
			line int
		}{{lay.main, 21}, {lay.callAdd, 26}, {lay.after, 26}, {lay.add, 9}, {lay.add + 1, 9}, {lay.pokeStore, 16}, {lay.callPoke, 30}} {
			file, line, ok := f.LineAt(c.pc)
			if !ok || file != sumFile || line != c.line {
				t.Errorf("%v: LineAt(%#x) = %s:%d %v, want %s:%d", arch, c.pc, file, line, ok, sumFile, c.line)
			}
		}
		if _, _, ok := f.LineAt(lay._main); ok {
			t.Errorf("%v: _main has a line", arch)
		}
		if pc, ok := f.PCForLine("sum.c", 26); !ok || pc < lay.main || pc > lay.callAdd {
			t.Errorf("%v: PCForLine(sum.c:26) = %#x %v", arch, pc, ok)
		}
	}
}
