package sys9

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"9emu/aout"
	"9emu/cpu"
)

// The end-to-end tests run tiny machine-code programs (asm_test.go) as
// the first process of a kernel: the C conventions Go programs never
// exercise (Tos, INT $0x40 with stack arguments, vlong results through a
// pointer, note frames) and the process calls that need a running CPU.

// Start-up constants of §2.1 and §2.3.
func tosAddr(arch aout.Arch) uint64 {
	if arch == aout.ArchAMD64 {
		return 0x7FFFFFFFEFB8
	}
	return 0xDFFFEFC8
}

func tosPidOff(arch aout.Arch) uint64 {
	if arch == aout.ArchAMD64 {
		return 64
	}
	return 48
}

// pReg is the register that survives system calls on both
// architectures: ESI on 386 (everything is preserved), R14 on amd64.
func pReg(arch aout.Arch) int {
	if arch == aout.ArchAMD64 {
		return cpu.R14
	}
	return cpu.RSI
}

// printArgv emits code that writes each argv string of the initial stack
// whose address is in register sp, one per line, to fd 1.
func (a *asm) printArgv(sp int) {
	p := pReg(a.arch)
	nl := a.str("\n")
	a.lea(p, sp, int32(a.w()))
	a.label("argv.loop")
	a.loadBase(cpu.RDI, p, 0)
	a.cmpImm(cpu.RDI, 0)
	a.je("argv.done")
	a.movReg(cpu.RCX, cpu.RDI)
	a.label("argv.len")
	a.cmpByte0(cpu.RCX)
	a.je("argv.lendone")
	a.addImm(cpu.RCX, 1)
	a.jmp("argv.len")
	a.label("argv.lendone")
	a.subReg(cpu.RCX, cpu.RDI)
	a.sys(51, 1, reg(cpu.RDI), reg(cpu.RCX), -1)
	a.write(1, nl, 1)
	a.addImm(p, int32(a.w()))
	a.jmp("argv.loop")
	a.label("argv.done")
}

// The start-up state of §2.2 and §2.4 as a program sees it: it writes AX
// and SP as they were at entry, the pid from its Tos, argc and the
// argument strings.
func TestStartState(t *testing.T) {
	for _, arch := range arches {
		for _, argv := range [][]string{{"echo", "hi"}, {"echo"}, {"t", "", "a b", strings.Repeat("z", 300)}} {
			t.Run(fmt.Sprintf("%s/%d", arch, len(argv)), func(t *testing.T) {
				a := newAsm(arch)
				w := int(a.w())
				regs := a.bytes(make([]byte, 2*w))
				a.store(regs, cpu.RAX)
				a.store(regs+uint64(w), cpu.RSP)
				a.movReg(cpu.RBX, cpu.RSP)
				a.push(cpu.RBX)
				a.write(1, regs, 2*w)
				a.pop(cpu.RBX)
				a.push(cpu.RBX)
				a.sys(51, 1, tosAddr(arch)+tosPidOff(arch), 4, -1)
				a.pop(cpu.RBX)
				a.movReg(pReg(arch), cpu.RBX)
				a.sys(51, 1, reg(pReg(arch)), 1, -1) // the low byte of argc
				a.printArgv(pReg(arch))
				a.exits("")
				r := runProg(t, a, runOpts{name: "echo", argv: argv})
				if r.exit != "" {
					t.Fatalf("exit %q, stderr %q", r.exit, r.stderr)
				}
				out := []byte(r.stdout)
				if len(out) < 2*w+5 {
					t.Fatalf("output %q", out)
				}
				word := func(b []byte) uint64 {
					if w == 8 {
						return binary.LittleEndian.Uint64(b)
					}
					return uint64(binary.LittleEndian.Uint32(b))
				}
				ax, sp := word(out), word(out[w:])
				if ax != tosAddr(arch) {
					t.Errorf("AX at entry %#x, want the Tos address %#x", ax, tosAddr(arch))
				}
				wantSP := startSP(arch, argv)
				if sp != wantSP {
					t.Errorf("SP at entry %#x, want %#x", sp, wantSP)
				}
				if pid := binary.LittleEndian.Uint32(out[2*w:]); pid != uint32(r.p.pid) {
					t.Errorf("Tos.pid %d, want %d", pid, r.p.pid)
				}
				if argc := out[2*w+4]; int(argc) != len(argv) {
					t.Errorf("argc %d", argc)
				}
				if got := string(out[2*w+5:]); got != strings.Join(argv, "\n")+"\n" {
					t.Errorf("argv printed as %q", got)
				}
			})
		}
	}
}

// startSP computes the initial SP by §2.2's rules.
func startSP(arch aout.Arch, argv []string) uint64 {
	w := uint64(arch.PtrSize())
	tos := uint64(56)
	if arch == aout.ArchAMD64 {
		tos = 72
	}
	nbytes := tos
	for _, s := range argv {
		nbytes += uint64(len(s)) + 1
	}
	ssize := w*uint64(len(argv)+1) + (nbytes+w-1)/w*w
	if arch == aout.Arch386 && (ssize+4)%8 != 0 {
		ssize += 4
	}
	return arch.StackTop() - ssize - w
}

