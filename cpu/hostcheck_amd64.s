//go:build linux

#include "textflag.h"

// The trampoline of the integer hardware oracle (hostcheck_linux_amd64_test.go,
// oracle_test.go). Nothing in the emulator uses this file; the linker drops
// it from every binary but the cpu test.
//
// hostRun loads the whole user state from a hostState (at a fixed address in
// a page the test maps) and jumps to its entry: a landing pad in the
// test's executable page that loads RSP and RAX, the instruction bytes under
// test, and an epilogue that swaps RSP with the state's scratch-stack slot,
// pushes RFLAGS there and jumps to hostBack through the state's back slot.
// hostBack stores the state and puts back everything Go relies on: SP, BP,
// R12-R15 (R14 is g), RFLAGS (DF clear, no AC), MXCSR, the x87 control word
// and the XMM registers (X15 is zero in Go's internal ABI).

// hostState field offsets; hostcheck_linux_amd64_test.go checks them.
#define hsR 0
#define hsFlags 128
#define hsMXCSR 136
#define hsUseFX 140
#define hsX 144
#define hsGoSP 400
#define hsGoBP 408
#define hsGoR12 416
#define hsGoR13 424
#define hsGoR14 432
#define hsGoR15 440
#define hsGoFlags 448
#define hsEntry 456
#define hsBack 464
#define hsSlot 472
#define hsFX 512
#define hsGoFX 1024
// The epilogue's scratch stack ends at 2048, so after its PUSHFQ the
// hardware SP is the state's address plus hsTop.
#define hsTop 2040

// func hostRun(st *hostState)
TEXT ·hostRun(SB), NOSPLIT, $0-8
	MOVQ st+0(FP), AX
	MOVQ SP, hsGoSP(AX)
	MOVQ BP, hsGoBP(AX)
	MOVQ R12, hsGoR12(AX)
	MOVQ R13, hsGoR13(AX)
	MOVQ R14, hsGoR14(AX)
	MOVQ R15, hsGoR15(AX)
	PUSHFQ
	POPQ hsGoFlags(AX)
	FXSAVE64 hsGoFX(AX)
	LEAQ ·hostBack(SB), BX
	MOVQ BX, hsBack(AX)

	// The x87 image (with MXCSR and the XMM registers) when asked for,
	// else MXCSR and the XMM registers alone.
	CMPL hsUseFX(AX), $0
	JEQ noFX
	FXRSTOR64 hsFX(AX)
	JMP loaded
noFX:
	LDMXCSR hsMXCSR(AX)
	MOVOU (hsX+0)(AX), X0
	MOVOU (hsX+16)(AX), X1
	MOVOU (hsX+32)(AX), X2
	MOVOU (hsX+48)(AX), X3
	MOVOU (hsX+64)(AX), X4
	MOVOU (hsX+80)(AX), X5
	MOVOU (hsX+96)(AX), X6
	MOVOU (hsX+112)(AX), X7
	MOVOU (hsX+128)(AX), X8
	MOVOU (hsX+144)(AX), X9
	MOVOU (hsX+160)(AX), X10
	MOVOU (hsX+176)(AX), X11
	MOVOU (hsX+192)(AX), X12
	MOVOU (hsX+208)(AX), X13
	MOVOU (hsX+224)(AX), X14
	MOVOU (hsX+240)(AX), X15

loaded:
	// RFLAGS last but for the moves, which do not change it.
	PUSHQ hsFlags(AX)
	POPFQ
	MOVQ (hsR+8)(AX), CX
	MOVQ (hsR+16)(AX), DX
	MOVQ (hsR+24)(AX), BX
	MOVQ (hsR+40)(AX), BP
	MOVQ (hsR+48)(AX), SI
	MOVQ (hsR+56)(AX), DI
	MOVQ (hsR+64)(AX), R8
	MOVQ (hsR+72)(AX), R9
	MOVQ (hsR+80)(AX), R10
	MOVQ (hsR+88)(AX), R11
	MOVQ (hsR+96)(AX), R12
	MOVQ (hsR+104)(AX), R13
	MOVQ (hsR+112)(AX), R14
	MOVQ (hsR+120)(AX), R15
	// The landing pad loads RSP from 32(AX), then RAX from 0(AX).
	JMP hsEntry(AX)

// func hostBack()
//
// hostBack is entered by a jump from the epilogue with SP at the state's
// address plus hsTop and the guest's RFLAGS at 0(SP); the guest's RSP is in
// the state's slot.
TEXT ·hostBack(SB), NOSPLIT|NOFRAME, $0
	MOVQ AX, (hsR-hsTop)(SP)
	LEAQ -hsTop(SP), AX
	MOVQ CX, (hsR+8)(AX)
	MOVQ DX, (hsR+16)(AX)
	MOVQ BX, (hsR+24)(AX)
	MOVQ 0(SP), BX
	MOVQ BX, hsFlags(AX)
	MOVQ hsSlot(AX), BX
	MOVQ BX, (hsR+32)(AX)
	MOVQ BP, (hsR+40)(AX)
	MOVQ SI, (hsR+48)(AX)
	MOVQ DI, (hsR+56)(AX)
	MOVQ R8, (hsR+64)(AX)
	MOVQ R9, (hsR+72)(AX)
	MOVQ R10, (hsR+80)(AX)
	MOVQ R11, (hsR+88)(AX)
	MOVQ R12, (hsR+96)(AX)
	MOVQ R13, (hsR+104)(AX)
	MOVQ R14, (hsR+112)(AX)
	MOVQ R15, (hsR+120)(AX)
	STMXCSR hsMXCSR(AX)
	MOVOU X0, (hsX+0)(AX)
	MOVOU X1, (hsX+16)(AX)
	MOVOU X2, (hsX+32)(AX)
	MOVOU X3, (hsX+48)(AX)
	MOVOU X4, (hsX+64)(AX)
	MOVOU X5, (hsX+80)(AX)
	MOVOU X6, (hsX+96)(AX)
	MOVOU X7, (hsX+112)(AX)
	MOVOU X8, (hsX+128)(AX)
	MOVOU X9, (hsX+144)(AX)
	MOVOU X10, (hsX+160)(AX)
	MOVOU X11, (hsX+176)(AX)
	MOVOU X12, (hsX+192)(AX)
	MOVOU X13, (hsX+208)(AX)
	MOVOU X14, (hsX+224)(AX)
	MOVOU X15, (hsX+240)(AX)
	FXSAVE64 hsFX(AX)

	// Back to Go: its FPU and SSE state, registers, flags and stack.
	FXRSTOR64 hsGoFX(AX)
	PXOR X15, X15
	MOVQ hsGoBP(AX), BP
	MOVQ hsGoR12(AX), R12
	MOVQ hsGoR13(AX), R13
	MOVQ hsGoR14(AX), R14
	MOVQ hsGoR15(AX), R15
	MOVQ hsGoSP(AX), SP
	PUSHQ hsGoFlags(AX)
	POPFQ
	CLD
	RET
