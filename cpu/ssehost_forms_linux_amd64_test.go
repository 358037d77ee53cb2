package cpu

// The instruction forms of the SSE hardware oracle (ssehost_linux_amd64_test.go)
// and the generator of the assembly that holds them, ssehost_linux_amd64.s.

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// Operand value kinds.
const (
	sseKF32   = iota // single-precision lanes
	sseKF64          // double-precision lanes
	sseKInt          // integers
	sseKCount        // shift counts in the source's low quadword
	sseKStr          // PCMPxSTRx: short strings over a small alphabet
)

// Encodings: which ModRM forms a spec produces.
const (
	sseEncXX  = iota // xmm1, xmm2 (CA) and xmm1, [rsi] (0E)
	sseEncXXr        // register form only
	sseEncXXm        // memory form only (loads and stores through [rsi])
	sseEncXG         // xmm1, eax (C8) and xmm1, [rsi] (0E)
	sseEncXGr        // register form only
	sseEncGX         // eax, xmm2 (C2) and eax, [rsi] (06)
	sseEncGXr        // eax, xmm2 only
	sseEncRX         // r/m = eax (C8) or [rsi] (0E), reg = xmm1
	sseEncXI         // xmm1 with /digit and imm8 (shifts by immediate)
	sseEncCRC        // eax, ecx (C1) and eax, [rsi] (06)
	sseEncMG         // [rsi], eax (06): MOVNTI
)

type sseHostSpec struct {
	name string
	op   string // prefixes and opcode, hex; sseEncXI: ending in /digit
	enc  int
	kind int
	imms []uint8 // immediates to try; nil for none
}

var (
	sseImmAll8    = []uint8{0, 1, 2, 3, 4, 5, 6, 7}
	sseImmShuf    = []uint8{0x00, 0x1B, 0x4E, 0xB1, 0xE4, 0xFF, 0x93, 0x39}
	sseImmShift   = []uint8{0, 1, 7, 8, 15, 16, 31, 32, 63, 64, 200}
	sseImmBytes   = []uint8{0, 1, 5, 8, 15, 16, 255}
	sseImmAlign   = []uint8{0, 1, 7, 8, 15, 16, 17, 24, 31, 32, 255}
	sseImmRound   = []uint8{0, 1, 2, 3, 4, 8, 9, 10, 11, 12}
	sseImmBlend4  = []uint8{0, 5, 0xA, 0xF}
	sseImmBlend2  = []uint8{0, 1, 2, 3}
	sseImmBlendW  = []uint8{0x00, 0xA5, 0xFF, 0x3C}
	sseImmDpps    = []uint8{0xFF, 0xF1, 0x31, 0x7C, 0xA5, 0x0F}
	sseImmDppd    = []uint8{0x33, 0x31, 0x12, 0x23, 0x03}
	sseImmIndex   = []uint8{0, 1, 3, 7, 15, 0xFF}
	sseImmInsert  = []uint8{0x00, 0x1D, 0x60, 0xB2, 0xF0, 0x0F, 0x4A}
	sseImmCmp     = []uint8{0, 1, 2, 3, 4, 5, 6, 7, 9}
	sseImmStr     = []uint8{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x10, 0x14, 0x18, 0x1A, 0x20, 0x30, 0x34, 0x38, 0x3C, 0x40, 0x44, 0x48, 0x4C, 0x4D, 0x58, 0x62, 0x70, 0x7C}
	sseImmStrMem  = []uint8{0x00, 0x0C, 0x1A, 0x44}
	sseImmClmul   = []uint8{0x00, 0x01, 0x10, 0x11}
	sseImmKeygen  = []uint8{0x00, 0x01, 0x1B, 0x80}
	sseImmMpsadbw = sseImmAll8
)

