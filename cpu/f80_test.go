package cpu

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The f80 arithmetic is checked against an independent oracle:
// math/big.Float rounds correctly at any precision in every IEEE
// rounding mode, and the x87's own conventions (precision control
// keeps 24, 53 or 64 bits; denormal results are rounded to multiples of
// the smallest denormal unit that the precision control leaves; tininess
// is detected after rounding; the masked overflow response) are applied
// around it. The hardware oracle in x87host_amd64_test.go checks those
// conventions, and the special operands, on amd64 hosts.

// A f80BigOp computes an operation's result rounded to prec bits by mode,
// and whether that is below, at or above the exact result.
type f80BigOp func(prec uint, mode big.RoundingMode) (*big.Float, big.Accuracy)

// f80BigSqrt returns the square root of x > 0 rounded to prec bits by mode.
// (big.Float.Sqrt does not round correctly in the directed modes, and
// leaves the accuracy undefined.) It takes the exact integer square
// root of x scaled to about 2^256, and rounds 2×root+sticky, which rounds
// as the exact root does at any precision well below 128 bits.
func f80BigSqrt(x *big.Float, prec uint, mode big.RoundingMode) (*big.Float, big.Accuracy) {
	mant := new(big.Float)
	exp := x.MantExp(mant) // x = mant × 2^exp, mant in [0.5, 1)
	mi, _ := new(big.Float).SetMantExp(mant, 64).Int(nil)
	e := exp - 64 // x = mi × 2^e
	s := 256
	if (s-e)%2 != 0 {
		s++
	}
	k := (s - e) / 2 // sqrt(x) = sqrt(mi × 2^s) × 2^-k
	n := new(big.Int).Lsh(mi, uint(s))
	root := new(big.Int).Sqrt(n)
	twice := new(big.Int).Lsh(root, 1)
	if new(big.Int).Mul(root, root).Cmp(n) != 0 {
		twice.SetBit(twice, 0, 1)
	}
	z := new(big.Float).SetPrec(prec).SetMode(mode).SetInt(twice)
	acc := z.Acc()
	return z.SetMantExp(z, -k-1), acc
}

// f80Big converts a finite F80 exactly.
func f80Big(a F80) *big.Float {
	x := new(big.Float).SetPrec(64).SetUint64(a.Mant)
	e := int(a.SE & f80ExpMax)
	if e == 0 {
		e = 1
	}
	x.SetMantExp(x, e-f80Bias-63)
	if a.neg() {
		x.Neg(x)
	}
	return x
}

var f80BigModes = [4]big.RoundingMode{big.ToNearestEven, big.ToNegativeInf, big.ToPositiveInf, big.ToZero}

