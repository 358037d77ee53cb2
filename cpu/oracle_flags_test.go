package cpu

// What the oracle does not compare: the flags (and, for two operations,
// results) that the SDM leaves undefined. The table follows the "Flags
// Affected" sections of SDM Vol. 2 (and AMD's APM Vol. 3, which agrees):
//
//	operation                  undefined
//	AND OR XOR TEST            AF
//	SHL SHR (count c > 0)      AF; OF if c != 1; CF if c >= operand bits
//	SAR (c > 0)                AF; OF if c != 1
//	ROL ROR RCL RCR (c > 0)    OF if c != 1 (c is the count masked to 5 or 6 bits)
//	SHLD SHRD (c > 0)          AF; OF if c != 1; all flags and the result
//	                           if c > operand bits (16-bit operands only)
//	MUL IMUL                   SF ZF AF PF
//	DIV IDIV                   CF OF SF ZF AF PF
//	BT BTS BTR BTC             OF SF AF PF
//	BSF BSR                    CF OF SF AF PF; the destination if the
//	                           source is 0 (Intel; AMD leaves it unchanged)
//	TZCNT LZCNT                OF SF AF PF
//	ANDN BLSI BLSMSK BLSR BZHI AF PF
//	BEXTR                      SF AF PF
//	BSWAP r16                  the result
//
// Every other integer operation defines all the flags it changes. A count of
// zero changes no flag, and the oracle checks that.
//
// Undefined is not random: a given CPU computes those flags the same way
// every time. The emulator computes all of them, and the undefined SHLD and
// SHRD results, as AMD Zen does (measured on Zen 5 with -oracle.measure):
//
//	AND OR XOR TEST            AF = 0
//	SHL SHR SAR (c > 0)        AF = 1; SHR: OF = 0 if c > 1; SHL, SHR:
//	                           CF = 0 if c > bits (the bit shifted out at c = bits)
//	ROL ROR RCL RCR            OF as for a 1-bit rotate, also when an 8- or
//	                           16-bit RCL/RCR count is a multiple of 9 or 17
//	SHLD SHRD (c > 0)          AF = 1; SHLD: OF = CF ^ the top bit of d<<c
//	                           (the result's, but for 16-bit c >= 16);
//	                           SHRD: OF = the top two result bits differ;
//	                           16-bit, c > 16: d:s:s (SHLD) or s:s:d (SHRD)
//	                           shifted, CF = 0
//	MUL IMUL                   SF ZF AF PF unchanged
//	DIV IDIV                   AF = 1, SF = ZF = PF = 0, CF OF unchanged
//	BT BTS BTR BTC             OF SF AF PF unchanged
//	BSF BSR                    CF = OF = SF = AF = 0, PF = parity of the
//	                           index (1 for a zero source); a zero source
//	                           leaves all 64 bits of the destination
//	TZCNT LZCNT                SF = AF = PF = 0, OF unchanged
//	ANDN BLSI BLSMSK BLSR BZHI AF = 0, PF = parity of the result
//	BEXTR                      AF = 1, SF = 0, PF = parity of the result
//	BSWAP r16                  the low 16 bits cleared
//
// So on a Zen host the oracle masks nothing and those behaviours stay
// matched; on any other host it compares only what the SDM defines.