// sseHostSpecs lists the instruction forms the oracle checks.
func sseHostSpecs() []sseHostSpec {
	s := []sseHostSpec{}
	add := func(name, op string, enc, kind int, imms []uint8) {
		s = append(s, sseHostSpec{name, op, enc, kind, imms})
	}
	// SSE/SSE2 float arithmetic, sqrt, min/max, reciprocals.
	for _, o := range []struct {
		n  string
		op string
	}{{"ADD", "58"}, {"MUL", "59"}, {"SUB", "5c"}, {"MIN", "5d"}, {"DIV", "5e"}, {"MAX", "5f"}, {"SQRT", "51"}} {
		add(o.n+"PS", "0f"+o.op, sseEncXX, sseKF32, nil)
		add(o.n+"PD", "660f"+o.op, sseEncXX, sseKF64, nil)
		add(o.n+"SS", "f30f"+o.op, sseEncXX, sseKF32, nil)
		add(o.n+"SD", "f20f"+o.op, sseEncXX, sseKF64, nil)
	}
	add("RCPPS", "0f53", sseEncXX, sseKF32, nil)
	add("RCPSS", "f30f53", sseEncXX, sseKF32, nil)
	add("RSQRTPS", "0f52", sseEncXX, sseKF32, nil)
	add("RSQRTSS", "f30f52", sseEncXX, sseKF32, nil)
	add("ANDPS", "0f54", sseEncXX, sseKF32, nil)
	add("ANDPD", "660f54", sseEncXX, sseKF64, nil)
	add("ANDNPS", "0f55", sseEncXX, sseKF32, nil)
	add("ANDNPD", "660f55", sseEncXX, sseKF64, nil)
	add("ORPS", "0f56", sseEncXX, sseKF32, nil)
	add("ORPD", "660f56", sseEncXX, sseKF64, nil)
	add("XORPS", "0f57", sseEncXX, sseKF32, nil)
	add("XORPD", "660f57", sseEncXX, sseKF64, nil)
	add("CMPPS", "0fc2", sseEncXX, sseKF32, sseImmCmp)
	add("CMPPD", "660fc2", sseEncXX, sseKF64, sseImmCmp)
	add("CMPSS", "f30fc2", sseEncXX, sseKF32, sseImmCmp)
	add("CMPSD", "f20fc2", sseEncXX, sseKF64, sseImmCmp)
	add("UCOMISS", "0f2e", sseEncXX, sseKF32, nil)
	add("COMISS", "0f2f", sseEncXX, sseKF32, nil)
	add("UCOMISD", "660f2e", sseEncXX, sseKF64, nil)
	add("COMISD", "660f2f", sseEncXX, sseKF64, nil)
	add("UNPCKLPS", "0f14", sseEncXX, sseKF32, nil)
	add("UNPCKHPS", "0f15", sseEncXX, sseKF32, nil)
	add("UNPCKLPD", "660f14", sseEncXX, sseKF64, nil)
	add("UNPCKHPD", "660f15", sseEncXX, sseKF64, nil)
	add("SHUFPS", "0fc6", sseEncXX, sseKF32, sseImmShuf)
	add("SHUFPD", "660fc6", sseEncXX, sseKF64, sseImmBlend2)
	// Conversions.
	add("CVTPI2PS", "0f2a", sseEncXXm, sseKInt, nil)
	add("CVTPI2PD", "660f2a", sseEncXXm, sseKInt, nil)
	add("CVTSI2SS", "f30f2a", sseEncXG, sseKInt, nil)
	add("CVTSI2SS.W", "f3480f2a", sseEncXG, sseKInt, nil)
	add("CVTSI2SD", "f20f2a", sseEncXG, sseKInt, nil)
	add("CVTSI2SD.W", "f2480f2a", sseEncXG, sseKInt, nil)
	add("CVTTSS2SI", "f30f2c", sseEncGX, sseKF32, nil)
	add("CVTTSS2SI.W", "f3480f2c", sseEncGX, sseKF32, nil)
	add("CVTTSD2SI", "f20f2c", sseEncGX, sseKF64, nil)
	add("CVTTSD2SI.W", "f2480f2c", sseEncGX, sseKF64, nil)
	add("CVTSS2SI", "f30f2d", sseEncGX, sseKF32, nil)
	add("CVTSS2SI.W", "f3480f2d", sseEncGX, sseKF32, nil)
	add("CVTSD2SI", "f20f2d", sseEncGX, sseKF64, nil)
	add("CVTSD2SI.W", "f2480f2d", sseEncGX, sseKF64, nil)
	add("CVTPS2PD", "0f5a", sseEncXX, sseKF32, nil)
	add("CVTPD2PS", "660f5a", sseEncXX, sseKF64, nil)
	add("CVTSS2SD", "f30f5a", sseEncXX, sseKF32, nil)
	add("CVTSD2SS", "f20f5a", sseEncXX, sseKF64, nil)
	add("CVTDQ2PS", "0f5b", sseEncXX, sseKInt, nil)
	add("CVTPS2DQ", "660f5b", sseEncXX, sseKF32, nil)
	add("CVTTPS2DQ", "f30f5b", sseEncXX, sseKF32, nil)
	add("CVTTPD2DQ", "660fe6", sseEncXX, sseKF64, nil)
	add("CVTPD2DQ", "f20fe6", sseEncXX, sseKF64, nil)
	add("CVTDQ2PD", "f30fe6", sseEncXX, sseKInt, nil)
	// Moves.
	add("MOVUPS.load", "0f10", sseEncXX, sseKInt, nil)
	add("MOVUPS.store", "0f11", sseEncXX, sseKInt, nil)
	add("MOVUPD.load", "660f10", sseEncXX, sseKInt, nil)
	add("MOVUPD.store", "660f11", sseEncXX, sseKInt, nil)
	add("MOVSS.load", "f30f10", sseEncXX, sseKInt, nil)
	add("MOVSS.store", "f30f11", sseEncXX, sseKInt, nil)
	add("MOVSD.load", "f20f10", sseEncXX, sseKInt, nil)
	add("MOVSD.store", "f20f11", sseEncXX, sseKInt, nil)
	add("MOVLPS.load", "0f12", sseEncXXm, sseKInt, nil)
	add("MOVHLPS", "0f12", sseEncXXr, sseKInt, nil)
	add("MOVLPS.store", "0f13", sseEncXXm, sseKInt, nil)
	add("MOVLPD.load", "660f12", sseEncXXm, sseKInt, nil)
	add("MOVLPD.store", "660f13", sseEncXXm, sseKInt, nil)
	add("MOVHPS.load", "0f16", sseEncXXm, sseKInt, nil)
	add("MOVLHPS", "0f16", sseEncXXr, sseKInt, nil)
	add("MOVHPS.store", "0f17", sseEncXXm, sseKInt, nil)
	add("MOVHPD.load", "660f16", sseEncXXm, sseKInt, nil)
	add("MOVHPD.store", "660f17", sseEncXXm, sseKInt, nil)
	add("MOVAPS.load", "0f28", sseEncXX, sseKInt, nil)
	add("MOVAPS.store", "0f29", sseEncXX, sseKInt, nil)
	add("MOVAPD.load", "660f28", sseEncXX, sseKInt, nil)
	add("MOVAPD.store", "660f29", sseEncXX, sseKInt, nil)
	add("MOVNTPS", "0f2b", sseEncXXm, sseKInt, nil)
	add("MOVNTPD", "660f2b", sseEncXXm, sseKInt, nil)
	add("MOVMSKPS", "0f50", sseEncGXr, sseKF32, nil)
	add("MOVMSKPD", "660f50", sseEncGXr, sseKF64, nil)
	add("MOVD.load", "660f6e", sseEncXG, sseKInt, nil)
	add("MOVD.store", "660f7e", sseEncRX, sseKInt, nil)
	add("MOVQ.load.W", "66480f6e", sseEncXG, sseKInt, nil)
	add("MOVQ.store.W", "66480f7e", sseEncRX, sseKInt, nil)
	add("MOVQ.load", "f30f7e", sseEncXX, sseKInt, nil)
	add("MOVQ.store", "660fd6", sseEncXX, sseKInt, nil)
	add("MOVDQA.load", "660f6f", sseEncXX, sseKInt, nil)
	add("MOVDQA.store", "660f7f", sseEncXX, sseKInt, nil)
	add("MOVDQU.load", "f30f6f", sseEncXX, sseKInt, nil)
	add("MOVDQU.store", "f30f7f", sseEncXX, sseKInt, nil)
	add("MOVNTDQ", "660fe7", sseEncXXm, sseKInt, nil)
	add("MOVNTI", "0fc3", sseEncMG, sseKInt, nil)
	add("MOVNTI.W", "480fc3", sseEncMG, sseKInt, nil)
	add("MASKMOVDQU", "660ff7", sseEncXXr, sseKInt, nil)
	add("LDDQU", "f20ff0", sseEncXXm, sseKInt, nil)
	add("MOVDDUP", "f20f12", sseEncXX, sseKInt, nil)
	add("MOVSLDUP", "f30f12", sseEncXX, sseKInt, nil)
	add("MOVSHDUP", "f30f16", sseEncXX, sseKInt, nil)
	add("MOVNTDQA", "660f382a", sseEncXXm, sseKInt, nil)
	// SSE3 arithmetic.
	add("HADDPD", "660f7c", sseEncXX, sseKF64, nil)
	add("HADDPS", "f20f7c", sseEncXX, sseKF32, nil)
	add("HSUBPD", "660f7d", sseEncXX, sseKF64, nil)
	add("HSUBPS", "f20f7d", sseEncXX, sseKF32, nil)
	add("ADDSUBPD", "660fd0", sseEncXX, sseKF64, nil)
	add("ADDSUBPS", "f20fd0", sseEncXX, sseKF32, nil)
	// SSE2 integer.
	for _, o := range []struct {
		n, op string
	}{
		{"PUNPCKLBW", "60"}, {"PUNPCKLWD", "61"}, {"PUNPCKLDQ", "62"}, {"PACKSSWB", "63"},
		{"PCMPGTB", "64"}, {"PCMPGTW", "65"}, {"PCMPGTD", "66"}, {"PACKUSWB", "67"},
		{"PUNPCKHBW", "68"}, {"PUNPCKHWD", "69"}, {"PUNPCKHDQ", "6a"}, {"PACKSSDW", "6b"},
		{"PUNPCKLQDQ", "6c"}, {"PUNPCKHQDQ", "6d"}, {"PCMPEQB", "74"}, {"PCMPEQW", "75"},
		{"PCMPEQD", "76"}, {"PADDQ", "d4"}, {"PMULLW", "d5"}, {"PSUBUSB", "d8"},
		{"PSUBUSW", "d9"}, {"PMINUB", "da"}, {"PAND", "db"}, {"PADDUSB", "dc"},
		{"PADDUSW", "dd"}, {"PMAXUB", "de"}, {"PANDN", "df"}, {"PAVGB", "e0"},
		{"PAVGW", "e3"}, {"PMULHUW", "e4"}, {"PMULHW", "e5"}, {"PSUBSB", "e8"},
		{"PSUBSW", "e9"}, {"PMINSW", "ea"}, {"POR", "eb"}, {"PADDSB", "ec"},
		{"PADDSW", "ed"}, {"PMAXSW", "ee"}, {"PXOR", "ef"}, {"PMULUDQ", "f4"},
		{"PMADDWD", "f5"}, {"PSADBW", "f6"}, {"PSUBB", "f8"}, {"PSUBW", "f9"},
		{"PSUBD", "fa"}, {"PSUBQ", "fb"}, {"PADDB", "fc"}, {"PADDW", "fd"}, {"PADDD", "fe"},
	} {
		add(o.n, "660f"+o.op, sseEncXX, sseKInt, nil)
	}
	for _, o := range []struct {
		n, op string
	}{{"PSRLW", "d1"}, {"PSRLD", "d2"}, {"PSRLQ", "d3"}, {"PSRAW", "e1"}, {"PSRAD", "e2"},
		{"PSLLW", "f1"}, {"PSLLD", "f2"}, {"PSLLQ", "f3"}} {
		add(o.n, "660f"+o.op, sseEncXX, sseKCount, nil)
	}
	for _, o := range []struct {
		n, op string
	}{{"PSRLW.i", "660f71/2"}, {"PSRAW.i", "660f71/4"}, {"PSLLW.i", "660f71/6"},
		{"PSRLD.i", "660f72/2"}, {"PSRAD.i", "660f72/4"}, {"PSLLD.i", "660f72/6"},
		{"PSRLQ.i", "660f73/2"}, {"PSLLQ.i", "660f73/6"}} {
		add(o.n, o.op, sseEncXI, sseKInt, sseImmShift)
	}
	add("PSRLDQ", "660f73/3", sseEncXI, sseKInt, sseImmBytes)
	add("PSLLDQ", "660f73/7", sseEncXI, sseKInt, sseImmBytes)
	add("PSHUFD", "660f70", sseEncXX, sseKInt, sseImmShuf)
	add("PSHUFHW", "f30f70", sseEncXX, sseKInt, sseImmShuf)
	add("PSHUFLW", "f20f70", sseEncXX, sseKInt, sseImmShuf)
	add("PINSRW", "660fc4", sseEncXG, sseKInt, sseImmIndex)
	add("PEXTRW", "660fc5", sseEncGXr, sseKInt, sseImmIndex)
	add("PMOVMSKB", "660fd7", sseEncGXr, sseKInt, nil)
	// SSSE3.
	for _, o := range []struct {
		n, op string
	}{{"PSHUFB", "00"}, {"PHADDW", "01"}, {"PHADDD", "02"}, {"PHADDSW", "03"},
		{"PMADDUBSW", "04"}, {"PHSUBW", "05"}, {"PHSUBD", "06"}, {"PHSUBSW", "07"},
		{"PSIGNB", "08"}, {"PSIGNW", "09"}, {"PSIGND", "0a"}, {"PMULHRSW", "0b"},
		{"PABSB", "1c"}, {"PABSW", "1d"}, {"PABSD", "1e"}} {
		add(o.n, "660f38"+o.op, sseEncXX, sseKInt, nil)
	}
	add("PALIGNR", "660f3a0f", sseEncXX, sseKInt, sseImmAlign)
	// SSE4.1 and SSE4.2.
	for _, o := range []struct {
		n, op string
	}{{"PBLENDVB", "10"}, {"BLENDVPS", "14"}, {"BLENDVPD", "15"}, {"PTEST", "17"},
		{"PMOVSXBW", "20"}, {"PMOVSXBD", "21"}, {"PMOVSXBQ", "22"}, {"PMOVSXWD", "23"},
		{"PMOVSXWQ", "24"}, {"PMOVSXDQ", "25"}, {"PMULDQ", "28"}, {"PCMPEQQ", "29"},
		{"PACKUSDW", "2b"}, {"PMOVZXBW", "30"}, {"PMOVZXBD", "31"}, {"PMOVZXBQ", "32"},
		{"PMOVZXWD", "33"}, {"PMOVZXWQ", "34"}, {"PMOVZXDQ", "35"}, {"PCMPGTQ", "37"},
		{"PMINSB", "38"}, {"PMINSD", "39"}, {"PMINUW", "3a"}, {"PMINUD", "3b"},
		{"PMAXSB", "3c"}, {"PMAXSD", "3d"}, {"PMAXUW", "3e"}, {"PMAXUD", "3f"},
		{"PMULLD", "40"}, {"PHMINPOSUW", "41"}} {
		add(o.n, "660f38"+o.op, sseEncXX, sseKInt, nil)
	}
	add("ROUNDPS", "660f3a08", sseEncXX, sseKF32, sseImmRound)
	add("ROUNDPD", "660f3a09", sseEncXX, sseKF64, sseImmRound)
	add("ROUNDSS", "660f3a0a", sseEncXX, sseKF32, sseImmRound)
	add("ROUNDSD", "660f3a0b", sseEncXX, sseKF64, sseImmRound)
	add("BLENDPS", "660f3a0c", sseEncXX, sseKInt, sseImmBlend4)
	add("BLENDPD", "660f3a0d", sseEncXX, sseKInt, sseImmBlend2)
	add("PBLENDW", "660f3a0e", sseEncXX, sseKInt, sseImmBlendW)
	add("PEXTRB", "660f3a14", sseEncRX, sseKInt, sseImmIndex)
	add("PEXTRW.rm", "660f3a15", sseEncRX, sseKInt, sseImmIndex)
	add("PEXTRD", "660f3a16", sseEncRX, sseKInt, sseImmIndex)
	add("PEXTRQ.W", "66480f3a16", sseEncRX, sseKInt, sseImmIndex)
	add("EXTRACTPS", "660f3a17", sseEncRX, sseKF32, sseImmIndex)
	add("PINSRB", "660f3a20", sseEncXG, sseKInt, sseImmIndex)
	add("INSERTPS", "660f3a21", sseEncXX, sseKF32, sseImmInsert)
	add("PINSRD", "660f3a22", sseEncXG, sseKInt, sseImmIndex)
	add("PINSRQ.W", "66480f3a22", sseEncXG, sseKInt, sseImmIndex)
	add("DPPS", "660f3a40", sseEncXX, sseKF32, sseImmDpps)
	add("DPPD", "660f3a41", sseEncXX, sseKF64, sseImmDppd)
	add("MPSADBW", "660f3a42", sseEncXX, sseKInt, sseImmMpsadbw)
	add("PCMPESTRM", "660f3a60", sseEncXXr, sseKStr, sseImmStr)
	add("PCMPESTRI", "660f3a61", sseEncXXr, sseKStr, sseImmStr)
	add("PCMPISTRM", "660f3a62", sseEncXXr, sseKStr, sseImmStr)
	add("PCMPISTRI", "660f3a63", sseEncXXr, sseKStr, sseImmStr)
	add("PCMPESTRM.W", "66480f3a60", sseEncXXr, sseKStr, sseImmStrMem)
	add("PCMPESTRI.W", "66480f3a61", sseEncXXr, sseKStr, sseImmStrMem)
	add("PCMPESTRM.m", "660f3a60", sseEncXXm, sseKStr, sseImmStrMem)
	add("PCMPESTRI.m", "660f3a61", sseEncXXm, sseKStr, sseImmStrMem)
	add("PCMPISTRM.m", "660f3a62", sseEncXXm, sseKStr, sseImmStrMem)
	add("PCMPISTRI.m", "660f3a63", sseEncXXm, sseKStr, sseImmStrMem)
	add("CRC32.b", "f20f38f0", sseEncCRC, sseKInt, nil)
	add("CRC32.w", "66f20f38f1", sseEncCRC, sseKInt, nil)
	add("CRC32.l", "f20f38f1", sseEncCRC, sseKInt, nil)
	add("CRC32.b.W", "f2480f38f0", sseEncCRC, sseKInt, nil)
	add("CRC32.q.W", "f2480f38f1", sseEncCRC, sseKInt, nil)
	// AES-NI and PCLMULQDQ.
	add("AESIMC", "660f38db", sseEncXX, sseKInt, nil)
	add("AESENC", "660f38dc", sseEncXX, sseKInt, nil)
	add("AESENCLAST", "660f38dd", sseEncXX, sseKInt, nil)
	add("AESDEC", "660f38de", sseEncXX, sseKInt, nil)
	add("AESDECLAST", "660f38df", sseEncXX, sseKInt, nil)
	add("AESKEYGENASSIST", "660f3adf", sseEncXX, sseKInt, sseImmKeygen)
	add("PCLMULQDQ", "660f3a44", sseEncXX, sseKInt, sseImmClmul)
	return s
}

