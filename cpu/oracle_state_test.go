package cpu

// Machine states for the integer hardware oracle (oracle_test.go): random
// registers, flags and data window with edge cases mixed in, then
// constrained so that the instruction under test can run natively without
// faulting: every memory access in the window, divisions that do not
// overflow, branches that land at the end of the snippet. What decides
// that an instruction is safe to run natively is computed here, from
// x86asm's decoding and the test's own tables, never from the emulator.

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand/v2"

	"golang.org/x/arch/x86/x86asm"
)

// oracleGen makes machine states for a variant.
type oracleGen struct {
	rng *rand.Rand
}

func (g *oracleGen) value() uint64 {
	switch g.rng.IntN(6) {
	case 0, 1:
		return g.rng.Uint64()
	case 2:
		return uint64(int64(int8(g.rng.Uint32()))) // small, either sign
	case 3:
		return g.rng.Uint64() >> g.rng.IntN(64)
	}
	v := oracleEdges[g.rng.IntN(len(oracleEdges))]
	if g.rng.IntN(3) == 0 {
		// Junk above a size boundary: a narrow operand must ignore it.
		s := 8 * (1 + g.rng.IntN(7))
		v = v&(1<<s-1) | g.rng.Uint64()<<s
	}
	return v
}

// window returns an address in the data window at least margin bytes from
// its ends.
func (g *oracleGen) window(margin int) uint64 {
	return uint64(hkData + margin + g.rng.IntN(hkDataSize-2*margin))
}

// counts are the shift and rotate counts worth trying in CL.
var counts = []uint64{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 18, 24, 31, 32, 33, 63, 64, 65, 0xff, 0x80}

// state fills st for variant v; false means no state was found that is
// safe to run natively (when native is set; otherwise any state that
// constrain accepts will do).
func (g *oracleGen) state(v *oracleVariant, st *oracleState, native bool) bool {
	for try := 0; try < 40; try++ {
		g.random(st)
		if g.constrain(v, st, try) && (!native || safeNative(v, st) == "") {
			return true
		}
	}
	return false
}

func (g *oracleGen) random(st *oracleState) {
	for i := range st.R {
		st.R[i] = g.value()
	}
	if g.rng.IntN(2) == 0 {
		st.R[RCX] = st.R[RCX]&^0xff | counts[g.rng.IntN(len(counts))]
	}
	st.Flags = 0x202 | g.rng.Uint64()&(flagsArith|FlagDF|FlagID)
	st.MXCSR = 0x1f80
	for i := range st.X {
		st.X[i] = [2]uint64{g.rng.Uint64(), g.rng.Uint64()}
	}
	for i := 0; i < len(st.Mem); i += 8 {
		binary.LittleEndian.PutUint64(st.Mem[i:], g.rng.Uint64())
	}
	// The stack pointer always points into the window: any push must land
	// there.
	st.R[RSP] = g.window(0x800) &^ 7
	if g.rng.IntN(8) == 0 {
		st.R[RSP] |= uint64(g.rng.IntN(8))
	}
}

func (st *oracleState) wr(a uint64, n int, v uint64) {
	o := a - hkData
	for i := range n {
		st.Mem[o+uint64(i)] = byte(v >> (8 * i))
	}
}

func (st *oracleState) rd(a uint64, n int) uint64 {
	var v uint64
	o := a - hkData
	for i := range n {
		v |= uint64(st.Mem[o+uint64(i)]) << (8 * i)
	}
	return v
}

func inWindow(a uint64, n int) bool {
	return a >= hkData && a+uint64(n) <= hkData+hkDataSize && a+uint64(n) >= a
}