// f80RefResult computes the x87 result of an operation whose correctly
// rounded value at any precision op supplies, under control word cw
// with overflow and underflow masked. The operands are finite and the
// exact result is nonzero.
func f80RefResult(op f80BigOp, cw uint16) (F80, uint16) {
	prec := uint(64)
	switch cw >> 8 & 3 {
	case 0:
		prec = 24
	case 2:
		prec = 53
	}
	mode := f80BigModes[cw>>10&3]
	z, acc := op(prec, mode)
	neg := z.Signbit()
	var fl uint16
	if acc != big.Exact {
		fl |= exPE
		if (acc == big.Above) != neg {
			fl |= exC1
		}
	}
	e := z.MantExp(nil) // |z| in [2^(e-1), 2^e)
	switch {
	case e-1 > f80ExpMax-1-f80Bias: // overflow
		fl |= exOE | exPE
		if mode == big.ToNearestEven || mode == big.ToNegativeInf && neg || mode == big.ToPositiveInf && !neg {
			return f80Inf(neg), fl | exC1
		}
		return F80{Mant: ^uint64(0) << (64 - prec), SE: signSE(neg) | (f80ExpMax - 1)}, fl &^ exC1
	case e-1 >= 1-f80Bias: // normal (after rounding)
		m, _ := new(big.Float).SetMantExp(new(big.Float).Abs(z), 64-e).Uint64()
		return F80{Mant: m, SE: signSE(neg) | uint16(e-1+f80Bias)}, fl
	}
	// Tiny: round again to a multiple of the denormal unit q =
	// 2^(1-bias-63+(64-prec)).
	qexp := 1 - f80Bias - 63 + int(64-prec)
	x, _ := op(2000, big.ToZero) // enough to know the exponent of the exact value
	ex := x.MantExp(nil)
	fl = 0
	var r *big.Float
	var racc big.Accuracy
	if p := ex - qexp; p >= 1 {
		r, racc = op(uint(p), mode)
	} else {
		// |exact| < q: the result is 0 or q.
		half := new(big.Float).SetMantExp(big.NewFloat(1), qexp-1)
		x, _ := op(4000, big.ToZero)
		ax := new(big.Float).Abs(x)
		up := false
		switch mode {
		case big.ToNearestEven:
			up = ax.Cmp(half) > 0
		case big.ToNegativeInf:
			up = neg
		case big.ToPositiveInf:
			up = !neg
		}
		fl = exPE | exUE
		var m uint64
		if up {
			fl |= exC1
			m = 1 << (64 - prec)
		}
		return F80{Mant: m, SE: signSE(neg)}, fl
	}
	if racc != big.Exact {
		fl |= exPE | exUE
		if (racc == big.Above) != neg {
			fl |= exC1
		}
	}
	m, _ := new(big.Float).SetMantExp(new(big.Float).Abs(r), f80Bias+63-1).Uint64()
	se := signSE(neg)
	if m>>63 != 0 {
		se |= 1
	}
	return F80{Mant: m, SE: se}, fl
}

// f80RandFinite returns a random finite nonzero F80: normal, denormal or
// pseudo-denormal, with exponents spread over the whole range or bunched
// near 1 and near the limits.
func f80RandFinite(r *rand.Rand) F80 {
	s := uint16(r.IntN(2)) << 15
	m := 1<<63 | r.Uint64()
	switch r.IntN(6) {
	case 0:
		m &^= 1<<uint(r.IntN(64)) - 1 // short significands: exact results
	case 1:
		m |= 1<<uint(r.IntN(64)) - 1
	}
	switch r.IntN(8) {
	case 0:
		v := r.Uint64() >> uint(r.IntN(64)) >> 1
		if v == 0 {
			v = 1
		}
		return F80{Mant: v, SE: s} // denormal
	case 1:
		return F80{Mant: m, SE: s | uint16(1+r.IntN(80))}
	case 2:
		return F80{Mant: m, SE: s | uint16(0x7FFE-r.IntN(80))}
	case 3:
		return F80{Mant: m, SE: s | uint16(0x3FFF-40+r.IntN(80))}
	}
	return F80{Mant: m, SE: s | uint16(1+r.IntN(0x7FFE))}
}

func f80RandCW(r *rand.Rand) uint16 {
	return 0x7F | uint16(r.IntN(4))<<8 | uint16(r.IntN(4))<<10
}

// f80CheckOp compares one operation with the oracle.
func f80CheckOp(t *testing.T, name string, a, b F80, cw uint16, got F80, gotFl uint16,
	op f80BigOp) bool {
	t.Helper()
	gotFl &^= exDE // denormal operands are checked elsewhere
	var want F80
	var wantFl uint16
	if z, _ := op(64, big.ToZero); z.Sign() == 0 {
		return true // exact zeros: sign rules are table-tested
	}
	want, wantFl = f80RefResult(op, cw)
	if got != want || gotFl != wantFl {
		t.Errorf("%s(%04x_%016x, %04x_%016x) cw=%04x = %04x_%016x fl %#x, want %04x_%016x fl %#x",
			name, a.SE, a.Mant, b.SE, b.Mant, cw, got.SE, got.Mant, gotFl, want.SE, want.Mant, wantFl)
		return false
	}
	return true
}

