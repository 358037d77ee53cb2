package cpu

import (
	"bytes"
	"encoding/hex"
	"testing"

	"9emu/mem"
)

// loopCode: mov ecx, 5; xor eax, eax; l: add eax, ecx; dec ecx; jne l; int3
// (64-bit encoding).
var loopCode = []byte{0xb9, 5, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0xff, 0xc9, 0x75, 0xfa, 0xcc}

// RunProbe with no breakpoints runs to the same end as Run, with the same
// count, and Ran sees every instruction in order.
func TestRunProbeCounts(t *testing.T) {
	ref := newTest(t, Mode64, loopCode)
	if e := ref.Run(0); e != ExitTrap {
		t.Fatalf("Run: exit %v", e)
	}
	c := newTest(t, Mode64, loopCode)
	pr := NewProbe()
	var seen []uint64
	pr.Ran = func(pcs []uint64) { seen = append(seen, pcs...) }
	if e := c.RunProbe(0, pr); e != ExitTrap || c.Fault.Trap != TrapBreakpoint {
		t.Fatalf("RunProbe: exit %v fault %+v", e, c.Fault)
	}
	if c.Count != ref.Count || c.R[RAX] != ref.R[RAX] || c.PC != ref.PC {
		t.Errorf("count %d eax %d pc %#x; Run gave %d %d %#x", c.Count, c.R[RAX], c.PC, ref.Count, ref.R[RAX], ref.PC)
	}
	// The INT3 that ends the program counts as executed, as in Run.
	if uint64(len(seen)) != c.Count {
		t.Fatalf("Ran reported %d instructions, count %d", len(seen), c.Count)
	}
	want := []uint64{0x1000, 0x1005}
	for range 5 {
		want = append(want, 0x1007, 0x1009, 0x100b)
	}
	want = append(want, 0x100d)
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("instruction %d at %#x, want %#x (all: %#x)", i, seen[i], want[i], seen)
		}
	}
}

// A breakpoint in the middle of a block stops before it, every time round
// the loop, and continuing runs past it.
func TestRunProbeBreak(t *testing.T) {
	c := newTest(t, Mode64, loopCode)
	pr := NewProbe()
	pr.SetBreak(0x1009) // dec ecx
	var hits []uint64
	for range 10 {
		e := c.RunProbe(0, pr)
		if e != ExitLimit {
			if e != ExitTrap {
				t.Fatalf("exit %v", e)
			}
			break
		}
		if c.PC != 0x1009 {
			t.Fatalf("stopped at %#x", c.PC)
		}
		hits = append(hits, c.R[RCX])
	}
	if len(hits) != 5 || hits[0] != 5 || hits[4] != 1 {
		t.Errorf("ecx at each stop: %v, want 5 4 3 2 1", hits)
	}
	if c.R[RAX] != 15 || c.Count != 2+3*5+1 {
		t.Errorf("eax %d count %d", c.R[RAX], c.Count)
	}
	// Clearing the breakpoint lets the loop run through.
	c2 := newTest(t, Mode64, loopCode)
	pr.ClearBreak(0x1009)
	if e := c2.RunProbe(0, pr); e != ExitTrap || pr.NBreaks() != 0 {
		t.Errorf("exit %v with no breakpoints", e)
	}
}

// The budget is exact, across blocks and breakpoints.
func TestRunProbeBudget(t *testing.T) {
	for budget := 1; budget <= 17; budget++ {
		c := newTest(t, Mode64, loopCode)
		pr := NewProbe()
		pr.SetBreak(0x100b)
		total := 0
		for total < budget {
			before := c.Count
			e := c.RunProbe(budget-total, pr)
			total += int(c.Count - before)
			if e != ExitLimit {
				t.Fatalf("budget %d: exit %v", budget, e)
			}
		}
		if c.Count != uint64(budget) {
			t.Errorf("budget %d: count %d", budget, c.Count)
		}
	}
}

// A fault in the middle of a block: the instructions before it are
// reported, the PC is rewound to it, and a fetch fault is reported as Run
// reports it.
func TestRunProbeFault(t *testing.T) {
	// mov eax, 1; mov ebx, [0]
	code := []byte{0xb8, 1, 0, 0, 0, 0x8b, 0x1c, 0x25, 0, 0, 0, 0}
	c := newTest(t, Mode64, code)
	pr := NewProbe()
	var seen []uint64
	pr.Ran = func(pcs []uint64) { seen = append(seen, pcs...) }
	if e := c.RunProbe(0, pr); e != ExitFault || c.PC != 0x1005 || c.Count != 1 {
		t.Fatalf("exit %v pc %#x count %d", e, c.PC, c.Count)
	}
	if len(seen) != 1 || seen[0] != 0x1000 {
		t.Errorf("reported %#x", seen)
	}
	c.PC = 0x5000 // not mapped
	if e := c.RunProbe(0, pr); e != ExitFault || c.Fault.Addr != 0x5000 || c.Fault.Trap != TrapPage {
		t.Errorf("fetch: exit %v fault %+v", e, c.Fault)
	}
}

// RunProbe in 32-bit mode computes addresses with 32-bit wrap.
func TestRunProbeMode32(t *testing.T) {
	code := []byte{0xb9, 3, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0x49, 0x75, 0xfb, 0xcc}
	c := newTest(t, Mode32, code)
	pr := NewProbe()
	pr.SetBreak(0x1009) // dec ecx
	n := 0
	for c.RunProbe(0, pr) == ExitLimit {
		n++
	}
	if n != 3 || c.R[RAX] != 6 {
		t.Errorf("%d stops, eax %d", n, c.R[RAX])
	}
}

// An instruction that runs past the end of executable memory faults where
// its bytes cannot be fetched, with the PC at the instruction, and
// nothing before it in its block is held back. x86asm decodes a VEX one
// cut off before its ModRM byte without it, and calls a legacy one or a
// VEX one cut off later invalid: neither is what the hardware does.
func TestFetchCutOff(t *testing.T) {
	for _, tc := range []struct {
		m    Mode
		tail string
	}{
		{Mode64, "c44243f6"},   // mulx r9d, edi, ...: no ModRM
		{Mode64, "c44243f644"}, // mulx r9d, edi, [r12+...]: no SIB
		{Mode64, "c4e278f31c"}, // blsi eax, [...]: no SIB
		{Mode64, "488b44"},     // mov rax, [rsp+...]: no SIB
		{Mode64, "4881"},       // add/or/... r/m64, imm32: no ModRM
		{Mode64, "480fc7"},     // cmpxchg16b: no ModRM (0F C7 /0 is invalid)
		{Mode32, "c4e278f3"},   // blsi: no ModRM
		{Mode32, "b801"},       // mov eax, imm32: 3 bytes short
	} {
		tail, _ := hex.DecodeString(tc.tail)
		code := bytes.Repeat([]byte{0x90}, mem.PageSize-len(tail)-2)
		code = append(append(code, 0x31, 0xc0), tail...) // xor eax, eax before it
		c := newTest(t, tc.m, code)
		at := uint64(0x1000 + mem.PageSize - len(tail))
		c.PC = at - 2
		c.R[RAX] = 1
		e := c.Run(0)
		if e != ExitFault || c.Fault.Trap != TrapPage || c.Fault.Addr != 0x1000+mem.PageSize || c.PC != at || c.R[RAX] != 0 {
			t.Errorf("mode %d %s: exit %v fault %v pc %#x rax %#x, want a fetch fault at %#x with the PC at %#x after the XOR",
				tc.m, tc.tail, e, &c.Fault, c.PC, c.R[RAX], 0x1000+mem.PageSize, at)
		}
	}
}