// eaOf computes the address of memory operand m from the state, as the
// hardware does: 64- or 32-bit address arithmetic, RIP-relative from the
// next instruction. A POP to memory computes it with RSP already popped.
func eaOf(x *x86asm.Inst, m x86asm.Mem, st *oracleState) uint64 {
	a := uint64(m.Disp)
	switch m.Base {
	case 0:
	case x86asm.RIP, x86asm.EIP:
		a += uint64(hkSnip + x.Len)
	default:
		a += st.reg(m.Base)
		if x.Op == x86asm.POP && (m.Base == x86asm.RSP || m.Base == x86asm.ESP) {
			a += uint64(x.DataSize / 8)
		}
	}
	if m.Index != 0 {
		a += st.reg(m.Index) * uint64(m.Scale)
	}
	if x.AddrSize == 32 {
		a = uint64(uint32(a))
	}
	return a
}

// constrain adjusts a random state so that the instruction can run: its
// memory operand at a target in the window, its implicit operands in the
// window, divisors and branch targets fixed up.
func (g *oracleGen) constrain(v *oracleVariant, st *oracleState, try int) bool {
	x := &v.x
	end := uint64(hkSnip + len(v.snip))
	a32 := x.AddrSize == 32
	setAddrReg := func(r int, a uint64) {
		if a32 {
			st.R[r] = st.R[r]&^0xffffffff | a // the upper half is ignored
		} else {
			st.R[r] = a
		}
	}
	if kind, size, ok := stringOp(x.Op); ok {
		rep := hasPrefix(x, x86asm.PrefixREP) || hasPrefix(x, x86asm.PrefixREPN)
		si := g.window(0x1000)
		di := g.window(0x1000)
		if g.rng.IntN(3) == 0 {
			di = si + uint64(g.rng.IntN(33)) - 16 // overlapping moves
		}
		n := uint64(1)
		if rep {
			n = uint64(g.rng.IntN(40))
			if g.rng.IntN(4) == 0 {
				n = uint64(g.rng.IntN(3))
			}
			setAddrReg(RCX, n)
		}
		setAddrReg(RSI, si)
		setAddrReg(RDI, di)
		// Make REPE/REPNE comparisons run for a while: the first k
		// elements compare equal.
		if g.rng.IntN(2) == 0 && (kind == strScas || kind == strCmps) && n > 0 {
			step := uint64(size)
			if st.Flags&FlagDF != 0 {
				step = -step
			}
			for j := range uint64(g.rng.IntN(int(n) + 1)) {
				d, s := di+j*step, si+j*step
				if !inWindow(d, int(size)) || !inWindow(s, int(size)) {
					break
				}
				if kind == strScas {
					st.wr(d, int(size), st.R[RAX])
				} else {
					st.wr(d, int(size), st.rd(s, int(size)))
				}
			}
		}
	}
	switch x.Op {
	case x86asm.LEAVE, x86asm.ENTER:
		st.R[RBP] = g.window(0x800) &^ 7
		if i, ok := x.Args[1].(x86asm.Imm); ok && i&31 < 2 && g.rng.IntN(2) == 0 {
			// ENTER reads no old frame below level 2: any frame
			// pointer, whose upper bits show what a 16-bit ENTER keeps.
			st.R[RBP] = g.value()
		}
	case x86asm.XLATB:
		setAddrReg(RBX, g.window(0x800))
	case x86asm.RET:
		st.wr(st.R[RSP], 8, end)
	case x86asm.POPF, x86asm.POPFQ:
		// No TF (it would trap) and no AC (alignment checks); the rest
		// random, including bits a user-mode POPF cannot change.
		st.wr(st.R[RSP], 8, g.rng.Uint64()&^(FlagTF|FlagAC))
	}
	if m, ok := memArg(x); ok && x.Op != x86asm.LEA && !isHint(x.Op) {
		var t uint64
		switch {
		case v.target != 0:
			t = v.target
		case x.Op == x86asm.BT || x.Op == x86asm.BTS || x.Op == x86asm.BTR || x.Op == x86asm.BTC:
			t = uint64(hkData + 0x1c00 + g.rng.IntN(0x800))
		default:
			t = g.window(0x400)
			if g.rng.IntN(4) == 0 {
				t = uint64(hkData + 0x1000*(1+g.rng.IntN(3)) - g.rng.IntN(16)) // across a page
			}
			if g.rng.IntN(2) == 0 {
				t &^= uint64(x.MemBytes - 1) // natural alignment
			}
		}
		if x.Op == x86asm.CMPXCHG16B {
			t &^= 15
		}
		if v.target == 0 && !g.solve(x, m, st, t, try) {
			return false
		}
		a := eaOf(x, m, st)
		if !inWindow(a, x.MemBytes) {
			return false
		}
		if x.Op == x86asm.BT || x.Op == x86asm.BTS || x.Op == x86asm.BTR || x.Op == x86asm.BTC {
			if r, isReg := x.Args[1].(x86asm.Reg); isReg {
				// A register bit offset reaches ±2 KiB around the operand.
				_, size, _, _ := oracleReg(r)
				off := uint64(g.rng.IntN(0x8000)) - 0x4000
				if g.rng.IntN(2) == 0 {
					off = uint64(g.rng.IntN(64))
				}
				if size == 8 {
					st.setReg(r, off)
				} else {
					st.setReg(r, off|g.rng.Uint64()<<(8*size))
				}
			}
		}
		switch x.Op {
		case x86asm.CMPXCHG:
			if g.rng.IntN(2) == 0 {
				st.setReg(accOf(x.MemBytes), st.rd(a, x.MemBytes))
			}
		case x86asm.CMPXCHG8B, x86asm.CMPXCHG16B:
			if g.rng.IntN(2) == 0 {
				// EDX:EAX (RDX:RAX) equal to memory; junk above EDX and
				// EAX, which the 8-byte form ignores.
				n := x.MemBytes / 2
				low := ^uint64(0) >> (64 - 8*n)
				st.R[RAX] = st.R[RAX]&^low | st.rd(a, n)
				st.R[RDX] = st.R[RDX]&^low | st.rd(a+uint64(n), n)
			}
		case x86asm.JMP, x86asm.CALL:
			st.wr(a, 8, end)
		}
		if g.rng.IntN(3) == 0 && inWindow(a, x.MemBytes) && x.MemBytes <= 8 {
			st.wr(a, x.MemBytes, g.value())
		}
	}
	switch x.Op {
	case x86asm.JMP, x86asm.CALL:
		if r, ok := x.Args[0].(x86asm.Reg); ok {
			st.setReg(r, end)
		}
	case x86asm.CMPXCHG:
		if r, ok := x.Args[0].(x86asm.Reg); ok && g.rng.IntN(2) == 0 {
			_, size, _, _ := oracleReg(r)
			st.setReg(accOf(int(size)), st.reg(r))
		}
	case x86asm.DIV, x86asm.IDIV:
		g.divisible(x, st, try%3 == 2)
	case x86asm.ANDN, x86asm.BEXTR, x86asm.BLSI, x86asm.BLSMSK, x86asm.BLSR, x86asm.BZHI,
		x86asm.PDEP, x86asm.PEXT, x86asm.SARX, x86asm.SHLX, x86asm.SHRX:
		g.bmiOperands(x, st)
	}
	return true
}