func f80TestArith(t *testing.T, a, b F80, cw uint16) bool {
	x, y := f80Big(a), f80Big(b)
	r := f80RndExt(cw)
	ok := true
	got, fl := f80Add(a, b, false, r)
	ok = f80CheckOp(t, "add", a, b, cw, got, fl, func(p uint, m big.RoundingMode) (*big.Float, big.Accuracy) {
		z := new(big.Float).SetPrec(p).SetMode(m).Add(x, y)
		return z, z.Acc()
	}) && ok
	got, fl = f80Add(a, b, true, r)
	ok = f80CheckOp(t, "sub", a, b, cw, got, fl, func(p uint, m big.RoundingMode) (*big.Float, big.Accuracy) {
		z := new(big.Float).SetPrec(p).SetMode(m).Sub(x, y)
		return z, z.Acc()
	}) && ok
	got, fl = f80Mul(a, b, r)
	ok = f80CheckOp(t, "mul", a, b, cw, got, fl, func(p uint, m big.RoundingMode) (*big.Float, big.Accuracy) {
		z := new(big.Float).SetPrec(p).SetMode(m).Mul(x, y)
		return z, z.Acc()
	}) && ok
	got, fl = f80Div(a, b, r)
	ok = f80CheckOp(t, "div", a, b, cw, got, fl, func(p uint, m big.RoundingMode) (*big.Float, big.Accuracy) {
		z := new(big.Float).SetPrec(p).SetMode(m).Quo(x, y)
		return z, z.Acc()
	}) && ok
	if !a.neg() {
		got, fl = f80Sqrt(a, r)
		ok = f80CheckOp(t, "sqrt", a, a, cw, got, fl, func(p uint, m big.RoundingMode) (*big.Float, big.Accuracy) {
			return f80BigSqrt(x, p, m)
		}) && ok
	}
	return ok
}

func TestF80ArithOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	bad := 0
	for i := 0; i < n && bad < 20; i++ {
		a, b := f80RandFinite(r), f80RandFinite(r)
		if r.IntN(4) == 0 {
			b = F80{Mant: a.Mant ^ uint64(r.IntN(16))<<uint(r.IntN(64)) | f80IntBit, SE: a.SE ^ uint16(r.IntN(2))<<15}
		}
		if !f80TestArith(t, a, b, f80RandCW(r)) {
			bad++
		}
	}
}

// FuzzF80 checks the arithmetic on fuzzer-chosen finite operands against
// the oracle.
func FuzzF80(f *testing.F) {
	f.Add(uint64(1<<63), uint16(0x3FFF), uint64(0xC000000000000000), uint16(0x3FFF), uint16(0x037F))
	f.Add(uint64(0xFFFFFFFFFFFFFFFF), uint16(0x7FFE), uint64(1<<63), uint16(0x3FFE), uint16(0x027F))
	f.Add(uint64(1), uint16(0), uint64(1<<63|1), uint16(0x3FFE), uint16(0x0E7F))
	f.Fuzz(func(t *testing.T, am uint64, ae uint16, bm uint64, be uint16, cw uint16) {
		a, b := F80{am, ae}, F80{bm, be}
		for _, v := range [2]F80{a, b} {
			if c := v.class(); c != clsNormal && c != clsDenormal {
				return
			}
		}
		f80TestArith(t, a, b, cw&0x0F00|0x7F)
	})
}