import (
	"flag"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

var oracleMeasure = flag.Bool("oracle.measure", false, "report how the host computes the flags the SDM leaves undefined")

// An oracleMask says what of the result to ignore.
type oracleMask struct {
	flags uint64
	reg   [16]uint64 // bits of each register
	memA  uint64     // undefined memory bytes: [memA, memA+memN)
	memN  uint64
}

// sdmUndefined returns what the SDM leaves undefined after x runs from st.
func sdmUndefined(x *x86asm.Inst, st *oracleState) oracleMask {
	var m oracleMask
	const (
		cf, pf, af, zf, sf, of = FlagCF, FlagPF, FlagAF, FlagZF, FlagSF, FlagOF
	)
	bits := opBits(x)
	switch x.Op {
	case x86asm.AND, x86asm.OR, x86asm.XOR, x86asm.TEST:
		m.flags = af
	case x86asm.SHL, x86asm.SHR, x86asm.SAR, x86asm.ROL, x86asm.ROR, x86asm.RCL, x86asm.RCR:
		c := shiftCountOf(x, st, 1)
		switch {
		case c == 0:
		case x.Op == x86asm.SHL || x.Op == x86asm.SHR:
			m.flags = af
			if c != 1 {
				m.flags |= of
			}
			if c >= bits {
				m.flags |= cf
			}
		case x.Op == x86asm.SAR:
			m.flags = af
			if c != 1 {
				m.flags |= of
			}
		default:
			if c != 1 {
				m.flags = of
			}
		}
	case x86asm.SHLD, x86asm.SHRD:
		c := shiftCountOf(x, st, 2)
		switch {
		case c == 0:
		case c > bits:
			m.flags = flagsArith
			m.maskDest(x, st)
		default:
			m.flags = af
			if c != 1 {
				m.flags |= of
			}
		}
	case x86asm.MUL, x86asm.IMUL:
		m.flags = sf | zf | af | pf
	case x86asm.DIV, x86asm.IDIV:
		m.flags = flagsArith
	case x86asm.BT, x86asm.BTS, x86asm.BTR, x86asm.BTC:
		m.flags = of | sf | af | pf
	case x86asm.BSF, x86asm.BSR:
		m.flags = cf | of | sf | af | pf
	case x86asm.TZCNT, x86asm.LZCNT:
		m.flags = of | sf | af | pf
	case x86asm.ANDN, x86asm.BLSI, x86asm.BLSMSK, x86asm.BLSR, x86asm.BZHI:
		m.flags = af | pf
	case x86asm.BEXTR:
		m.flags = sf | af | pf
	case x86asm.BSWAP:
		if bits == 16 {
			m.maskDest(x, st) // the SDM: undefined
		}
	}
	return m
}

// hostUndefined narrows the SDM's mask to what this host leaves to chance:
// nothing on AMD Zen, whose choices the emulator makes too.
func hostUndefined(x *x86asm.Inst, st *oracleState, host string) oracleMask {
	if host == hostZen {
		return oracleMask{}
	}
	m := sdmUndefined(x, st)
	switch x.Op {
	case x86asm.BSF, x86asm.BSR:
		// AMD documents an unchanged destination for a zero source;
		// Intel leaves it undefined.
		if srcOf(x, st) == 0 {
			m.maskDest(x, st)
		}
	}
	return m
}

// opBits is the operand size of x's first operand in bits.
func opBits(x *x86asm.Inst) uint64 {
	switch a := x.Args[0].(type) {
	case x86asm.Reg:
		if _, size, _, ok := oracleReg(a); ok {
			return uint64(size) * 8
		}
	case x86asm.Mem:
		return uint64(x.MemBytes) * 8
	}
	return uint64(x.DataSize)
}

// shiftCountOf returns the masked count of a shift or rotate whose count is
// argument i (an immediate or CL).
func shiftCountOf(x *x86asm.Inst, st *oracleState, i int) uint64 {
	var c uint64
	switch a := x.Args[i].(type) {
	case x86asm.Imm:
		c = uint64(a)
	case x86asm.Reg:
		c = st.R[RCX]
	}
	if opBits(x) == 64 {
		return c & 63
	}
	return c & 31
}

// srcOf returns the value of x's second operand.
func srcOf(x *x86asm.Inst, st *oracleState) uint64 {
	switch a := x.Args[1].(type) {
	case x86asm.Reg:
		return st.reg(a)
	case x86asm.Mem:
		ea := eaOf(x, a, st)
		if inWindow(ea, x.MemBytes) {
			return st.rd(ea, x.MemBytes)
		}
	}
	return 1
}

// maskDest ignores x's destination operand.
func (m *oracleMask) maskDest(x *x86asm.Inst, st *oracleState) {
	switch a := x.Args[0].(type) {
	case x86asm.Reg:
		n, _, _, _ := oracleReg(a)
		m.reg[n] = ^uint64(0)
	case x86asm.Mem:
		m.memA, m.memN = eaOf(x, a, st), uint64(x.MemBytes)
	}
}

// flagNames names the arithmetic flags in a mask.
func flagNames(f uint64) string {
	var s []string
	for _, n := range []struct {
		bit  uint64
		name string
	}{{FlagCF, "CF"}, {FlagPF, "PF"}, {FlagAF, "AF"}, {FlagZF, "ZF"}, {FlagSF, "SF"}, {FlagOF, "OF"}} {
		if f&n.bit != 0 {
			s = append(s, n.name)
		}
	}
	return strings.Join(s, " ")
}

const hostZen = "AMD Zen"

var (
	hostKindOnce sync.Once
	hostKindStr  string
)

// hostKindOf is hostKind, asked once per process.
func hostKindOf(h oracle) string {
	hostKindOnce.Do(func() { hostKindStr = hostKind(h) })
	return hostKindStr
}

// hostCPUID runs CPUID on the host.
func hostCPUID(h oracle, leaf, sub uint64) *oracleState {
	var in, out oracleState
	in.Flags = 0x202
	in.MXCSR = 0x1f80
	in.R[RSP] = hkData + hkDataSize/2
	in.R[RAX], in.R[RCX] = leaf, sub
	h.run([]byte{0x0f, 0xa2}, &in, &out)
	return &out
}

// hostFeatures says which of the optional bit-counting instructions the
// host advertises. Without POPCNT, BMI1 (TZCNT) or ABM (LZCNT) the F3
// forms run as BSF and BSR, and the oracle would report them; a hypervisor
// may hide a feature the CPU still executes, which the oracle shows too.
func hostFeatures(h oracle) string {
	yes := func(b bool) string {
		if b {
			return "advertised"
		}
		return "not advertised"
	}
	return fmt.Sprintf("POPCNT %s, BMI1 (TZCNT) %s, ABM (LZCNT) %s",
		yes(hostCPUID(h, 1, 0).R[RCX]>>23&1 != 0), yes(hostCPUID(h, 7, 0).R[RBX]>>3&1 != 0),
		yes(hostCPUID(h, 0x80000001, 0).R[RCX]>>5&1 != 0))
}

var (
	hostLacksOnce sync.Once
	hostLacksOp   map[x86asm.Op]string
)

// hostLacks names the feature op needs that the host does not advertise
// ("" if none). Natively such an instruction would raise #UD and end the
// test process, so the oracle does not run it.
func hostLacks(h oracle, op x86asm.Op) string {
	hostLacksOnce.Do(func() {
		hostLacksOp = map[x86asm.Op]string{}
		var bmi uint64
		if hostCPUID(h, 0, 0).R[RAX]&0xffffffff >= 7 {
			bmi = hostCPUID(h, 7, 0).R[RBX]
		}
		if hostCPUID(h, 1, 0).R[RCX]>>22&1 == 0 {
			hostLacksOp[x86asm.MOVBE] = "host lacks MOVBE"
		}
		if bmi>>3&1 == 0 {
			for _, op := range []x86asm.Op{x86asm.ANDN, x86asm.BEXTR, x86asm.BLSI, x86asm.BLSMSK, x86asm.BLSR} {
				hostLacksOp[op] = "host lacks BMI1"
			}
		}
		if bmi>>8&1 == 0 {
			for _, op := range []x86asm.Op{x86asm.BZHI, x86asm.MULX, x86asm.PDEP, x86asm.PEXT,
				x86asm.RORX, x86asm.SARX, x86asm.SHLX, x86asm.SHRX} {
				hostLacksOp[op] = "host lacks BMI2"
			}
		}
	})
	return hostLacksOp[op]
}

// hostKind asks the host CPU what it is: hostZen or its vendor string.
func hostKind(h oracle) string {
	cpuid := func(leaf uint64) *oracleState { return hostCPUID(h, leaf, 0) }
	out := cpuid(0)
	var b [12]byte
	for i, r := range []int{RBX, RDX, RCX} {
		for j := range 4 {
			b[4*i+j] = byte(out.R[r] >> (8 * j))
		}
	}
	eax := cpuid(1).R[RAX]
	family := eax >> 8 & 0xf
	if family == 0xf {
		family += eax >> 20 & 0xff
	}
	if string(b[:]) == "AuthenticAMD" && family >= 0x17 {
		return hostZen
	}
	return fmt.Sprintf("%s family %#x", b[:], family)
}

// undefTally counts, for one operation and one undefined flag, how the
// host's value relates to the emulator's, to the flag before the
// instruction and to constants, and how often running the same case again
// on the host gave another value.
type undefTally struct {
	n, emu, kept, zero, one, unstable int
}

// undefReport tallies the SDM-undefined flags by operation and flag.
type undefReport map[x86asm.Op]*[6]undefTally

var flagBits = [6]uint64{FlagCF, FlagPF, FlagAF, FlagZF, FlagSF, FlagOF}

// add tallies one case: host and again are two native runs of it.
func (r undefReport) add(op x86asm.Op, mask uint64, in, host, again, emu *oracleState) {
	t := r[op]
	if t == nil {
		t = new([6]undefTally)
		r[op] = t
	}
	for i, b := range flagBits {
		if mask&b == 0 {
			continue
		}
		u := &t[i]
		u.n++
		h := host.Flags & b
		if h == emu.Flags&b {
			u.emu++
		}
		if h == in.Flags&b {
			u.kept++
		}
		if h == 0 {
			u.zero++
		} else {
			u.one++
		}
		if h != again.Flags&b {
			u.unstable++
		}
	}
}

// log prints, per operation and undefined flag, how the host computed it
// and how often the emulator agreed.
func (r undefReport) log(t *testing.T) {
	var ops []x86asm.Op
	for op := range r {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	for _, op := range ops {
		var b strings.Builder
		for i, u := range r[op] {
			if u.n == 0 {
				continue
			}
			how := "varies"
			switch {
			case u.zero == u.n:
				how = "always 0"
			case u.one == u.n:
				how = "always 1"
			case u.kept == u.n:
				how = "unchanged"
			}
			fmt.Fprintf(&b, " %s: %s, emulator %d/%d", flagNames(flagBits[i]), how, u.emu, u.n)
			if u.unstable > 0 {
				fmt.Fprintf(&b, ", %d unstable", u.unstable)
			}
			b.WriteByte(';')
		}
		t.Logf("undefined after %-7s%s", op, b.String())
	}
}
