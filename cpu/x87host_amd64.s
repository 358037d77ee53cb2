//go:build linux

#include "textflag.h"

// func x87HostCall(code, ctx unsafe.Pointer)
//
// x87HostCall calls the machine code at code with ctx in DI, for the
// hardware differential tests of the x87 and MMX instructions
// (x87host_amd64_test.go). The code must preserve SP, BP, R14 and R15
// and return with RET.
TEXT ·x87HostCall(SB), NOSPLIT, $0-16
	MOVQ code+0(FP), AX
	MOVQ ctx+8(FP), DI
	CALL AX
	RET