// The worked examples of §2.2, checked word by word on the image exec
// builds.
func TestStartStateWorkedExamples(t *testing.T) {
	type ex struct {
		arch     aout.Arch
		argv     []string
		sp       uint64
		argvAt   []uint64 // addresses of argv[0..n]
		argvVal  []uint64
		strs     uint64
		strBytes string
		tos      uint64
	}
	for _, e := range []ex{
		{aout.Arch386, []string{"echo", "hi"}, 0xDFFFEFB0, []uint64{0xDFFFEFB4, 0xDFFFEFB8, 0xDFFFEFBC},
			[]uint64{0xDFFFEFC0, 0xDFFFEFC5, 0}, 0xDFFFEFC0, "echo\x00hi\x00", 0xDFFFEFC8},
		{aout.ArchAMD64, []string{"echo", "hi"}, 0x7FFFFFFFEF90, []uint64{0x7FFFFFFFEF98, 0x7FFFFFFFEFA0, 0x7FFFFFFFEFA8},
			[]uint64{0x7FFFFFFFEFB0, 0x7FFFFFFFEFB5, 0}, 0x7FFFFFFFEFB0, "echo\x00hi\x00", 0x7FFFFFFFEFB8},
		{aout.Arch386, []string{"echo"}, 0xDFFFEFB0, []uint64{0xDFFFEFB4, 0xDFFFEFB8},
			[]uint64{0xDFFFEFC3, 0}, 0xDFFFEFC3, "echo\x00", 0xDFFFEFC8},
		{aout.ArchAMD64, []string{"echo"}, 0x7FFFFFFFEF98, []uint64{0x7FFFFFFFEFA0, 0x7FFFFFFFEFA8},
			[]uint64{0x7FFFFFFFEFB3, 0}, 0x7FFFFFFFEFB3, "echo\x00", 0x7FFFFFFFEFB8},
	} {
		t.Run(fmt.Sprintf("%s/%s", e.arch, strings.Join(e.argv, "_")), func(t *testing.T) {
			tp := newTP(t, e.arch, tpOpts{})
			tp.hostFile("bin/echo", string(helloImage(e.arch)), 0755)
			var v []byte
			for _, s := range e.argv {
				v = append(v, tp.word(tp.str(s))...)
			}
			tp.put(tp.scratch+2048, append(v, tp.word(0)...))
			r := tp.call(7, tp.str("/bin/echo"), tp.scratch+2048)
			if r.err != "" {
				t.Fatalf("exec: %q", r.err)
			}
			p := tp.p
			c := p.cpu
			if c.R[cpu.RSP] != e.sp {
				t.Errorf("SP %#x, want %#x", c.R[cpu.RSP], e.sp)
			}
			if c.R[cpu.RAX] != e.tos {
				t.Errorf("AX %#x, want Tos %#x", c.R[cpu.RAX], e.tos)
			}
			if c.PC != newAsm(e.arch).textStart() {
				t.Errorf("PC %#x", c.PC)
			}
			if argc := readWord(t, p, e.sp); argc != uint64(len(e.argv)) {
				t.Errorf("argc %d", argc)
			}
			for i, at := range e.argvAt {
				if got := readWord(t, p, at); got != e.argvVal[i] {
					t.Errorf("argv[%d] at %#x = %#x, want %#x", i, at, got, e.argvVal[i])
				}
			}
			if got := string(readMem(t, p, e.strs, len(e.strBytes))); got != e.strBytes {
				t.Errorf("strings %q", got)
			}
			if e.strs+uint64(len(e.strBytes)) != e.tos {
				t.Errorf("strings do not end at Tos")
			}
			tos := readMem(t, p, e.tos, int(e.arch.StackTop()-e.tos))
			pidOff := tosPidOff(e.arch)
			if pid := binary.LittleEndian.Uint32(tos[pidOff:]); pid != uint32(p.pid) {
				t.Errorf("Tos.pid %d", pid)
			}
			for i, b := range tos {
				if (uint64(i) < pidOff || uint64(i) >= pidOff+4) && b != 0 {
					t.Errorf("Tos byte %d = %#x, want 0", i, b)
				}
			}
			// The pad between argv[argc] and the strings is zero.
			end := e.argvAt[len(e.argvAt)-1] + uint64(p.abi.w)
			for a := end; a < e.strs; a++ {
				if b := readMem(t, p, a, 1)[0]; b != 0 {
					t.Errorf("pad byte at %#x = %#x", a, b)
				}
			}
			if e.arch == aout.ArchAMD64 && (c.R[cpu.R14] != 0 || c.R[cpu.R15] != 0) {
				t.Errorf("R14 %#x R15 %#x, want 0", c.R[cpu.R14], c.R[cpu.R15])
			}
			if c.Flags()&0x400 != 0 {
				t.Errorf("DF set at entry")
			}
		})
	}
}
