package bench

import (
	"fmt"
	"testing"

	"9emu/cpu"
	"9emu/mem"
)

// The address space the cpu benchmarks run in.
const (
	textBase  = 0x1000
	textTop   = 0x21000
	dataBase  = 0x100000 // RSI points here
	data2     = 0x180000 // RDI points here
	dataTop   = 0x200000
	stackBase = 0x0FF00000
	stackTop  = 0x10000000
)

// newMachine returns a CPU in mode m over a fresh address space holding
// code at textBase, a data segment and a stack.
func newMachine(tb testing.TB, m cpu.Mode, code []byte) *cpu.CPU {
	s := mem.NewSpace()
	text := mem.NewSegment(mem.Text, textBase, textTop, mem.RX)
	if err := text.Load(textBase, code); err != nil {
		tb.Fatal(err)
	}
	for _, g := range []*mem.Segment{
		text,
		mem.NewSegment(mem.Data, dataBase, dataTop, mem.RW),
		mem.NewSegment(mem.Stack, stackBase, stackTop, mem.RW),
	} {
		if err := s.Attach(g); err != nil {
			tb.Fatal(err)
		}
	}
	return cpu.New(m, s)
}

// start sets the registers every benchmark program expects.
func start(c *cpu.CPU, count uint64) {
	c.PC = textBase
	c.R[cpu.RAX], c.R[cpu.RBX], c.R[cpu.RDX] = 1, 2, 3
	c.R[cpu.RCX] = count
	c.R[cpu.RSI] = dataBase
	c.R[cpu.RDI] = data2
	c.R[cpu.RSP] = stackTop - 64
}

// stop ends a program with a system-call instruction, which makes Run
// return ExitSyscall.
func stop(a *asm) *asm {
	if a.is64 {
		return a.emit(0x0F, 0x05) // SYSCALL
	}
	return a.emit(0xCD, 0x40) // INT $0x40
}

// A loop is a benchmark program: body runs ECX times.
type loop struct {
	name string
	body func(a *asm)
}

var loops = []loop{
	{"alu", func(a *asm) {
		a.emit(0x01, 0xC8)                   // add eax, ecx
		a.emit(0x31, 0xC2)                   // xor edx, eax
		a.emit(0x69, 0xC0).imm32(0x9E3779B1) // imul eax, eax, 0x9e3779b1
		a.emit(0xC1, 0xEA, 0x03)             // shr edx, 3
		a.emit(0x09, 0xD3)                   // or ebx, edx
	}},
	{"mem", func(a *asm) {
		a.emit(0x8B, 0x04, 0x8E) // mov eax, [esi+ecx*4]
		a.emit(0x01, 0xD0)       // add eax, edx
		a.emit(0x89, 0x04, 0x8F) // mov [edi+ecx*4], eax
		a.emit(0x89, 0xC2)       // mov edx, eax
	}},
	{"branch", func(a *asm) {
		a.emit(0x39, 0xC8)          // cmp eax, ecx
		a.emit(0x72, 0x02)          // jb +2
		a.emit(0xFF, 0xC2)          // inc edx
		a.emit(0x83, 0xC0, 0x07)    // add eax, 7
		a.emit(0x25).imm32(0x3FFFF) // and eax, 0x3ffff
	}},
	{"call", func(a *asm) {
		a.call("f")  // call f; f is placed after the loop
		a.emit(0x52) // push edx
		a.emit(0x5A) // pop edx
	}},
	{"mixed", func(a *asm) {
		a.emit(0x8B, 0x04, 0x8E)             // mov eax, [esi+ecx*4]
		a.emit(0x69, 0xC0).imm32(0x01000193) // imul eax, eax, 0x01000193
		a.emit(0x39, 0xD0)                   // cmp eax, edx
		a.emit(0x76, 0x02)                   // jbe +2
		a.emit(0x89, 0xC2)                   // mov edx, eax
		a.emit(0x8D, 0x5C, 0x4B, 0x08)       // lea ebx, [ebx+ecx*2+8]
		a.emit(0x89, 0x1C, 0x8F)             // mov [edi+ecx*4], ebx
		a.call("f")
	}},
}

// loopCode assembles l as a whole program.
func loopCode(l loop, is64 bool) []byte {
	a := newAsm(is64)
	a.label("top")
	l.body(a)
	a.emit(0xFF, 0xC9) // dec ecx
	a.jnz("top")
	stop(a)
	a.label("f")
	a.emit(0x01, 0xC8, 0xC3) // f: add eax, ecx; ret
	return a.bytes()
}

var modes = []struct {
	name string
	mode cpu.Mode
}{{"386", cpu.Mode32}, {"amd64", cpu.Mode64}}

const loopIters = 100000

