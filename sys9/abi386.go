package sys9

import (
	"encoding/binary"

	"9emu/cpu"
)

// The 386 convention (§3.1): INT $0x40, number in AX, arguments on the
// stack from SP+4 in 4-byte slots (vlong in two), result in AX, every
// other register preserved.
var abi386 = abi{
	w:        4,
	uregSize: 76,
	sysno:    func(c *cpu.CPU) int { return int(int32(c.R[cpu.RAX])) },
	argBase:  func(c *cpu.CPU) uint64 { return uint64(uint32(c.R[cpu.RSP] + 4)) },
	slot: func(k byte) uint64 {
		if k == 'v' {
			return 8
		}
		return 4
	},
	setRet:  func(c *cpu.CPU, v uint64) { c.R[cpu.RAX] = uint64(uint32(v)) },
	putUreg: putUreg386,
	getUreg: getUreg386,
	uregPC:  56,
	uregSP:  68,
}

// Ureg386 offsets (§6.4): di si bp nsp bx dx cx ax gs fs es ds trap
// ecode pc cs flags sp ss.
func putUreg386(c *cpu.CPU, trap, ecode uint64) []byte {
	b := make([]byte, 76)
	le := binary.LittleEndian
	put := func(o int, v uint64) { le.PutUint32(b[o:], uint32(v)) }
	put(0, c.R[cpu.RDI])
	put(4, c.R[cpu.RSI])
	put(8, c.R[cpu.RBP])
	put(12, c.R[cpu.RSP])
	put(16, c.R[cpu.RBX])
	put(20, c.R[cpu.RDX])
	put(24, c.R[cpu.RCX])
	put(28, c.R[cpu.RAX])
	put(32, 0)    // gs
	put(36, 0)    // fs
	put(40, 0x1B) // es
	put(44, 0x1B) // ds
	put(48, trap)
	put(52, ecode)
	put(56, c.PC)
	put(60, 0x23)
	put(64, c.Flags())
	put(68, c.R[cpu.RSP])
	put(72, 0x1B)
	return b
}

// getUreg386 reloads registers as noted does: only CF PF AF ZF SF DF OF
// (0xCD5) may change in the flags.
func getUreg386(c *cpu.CPU, b []byte) {
	le := binary.LittleEndian
	get := func(o int) uint64 { return uint64(le.Uint32(b[o:])) }
	c.R[cpu.RDI] = get(0)
	c.R[cpu.RSI] = get(4)
	c.R[cpu.RBP] = get(8)
	c.R[cpu.RBX] = get(16)
	c.R[cpu.RDX] = get(20)
	c.R[cpu.RCX] = get(24)
	c.R[cpu.RAX] = get(28)
	c.PC = get(56)
	f := c.Flags()
	c.SetFlags(f&^0xCD5 | get(64)&0xCD5)
	c.R[cpu.RSP] = get(68)
}
