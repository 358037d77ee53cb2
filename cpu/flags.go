package cpu

import "math/bits"

// EFLAGS bits.
const (
	FlagCF = 1 << 0
	FlagPF = 1 << 2
	FlagAF = 1 << 4
	FlagZF = 1 << 6
	FlagSF = 1 << 7
	FlagTF = 1 << 8
	FlagIF = 1 << 9
	FlagDF = 1 << 10
	FlagOF = 1 << 11
	FlagNT = 1 << 14
	FlagAC = 1 << 18
	FlagID = 1 << 21

	flagsArith = FlagCF | FlagPF | FlagAF | FlagZF | FlagSF | FlagOF
	flagsFixed = 1<<1 | FlagIF // bit 1 always reads 1; IF is set in user mode
	// flagsUser are the bits POPF may change in user mode (SDM POPF: all
	// but IOPL, IF, VIP, VIF and VM at CPL 3 with IOPL 0; NT included).
	flagsUser = flagsArith | FlagTF | FlagDF | FlagNT | FlagAC | FlagID
)

// Lazy flag kinds. The last flag-setting instruction leaves its kind (lz),
// operand size in bytes (lsz), operands (ldst, lsrc) and result (lres),
// all truncated to the operand size; lcf holds a carry-in or a preserved
// CF where the kind needs one. lzNone means the arithmetic flags are in
// c.flags.
const (
	lzNone  = iota
	lzAdd   // ldst + lsrc
	lzSub   // ldst - lsrc (also CMP, NEG as 0 - x)
	lzAdc   // ldst + lsrc + lcf
	lzSbb   // ldst - lsrc - lcf
	lzLogic // AND, OR, XOR, TEST: CF = OF = 0
	lzInc   // ldst + 1, CF preserved in lcf
	lzDec   // ldst - 1, CF preserved in lcf
	lzShl   // ldst << lsrc, 0 < lsrc < 32 (64 for 64-bit operands)
	lzShr   // ldst >> lsrc, likewise
	lzSar   // signed ldst >> lsrc, likewise
)

// A lazyRec is the record of the last flag-setting arithmetic.
type lazyRec struct {
	lz, lsz               uint8
	ldst, lsrc, lres, lcf uint64
}

// lzCFOF records an instruction that set CF and OF (in lcf, bits 0 and
// 1) and left the other flags as they were: rotates, multiplies, and so
// on. The record it overrides is kept in c.prev, so such instructions do
// not compute all the flags of the one before them.
const lzCFOF = 0xff

// The CPU's flag queries, over the current record (and c.prev under
// lzCFOF).
func (c *CPU) cf() bool {
	if c.lz == lzCFOF {
		return c.lcf&1 != 0
	}
	return c.lazyRec.cf(c.flags)
}

func (c *CPU) of() bool {
	if c.lz == lzCFOF {
		return c.lcf&2 != 0
	}
	return c.lazyRec.of(c.flags)
}

func (c *CPU) zf() bool {
	switch c.lz {
	case lzNone:
		return c.flags&FlagZF != 0
	case lzCFOF:
		return c.prev.zf(c.flags)
	}
	return c.lres == 0
}

func (c *CPU) sf() bool {
	if c.lz == lzCFOF {
		return c.prev.sf(c.flags)
	}
	return c.lazyRec.sf(c.flags)
}

func (c *CPU) pf() bool {
	if c.lz == lzCFOF {
		return c.prev.pf(c.flags)
	}
	return c.lazyRec.pf(c.flags)
}

func (c *CPU) af() bool {
	if c.lz == lzCFOF {
		return c.prev.af(c.flags)
	}
	return c.lazyRec.af(c.flags)
}

// arith computes the six arithmetic flags.
func (c *CPU) arith() uint64 {
	if c.lz == lzCFOF {
		f := c.prev.arith(c.flags) &^ (FlagCF | FlagOF)
		if c.lcf&1 != 0 {
			f |= FlagCF
		}
		if c.lcf&2 != 0 {
			f |= FlagOF
		}
		return f
	}
	return c.lazyRec.arith(c.flags)
}

// setCFOF sets CF and OF and leaves the other flags alone, lazily.
func (c *CPU) setCFOF(cf, of bool) {
	if c.lz != lzCFOF {
		c.prev = c.lazyRec
		c.lz = lzCFOF
	}
	var v uint64
	if cf {
		v = 1
	}
	if of {
		v |= 2
	}
	c.lcf = v
}

// setLazy records a flag-setting result.
func (c *CPU) setLazy(kind, size uint8, dst, src, res uint64) {
	c.lz, c.lsz, c.ldst, c.lsrc, c.lres = kind, size, dst, src, res
}

func (c *CPU) setLogic(size uint8, res uint64) {
	c.lz, c.lsz, c.lres = lzLogic, size, res
}

func signBit(size uint8) uint64 { return 1 << (size*8 - 1) }

// sext sign-extends the low size bytes of v.
func sext(v uint64, size uint8) int64 {
	s := 64 - size*8
	return int64(v<<s) >> s
}

func sizeMask(size uint8) uint64 {
	return ^uint64(0) >> (64 - size*8)
}

