package cpu

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestFusedCompareBranch runs CMP/TEST + Jcc blocks whole (the fused
// handler) and one instruction at a time (the two handlers), for every
// fusible form, both operand sizes, every condition and edge-case and
// random operands, and wants the same PC and flags.
func TestFusedCompareBranch(t *testing.T) {
	type form struct {
		name string
		code func(imm uint32) []byte // the comparison of EAX/RAX with ECX/RCX or imm
		w    bool                    // 64-bit operands (REX.W)
	}
	imm32 := func(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
	forms := []form{
		{"cmp r32,r32", func(uint32) []byte { return []byte{0x39, 0xC8} }, false},
		{"cmp r64,r64", func(uint32) []byte { return []byte{0x48, 0x39, 0xC8} }, true},
		{"cmp r32,imm", func(v uint32) []byte { return imm32([]byte{0x81, 0xF8}, v) }, false},
		{"cmp r64,imm", func(v uint32) []byte { return imm32([]byte{0x48, 0x81, 0xF8}, v) }, true},
		{"test r32,r32", func(uint32) []byte { return []byte{0x85, 0xC8} }, false},
		{"test r64,r64", func(uint32) []byte { return []byte{0x48, 0x85, 0xC8} }, true},
		{"test r32,imm", func(v uint32) []byte { return imm32([]byte{0xF7, 0xC0}, v) }, false},
		{"test r64,imm", func(v uint32) []byte { return imm32([]byte{0x48, 0xF7, 0xC0}, v) }, true},
	}
	edges := []uint64{0, 1, 2, 0x7f, 0x80, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 0x7fffffffffffffff,
		0x8000000000000000, 0xffffffffffffffff, 0xffffffff80000000}
	r := rand.New(rand.NewPCG(5, 6))
	val := func() uint64 {
		if r.IntN(2) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return r.Uint64() >> (r.IntN(4) * 16)
	}
	for _, f := range forms {
		for _, m := range []Mode{Mode32, Mode64} {
			if f.w && m == Mode32 {
				continue
			}
			for cc := 0; cc < 16; cc++ {
				for it := 0; it < 200; it++ {
					a, b, imm := val(), val(), uint32(val())
					code := append(f.code(imm), 0x70+byte(cc), 1, 0xCC, 0xCC)
					whole, steps := newTest(t, m, code), newTest(t, m, code)
					for _, c := range []*CPU{whole, steps} {
						c.R[RAX], c.R[RCX] = a, b
						c.SetFlags(0)
						if m == Mode32 {
							c.R[RAX], c.R[RCX] = a&0xffffffff, b&0xffffffff
						}
					}
					if blk := whole.block(whole.PC); blk.fused == nil {
						t.Fatalf("%s + J%d (mode %d): block not fused", f.name, cc, m)
					}
					whole.Run(2)
					steps.Run(1)
					steps.Run(1)
					if whole.PC != steps.PC || whole.Flags() != steps.Flags() || whole.Count != steps.Count {
						t.Fatalf("%s + J%d (mode %d) RAX %#x RCX %#x imm %#x: fused PC %#x flags %#x count %d, stepped PC %#x flags %#x count %d",
							f.name, cc, m, a, b, imm, whole.PC, whole.Flags(), whole.Count, steps.PC, steps.Flags(), steps.Count)
					}
				}
			}
		}
	}
}
