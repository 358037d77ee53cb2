package cpu

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"testing"
)

// sseLoop returns a 64-bit program that runs body n times (R15D counts)
// and stops at INT3.
func sseLoop(t testing.TB, body []byte, n uint32) *CPU {
	code := []byte{0x41, 0xbf, 0, 0, 0, 0} // mov r15d, n
	binary.LittleEndian.PutUint32(code[2:], n)
	code = append(code, body...)
	code = append(code, 0x41, 0xff, 0xcf) // dec r15d
	off := -(len(body) + 3 + 2)
	if off < -128 {
		t.Fatal("loop body too long")
	}
	code = append(code, 0x75, byte(int8(off)), 0xcc) // jne body
	c := newTest(t, Mode64, code)
	c.R[RSI] = sseMem
	return c
}

// A mix of SSE forms, including the slow (soft) paths and the MMX-shared
// ones, that must not allocate.
var sseAllocBody = sseHex(
	"f20f58c1" + // addsd xmm0, xmm1
		"f20f59c2" + // mulsd xmm0, xmm2
		"f20f5ec3" + // divsd xmm0, xmm3
		"f20f51e0" + // sqrtsd xmm4, xmm0
		"660f2ec1" + // ucomisd xmm0, xmm1
		"0f58ca" + // addps xmm1, xmm2
		"660f59ca" + // mulpd xmm1, xmm2
		"f20f2ac8" + // cvtsi2sd xmm1, eax
		"f20f2cc2" + // cvttsd2si eax, xmm2
		"660f74ca" + // pcmpeqb xmm1, xmm2
		"660fd7c1" + // pmovmskb eax, xmm1
		"660fefc9" + // pxor xmm1, xmm1
		"660f3a61ca0c" + // pcmpestri xmm1, xmm2, 0x0c
		"660f3800ca" + // pshufb xmm1, xmm2
		"660f38dcca" + // aesenc xmm1, xmm2
		"0f110e" + // movups [rsi], xmm1
		"660f6f0e" + // movdqa xmm1, [rsi]
		"660fc5c003" + // pextrw eax, xmm0, 3
		"f20f38f1c1" + // crc32 eax, ecx
		"660f3a40caff") // dpps xmm1, xmm2, 0xff

func sseHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestSSENoAllocs(t *testing.T) {
	c := sseLoop(t, sseAllocBody, 100)
	set := func() {
		c.PC = 0x1000
		c.R[RSI] = sseMem
		c.X[0] = [2]uint64{math.Float64bits(1.5), 0}
		c.X[1] = [2]uint64{math.Float64bits(0.1), math.Float64bits(3)}
		c.X[2] = [2]uint64{math.Float64bits(1.0000001), math.Float64bits(7)}
		c.X[3] = [2]uint64{math.Float64bits(3), 0}
		c.R[RAX], c.R[RDX] = 5, 7
		c.MXCSR = 0x1F80 | mxRU // directed rounding: the soft paths
	}
	set()
	if e := c.Run(0); e != ExitTrap || c.Fault.Trap != TrapBreakpoint {
		t.Fatalf("exit %v %s", e, c.Fault.String())
	}
	allocs := testing.AllocsPerRun(10, func() {
		set()
		c.Run(0)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run", allocs)
	}
}

// BenchmarkSSEScalar is the 6c floating-point pattern: scalar double
// arithmetic and a compare, round to nearest.
func BenchmarkSSEScalar(b *testing.B) {
	body := sseHex("f20f58c1" + "f20f59c2" + "f20f5ec3" + "f20f5cc1" + "660f2ec1")
	sseBench(b, body, 5, 0x1F80)
}

// BenchmarkSSEScalarSoft is the same under directed rounding, which takes
// the exact soft path for every operation.
func BenchmarkSSEScalarSoft(b *testing.B) {
	body := sseHex("f20f58c1" + "f20f59c2" + "f20f5ec3" + "f20f5cc1" + "660f2ec1")
	sseBench(b, body, 5, 0x1F80|mxRZ)
}

// BenchmarkSSEBytes is Go's byte search inner loop: load, compare,
// mask, test.
func BenchmarkSSEBytes(b *testing.B) {
	body := sseHex("f30f6f0e" + "660f74c8" + "660fd7c1" + "660fefc9")
	sseBench(b, body, 4, 0x1F80)
}

// sseBench runs body (of k instructions) in a loop and reports the time
// per instruction, the loop's own two included.
func sseBench(b *testing.B, body []byte, k int, mx uint32) {
	const n = 100000
	c := sseLoop(b, body, n)
	ninst := float64(n * (k + 2))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.PC = 0x1000
		c.MXCSR = mx
		c.X[0] = [2]uint64{math.Float64bits(1.5), 0}
		c.X[1] = [2]uint64{math.Float64bits(0.1), 0}
		c.X[2] = [2]uint64{math.Float64bits(1.0000001), 0}
		c.X[3] = [2]uint64{math.Float64bits(1.0000002), 0}
		c.Run(0)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/ninst, "ns/inst")
}
