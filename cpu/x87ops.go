package cpu

import "math"

// x87 arithmetic, comparisons and the other stack operations.

// Arithmetic operations (in.aux of the arithmetic handlers).
const (
	fpAdd = iota
	fpMul
	fpSub  // dst - src
	fpSubR // src - dst
	fpDiv  // dst / src
	fpDivR // src / dst
)

// x87Arith computes a op b under control word cw. The precision control
// applies (SDM vol. 1, 8.1.5.2).
func x87Arith(op uint8, a, b F80, cw uint16) (F80, uint16) {
	if cw&0x0F00 == 0x0200 { // 53-bit precision, round to nearest: Plan 9's setting
		if r, fl, ok := x87FastArith(op, a, b); ok {
			return r, fl
		}
	}
	r := f80RndExt(cw)
	switch op {
	case fpAdd:
		return f80Add(a, b, false, r)
	case fpMul:
		return f80Mul(a, b, r)
	case fpSub:
		return f80Add(a, b, true, r)
	case fpSubR:
		return f80Add(b, a, true, r)
	case fpDiv:
		return f80Div(a, b, r)
	}
	return f80Div(b, a, r)
}

// x87FastArith is the fast path of x87Arith for 53-bit precision and
// rounding to nearest, where float64 arithmetic gives the x87's result
// when it is provably the same: both operands are float64 values
// exactly, and the result is a normal float64 far enough from the
// underflow range that the x87's 15-bit exponent makes no difference and
// the error terms below are exact. The exceptions are recovered exactly:
// the rounding error of a sum by Knuth's TwoSum, of a product or
// quotient by a fused multiply-add; its sign gives C1 (rounded up in
// magnitude). Anything else (other operands, zero, tiny, huge or
// non-finite results) takes the exact path.
func x87FastArith(op uint8, a, b F80) (F80, uint16, bool) {
	x, ok1 := f80AsFloat(a)
	y, ok2 := f80AsFloat(b)
	if !ok1 || !ok2 {
		return F80{}, 0, false
	}
	return x87FastFloat(op, x, y)
}

// x87FastFloat computes x op y for x87FastArith; x and y are normal.
func x87FastFloat(op uint8, x, y float64) (F80, uint16, bool) {
	if op == fpSubR || op == fpDivR {
		x, y = y, x
	}
	var r, err float64
	minExp := uint64(2) // smallest result exponent field accepted
	switch op {
	case fpAdd, fpSub, fpSubR:
		if op != fpAdd {
			y = -y
		}
		r = x + y
		yy := r - x
		err = (x - (r - yy)) + (y - yy) // exact - r, exactly
	case fpMul:
		r = x * y
		err = math.FMA(x, y, -r) // exact - r, exactly when far from underflow
		minExp = 112
	default: // fpDiv, fpDivR
		r = x / y
		// x - r×y is exact when far from underflow; the quotient's
		// error x/y - r has the sign of (x - r×y)/y.
		err = math.FMA(-r, y, x)
		if math.Signbit(y) {
			err = -err
		}
		minExp = 112
		if e := math.Float64bits(x) >> 52 & 0x7FF; e < 112 {
			return F80{}, 0, false
		}
	}
	bits := math.Float64bits(r)
	if e := bits >> 52 & 0x7FF; e < minExp || e == 0x7FF {
		return F80{}, 0, false
	}
	var fl uint16
	if err != 0 {
		fl = exPE
		if math.Signbit(err) != math.Signbit(r) {
			fl |= exC1
		}
	}
	return F80{Mant: 1<<63 | bits<<11, SE: uint16(bits>>48)&0x8000 | uint16(bits>>52&0x7FF+(f80Bias-1023))}, fl, true
}

// f80AsFloat returns a as a float64 when it is a normal float64 exactly.
func f80AsFloat(a F80) (float64, bool) {
	e := int32(a.SE & f80ExpMax)
	if a.Mant&(1<<11-1) != 0 || a.Mant&f80IntBit == 0 || e < f80DblMinE || e > f80DblMaxE {
		return 0, false
	}
	return math.Float64frombits(uint64(a.SE>>15)<<63 | uint64(e-(f80Bias-1023))<<52 | a.Mant<<1>>12), true
}