// Known results of real hardware (round to nearest unless noted).
func TestF80Known(t *testing.T) {
	one := F80{Mant: 1 << 63, SE: 0x3FFF}
	three := F80{Mant: 0xC000000000000000, SE: 0x4000}
	two := F80{Mant: 1 << 63, SE: 0x4000}
	cw := func(pc, rc uint16) uint16 { return 0x7F | pc<<8 | rc<<10 }
	tests := []struct {
		name string
		got  F80
		want F80
	}{
		{"1/3 pc64", f80First(f80Div(one, three, f80RndExt(cw(3, 0)))), F80{0xAAAAAAAAAAAAAAAB, 0x3FFD}},
		{"1/3 pc53", f80First(f80Div(one, three, f80RndExt(cw(2, 0)))), F80{0xAAAAAAAAAAAAA800, 0x3FFD}},
		{"1/3 pc24", f80First(f80Div(one, three, f80RndExt(cw(0, 0)))), F80{0xAAAAAB0000000000, 0x3FFD}},
		{"1/3 pc64 down", f80First(f80Div(one, three, f80RndExt(cw(3, 1)))), F80{0xAAAAAAAAAAAAAAAA, 0x3FFD}},
		{"sqrt 2", f80First(f80Sqrt(two, f80RndExt(cw(3, 0)))), F80{0xB504F333F9DE6484, 0x3FFF}},
		{"sqrt 2 up", f80First(f80Sqrt(two, f80RndExt(cw(3, 2)))), F80{0xB504F333F9DE6485, 0x3FFF}},
		{"-1/3 pc53 up", f80First(f80Div(F80{1 << 63, 0xBFFF}, three, f80RndExt(cw(2, 2)))), F80{0xAAAAAAAAAAAAA800, 0xBFFD}},
		{"1+2^-64 pc64", f80First(f80Add(one, F80{1 << 63, 0x3FFF - 64}, false, f80RndExt(cw(3, 0)))), one},
		{"1+2^-63 pc64", f80First(f80Add(one, F80{1 << 63, 0x3FFF - 63}, false, f80RndExt(cw(3, 0)))), F80{1<<63 | 1, 0x3FFF}},
		{"min normal/2", f80First(f80Div(F80{1 << 63, 1}, two, f80RndExt(cw(3, 0)))), F80{1 << 62, 0}},
		{"max*2 masked", f80First(f80Mul(F80{^uint64(0), 0x7FFE}, two, f80RndExt(cw(3, 0)))), f80Inf(false)},
		{"max*2 chop", f80First(f80Mul(F80{^uint64(0), 0x7FFE}, two, f80RndExt(cw(3, 3)))), F80{^uint64(0), 0x7FFE}},
		{"max*2 pc53 chop", f80First(f80Mul(F80{^uint64(0), 0x7FFE}, two, f80RndExt(cw(2, 3)))), F80{0xFFFFFFFFFFFFF800, 0x7FFE}},
		{"overflow unmasked", f80First(f80Mul(F80{1 << 63, 0x7FFE}, two, f80RndExt(0x0377))), F80{1 << 63, 0x7FFF - f80BiasAdjust}},
		{"underflow unmasked", f80First(f80Mul(F80{1 << 63, 1}, F80{1 << 63, 0x3FFE}, f80RndExt(0x036F))), F80{1 << 63, f80BiasAdjust}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %04x_%016x, want %04x_%016x", tt.name, tt.got.SE, tt.got.Mant, tt.want.SE, tt.want.Mant)
		}
	}
}

func f80First(f F80, _ uint16) F80 { return f }

