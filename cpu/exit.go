package cpu

import (
	"fmt"

	"9emu/mem"
)

// Exit says why Run returned.
type Exit uint8

const (
	ExitNone      Exit = iota
	ExitSyscall        // INT $0x40 (386) or SYSCALL (amd64); PC is past the instruction
	ExitFault          // memory fault; see Fault.Addr and Fault.Access
	ExitTrap           // divide error, invalid opcode, breakpoint, GP, FP; see Fault.Trap
	ExitInterrupt      // Interrupt was called; at an instruction boundary
	ExitLimit          // the instruction budget given to Run ran out
)

var exitNames = [...]string{"none", "syscall", "fault", "trap", "interrupt", "limit"}

func (e Exit) String() string {
	if int(e) < len(exitNames) {
		return exitNames[e]
	}
	return fmt.Sprintf("Exit(%d)", int(e))
}

// Trap is an x86 exception vector.
type Trap uint8

const (
	TrapDivide     Trap = 0
	TrapDebug      Trap = 1
	TrapBreakpoint Trap = 3
	TrapOverflow   Trap = 4
	TrapBound      Trap = 5
	TrapInvalidOp  Trap = 6
	TrapStack      Trap = 12
	TrapGP         Trap = 13
	TrapPage       Trap = 14
	TrapX87        Trap = 16
	TrapAlign      Trap = 17
	TrapSIMD       Trap = 19
)

// Fault describes the fault or trap that ended Run with ExitFault or
// ExitTrap.
type Fault struct {
	Trap   Trap
	PC     uint64     // address of the faulting instruction (of INT3 itself for breakpoints)
	Addr   uint64     // faulting address, for page faults
	Access mem.Access // mem.Read, mem.Write or mem.Exec, for page faults
	Code   uint64     // x86 error code (page fault: bit 1 set for writes, bit 2 user)

	// FP exceptions: the x87 status word or the MXCSR flags, and the
	// address of the instruction that raised it.
	FPStatus uint32
	FPPC     uint64

	// Unimplemented names an instruction that decodes but that 9emu does
	// not implement (it traps as an invalid opcode); empty otherwise.
	Unimplemented string
}

func (f *Fault) String() string {
	switch f.Trap {
	case TrapPage:
		return fmt.Sprintf("fault %v addr=%#x pc=%#x", f.Access, f.Addr, f.PC)
	case TrapInvalidOp:
		if f.Unimplemented != "" {
			return fmt.Sprintf("unimplemented instruction %s pc=%#x", f.Unimplemented, f.PC)
		}
	}
	return fmt.Sprintf("trap %d pc=%#x", f.Trap, f.PC)
}
