package sys9

import (
	"encoding/binary"

	"9emu/aout"
	"9emu/cpu"
)

// abi is what differs between the 386 and amd64 system-call conventions
// (§3): where the number and arguments are, how results come back, and
// the Ureg layout notes use. The two instances are in abi386.go and
// abiamd64.go.
type abi struct {
	w        uint64 // word size
	uregSize uint64

	// sysno returns the system-call number.
	sysno func(c *cpu.CPU) int
	// argBase returns the address of the first argument slot.
	argBase func(c *cpu.CPU) uint64
	// slot returns the size of an argument slot of the given kind.
	slot func(kind byte) uint64
	// setRet stores a system call's result.
	setRet func(c *cpu.CPU, v uint64)
	// putUreg encodes the registers as a Ureg; getUreg decodes one into
	// the CPU under noted's restrictions.
	putUreg func(c *cpu.CPU, trap, ecode uint64) []byte
	getUreg func(c *cpu.CPU, b []byte)
	// uregPC and uregSP are offsets in the Ureg.
	uregPC, uregSP uint64
}

func abiFor(a aout.Arch) *abi {
	if a == aout.ArchAMD64 {
		return &abiAMD64
	}
	return &abi386
}

// args holds a system call's arguments, already read from the stack and
// converted to 64 bits by kind: signed 32-bit kinds are sign-extended.
type args struct {
	v [6]uint64
}

func (a *args) int(i int) int     { return int(int32(a.v[i])) }
func (a *args) uint(i int) uint32 { return uint32(a.v[i]) }
func (a *args) ptr(i int) uint64  { return a.v[i] }
func (a *args) vlong(i int) int64 { return int64(a.v[i]) }

// fetchArgs reads the arguments described by kinds: 'i' int, 'u' uint,
// 'l' long (all 32-bit), 'p' pointer-sized, 'v' vlong.
func (p *Proc) fetchArgs(kinds string, a *args) error {
	c := p.cpu
	off := p.abi.argBase(c)
	var b [8]byte
	for i := 0; i < len(kinds); i++ {
		k := kinds[i]
		n := p.abi.slot(k)
		var v uint64
		switch {
		case k == 'v' || k == 'p' && p.abi.w == 8:
			if err := c.ReadGuest(b[:8], off); err != nil {
				return err
			}
			v = binary.LittleEndian.Uint64(b[:8])
		default:
			if err := c.ReadGuest(b[:4], off); err != nil {
				return err
			}
			v = uint64(binary.LittleEndian.Uint32(b[:4]))
			if k == 'i' || k == 'l' {
				v = uint64(int64(int32(v)))
			}
		}
		a.v[i] = v
		off += n
	}
	return nil
}