// opFArith is the register form: ST(d) = ST(d) op ST(s), then in.aux2
// pops (FADDP & co.).
func opFArith(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	pd, ps := f.phys(in.d), f.phys(in.s)
	var res F80
	if f.valid(pd) && f.valid(ps) {
		var fl uint16
		res, fl = x87Arith(in.aux, f.R[pd], f.R[ps], f.CW)
		if f.signal(fl) {
			return
		}
	} else {
		if !f.underflow() {
			return
		}
		res = f80Indefinite()
	}
	f.R[pd] = res
	f.Tag |= 1 << pd
	if in.aux2 != 0 {
		f.pop()
	}
}

// fpArithMem computes ST(0) = ST(0) op b for a memory operand b; fl
// holds the exceptions of converting it (DE for a denormal).
func (c *CPU) fpArithMem(op uint8, b F80, fl uint16) {
	f := &c.FPU
	p := f.top()
	var res F80
	if f.valid(p) {
		if fl != 0 && f.R[p].class() >= clsQNaN {
			fl = 0 // a NaN or unsupported operand: no denormal exception
		}
		var fl2 uint16
		res, fl2 = x87Arith(op, f.R[p], b, f.CW)
		if fl2&exZE != 0 {
			fl = 0 // a denormal dividend raises no DE
		}
		if f.signal(fl | fl2) {
			return
		}
	} else {
		if !f.underflow() {
			return
		}
		res = f80Indefinite()
	}
	f.R[p] = res
	f.Tag |= 1 << p
}

func opFArithM32(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	b, fl := f80FromF32(c.rd32(a))
	c.fpMark(a)
	c.fpArithMem(in.aux, b, fl)
}

func opFArithM64(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	v := c.rd64(a)
	c.fpMark(a)
	f := &c.FPU
	if p := f.top(); f.CW&0x0F00 == 0x0200 && f.valid(p) {
		// The fast path of x87Arith, without converting the operand
		// to F80 and back.
		if e := v >> 52 & 0x7FF; e != 0 && e != 0x7FF {
			if x, ok := f80AsFloat(f.R[p]); ok {
				if res, fl, ok := x87FastFloat(in.aux, x, math.Float64frombits(v)); ok {
					if !f.signal(fl) {
						f.R[p] = res
					}
					return
				}
			}
		}
	}
	b, fl := f80FromF64(v)
	c.fpArithMem(in.aux, b, fl)
}

// opFArithI is FIADD, FIMUL, FISUB... with an m16 or m32 integer.
func opFArithI(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	v := c.rdN(a, in.size)
	c.fpMark(a)
	c.fpArithMem(in.aux, f80FromInt(sext(v, in.size)), 0)
}

// Comparisons. C3 C2 C0 (and for FCOMI, ZF PF CF) are 000 for
// greater, 001 for less, 100 for equal and 111 for unordered; C1 is
// cleared.

func (f *X87) setCC(r int) {
	f.SW &^= swC0 | swC2 | swC3
	switch r {
	case fcmpLess:
		f.SW |= swC0
	case fcmpEqual:
		f.SW |= swC3
	case fcmpUnordered:
		f.SW |= swC0 | swC2 | swC3
	}
}

// fpCompare compares ST(0) with b and sets the condition codes, then
// pops pops times. quiet selects FUCOM's NaN rule; bEmpty reports that b
// came from an empty register; fl holds the exceptions of converting b.
func (c *CPU) fpCompare(b F80, bEmpty bool, fl uint16, quiet bool, pops uint8) {
	f := &c.FPU
	p := f.top()
	r := fcmpUnordered
	if !f.valid(p) || bEmpty {
		fl = exIE | exSF
	} else {
		var fl2 uint16
		r, fl2 = f80Compare(f.R[p], b, quiet)
		if r == fcmpUnordered {
			fl = 0 // no denormal exception beside a NaN
		}
		fl |= fl2
	}
	// The condition codes are set even when an unmasked exception
	// suppresses the pops (as AMD hardware does; Intel documents the
	// codes as set only for masked exceptions).
	abort := f.signal(fl)
	f.setCC(r)
	if abort {
		return
	}
	for ; pops > 0; pops-- {
		f.pop()
	}
}