// bmiIndexes are the edge values worth trying as a BEXTR start or length,
// a BZHI index or a SARX/SHLX/SHRX count.
var bmiIndexes = []uint64{0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff}

// bmiOperands gives the BMI operations sources of 0 and of all ones, and
// controls and counts at and around the operand size, which random values
// seldom are. The control keeps random junk above the bits that count
// (above 15 for BEXTR, 7 for the others) half of the time.
func (g *oracleGen) bmiOperands(x *x86asm.Inst, st *oracleState) {
	src, ctl := 1, 2 // the r/m source, the control or count register
	switch x.Op {
	case x86asm.ANDN, x86asm.PDEP, x86asm.PEXT:
		src, ctl = 2, -1
	case x86asm.BLSI, x86asm.BLSMSK, x86asm.BLSR:
		ctl = -1
	}
	if ctl >= 0 && g.rng.IntN(4) != 0 {
		r := x.Args[ctl].(x86asm.Reg)
		edge := func() uint64 {
			if g.rng.IntN(4) == 0 {
				return uint64(g.rng.IntN(256))
			}
			return bmiIndexes[g.rng.IntN(len(bmiIndexes))]
		}
		v, keep := edge(), uint64(0xff)
		if x.Op == x86asm.BEXTR {
			v, keep = v|edge()<<8, 0xffff
		}
		if g.rng.IntN(2) == 0 {
			v |= st.reg(r) &^ keep
		}
		st.setReg(r, v)
	}
	if k := g.rng.IntN(8); k < 2 {
		v := uint64(0)
		if k == 1 {
			v = ^uint64(0)
		}
		switch a := x.Args[src].(type) {
		case x86asm.Reg:
			st.setReg(a, v)
		case x86asm.Mem:
			if ea := eaOf(x, a, st); inWindow(ea, x.MemBytes) {
				st.wr(ea, x.MemBytes, v)
			}
		}
	}
}

