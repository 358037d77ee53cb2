package cpu

import (
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"9emu/mem"
)

// FuzzLower feeds arbitrary bytes through x86asm and the lowering: it
// must never panic, the lowered length must equal the decoded length,
// and executing the result must end in an Exit, never a host crash.
func FuzzLower(f *testing.F) {
	f.Add([]byte{0x48, 0x01, 0xc8}, true)
	f.Add([]byte{0xf3, 0x48, 0xa5}, true)
	f.Add([]byte{0xcd, 0x40}, false)
	f.Add([]byte{0x0f, 0x0b}, false)
	f.Add([]byte{0xd9, 0xe8, 0xde, 0xc1}, false)
	f.Add([]byte{0x66, 0x0f, 0xef, 0xc0}, true)
	f.Fuzz(func(t *testing.T, code []byte, long bool) {
		m := Mode32
		if long {
			m = Mode64
		}
		if len(code) > 64 {
			code = code[:64]
		}
		x, err := x86asm.Decode(code, int(m))
		c := newTestSpace(t, m, code)
		if err == nil {
			in, _ := c.lower(&x, 0x1000)
			if int(in.len) != x.Len {
				t.Fatalf("% x: lowered length %d, decoded %d", code, in.len, x.Len)
			}
		}
		c.Run(16)
	})
}

// newTestSpace is newTest for fuzzing: code at 0x1000 (padded with INT3
// so that running off the end traps), data and stack as in newTest.
func newTestSpace(t testing.TB, m Mode, code []byte) *CPU {
	buf := append(append([]byte(nil), code...), make([]byte, 64)...)
	for i := len(code); i < len(buf); i++ {
		buf[i] = 0xCC
	}
	c := newTest(t, m, buf)
	c.Mem.Attach(mem.NewSegment(mem.Bss, 0x200000, 0x201000, mem.RW))
	return c
}

// TestRunAllocs checks that a warm Run allocates nothing.
func TestRunAllocs(t *testing.T) {
	// mov ecx, 1000; l: add eax, ecx; mov [0x10000], eax; dec ecx; jne l; int3
	code := []byte{0xb9, 0xe8, 0x03, 0, 0, 0x01, 0xc8, 0x89, 0x04, 0x25, 0, 0, 1, 0, 0xff, 0xc9, 0x75, 0xf3, 0xcc}
	c := newTest(t, Mode64, code)
	run := func() {
		c.PC = 0x1000
		if e := c.Run(0); e != ExitTrap {
			t.Fatalf("exit %v", e)
		}
	}
	run()
	if n := testing.AllocsPerRun(20, run); n != 0 {
		t.Errorf("warm Run allocates %v times", n)
	}
}