// Compare flags of in.aux.
const fcmpQuiet = 1 // FUCOM: only SNaNs are invalid

func opFCOMm32(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	b, fl := f80FromF32(c.rd32(a))
	c.fpMark(a)
	c.fpCompare(b, false, fl, false, in.aux2)
}

func opFCOMm64(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	b, fl := f80FromF64(c.rd64(a))
	c.fpMark(a)
	c.fpCompare(b, false, fl, false, in.aux2)
}

// opFICOM is FICOM/FICOMP m16/m32.
func opFICOM(c *CPU, in *inst) {
	c.fpWait()
	a := c.ea(in)
	v := c.rdN(a, in.size)
	c.fpMark(a)
	c.fpCompare(f80FromInt(sext(v, in.size)), false, 0, false, in.aux2)
}

// opFCOMst is FCOM/FCOMP/FUCOM/FUCOMP ST(i), FCOMPP and FUCOMPP.
func opFCOMst(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p := f.phys(in.s)
	c.fpCompare(f.R[p], !f.valid(p), 0, in.aux&fcmpQuiet != 0, in.aux2)
}

// opFTST compares ST(0) with +0.0.
func opFTST(c *CPU, in *inst) {
	c.fpBegin()
	c.fpCompare(F80{}, false, 0, false, 0)
}

// opFCOMI is FCOMI/FCOMIP/FUCOMI/FUCOMIP ST(0), ST(i): the result goes
// to ZF, PF and CF; OF, SF and AF are cleared; C1 is cleared.
func opFCOMI(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p0, pi := f.top(), f.phys(in.s)
	r := fcmpUnordered
	var fl uint16
	if !f.valid(p0) || !f.valid(pi) {
		fl = exIE | exSF
	} else {
		r, fl = f80Compare(f.R[p0], f.R[pi], in.aux&fcmpQuiet != 0)
	}
	abort := f.signal(fl) // as for FCOM, the flags are set even so
	c.materialize()
	c.flags &^= FlagZF | FlagPF | FlagCF | FlagOF | FlagSF | FlagAF
	switch r {
	case fcmpLess:
		c.flags |= FlagCF
	case fcmpEqual:
		c.flags |= FlagZF
	case fcmpUnordered:
		c.flags |= FlagZF | FlagPF | FlagCF
	}
	if in.aux2 != 0 && !abort {
		f.pop()
	}
}

// opFXAM classifies ST(0) into C3 C2 C0, with its sign in C1; an empty
// register is a class of its own.
func opFXAM(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p := f.top()
	v := f.R[p]
	f.SW &^= swC0 | swC1 | swC2 | swC3
	if v.neg() {
		f.SW |= swC1
	}
	if !f.valid(p) {
		f.SW |= swC3 | swC0
		return
	}
	switch v.class() {
	case clsQNaN, clsSNaN:
		f.SW |= swC0
	case clsNormal:
		f.SW |= swC2
	case clsInf:
		f.SW |= swC2 | swC0
	case clsZero:
		f.SW |= swC3
	case clsDenormal:
		f.SW |= swC3 | swC2
	}
}

// One-operand operations on ST(0).

// fpST0 returns ST(0)'s physical register, or ok false after an
// unmasked stack underflow; with the underflow masked ST(0) has become
// the real indefinite and empty is set.
func (c *CPU) fpST0() (p uint, empty, ok bool) {
	f := &c.FPU
	p = f.top()
	if f.valid(p) {
		return p, false, true
	}
	if !f.underflow() {
		return p, true, false
	}
	f.R[p] = f80Indefinite()
	f.Tag |= 1 << p
	return p, true, true
}