// accOf returns the accumulator register of an operand size.
func accOf(size int) x86asm.Reg {
	switch size {
	case 1:
		return x86asm.AL
	case 2:
		return x86asm.AX
	case 4:
		return x86asm.EAX
	}
	return x86asm.RAX
}

// dxOf returns the data register (the dividend's high half) of an operand
// size above 8 bits.
func dxOf(size int) x86asm.Reg {
	switch size {
	case 2:
		return x86asm.DX
	case 4:
		return x86asm.EDX
	}
	return x86asm.RDX
}

func isHint(op x86asm.Op) bool {
	switch op {
	case x86asm.NOP, x86asm.PREFETCHT0, x86asm.PREFETCHT1, x86asm.PREFETCHT2, x86asm.PREFETCHNTA, x86asm.PREFETCHW:
		return true
	}
	return false
}

// solve sets the base and index registers of m so that its address is t
// (or near it, when the equation has no solution at t).
func (g *oracleGen) solve(x *x86asm.Inst, m x86asm.Mem, st *oracleState, t uint64, try int) bool {
	mask := ^uint64(0)
	if x.AddrSize == 32 {
		mask = 0xffffffff
	}
	scale := uint64(m.Scale)
	set := func(r x86asm.Reg, v uint64) {
		n, _, _, _ := oracleReg(r)
		if x.AddrSize == 32 {
			st.R[n] = st.R[n]&^0xffffffff | v&0xffffffff
		} else {
			st.R[n] = v
		}
	}
	popAdj := uint64(0)
	if x.Op == x86asm.POP && (m.Base == x86asm.RSP || m.Base == x86asm.ESP) {
		popAdj = uint64(x.DataSize / 8)
	}
	rest := t - uint64(m.Disp) - popAdj
	switch {
	case m.Base == 0 && m.Index == 0:
		return false // absolute: fixed in the encoding
	case m.Base == 0:
		rest -= rest % scale
		set(m.Index, rest/scale)
	case m.Index == 0:
		set(m.Base, rest)
	case m.Index == m.Base:
		k := 1 + scale
		if k%2 == 0 {
			rest &^= 1
			set(m.Base, rest/2)
		} else {
			set(m.Base, rest*inverse(k)&mask)
		}
	default:
		idx := st.reg(m.Index)
		if try%2 == 1 {
			idx = uint64(g.rng.IntN(64))
			set(m.Index, idx)
		}
		set(m.Base, (rest-idx*scale)&mask)
	}
	return true
}

// inverse returns the inverse of odd k modulo 2^64 (Newton's iteration).
func inverse(k uint64) uint64 {
	y := k
	for range 6 {
		y *= 2 - k*y
	}
	return y
}