// sseHostForms expands the specs into concrete instructions. Registers:
// XMM1 is the destination (ModRM.reg), XMM2 the register source, [RSI]
// the memory operand, EAX (and ECX for CRC32) the general registers.
func sseHostForms() []sseHostForm {
	var forms []sseHostForm
	for _, sp := range sseHostSpecs() {
		op := sp.op
		digit := -1
		if i := strings.IndexByte(op, '/'); i >= 0 {
			digit = int(op[i+1] - '0')
			op = op[:i]
		}
		ob, err := hex.DecodeString(op)
		if err != nil {
			panic(sp.name + ": " + err.Error())
		}
		rexw := false
		for _, b := range ob {
			if b&0xF8 == 0x48 {
				rexw = true
			}
		}
		type variant struct {
			suffix string
			modrm  byte
			mem    bool
		}
		var vs []variant
		switch sp.enc {
		case sseEncXX:
			vs = []variant{{"r", 0xCA, false}, {"m", 0x0E, true}}
		case sseEncXXr:
			vs = []variant{{"r", 0xCA, false}}
		case sseEncXXm:
			vs = []variant{{"m", 0x0E, true}}
		case sseEncXG, sseEncRX:
			vs = []variant{{"r", 0xC8, false}, {"m", 0x0E, true}}
		case sseEncXGr:
			vs = []variant{{"r", 0xC8, false}}
		case sseEncGX:
			vs = []variant{{"r", 0xC2, false}, {"m", 0x06, true}}
		case sseEncGXr:
			vs = []variant{{"r", 0xC2, false}}
		case sseEncXI:
			vs = []variant{{"i", 0xC1 | byte(digit)<<3, false}}
		case sseEncCRC:
			vs = []variant{{"r", 0xC1, false}, {"m", 0x06, true}}
		case sseEncMG:
			vs = []variant{{"m", 0x06, true}}
		}
		imms := sp.imms
		if imms == nil {
			imms = []uint8{0}
		}
		for _, v := range vs {
			for _, imm := range imms {
				code := append(append([]byte{}, ob...), v.modrm)
				name := sp.name + "." + v.suffix
				if sp.imms != nil {
					code = append(code, imm)
					name += fmt.Sprintf(".%#x", imm)
				}
				forms = append(forms, sseHostForm{
					name: name, code: code, kind: sp.kind, mem: v.mem, rexw: rexw,
					approx: strings.HasPrefix(sp.name, "RCP") || strings.HasPrefix(sp.name, "RSQRT"),
				})
			}
		}
	}
	return forms
}