// opFCHS and opFABS change the sign bit only: no exceptions, not even
// for signaling NaNs.
func opFCHS(c *CPU, in *inst) {
	c.fpBegin()
	if p, empty, ok := c.fpST0(); ok && !empty {
		c.FPU.signal(0)
		c.FPU.R[p].SE ^= 0x8000
	}
}

func opFABS(c *CPU, in *inst) {
	c.fpBegin()
	if p, empty, ok := c.fpST0(); ok && !empty {
		c.FPU.signal(0)
		c.FPU.R[p].SE &^= 0x8000
	}
}

func opFSQRT(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	if p, empty, ok := c.fpST0(); ok && !empty {
		res, fl := f80Sqrt(f.R[p], f80RndExt(f.CW))
		if !f.signal(fl) {
			f.R[p] = res
		}
	}
}

func opFRNDINT(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	if p, empty, ok := c.fpST0(); ok && !empty {
		res, fl := f80RoundInt(f.R[p], f.CW>>10&3)
		if !f.signal(fl) {
			f.R[p] = res
		}
	}
}

// fpST01 returns the physical registers of ST(0) and ST(1) for the
// operations that read both; on a stack underflow it signals, and with
// the underflow masked ST(0) becomes the real indefinite (ok with
// empty set).
func (c *CPU) fpST01() (p0, p1 uint, empty, ok bool) {
	f := &c.FPU
	p0, p1 = f.top(), f.phys(1)
	if f.valid(p0) && f.valid(p1) {
		return p0, p1, false, true
	}
	if !f.underflow() {
		return p0, p1, true, false
	}
	f.R[p0] = f80Indefinite()
	f.Tag |= 1 << p0
	return p0, p1, true, true
}

// opFSCALE: ST(0) = ST(0) × 2^trunc(ST(1)).
func opFSCALE(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	if p0, p1, empty, ok := c.fpST01(); ok && !empty {
		res, fl := f80Scale(f.R[p0], f.R[p1], f.CW)
		if !f.signal(fl) {
			f.R[p0] = res
		}
	}
}

// opFPREM is FPREM and (in.aux set) FPREM1: ST(0) = remainder of
// ST(0)/ST(1). C2 is set when the reduction is incomplete; otherwise C0,
// C3 and C1 receive quotient bits 2, 1 and 0.
func opFPREM(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p0, p1, empty, ok := c.fpST01()
	if !ok || empty {
		return
	}
	res, q, partial, fl := f80Rem(f.R[p0], f.R[p1], in.aux != 0, f.CW)
	if f.signal(fl) {
		return
	}
	f.R[p0] = res
	f.SW &^= swC0 | swC1 | swC2 | swC3
	if fl&exIE != 0 {
		return
	}
	if partial {
		f.SW |= swC2
		return
	}
	if q&4 != 0 {
		f.SW |= swC0
	}
	if q&2 != 0 {
		f.SW |= swC3
	}
	if q&1 != 0 {
		f.SW |= swC1
	}
}

// opFXTRACT replaces ST(0) by its exponent and pushes its significand.
func opFXTRACT(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p, t := f.top(), (f.top()-1)&7
	if !f.valid(p) || f.valid(t) {
		// Stack underflow (C1 clear) or overflow (C1 set): both
		// results are the indefinite.
		fl := uint16(exIE | exSF)
		if f.valid(p) {
			fl |= exC1
		}
		if f.signal(fl) {
			return
		}
		f.R[p], f.R[t] = f80Indefinite(), f80Indefinite()
		f.Tag |= 1<<p | 1<<t
		f.setTop(t)
		return
	}
	exp, sig, fl := f80Extract(f.R[p])
	if f.signal(fl) {
		return
	}
	f.R[p] = exp
	f.push(sig, fl)
}

// opFXCH exchanges ST(0) and ST(i); an empty operand is a stack
// underflow, and with it masked empty registers become the real
// indefinite first.
func opFXCH(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p0, pi := f.top(), f.phys(in.s)
	if !f.valid(p0) || !f.valid(pi) {
		if !f.underflow() {
			return
		}
		for _, p := range [2]uint{p0, pi} {
			if !f.valid(p) {
				f.R[p] = f80Indefinite()
				f.Tag |= 1 << p
			}
		}
	} else {
		f.signal(0)
	}
	f.R[p0], f.R[pi] = f.R[pi], f.R[p0]
}