// divisible makes DIV and IDIV not fault: a nonzero divisor and a dividend
// whose quotient fits. The simple way only extends the low half of the
// dividend into the high half, for divisors that are part of the dividend.
func (g *oracleGen) divisible(x *x86asm.Inst, st *oracleState, simple bool) {
	size := x.MemBytes
	var dreg x86asm.Reg
	m, isMem := memArg(x)
	if !isMem {
		dreg = x.Args[0].(x86asm.Reg)
		_, s, _, _ := oracleReg(dreg)
		size = int(s)
	}
	bitsz := uint(8 * size)
	divisor := func() uint64 {
		if isMem {
			a := eaOf(x, m, st)
			if !inWindow(a, size) {
				return 0
			}
			return st.rd(a, size)
		}
		return st.reg(dreg)
	}
	d := divisor()
	if d == 0 {
		d = oracleEdges[1+g.rng.IntN(len(oracleEdges)-1)] & (^uint64(0) >> (64 - bitsz))
		if d == 0 {
			d = 1
		}
		if isMem {
			st.wr(eaOf(x, m, st), size, d)
		} else {
			st.setReg(dreg, d)
		}
	}
	d = divisor()
	if simple {
		hi := uint64(0)
		if x.Op == x86asm.IDIV && st.reg(accOf(size))>>(bitsz-1)&1 != 0 {
			hi = ^uint64(0)
		}
		if size == 1 {
			st.setReg(x86asm.AH, hi)
		} else {
			st.setReg(dxOf(size), hi)
		}
		return
	}
	// A dividend from a random quotient and remainder that fit.
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bitsz), big.NewInt(1))
	dv := new(big.Int).SetUint64(d)
	var q, r *big.Int
	if x.Op == x86asm.DIV {
		q = new(big.Int).And(new(big.Int).SetUint64(g.value()), mask)
		r = new(big.Int).Mod(new(big.Int).SetUint64(g.value()), dv)
	} else {
		dv.SetInt64(sext(d, uint8(size)))
		q = big.NewInt(sext(g.value(), uint8(size)))
		abs := new(big.Int).Abs(dv)
		r = new(big.Int).Mod(new(big.Int).SetUint64(g.value()), abs)
		if g.rng.IntN(2) == 0 {
			r.Neg(r)
		}
		// The remainder has the dividend's sign: q*d and r must agree.
		p := new(big.Int).Mul(q, dv)
		if p.Sign()*r.Sign() < 0 {
			r.Neg(r)
		}
	}
	n := new(big.Int).Add(new(big.Int).Mul(q, dv), r)
	lo := new(big.Int).And(n, mask).Uint64()
	hi := new(big.Int).And(new(big.Int).Rsh(n, bitsz), mask).Uint64()
	if size == 1 {
		st.setReg(x86asm.AX, hi<<8|lo)
	} else {
		st.setReg(accOf(size), lo)
		st.setReg(dxOf(size), hi)
	}
}

// divides reports whether DIV or IDIV x runs without a divide error in st.
func divides(x *x86asm.Inst, st *oracleState) bool {
	size := x.MemBytes
	var d uint64
	if m, ok := memArg(x); ok {
		a := eaOf(x, m, st)
		if !inWindow(a, size) {
			return false
		}
		d = st.rd(a, size)
	} else {
		r := x.Args[0].(x86asm.Reg)
		_, s, _, _ := oracleReg(r)
		size = int(s)
		d = st.reg(r)
	}
	if d == 0 {
		return false
	}
	bitsz := uint(8 * size)
	var hi, lo uint64
	if size == 1 {
		hi, lo = st.R[RAX]>>8&0xff, st.R[RAX]&0xff
	} else {
		m := ^uint64(0) >> (64 - bitsz)
		hi, lo = st.R[RDX]&m, st.R[RAX]&m
	}
	n := new(big.Int).Or(new(big.Int).Lsh(new(big.Int).SetUint64(hi), bitsz), new(big.Int).SetUint64(lo))
	dv := new(big.Int).SetUint64(d)
	if x.Op == x86asm.IDIV {
		if hi>>(bitsz-1)&1 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), 2*bitsz))
		}
		dv.SetInt64(sext(d, uint8(size)))
		q := new(big.Int).Quo(n, dv)
		lim := new(big.Int).Lsh(big.NewInt(1), bitsz-1)
		return q.Cmp(lim) < 0 && q.Cmp(new(big.Int).Neg(lim)) >= 0
	}
	q := new(big.Int).Quo(n, dv)
	return q.BitLen() <= int(bitsz)
}