// TestF80Special covers the operand classes the oracle leaves out.
func TestF80Special(t *testing.T) {
	r := f80RndExt(0x037F)
	pinf, ninf := f80Inf(false), f80Inf(true)
	pz, nz := f80Zero(false), f80Zero(true)
	one := F80{1 << 63, 0x3FFF}
	qnan := F80{0xC000000000000123, 0x7FFF}
	qnan2 := F80{0xC000000000000456, 0xFFFF}
	snan := F80{0x8000000000000789, 0x7FFF}
	unnormal := F80{0x4000000000000000, 0x3FFF}
	den := F80{1, 0}
	ind := f80Indefinite()
	tests := []struct {
		name   string
		fn     func() (F80, uint16)
		want   F80
		wantFl uint16
	}{
		{"inf-inf", func() (F80, uint16) { return f80Add(pinf, pinf, true, r) }, ind, exIE},
		{"inf+inf", func() (F80, uint16) { return f80Add(pinf, pinf, false, r) }, pinf, 0},
		{"0*inf", func() (F80, uint16) { return f80Mul(pz, ninf, r) }, ind, exIE},
		{"0/0", func() (F80, uint16) { return f80Div(pz, nz, r) }, ind, exIE},
		{"inf/inf", func() (F80, uint16) { return f80Div(pinf, ninf, r) }, ind, exIE},
		{"1/-0", func() (F80, uint16) { return f80Div(one, nz, r) }, ninf, exZE},
		{"-0/1", func() (F80, uint16) { return f80Div(nz, one, r) }, nz, 0},
		{"1/inf", func() (F80, uint16) { return f80Div(one, ninf, r) }, nz, 0},
		{"-0+-0", func() (F80, uint16) { return f80Add(nz, nz, false, r) }, nz, 0},
		{"-0+0", func() (F80, uint16) { return f80Add(nz, pz, false, r) }, pz, 0},
		{"-0+0 down", func() (F80, uint16) { return f80Add(nz, pz, false, f80RndExt(0x077F)) }, nz, 0},
		{"1-1", func() (F80, uint16) { return f80Add(one, one, true, r) }, pz, 0},
		{"1-1 down", func() (F80, uint16) { return f80Add(one, one, true, f80RndExt(0x077F)) }, nz, 0},
		{"sqrt -0", func() (F80, uint16) { return f80Sqrt(nz, r) }, nz, 0},
		{"sqrt -1", func() (F80, uint16) { return f80Sqrt(F80{1 << 63, 0xBFFF}, r) }, ind, exIE},
		{"sqrt -inf", func() (F80, uint16) { return f80Sqrt(ninf, r) }, ind, exIE},
		{"sqrt inf", func() (F80, uint16) { return f80Sqrt(pinf, r) }, pinf, 0},
		{"qnan+1", func() (F80, uint16) { return f80Add(qnan, one, false, r) }, qnan, 0},
		{"1-qnan", func() (F80, uint16) { return f80Add(one, qnan, true, r) }, qnan, 0},
		{"snan*1", func() (F80, uint16) { return f80Mul(snan, one, r) }, F80{snan.Mant | f80QuietBit, snan.SE}, exIE},
		{"qnan+qnan2 larger wins", func() (F80, uint16) { return f80Add(qnan, qnan2, false, r) }, qnan2, 0},
		{"snan+qnan: qnan wins", func() (F80, uint16) { return f80Add(snan, qnan, false, r) }, qnan, exIE},
		{"unnormal", func() (F80, uint16) { return f80Add(unnormal, one, false, r) }, ind, exIE},
		{"unnormal+qnan", func() (F80, uint16) { return f80Add(unnormal, qnan, false, r) }, ind, exIE},
		{"den+0", func() (F80, uint16) { return f80Add(den, pz, false, r) }, den, exDE},
		{"den*den", func() (F80, uint16) { return f80Mul(den, den, r) }, pz, exDE | exUE | exPE},
	}
	for _, tt := range tests {
		got, fl := tt.fn()
		if got != tt.want || fl != tt.wantFl {
			t.Errorf("%s = %04x_%016x fl %#x, want %04x_%016x fl %#x", tt.name, got.SE, got.Mant,
				fl, tt.want.SE, tt.want.Mant, tt.wantFl)
		}
	}
}