// opFFREE marks ST(i) empty; in.aux2 also pops (FFREEP).
func opFFREE(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	f.Tag &^= 1 << f.phys(in.s)
	if in.aux2 != 0 {
		f.pop()
	}
}

// opFINCSTP and opFDECSTP rotate the stack without changing tags.
func opFINCSTP(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	f.setTop(f.top() + 1)
	f.SW &^= swC1
}

func opFDECSTP(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	f.setTop(f.top() - 1)
	f.SW &^= swC1
}

// opFCMOV copies ST(i) to ST(0) when condition in.aux (a Jcc condition
// code) holds.
func opFCMOV(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p0, pi := f.top(), f.phys(in.s)
	if !f.valid(p0) || !f.valid(pi) {
		if !f.underflow() {
			return
		}
		f.R[p0] = f80Indefinite()
		f.Tag |= 1 << p0
		return
	}
	f.signal(0)
	if c.cond(in.aux) {
		f.R[p0] = f.R[pi]
	}
}

// Transcendental instructions. 8c and the Go toolchain never emit them;
// they are computed through float64 (about 53 correct bits where the
// hardware gives about 64), with the x87's special cases, range checks
// (C2 for |x| >= 2^63) and flags. Results are therefore close to, but
// not bit-identical with, the hardware's.

// f80ToFloat converts a finite value to float64 with rounding to
// nearest (magnitudes beyond float64 become infinities or zeros).
func f80ToFloat(a F80) float64 {
	v, _, _ := f80ToMem(a, 0x037F, false)
	return math.Float64frombits(v)
}

// f80Split splits a finite value of moderate exponent into two float64s
// whose sum it is exactly.
func f80Split(a F80) (hi, lo float64) {
	hi = f80ToFloat(a)
	d, _ := f80Add(a, floatToF80(hi), true, f80RndExt64(0x037F))
	return hi, f80ToFloat(d)
}

// floatToF80 converts a float64 result back.
func floatToF80(v float64) F80 {
	r, _ := f80FromF64(math.Float64bits(v))
	return r
}

// x87TransOperand checks ST(0) for a transcendental instruction: it returns
// the result for NaN and unsupported operands (done), and DE for a
// denormal.
func x87TransOperand(a F80) (res F80, fl uint16, done bool) {
	switch a.class() {
	case clsUnsupported:
		return f80Indefinite(), exIE, true
	case clsSNaN:
		a.Mant |= f80QuietBit
		return a, exIE, true
	case clsQNaN:
		return a, 0, true
	case clsDenormal:
		fl = exDE
	}
	return F80{}, fl, false
}

// x87TrigRange reports whether a is in the range of FSIN, FCOS, FSINCOS and
// FPTAN: |a| < 2^63.
func x87TrigRange(a F80) bool { return a.SE&f80ExpMax < f80Bias+63 }

// x87Trig computes sin (which 0) or cos (1) or tan (2) of a finite a.
func x87Trig(a F80, which int) (F80, uint16) {
	if a.class() == clsZero {
		if which == 1 {
			return F80{Mant: f80IntBit, SE: f80Bias}, 0
		}
		return a, 0
	}
	// a = x + dx exactly (dx holds the bits float64 cannot); the
	// first-order term in dx keeps the argument's full precision.
	x, dx := f80Split(a)
	var r float64
	switch which {
	case 0:
		r = math.Sin(x) + dx*math.Cos(x)
	case 1:
		r = math.Cos(x) - dx*math.Sin(x)
	default:
		t := math.Tan(x)
		r = t + dx*(1+t*t)
	}
	if a.SE&f80ExpMax < f80Bias-60 && which != 1 {
		// sin x and tan x are x to 64 bits for tiny x: round x (tan
		// a hair above it) as a result, which normalizes a
		// pseudo-denormal and flags underflow.
		var sticky uint64
		if which == 2 {
			sticky = 1
		}
		e, m := a.norm()
		res, fl := f80Round(a.neg(), e, m, sticky, f80RndExt64(0x037F))
		return res, fl | exPE
	}
	return floatToF80(r), exPE
}