// safeNative says why v cannot run natively from st ("" if it can): the
// checks stand between a wrong guess and a fault of the test process.
func safeNative(v *oracleVariant, st *oracleState) string {
	x := &v.x
	if !oracleOps[x.Op] {
		return "not an integer operation"
	}
	if hasPrefix(x, x86asm.PrefixFS) || hasPrefix(x, x86asm.PrefixGS) {
		return "FS or GS segment"
	}
	if isHint(x.Op) || x.Op == x86asm.LFENCE || x.Op == x86asm.MFENCE || x.Op == x86asm.SFENCE {
		// In the 0F map a 66, F2 or F3 prefix selects other instructions
		// (CLFLUSHOPT, UMONITOR, ...) that x86asm may not know, even
		// where it calls the prefix ignored.
		if x.Opcode>>24 == 0x0f && (rawPrefix(x, 0x66) || rawPrefix(x, x86asm.PrefixREP) || rawPrefix(x, x86asm.PrefixREPN)) {
			return "prefixed hint"
		}
	}
	for _, a := range x.Args {
		if a == nil {
			break
		}
		if r, ok := a.(x86asm.Reg); ok {
			if _, _, _, ok := oracleReg(r); !ok {
				return "non-general register"
			}
		}
	}
	end := uint64(hkSnip + len(v.snip))
	if (x.Op == x86asm.LOOPE || x.Op == x86asm.LOOPNE) && (rawPrefix(x, x86asm.PrefixREP) || rawPrefix(x, x86asm.PrefixREPN)) {
		// Reserved (SDM 2.1.1: REP with other than string instructions);
		// AMD Zen takes the condition from the prefix, F2 for NE and F3
		// for E, where the SDM's reading is to ignore it.
		return "REP prefix on LOOPcc"
	}
	if branchOps[x.Op] && x.DataSize == 16 {
		return "16-bit branch" // AMD truncates RIP to 16 bits
	}
	// The host runs the bytes: x86asm must read them as the oracle does,
	// so that the checks below, made from x86asm's decoding, hold for
	// what runs (oracle_raw_test.go).
	if why := rawMisread(v.code, x); why != "" {
		return why
	}
	if branchOps[x.Op] {
		switch a := x.Args[0].(type) {
		case x86asm.Rel:
			if uint64(hkSnip+x.Len)+uint64(int64(a)) != end {
				return "branch out of the snippet"
			}
		case x86asm.Reg:
			if st.reg(a) != end {
				return "branch out of the snippet"
			}
		case x86asm.Mem:
			a0 := eaOf(x, a, st)
			if !inWindow(a0, 8) || st.rd(a0, 8) != end {
				return "branch out of the snippet"
			}
		}
		if x.Op == x86asm.RET && (!inWindow(st.R[RSP], 8) || st.rd(st.R[RSP], 8) != end) {
			return "return out of the snippet"
		}
	}
	for _, r := range footprint(x, st) {
		if !inWindow(r[0], int(r[1])) {
			return fmt.Sprintf("access %#x+%d outside the window", r[0], r[1])
		}
	}
	switch x.Op {
	case x86asm.DIV, x86asm.IDIV:
		if !divides(x, st) {
			return "divide error"
		}
	case x86asm.CMPXCHG16B:
		if m, _ := memArg(x); eaOf(x, m, st)&15 != 0 {
			return "misaligned CMPXCHG16B"
		}
	case x86asm.POPF, x86asm.POPFQ:
		if st.rd(st.R[RSP], 8)&(FlagTF|FlagAC) != 0 {
			return "POPF of TF or AC"
		}
	}
	return ""
}