// BenchmarkRun is the interpreter's steady state: warm decode cache and
// TLB, tight loops of a few instructions each. ns/inst is the figure to
// watch; a warm Run must not allocate.
func BenchmarkRun(b *testing.B) {
	for _, l := range loops {
		for _, m := range modes {
			b.Run(l.name+"/"+m.name, func(b *testing.B) {
				c := newMachine(b, m.mode, loopCode(l, m.mode == cpu.Mode64))
				run := func() {
					start(c, loopIters)
					if e := c.Run(0); e != cpu.ExitSyscall {
						b.Fatalf("exit %v at %#x: %s", e, c.PC, c.Fault.String())
					}
				}
				run() // decode and fill the TLB
				n0 := c.Count
				b.ReportAllocs()
				for b.Loop() {
					run()
				}
				reportInsts(b, c.Count-n0)
			})
		}
	}
}

// reportInsts reports the time per guest instruction and the rate.
func reportInsts(b *testing.B, insts uint64) {
	if insts == 0 {
		return
	}
	ns := float64(b.Elapsed().Nanoseconds()) / float64(insts)
	b.ReportMetric(ns, "ns/inst")
	b.ReportMetric(1e3/ns, "MIPS")
	b.ReportMetric(float64(insts)/float64(b.N), "insts/op")
}

// straightCode returns n instructions of straight-line code, a mix of
// forms, ending with a system call.
func straightCode(n int, is64 bool) []byte {
	a := newAsm(is64)
	for i := 0; i < n; i++ {
		switch i % 8 {
		case 0:
			a.emit(0xBA).imm32(uint32(i)) // mov edx, i
		case 1:
			a.emit(0x01, 0xD0) // add eax, edx
		case 2:
			a.emit(0x8D, 0x5C, 0x48, byte(i)) // lea ebx, [eax+ecx*2+i]
		case 3:
			a.emit(0x31, 0xC3) // xor ebx, eax
		case 4:
			a.emit(0xC1, 0xE0, byte(i%31)) // shl eax, i%31
		case 5:
			a.emit(0x89, 0x46, byte(i&0x7C)) // mov [esi+i], eax
		case 6:
			a.emit(0x03, 0x46, byte(i&0x7C)) // add eax, [esi+i]
		case 7:
			a.emit(0x39, 0xD8) // cmp eax, ebx
		}
	}
	return stop(a).bytes()
}

// BenchmarkLower is the first execution of code: decoding, lowering and
// caching each instruction and running it once, measured through Run on
// a fresh address space each time (there is no public lowering API). The
// difference with BenchmarkRunStraight is the cost of the decode cache's
// misses.
func BenchmarkLower(b *testing.B) {
	const n = 4096
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			code := straightCode(n, m.mode == cpu.Mode64)
			var insts uint64
			b.ReportAllocs()
			for b.Loop() {
				c := newMachine(b, m.mode, code)
				start(c, 0)
				if e := c.Run(0); e != cpu.ExitSyscall {
					b.Fatalf("exit %v at %#x: %s", e, c.PC, c.Fault.String())
				}
				insts += c.Count
			}
			reportInsts(b, insts)
		})
	}
}

// BenchmarkRunStraight runs the same straight-line code as BenchmarkLower
// with a warm cache.
func BenchmarkRunStraight(b *testing.B) {
	const n = 4096
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			c := newMachine(b, m.mode, straightCode(n, m.mode == cpu.Mode64))
			run := func() {
				start(c, 0)
				if e := c.Run(0); e != cpu.ExitSyscall {
					b.Fatalf("exit %v at %#x: %s", e, c.PC, c.Fault.String())
				}
			}
			run()
			n0 := c.Count
			b.ReportAllocs()
			for b.Loop() {
				run()
			}
			reportInsts(b, c.Count-n0)
		})
	}
}

// TestLoops checks that every benchmark program runs to its end and
// retires the number of instructions it should, so that ns/inst means
// what it says.
func TestLoops(t *testing.T) {
	for _, l := range loops {
		for _, m := range modes {
			t.Run(fmt.Sprintf("%s/%s", l.name, m.name), func(t *testing.T) {
				c := newMachine(t, m.mode, loopCode(l, m.mode == cpu.Mode64))
				count := func(iters uint64) uint64 {
					start(c, iters)
					n0 := c.Count
					if e := c.Run(0); e != cpu.ExitSyscall {
						t.Fatalf("exit %v at %#x: %s", e, c.PC, c.Fault.String())
					}
					return c.Count - n0
				}
				// Loops with data-dependent branches vary a little per
				// iteration; each runs at least its body's 3 instructions.
				one, ten := count(1), count(10)
				if ten < one+9*3 {
					t.Errorf("%d instructions for 1 iteration, %d for 10", one, ten)
				}
			})
		}
	}
	for _, m := range modes {
		c := newMachine(t, m.mode, straightCode(64, m.mode == cpu.Mode64))
		start(c, 0)
		if e := c.Run(0); e != cpu.ExitSyscall {
			t.Fatalf("%s: straight: exit %v at %#x: %s", m.name, e, c.PC, c.Fault.String())
		}
		if c.Count < 64 {
			t.Errorf("%s: straight: %d instructions, want at least 64", m.name, c.Count)
		}
	}
}