// opFTrig is FSIN (aux 0), FCOS (1), FPTAN (2) and FSINCOS (3).
func opFTrig(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p, empty, ok := c.fpST0()
	if !ok {
		return
	}
	pushes := in.aux >= 2
	if empty {
		if pushes {
			f.push(f80Indefinite(), exIE|exSF)
		}
		return
	}
	if pushes && f.valid((p-1)&7) {
		if !f.signal(exIE | exSF | exC1) {
			f.R[p] = f80Indefinite()
			f.push(f80Indefinite(), 0)
			f.SW |= swC1
		}
		return
	}
	a := f.R[p]
	res, fl, done := x87TransOperand(a)
	var second F80
	switch {
	case done:
		second = res
	case a.class() == clsInf:
		res, second, fl = f80Indefinite(), f80Indefinite(), exIE
	case !x87TrigRange(a):
		// Out of range: ST(0) is left alone and C2 says so.
		f.signal(fl)
		f.SW |= swC2
		return
	default:
		var f1, f2 uint16
		switch in.aux {
		case 0, 1:
			res, f1 = x87Trig(a, int(in.aux))
		case 2:
			res, f1 = x87Trig(a, 2)
			second, f2 = F80{Mant: f80IntBit, SE: f80Bias}, 0
		case 3:
			res, f1 = x87Trig(a, 0)
			second, f2 = x87Trig(a, 1)
		}
		fl |= f1 | f2
	}
	if f.signal(fl) {
		return
	}
	f.SW &^= swC2
	f.R[p] = res
	if pushes {
		f.push(second, fl)
	}
}

// opF2XM1: ST(0) = 2^ST(0) - 1 (defined for -1 <= ST(0) <= 1).
func opF2XM1(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p, empty, ok := c.fpST0()
	if !ok || empty {
		return
	}
	a := f.R[p]
	res, fl, done := x87TransOperand(a)
	if !done {
		switch a.class() {
		case clsZero:
			res = a
		case clsInf:
			res = a
			if a.neg() {
				res = F80{Mant: f80IntBit, SE: 0x8000 | f80Bias} // -1
			}
		default:
			if a.SE&f80ExpMax < f80Bias-60 {
				res, _ = f80Mul(a, F80{Mant: 0xB17217F7D1CF79AC, SE: f80Bias - 1}, f80RndExt64(f.CW))
			} else {
				res = floatToF80(math.Expm1(f80ToFloat(a) * math.Ln2))
			}
			fl |= exPE
		}
	}
	if !f.signal(fl) {
		f.R[p] = res
	}
}

// opFLog is FYL2X (aux 0: ST(1) × log2 ST(0)), FYL2XP1 (aux 1:
// ST(1) × log2(ST(0)+1)) and FPATAN (aux 2: arctan(ST(1)/ST(0))); the
// result replaces ST(1) and the stack is popped.
func opFLog(c *CPU, in *inst) {
	c.fpBegin()
	f := &c.FPU
	p0, p1 := f.top(), f.phys(1)
	if !f.valid(p0) || !f.valid(p1) {
		// The masked response puts the indefinite in ST(1), the
		// destination, and pops.
		if f.underflow() {
			f.R[p1] = f80Indefinite()
			f.Tag |= 1 << p1
			f.pop()
		}
		return
	}
	x, y := f.R[p0], f.R[p1]
	res, fl, done := f80Special(y, x, y.class(), x.class())
	if !done && in.aux == 0 && x.neg() && x.class() != clsZero {
		res, fl, done = f80Indefinite(), exIE, true // log of a negative number; no DE
	}
	if !done {
		var f2 uint16
		res, f2 = x87LogOp(in.aux, x, y, f.CW)
		fl |= f2
	}
	if f.signal(fl) {
		return
	}
	f.R[p1] = res
	f.pop()
}