// expectUD says why x raises #UD on the hardware ("" if it does not), for
// the causes the sweep produces: a LOCK prefix on an operation or operand
// that cannot take it (SDM Vol. 2 "LOCK"), a REP prefix on MOVBE, and a
// VEX.vvvv field that RORX does not use set to a register.
func expectUD(x *x86asm.Inst) string {
	switch {
	case x.Op == x86asm.MOVBE && rawPrefix(x, x86asm.PrefixREP):
		return "REP prefix on MOVBE" // SDM MOVBE
	case x.Op == x86asm.RORX && x.Prefix[0]&0xff == x86asm.PrefixVEX3Bytes && x.Prefix[2]>>3&15 != 15:
		return "VEX.vvvv not 1111b on RORX" // SDM Vol. 2A 2.3.6
	}
	if !hasPrefix(x, x86asm.PrefixLOCK) {
		return ""
	}
	if !lockableOps[x.Op] {
		return "LOCK on " + x.Op.String()
	}
	if _, ok := x.Args[0].(x86asm.Mem); !ok {
		return "LOCK without a memory destination"
	}
	return ""
}

// footprint lists the memory ranges x may touch from st, generously.
func footprint(x *x86asm.Inst, st *oracleState) [][2]uint64 {
	var fp [][2]uint64
	sp := st.R[RSP]
	amask := ^uint64(0)
	if x.AddrSize == 32 {
		amask = 0xffffffff
	}
	switch x.Op {
	case x86asm.PUSH, x86asm.PUSHF, x86asm.PUSHFQ, x86asm.CALL:
		fp = append(fp, [2]uint64{sp - 8, 8})
	case x86asm.POP, x86asm.POPF, x86asm.POPFQ, x86asm.RET:
		fp = append(fp, [2]uint64{sp, 8})
	case x86asm.LEAVE:
		fp = append(fp, [2]uint64{st.R[RBP], 8})
	case x86asm.ENTER:
		level, size := uint64(0), uint64(0)
		if i, ok := x.Args[1].(x86asm.Imm); ok {
			level = uint64(i) & 31
		}
		if i, ok := x.Args[0].(x86asm.Imm); ok {
			size = uint64(i) & 0xffff
		}
		// The frame and the final stack pointer, which ENTER probes, and
		// the level-1 frame pointers it copies from below the old one.
		fp = append(fp, [2]uint64{sp - 8*(level+1) - size, 8*(level+1) + size})
		if level > 1 {
			fp = append(fp, [2]uint64{st.R[RBP] - 8*(level-1), 8 * (level - 1)})
		}
	case x86asm.XLATB:
		fp = append(fp, [2]uint64{(st.R[RBX] + st.R[RAX]&0xff) & amask, 1})
	}
	if kind, size, ok := stringOp(x.Op); ok {
		n := uint64(1)
		if hasPrefix(x, x86asm.PrefixREP) || hasPrefix(x, x86asm.PrefixREPN) {
			n = st.R[RCX] & amask
		}
		if n > 0x1000 {
			return append(fp, [2]uint64{0, 1})
		}
		span := func(a uint64) [2]uint64 {
			a &= amask
			l := n * uint64(size)
			if st.Flags&FlagDF != 0 {
				return [2]uint64{a + uint64(size) - l, l}
			}
			return [2]uint64{a, l}
		}
		if n > 0 {
			if kind != strStos && kind != strScas {
				fp = append(fp, span(st.R[RSI]))
			}
			if kind != strLods {
				fp = append(fp, span(st.R[RDI]))
			}
		}
	}
	if m, ok := memArg(x); ok && x.Op != x86asm.LEA && !isHint(x.Op) {
		a := eaOf(x, m, st)
		n := uint64(x.MemBytes)
		switch x.Op {
		case x86asm.BT, x86asm.BTS, x86asm.BTR, x86asm.BTC:
			if r, ok := x.Args[1].(x86asm.Reg); ok {
				off := sext(st.reg(r), uint8(n))
				a += uint64(off>>6) * 8 // the aligned quadword, generously
				a -= 8
				n = 24
			}
		}
		fp = append(fp, [2]uint64{a, n})
	}
	return fp
}