// TestF80Conversions checks the memory-format conversions against Go's
// float32 and float64, which are IEEE.
func TestF80Conversions(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		d := r.Uint64()
		if i%3 == 0 {
			d = math.Float64bits(r.NormFloat64() * math.Pow(2, float64(r.IntN(2100)-1050)))
		}
		x, fl := f80FromF64(d)
		if x.isNaN() {
			continue
		}
		back, fl2, ok := f80ToMem(x, 0x037F, false)
		if back != d || !ok || fl2 != 0 {
			t.Fatalf("f64 %#x -> %04x_%016x -> %#x (fl %#x)", d, x.SE, x.Mant, back, fl2)
		}
		if (fl&exDE != 0) != (d&(0x7FF<<52) == 0 && d<<1 != 0) {
			t.Fatalf("f64 %#x: DE %v", d, fl&exDE != 0)
		}
		// Narrowing to float32 must match Go's conversion (round to
		// nearest even, with denormals).
		s, _, _ := f80ToMem(x, 0x037F, true)
		if want := math.Float32bits(float32(math.Float64frombits(d))); uint32(s) != want {
			t.Fatalf("f64 %#x -> f32 %#x, want %#x", d, s, want)
		}
		f := math.Float32bits(float32(math.Float64frombits(d)))
		y, _ := f80FromF32(f)
		if back, _, _ := f80ToMem(y, 0x037F, true); uint32(back) != f {
			t.Fatalf("f32 %#x round trip %#x", f, back)
		}
	}
	// Integers.
	for _, v := range []int64{0, 1, -1, 1 << 62, -1 << 63, 1<<63 - 1, 12345, -98765} {
		x := f80FromInt(v)
		got, fl := f80ToInt(x, rcNear, 8)
		if int64(got) != v || fl != 0 {
			t.Errorf("int %d -> %04x_%016x -> %d fl %#x", v, x.SE, x.Mant, int64(got), fl)
		}
	}
	half := F80{0xC000000000000000, 0x3FFF} // 1.5
	for rc, want := range []int64{2, 1, 2, 1} {
		if got, fl := f80ToInt(half, uint16(rc), 4); int64(int32(got)) != want || fl&exPE == 0 {
			t.Errorf("1.5 rc %d = %d fl %#x, want %d", rc, int32(got), fl, want)
		}
	}
	if got, fl := f80ToInt(F80{1 << 63, 0x3FFF + 31}, rcNear, 4); got != 0x80000000 || fl != exIE {
		t.Errorf("2^31 to int32 = %#x fl %#x, want indefinite", got, fl)
	}
	if got, fl := f80ToInt(F80{1 << 63, 0xBFFF + 31}, rcNear, 4); got != 0x80000000 || fl != 0 {
		t.Errorf("-2^31 to int32 = %#x fl %#x", got, fl)
	}
}

// TestF80Rem checks FPREM and FPREM1 against exact integer arithmetic on
// small operands.
func TestF80Rem(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 5000; i++ {
		a := r.Int64N(1<<40) - 1<<39
		b := r.Int64N(1<<20) + 1
		if r.IntN(2) == 0 {
			b = -b
		}
		for _, ieee := range []bool{false, true} {
			res, q, partial, fl := f80Rem(f80FromInt(a), f80FromInt(b), ieee, 0x037F)
			quo := a / b // truncated quotient
			want := a - quo*b
			if ieee {
				// The nearest quotient, ties to even.
				abs := func(v int64) int64 { return max(v, -v) }
				if 2*abs(want) > abs(b) || 2*abs(want) == abs(b) && quo%2 != 0 {
					if (want < 0) == (b < 0) {
						quo++
					} else {
						quo--
					}
				}
				want = a - quo*b
			}
			got, _ := f80ToInt(res, rcNear, 8)
			if partial || fl != 0 || int64(got) != want || (want == 0 && res.neg() != (a < 0)) {
				t.Fatalf("rem(%d, %d, ieee %v) = %d (q %d partial %v fl %#x), want %d", a, b, ieee, int64(got), q, partial, fl, want)
			}
			aq := quo
			if aq < 0 {
				aq = -aq
			}
			if q != uint64(aq)&7 {
				t.Fatalf("rem(%d, %d, ieee %v): quotient bits %d, want %d", a, b, ieee, q, aq&7)
			}
		}
	}
	// A huge exponent difference reduces partially.
	_, _, partial, _ := f80Rem(F80{1 << 63, 0x3FFF + 200}, F80{0xC000000000000000, 0x3FFF}, false, 0x037F)
	if !partial {
		t.Error("FPREM of 2^200 by 1.5 was not partial")
	}
}

// TestF80BCD round-trips packed BCD.
func TestF80BCD(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 99, 123456789012345678, -999999999999999999} {
		x := f80FromInt(v)
		lo, hi, fl := f80ToBCD(x, rcNear)
		if fl != 0 {
			t.Fatalf("%d: fl %#x", v, fl)
		}
		if y := f80FromBCD(lo, hi); y != x && !(v == 0 && y.class() == clsZero) {
			t.Errorf("%d: BCD %04x_%016x back to %04x_%016x", v, hi, lo, y.SE, y.Mant)
		}
	}
	if lo, hi, fl := f80ToBCD(f80FromInt(1e18), rcNear); fl != exIE || hi != 0xFFFF || lo != 0xC000000000000000 {
		t.Errorf("1e18 to BCD = %04x_%016x fl %#x, want indefinite", hi, lo, fl)
	}
}