func x87LogOp(op uint8, x, y F80, cw uint16) (F80, uint16) {
	cx, cy := x.class(), y.class()
	r := f80RndExt64(cw)
	switch op {
	case 2: // FPATAN
		if cx == clsZero && cy == clsZero {
			// atan2 of zeros: ±0 or ±pi by the signs.
			if x.neg() {
				return F80{Mant: 0xC90FDAA22168C235, SE: y.SE&0x8000 | 0x4000}, exPE
			}
			return y, 0
		}
		return floatToF80(math.Atan2(f80ToFloatExt(y), f80ToFloatExt(x))), exPE
	case 1: // FYL2XP1
		if cx == clsZero {
			if cy == clsInf {
				return f80Indefinite(), exIE
			}
			return F80{SE: (x.SE ^ y.SE) & 0x8000}, 0
		}
		if cx == clsInf && !x.neg() {
			if cy == clsZero {
				return f80Indefinite(), exIE
			}
			return f80Inf(y.neg()), 0
		}
		one := F80{Mant: f80IntBit, SE: f80Bias}
		t, _ := f80Add(x, one, false, r)
		if x.SE&f80ExpMax >= f80Bias-1 { // |x| >= 1/2: log2(x+1) directly
			return x87LogOp(0, t, y, cw)
		}
		xh, xl := f80Split(x)
		l := floatToF80((math.Log1p(xh) + xl/(1+xh)) / math.Ln2)
		res, fl := f80Mul(y, l, r)
		return res, fl | exPE
	}
	// FYL2X
	switch {
	case x.neg() && cx != clsZero:
		return f80Indefinite(), exIE
	case cx == clsZero:
		if cy == clsZero {
			return f80Indefinite(), exIE
		}
		if cy == clsInf {
			return f80Inf(!y.neg()), 0
		}
		return f80Inf(!y.neg()), exZE
	case cx == clsInf:
		if cy == clsZero {
			return f80Indefinite(), exIE
		}
		return f80Inf(y.neg()), 0
	}
	e, m := x.norm()
	var l F80
	if e == f80Bias || e == f80Bias-1 {
		// Near 1: log2 x = log1p(x-1)/ln 2, with x-1 exact.
		t, _ := f80Add(x, F80{Mant: f80IntBit, SE: f80Bias}, true, r)
		th, tl := f80Split(t)
		l = floatToF80((math.Log1p(th) + tl/(1+th)) / math.Ln2)
	} else {
		// log2 x = (e - bias) + log2(m/2^63), the second term computed
		// in float64 from m's top bits.
		frac := math.Log2(float64(m>>11) / (1 << 52))
		l = floatToF80(float64(e-f80Bias) + frac)
	}
	if l.class() == clsZero {
		if cy == clsInf {
			return f80Indefinite(), exIE
		}
		return F80{SE: y.SE & 0x8000}, 0 // log2 1 = +0 exactly
	}
	res, fl := f80Mul(y, l, r)
	return res, fl | exPE
}

// f80ToFloatExt converts like f80ToFloat but keeps infinities.
func f80ToFloatExt(a F80) float64 {
	if a.class() == clsInf {
		return math.Inf(1 - 2*int(a.SE>>15))
	}
	return f80ToFloat(a)
}

// f80Extract splits a into its exponent and significand (FXTRACT).
func f80Extract(a F80) (exp, sig F80, fl uint16) {
	switch a.class() {
	case clsUnsupported:
		return f80Indefinite(), f80Indefinite(), exIE
	case clsSNaN:
		a.Mant |= f80QuietBit
		return a, a, exIE
	case clsQNaN:
		return a, a, 0
	case clsInf:
		return f80Inf(false), a, 0
	case clsZero:
		return f80Inf(true), a, exZE
	case clsDenormal:
		fl = exDE
	}
	e, m := a.norm()
	return f80FromInt(int64(e - f80Bias)), F80{Mant: m, SE: a.SE&0x8000 | f80Bias}, fl
}
