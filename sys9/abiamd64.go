package sys9

import (
	"encoding/binary"

	"9emu/cpu"
)

// The amd64 convention (§3.2): SYSCALL, number in BP, arguments at SP+8
// in 8-byte slots (32-bit kinds in the low half), result in AX.
var abiAMD64 = abi{
	w:        8,
	uregSize: 184,
	sysno:    func(c *cpu.CPU) int { return int(int32(c.R[cpu.RBP])) },
	argBase:  func(c *cpu.CPU) uint64 { return c.R[cpu.RSP] + 8 },
	slot:     func(byte) uint64 { return 8 },
	setRet:   func(c *cpu.CPU, v uint64) { c.R[cpu.RAX] = v },
	putUreg:  putUregAMD64,
	getUreg:  getUregAMD64,
	uregPC:   144,
	uregSP:   168,
}

// UregAMD64 offsets (§6.4): ax bx cx dx si di bp r8-r15, ds es fs gs
// (16-bit), type error pc cs flags sp ss.
func putUregAMD64(c *cpu.CPU, trap, ecode uint64) []byte {
	b := make([]byte, 184)
	le := binary.LittleEndian
	regs := []int{cpu.RAX, cpu.RBX, cpu.RCX, cpu.RDX, cpu.RSI, cpu.RDI, cpu.RBP,
		cpu.R8, cpu.R9, cpu.R10, cpu.R11, cpu.R12, cpu.R13, cpu.R14, cpu.R15}
	for i, r := range regs {
		le.PutUint64(b[i*8:], c.R[r])
	}
	le.PutUint64(b[128:], trap)
	le.PutUint64(b[136:], ecode)
	le.PutUint64(b[144:], c.PC)
	le.PutUint64(b[152:], 0x2B)
	le.PutUint64(b[160:], c.Flags())
	le.PutUint64(b[168:], c.R[cpu.RSP])
	le.PutUint64(b[176:], 0x23)
	return b
}

// getUregAMD64 reloads registers as noted does: the low 8 flag bits may
// change, the PC is masked to 47 bits.
func getUregAMD64(c *cpu.CPU, b []byte) {
	le := binary.LittleEndian
	regs := []int{cpu.RAX, cpu.RBX, cpu.RCX, cpu.RDX, cpu.RSI, cpu.RDI, cpu.RBP,
		cpu.R8, cpu.R9, cpu.R10, cpu.R11, cpu.R12, cpu.R13, cpu.R14, cpu.R15}
	for i, r := range regs {
		c.R[r] = le.Uint64(b[i*8:])
	}
	c.PC = le.Uint64(b[144:]) & (1<<47 - 1)
	f := c.Flags()
	c.SetFlags(f&^0xFF | le.Uint64(b[160:])&0xFF)
	c.R[cpu.RSP] = le.Uint64(b[168:])
}
