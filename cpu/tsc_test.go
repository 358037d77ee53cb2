package cpu

import "testing"

// tscCode counts ECX down from 1000, reads the TSC and stops; at 12, it
// reads the TSC at once and stops.
var tscCode = []byte{
	0xb9, 0xe8, 0x03, 0x00, 0x00, // mov ecx, 1000
	0xff, 0xc9, // dec ecx
	0x75, 0xfc, // jnz back to the dec
	0x0f, 0x31, // rdtsc
	0xcc,       // int3
	0x0f, 0x31, // 12: rdtsc
	0xcc, // int3
}

func readTSC(t *testing.T, c *CPU, pc uint64) uint64 {
	t.Helper()
	c.PC = pc
	if e := c.Run(0); e != ExitTrap {
		t.Fatalf("exit %v", e)
	}
	return c.R[RDX]<<32 | c.R[RAX]&0xffffffff
}

// RDTSC counts instructions, so two runs of a program read the same
// values; a CPU cloned from another (a thread, a fork) goes on from the
// value at the clone and never reads below what the other has read.
func TestTSC(t *testing.T) {
	a, b := newTest(t, Mode64, tscCode), newTest(t, Mode64, tscCode)
	if x, y := readTSC(t, a, 0x1000), readTSC(t, b, 0x1000); x != y || x < 2000 {
		t.Errorf("two runs read %d and %d, want the same, at least 2 per instruction", x, y)
	}
	c := newTest(t, Mode64, tscCode)
	d := c.Clone(c.Mem)
	long := readTSC(t, c, 0x1000)  // 2000 instructions
	short := readTSC(t, d, 0x100c) // 1 instruction
	if short <= long {
		t.Errorf("the clone read %d after the original read %d: the clock went back", short, long)
	}
	if again := readTSC(t, c, 0x100c); again <= short {
		t.Errorf("the original read %d after the clone read %d", again, short)
	}
}