// sseHostAsm generates ssehost_linux_amd64.s.
func sseHostAsm(forms []sseHostForm) string {
	var b strings.Builder
	b.WriteString(`// Code generated by "go test -run TestSSEHostAsm -update-ssehost"; DO NOT EDIT.

// The hardware oracle's trampoline and instruction forms: see
// ssehost_linux_amd64_test.go. Nothing in the emulator uses this file.

#include "textflag.h"

// func sseHostRun(st *sseHostState, idx int)
TEXT ·sseHostRun(SB), NOSPLIT, $0-16
	MOVQ st+0(FP), R12
	MOVQ idx+8(FP), R13
	LEAQ ssehtab<>(SB), R11
	MOVQ (R11)(R13*8), R13
	STMXCSR 332(R12)
`)
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&b, "\tMOVOU %d(R12), X%d\n", 16*i, i)
	}
	for i, r := range []string{"AX", "CX", "DX", "BX", "", "", "SI", "DI"} {
		if r != "" {
			fmt.Fprintf(&b, "\tMOVQ %d(R12), %s\n", 256+8*i, r)
		}
	}
	b.WriteString(`	PUSHQ 320(R12)
	POPFQ
	LDMXCSR 328(R12)
	CALL R13
	STMXCSR 328(R12)
	PUSHFQ
	POPQ 320(R12)
	LDMXCSR 332(R12)
`)
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&b, "\tMOVOU X%d, %d(R12)\n", i, 16*i)
	}
	for i, r := range []string{"AX", "CX", "DX", "BX", "", "", "SI", "DI"} {
		if r != "" {
			fmt.Fprintf(&b, "\tMOVQ %s, %d(R12)\n", r, 256+8*i)
		}
	}
	b.WriteString(`	PXOR X15, X15
	RET

// func sseHostTrapMXCSR(st *sseHostState)
// After a trap in a form: save MXCSR (with the flags the instruction
// set) and restore the caller's.
TEXT ·sseHostTrapMXCSR(SB), NOSPLIT, $0-8
	MOVQ st+0(FP), R12
	STMXCSR 328(R12)
	LDMXCSR 332(R12)
	RET
`)
	for i, f := range forms {
		fmt.Fprintf(&b, "\n// %s\nTEXT ssehf%d<>(SB), NOSPLIT|NOFRAME, $0\n\t", f.name, i)
		for j, c := range f.code {
			if j > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "BYTE $0x%02x", c)
		}
		b.WriteString("\n\tRET\n")
	}
	b.WriteString("\n")
	for i := range forms {
		fmt.Fprintf(&b, "DATA ssehtab<>+%d(SB)/8, $ssehf%d<>(SB)\n", 8*i, i)
	}
	fmt.Fprintf(&b, "GLOBL ssehtab<>(SB), RODATA, $%d\n", 8*len(forms))
	return b.String()
}
