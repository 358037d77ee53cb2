package cpu

import (
	"testing"

	"9emu/mem"
)

// newTest returns a CPU with code at 0x1000 and a stack below 0x100000.
func newTest(t testing.TB, m Mode, code []byte) *CPU {
	t.Helper()
	s := mem.NewSpace()
	text := mem.NewSegment(mem.Text, 0x1000, 0x1000+mem.RoundUp(mem.Addr(len(code)), mem.PageSize), mem.RX)
	if err := text.Load(0x1000, code); err != nil {
		t.Fatal(err)
	}
	if err := s.Attach(text); err != nil {
		t.Fatal(err)
	}
	data := mem.NewSegment(mem.Data, 0x10000, 0x100000, mem.RW)
	if err := s.Attach(data); err != nil {
		t.Fatal(err)
	}
	c := New(m, s)
	c.PC = 0x1000
	c.R[RSP] = 0x100000
	return c
}

func TestLoopSum(t *testing.T) {
	for _, m := range []Mode{Mode32, Mode64} {
		// mov ecx, 100; xor eax, eax; l: add eax, ecx; dec ecx; jne l; int3
		code := []byte{0xb9, 100, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0xff, 0xc9, 0x75, 0xfa, 0xcc}
		if m == Mode32 {
			code = []byte{0xb9, 100, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0x49, 0x75, 0xfb, 0xcc}
		}
		c := newTest(t, m, code)
		e := c.Run(0)
		if e != ExitTrap || c.Fault.Trap != TrapBreakpoint {
			t.Fatalf("mode %d: exit %v fault %+v", m, e, c.Fault)
		}
		if c.R[RAX] != 5050 {
			t.Errorf("mode %d: eax = %d, want 5050", m, c.R[RAX])
		}
		if want := uint64(2 + 3*100 + 1); c.Count != want {
			t.Errorf("mode %d: count = %d, want %d", m, c.Count, want)
		}
	}
}

func TestFaultRewind(t *testing.T) {
	// mov eax, 1; mov ebx, [0];
	code := []byte{0xb8, 1, 0, 0, 0, 0x8b, 0x1c, 0x25, 0, 0, 0, 0}
	c := newTest(t, Mode64, code)
	e := c.Run(0)
	if e != ExitFault || c.Fault.Addr != 0 || c.PC != 0x1005 || c.R[RAX] != 1 || c.Count != 1 {
		t.Fatalf("exit %v fault %+v pc %#x count %d", e, c.Fault, c.PC, c.Count)
	}
}

func TestBudget(t *testing.T) {
	code := []byte{0x90, 0x90, 0x90, 0x90, 0xeb, 0xfa}
	c := newTest(t, Mode64, code)
	if e := c.Run(3); e != ExitLimit || c.PC != 0x1003 || c.Count != 3 {
		t.Fatalf("exit %v pc %#x count %d", e, c.PC, c.Count)
	}
	if e := c.Run(3); e != ExitLimit || c.PC != 0x1001 || c.Count != 6 {
		t.Fatalf("exit %v pc %#x count %d", e, c.PC, c.Count)
	}
}

func BenchmarkLoop(b *testing.B) {
	// mov ecx, N; l: add eax, ecx; dec ecx; jne l; int3
	code := []byte{0xb9, 0, 0, 0, 0, 0x01, 0xc8, 0xff, 0xc9, 0x75, 0xfa, 0xcc}
	n := uint32(1000000)
	code[1], code[2], code[3], code[4] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	c := newTest(b, Mode64, code)
	b.ResetTimer()
	t0 := cpuTime()
	for i := 0; i < b.N; i++ {
		c.PC = 0x1000
		c.Run(0)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(3*n), "ns/inst")
	b.ReportMetric(float64((cpuTime()-t0).Nanoseconds())/float64(b.N)/float64(3*n), "cpu-ns/inst")
}
