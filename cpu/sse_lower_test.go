package cpu

import (
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestSSELowerRobust decodes every opcode of the 0F, 0F 38 and 0F 3A maps
// under each mandatory prefix (and REX.W, and a LOCK), with register and
// memory ModRM forms, and runs the ones the SSE files lower: lowering and
// execution must never panic, and a form that is not implemented must
// trap as an invalid opcode.
func TestSSELowerRobust(t *testing.T) {
	prefixes := [][]byte{nil, {0x66}, {0xF2}, {0xF3}, {0x66, 0x48}, {0xF2, 0x48}, {0xF3, 0x48}, {0xF0}, {0x67}, {0x66, 0xF2}}
	maps := [][]byte{{0x0F}, {0x0F, 0x38}, {0x0F, 0x3A}}
	modrms := []byte{0xCA, 0x0E, 0xC1, 0xF8, 0x44}
	n := 0
	for _, m := range []Mode{Mode64, Mode32} {
		for _, p := range prefixes {
			if m == Mode32 && len(p) == 2 && p[1] == 0x48 {
				continue
			}
			for _, mp := range maps {
				for op := 0; op < 256; op++ {
					for _, mr := range modrms {
						code := append(append(append([]byte{}, p...), mp...), byte(op), mr, 0x00, 0x00, 0x00, 0x05)
						x, err := x86asm.Decode(code, int(m))
						if err != nil {
							continue
						}
						if _, ok := sseTable[x.Op]; !ok && !sseOwnOp(x.Op) {
							continue
						}
						c := newTest(t, m, code[:x.Len])
						c.R[RSI], c.R[RDI], c.R[RSP] = sseMem, sseMem, sseMem+0x800
						c.R[RAX], c.R[RDX] = 3, 5
						func() {
							defer func() {
								if r := recover(); r != nil {
									t.Errorf("% x (%v): panic %v", code[:x.Len], x, r)
								}
							}()
							e := c.Step()
							if e == ExitTrap && c.Fault.Trap == TrapInvalidOp && c.Fault.Unimplemented != "" && p != nil && p[0] != 0xF0 && p[0] != 0x67 {
								if _, isMM := x.Args[0].(x86asm.Reg); isMM && sseInstHasMM(&x) {
									return // MMX forms are mmx.go's
								}
								t.Errorf("% x: %v unimplemented", code[:x.Len], x)
							}
						}()
						n++
					}
				}
			}
		}
	}
	t.Logf("%d encodings run", n)
}

func sseInstHasMM(x *x86asm.Inst) bool {
	for _, a := range x.Args {
		if r, ok := a.(x86asm.Reg); ok && r >= x86asm.M0 && r <= x86asm.M7 {
			return true
		}
	}
	return false
}

// sseOwnOp reports whether op is lowered by a custom SSE lowering (not
// the table).
func sseOwnOp(op x86asm.Op) bool {
	switch op {
	case x86asm.MOVAPS, x86asm.MOVAPD, x86asm.MOVDQA, x86asm.MOVUPS, x86asm.MOVUPD, x86asm.MOVDQU,
		x86asm.MOVNTPS, x86asm.MOVNTPD, x86asm.MOVNTDQ, x86asm.LDDQU, x86asm.MOVNTDQA,
		x86asm.MOVSS, x86asm.MOVSD_XMM, x86asm.MOVD, x86asm.MOVQ, x86asm.MOVHPS, x86asm.MOVHPD,
		x86asm.MOVLPS, x86asm.MOVLPD, x86asm.MOVHLPS, x86asm.MOVLHPS, x86asm.MOVMSKPS,
		x86asm.MOVMSKPD, x86asm.PMOVMSKB, x86asm.MASKMOVDQU, x86asm.MOVNTI, x86asm.LDMXCSR,
		x86asm.STMXCSR, x86asm.CVTSI2SS, x86asm.CVTSI2SD, x86asm.CVTSS2SI, x86asm.CVTTSS2SI,
		x86asm.CVTSD2SI, x86asm.CVTTSD2SI, x86asm.CVTPI2PS, x86asm.CVTPI2PD, x86asm.CVTPS2PI,
		x86asm.CVTTPS2PI, x86asm.CVTPD2PI, x86asm.CVTTPD2PI, x86asm.MOVQ2DQ, x86asm.MOVDQ2Q,
		x86asm.PINSRW, x86asm.PINSRB, x86asm.PINSRD, x86asm.PINSRQ, x86asm.PEXTRW, x86asm.PEXTRB,
		x86asm.PEXTRD, x86asm.PEXTRQ, x86asm.EXTRACTPS, x86asm.PSLLW, x86asm.PSLLD, x86asm.PSLLQ,
		x86asm.PSRLW, x86asm.PSRLD, x86asm.PSRLQ, x86asm.PSRAW, x86asm.PSRAD, x86asm.PCMPESTRI,
		x86asm.PCMPESTRM, x86asm.PCMPISTRI, x86asm.PCMPISTRM, x86asm.CRC32:
		return true
	}
	return false
}