// TestF80Constants checks FLDPI & co. against the constants rounded by
// math/big, in each rounding mode.
func TestF80Constants(t *testing.T) {
	pi := new(big.Float).SetPrec(200)
	pi.SetString("3.14159265358979323846264338327950288419716939937510582097494459")
	ln2 := new(big.Float).SetPrec(200)
	ln2.SetString("0.693147180559945309417232121458176568075500134360255254120680009")
	for rc := 0; rc < 4; rc++ {
		for i, want := range []*big.Float{pi, ln2} {
			k := x87Consts[[]int{3, 5}[i]]
			q, _, _, _ := f80RoundSig(k.hi, k.lo, 0, uint16(rc), false)
			z := new(big.Float).SetPrec(64).SetMode(f80BigModes[rc]).Set(want)
			m, _ := new(big.Float).SetMantExp(z, 64-z.MantExp(nil)).Uint64()
			if q != m {
				t.Errorf("constant %d rc %d = %#x, want %#x", i, rc, q, m)
			}
		}
	}
}

// TestX87FastPath checks the float64 fast path of x87Arith against the
// exact arithmetic, on operands that are doubles (where it applies),
// including cancellations, exact results, and exponents near the ends of
// the double range.
func TestX87FastPath(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	fast := 0
	n := 200000
	if testing.Short() {
		n = 20000
	}
	dbl := func() float64 {
		m := 1<<52 | r.Uint64()>>12
		switch r.IntN(4) {
		case 0:
			m &^= 1<<uint(r.IntN(53)) - 1
		case 1:
			m |= 1<<uint(r.IntN(53)) - 1
		}
		e := 1 + r.IntN(2046)
		switch r.IntN(4) {
		case 0:
			e = 1023 - 10 + r.IntN(20)
		case 1:
			e = 1 + r.IntN(150)
		case 2:
			e = 2046 - r.IntN(40)
		}
		v := math.Float64frombits(uint64(e)<<52 | m&(1<<52-1))
		if r.IntN(2) == 0 {
			v = -v
		}
		return v
	}
	for i := 0; i < n; i++ {
		x, y := dbl(), dbl()
		if r.IntN(4) == 0 {
			y = math.Float64frombits(math.Float64bits(x) ^ uint64(r.IntN(8))<<uint(r.IntN(53)) ^ uint64(r.IntN(2))<<63)
		}
		a, b := fpF80Of(x), fpF80Of(y)
		for op := uint8(fpAdd); op <= fpDivR; op++ {
			for _, cw := range []uint16{0x027F, 0x0272} {
				got, gotFl, ok := x87FastArith(op, a, b)
				if !ok {
					continue
				}
				fast++
				rr := f80RndExt(cw)
				var want F80
				var wantFl uint16
				switch op {
				case fpAdd:
					want, wantFl = f80Add(a, b, false, rr)
				case fpMul:
					want, wantFl = f80Mul(a, b, rr)
				case fpSub:
					want, wantFl = f80Add(a, b, true, rr)
				case fpSubR:
					want, wantFl = f80Add(b, a, true, rr)
				case fpDiv:
					want, wantFl = f80Div(a, b, rr)
				default:
					want, wantFl = f80Div(b, a, rr)
				}
				if got != want || gotFl != wantFl {
					t.Fatalf("op %d cw %#x (%v, %v): fast %04x_%016x fl %#x, exact %04x_%016x fl %#x",
						op, cw, x, y, got.SE, got.Mant, gotFl, want.SE, want.Mant, wantFl)
				}
			}
		}
	}
	if fast < n {
		t.Errorf("the fast path ran only %d times", fast)
	}
}