func (r *lazyRec) cf(flags uint64) bool {
	switch r.lz {
	case lzNone:
		return flags&FlagCF != 0
	case lzAdd:
		return r.lres < r.ldst
	case lzSub:
		return r.ldst < r.lsrc
	case lzAdc:
		if r.lcf != 0 {
			return r.lres <= r.ldst
		}
		return r.lres < r.ldst
	case lzSbb:
		if r.lcf != 0 {
			return r.ldst <= r.lsrc
		}
		return r.ldst < r.lsrc
	case lzLogic:
		return false
	case lzInc, lzDec:
		return r.lcf != 0
	case lzShl:
		return (r.ldst>>(uint64(r.lsz)*8-r.lsrc))&1 != 0
	case lzShr:
		return (r.ldst>>(r.lsrc-1))&1 != 0
	case lzSar:
		return (sext(r.ldst, r.lsz)>>(r.lsrc-1))&1 != 0
	}
	return false
}

func (r *lazyRec) zf(flags uint64) bool {
	if r.lz == lzNone {
		return flags&FlagZF != 0
	}
	return r.lres == 0
}

func (r *lazyRec) sf(flags uint64) bool {
	if r.lz == lzNone {
		return flags&FlagSF != 0
	}
	return r.lres&signBit(r.lsz) != 0
}

func (r *lazyRec) pf(flags uint64) bool {
	if r.lz == lzNone {
		return flags&FlagPF != 0
	}
	return bits.OnesCount8(uint8(r.lres))&1 == 0
}

func (r *lazyRec) of(flags uint64) bool {
	sb := signBit(r.lsz)
	switch r.lz {
	case lzNone:
		return flags&FlagOF != 0
	case lzAdd, lzAdc:
		return (r.ldst^r.lres)&(r.lsrc^r.lres)&sb != 0
	case lzSub, lzSbb:
		return (r.ldst^r.lsrc)&(r.ldst^r.lres)&sb != 0
	case lzInc:
		return r.lres == sb
	case lzDec:
		return r.lres == sb-1
	case lzShl:
		return (r.lres&sb != 0) != r.cf(flags)
	case lzShr:
		// OF is defined for 1-bit shifts only (the operand's sign);
		// AMD Zen clears it for longer ones.
		return r.lsrc == 1 && r.ldst&sb != 0
	}
	return false // lzLogic, lzSar
}

func (r *lazyRec) af(flags uint64) bool {
	switch r.lz {
	case lzNone:
		return flags&FlagAF != 0
	case lzAdd, lzSub, lzAdc, lzSbb:
		return (r.ldst^r.lsrc^r.lres)&0x10 != 0
	case lzInc, lzDec:
		return (r.ldst^1^r.lres)&0x10 != 0
	case lzShl, lzShr, lzSar:
		// Undefined after a shift by a nonzero count (SDM SAL/SAR/SHL/
		// SHR); AMD Zen sets it.
		return true
	}
	return false
}

// arith computes the six arithmetic flags from the record.
func (r *lazyRec) arith(flags uint64) uint64 {
	var f uint64
	if r.cf(flags) {
		f |= FlagCF
	}
	if r.pf(flags) {
		f |= FlagPF
	}
	if r.af(flags) {
		f |= FlagAF
	}
	if r.zf(flags) {
		f |= FlagZF
	}
	if r.sf(flags) {
		f |= FlagSF
	}
	if r.of(flags) {
		f |= FlagOF
	}
	return f
}

// materialize folds the lazy record into c.flags.
func (c *CPU) materialize() {
	if c.lz != lzNone {
		c.flags = c.flags&^flagsArith | c.arith()
		c.lz = lzNone
	}
}

// Flags returns the architectural EFLAGS value.
func (c *CPU) Flags() uint64 {
	c.materialize()
	return c.flags
}

// SetFlags sets EFLAGS; only the bits a user-mode program may change are
// taken from f.
func (c *CPU) SetFlags(f uint64) {
	c.lz = lzNone
	c.flags = flagsFixed | f&flagsUser
}

// setFlag sets or clears flag bits after materializing.
func (c *CPU) setFlag(mask uint64, on bool) {
	c.materialize()
	if on {
		c.flags |= mask
	} else {
		c.flags &^= mask
	}
}

// Condition codes, in the encoding order of Jcc/SETcc/CMOVcc.
const (
	ccO = iota
	ccNO
	ccB
	ccAE
	ccE
	ccNE
	ccBE
	ccA
	ccS
	ccNS
	ccP
	ccNP
	ccL
	ccGE
	ccLE
	ccG
)

// cond evaluates condition code cc. Comparisons (lzSub) are answered from
// the operands directly.
func (c *CPU) cond(cc uint8) bool {
	if c.lz == lzSub {
		d, s := c.ldst, c.lsrc
		switch cc {
		case ccB:
			return d < s
		case ccAE:
			return d >= s
		case ccE:
			return d == s
		case ccNE:
			return d != s
		case ccBE:
			return d <= s
		case ccA:
			return d > s
		case ccL:
			return sext(d, c.lsz) < sext(s, c.lsz)
		case ccGE:
			return sext(d, c.lsz) >= sext(s, c.lsz)
		case ccLE:
			return sext(d, c.lsz) <= sext(s, c.lsz)
		case ccG:
			return sext(d, c.lsz) > sext(s, c.lsz)
		}
	}
	var r bool
	switch cc >> 1 {
	case 0:
		r = c.of()
	case 1:
		r = c.cf()
	case 2:
		r = c.zf()
	case 3:
		r = c.cf() || c.zf()
	case 4:
		r = c.sf()
	case 5:
		r = c.pf()
	case 6:
		r = c.sf() != c.of()
	case 7:
		r = c.zf() || c.sf() != c.of()
	}
	return r != (cc&1 != 0)
}
