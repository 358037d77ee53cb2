// Floats prints the results of floating-point operations and conversions.
//
// Operations that IEEE 754 rounds correctly (arithmetic, square root, fused
// multiply-add, floor and friends, conversions, formatting) are printed as
// exact bit patterns. Library functions that Go implements differently per
// architecture (assembly on some, Go on others) are printed to 12 significant
// digits, which every implementation agrees on. NaNs are printed as "NaN"
// because their payload bits are not portable. Products are wrapped in
// explicit conversions so that no compiler may fuse them into an FMA.
// The inputs are parsed at run time so that nothing is folded at compile time.
package main

import (
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"strconv"
	"strings"
)

const inputText = `0 -0 1 -1 0.5 -0.75 2 3 10 -7.25 0.1 1e-3 123456.789 -98765.4321
3.141592653589793 2.718281828459045 1e16 9007199254740993 1e300 -1e300 1e-300
5e-324 2.2250738585072014e-308 1.7976931348623157e308 +Inf -Inf NaN`

func parse(s string) []float64 {
	var out []float64
	for _, f := range strings.Fields(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "parse:", f, err)
			os.Exit(1)
		}
		out = append(out, v)
	}
	return out
}

func bits(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return fmt.Sprintf("%016x", math.Float64bits(v))
}

func bits32(v float32) string {
	if v != v {
		return "NaN"
	}
	return fmt.Sprintf("%08x", math.Float32bits(v))
}

func approx(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', 12, 64)
}

func main() {
	in := parse(inputText)
	zero := in[0]
	one := in[2]

	fmt.Println("== exact unary")
	for _, x := range in {
		fr, exp := math.Frexp(x)
		ip, fp := math.Modf(x)
		fmt.Printf("%s: sqrt=%s floor=%s ceil=%s trunc=%s round=%s even=%s abs=%s neg=%s frexp=%s,%d modf=%s,%s ldexp=%s next=%s f32=%s signbit=%v inf=%v nan=%v\n",
			bits(x), bits(math.Sqrt(x)), bits(math.Floor(x)), bits(math.Ceil(x)),
			bits(math.Trunc(x)), bits(math.Round(x)), bits(math.RoundToEven(x)),
			bits(math.Abs(x)), bits(-x), bits(fr), exp, bits(ip), bits(fp),
			bits(math.Ldexp(x, -3)), bits(math.Nextafter(x, 0)), bits32(float32(x)),
			math.Signbit(x), math.IsInf(x, 0), math.IsNaN(x))
	}

	fmt.Println("== exact binary")
	for i, x := range in {
		for j, y := range in {
			if (i*7+j*3)%4 != 0 { // a deterministic quarter of all pairs
				continue
			}
			z := in[(i+j)%len(in)]
			fmt.Printf("%s %s: add=%s sub=%s mul=%s div=%s mod=%s rem=%s fma=%s max=%s min=%s copysign=%s dim=%s lt=%v eq=%v\n",
				bits(x), bits(y), bits(x+y), bits(x-y), bits(float64(x*y)), bits(x/y),
				bits(math.Mod(x, y)), bits(math.Remainder(x, y)), bits(math.FMA(x, y, z)),
				bits(math.Max(x, y)), bits(math.Min(x, y)), bits(math.Copysign(x, y)),
				bits(math.Dim(x, y)), x < y, x == y)
		}
	}

	fmt.Println("== library functions (12 digits)")
	// approxLog leaves out subnormal arguments: Go's assembly Log on
	// amd64 returns the log of the smallest normal for them, while the
	// Go code used on 386 is right, so the two builds disagree.
	approxLog := func(f func(float64) float64, x float64) string {
		if x != 0 && math.Abs(x) < 0x1p-1022 {
			return "subnormal"
		}
		return approx(f(x))
	}
	for _, x := range in {
		fmt.Printf("%s: sin=%s cos=%s tan=%s exp=%s exp2=%s expm1=%s log=%s log2=%s log10=%s log1p=%s cbrt=%s atan=%s asin=%s acos=%s sinh=%s cosh=%s tanh=%s erf=%s gamma=%s\n",
			strconv.FormatFloat(x, 'g', -1, 64),
			approx(math.Sin(x)), approx(math.Cos(x)), approx(math.Tan(x)), approx(math.Exp(x)),
			approx(math.Exp2(x)), approx(math.Expm1(x)), approxLog(math.Log, x), approx(math.Log2(x)),
			approxLog(math.Log10, x), approx(math.Log1p(x)), approx(math.Cbrt(x)), approx(math.Atan(x)),
			approx(math.Asin(x)), approx(math.Acos(x)), approx(math.Sinh(x)), approx(math.Cosh(x)),
			approx(math.Tanh(x)), approx(math.Erf(x)), approx(math.Gamma(x)))
	}
	for i, x := range in {
		for j, y := range in {
			if (i*5+j)%6 != 0 {
				continue
			}
			fmt.Printf("%s %s: pow=%s atan2=%s hypot=%s\n",
				strconv.FormatFloat(x, 'g', -1, 64), strconv.FormatFloat(y, 'g', -1, 64),
				approx(math.Pow(x, y)), approx(math.Atan2(x, y)), approx(math.Hypot(x, y)))
		}
	}

	fmt.Println("== special values")
	inf, ninf, nan := math.Inf(1), math.Inf(-1), math.NaN()
	fmt.Printf("inf=%s -inf=%s nan=%v 1/0=%s -1/0=%s 1/-0=%s 0/0=%v\n",
		bits(inf), bits(ninf), math.IsNaN(nan), bits(one/zero), bits(-one/zero),
		bits(one/math.Copysign(0, -1)), math.IsNaN(zero/zero))
	fmt.Printf("inf-inf=%v inf*0=%v nan==nan=%v nan!=nan=%v nan<1=%v nan>1=%v -0==0=%v\n",
		math.IsNaN(inf-inf), math.IsNaN(float64(inf*zero)), nan == nan, nan != nan, nan < one, nan > one,
		math.Copysign(0, -1) == zero)
	fmt.Printf("sqrt(-1)=%v log(0)=%s log(-1)=%v exp(1000)=%s exp(-1000)=%s pow(0,-1)=%s pow(-8,1/3)=%v\n",
		math.IsNaN(math.Sqrt(-one)), bits(math.Log(zero)), math.IsNaN(math.Log(-one)),
		bits(math.Exp(1000*one)), bits(math.Exp(-1000*one)), bits(math.Pow(zero, -one)),
		math.IsNaN(math.Pow(-8*one, one/3)))
	for _, yx := range [][2]float64{{0, -1}, {math.Copysign(0, -1), -1}, {1, 0}, {-1, 0},
		{1, math.Inf(1)}, {1, math.Inf(-1)}, {math.Inf(1), math.Inf(1)}, {math.Inf(-1), 1}} {
		fmt.Printf("atan2(%v, %v)=%s\n", yx[0], yx[1], bits(math.Atan2(yx[0]*one, yx[1]*one)))
	}
	tiny := in[21] // 5e-324, the smallest denormal
	minNormal := in[22]
	fmt.Printf("denormals: %s %s %s %s %s\n", bits(float64(tiny*0.5)), bits(float64(tiny*1.5)),
		bits(minNormal/2), bits(float64(minNormal*minNormal)), bits(minNormal-float64(tiny*3)))

	fmt.Println("== integer conversions")
	for _, v := range []int64{0, 1, -1, 1 << 53, 1<<53 + 1, -(1<<53 + 1), 1<<62 + 1,
		math.MaxInt64, math.MinInt64, math.MaxInt32, math.MinInt32, 123456789012345} {
		v := v * int64(one)
		fmt.Printf("int64 %d: f64=%s f32=%s\n", v, bits(float64(v)), smallToF32(v))
	}
	for _, v := range []uint64{0, 1, 1<<53 + 1, 1 << 63, 1<<63 + 1, 1<<63 + 1025, 1<<63 + 1024,
		math.MaxUint64, math.MaxUint32} {
		v := v * uint64(one)
		fmt.Printf("uint64 %d: f64=%s\n", v, bits(float64(v)))
	}
	for _, v := range []uint32{0, 1, 16777217, math.MaxUint32, 1 << 31} {
		v := v * uint32(one)
		fmt.Printf("uint32 %d: f32=%s f64=%s\n", v, bits32(float32(v)), bits(float64(v)))
	}
	for _, f := range []float64{0, 0.99, -0.99, 1.5, -1.5, 2.5, 1e9, -2147483648.7,
		2147483647.9, 9.2e18, -9.2e18, 4611686018427387904.0, 123456.999} {
		f := f * one
		fmt.Printf("float %s: int64=%d int32=%d int16=%d int8=%d\n", bits(f),
			int64(f), int32(clamp(f, math.MinInt32, math.MaxInt32)),
			int16(clamp(f, math.MinInt16, math.MaxInt16)), int8(clamp(f, math.MinInt8, math.MaxInt8)))
	}
	for _, f := range []float64{0, 1.9, 4294967295.5, 1 << 63, 1<<63 + 2048, 1.8e19, 123456789.123} {
		f := f * one
		fmt.Printf("float %s: uint64=%d uint32=%d\n", bits(f), uint64(f), uint32(clamp(f, 0, math.MaxUint32)))
	}

	fmt.Println("== float32 arithmetic")
	f32 := []float32{0, 1, -1, 0.1, 1.0 / 3, 3.4028235e38, 1.17549435e-38, 1e-45, 16777216, 7.5}
	for i, x := range f32 {
		x *= float32(one)
		y := f32[(i*3+1)%len(f32)] * float32(one)
		fmt.Printf("%s %s: add=%s sub=%s mul=%s div=%s sqrt=%s to64=%s\n", bits32(x), bits32(y),
			bits32(x+y), bits32(x-y), bits32(float32(x*y)), bits32(x/y),
			bits32(float32(math.Sqrt(float64(x)))), bits(float64(x)))
	}
	for _, f := range []float64{1e40, -1e40, 1e-46, 0.1, 16777217, 3.4028235677973366e38} {
		f := f * one
		fmt.Printf("f64 %s to f32: %s\n", bits(f), bits32(float32(f)))
	}

	fmt.Println("== series")
	h, alt, kahan, comp := 0.0, 0.0, 0.0, 0.0
	for i := 1; i <= 100000; i++ {
		t := one / float64(i)
		h += t
		if i%2 == 0 {
			alt -= t
		} else {
			alt += t
		}
		yk := t - comp
		tk := kahan + yk
		comp = (tk - kahan) - yk
		kahan = tk
	}
	dot := 0.0
	for i := range 1000 {
		a := math.Sqrt(float64(i) * one)
		dot += float64(a * a)
	}
	fmt.Printf("harmonic=%s alternating=%s kahan=%s dot=%s\n", bits(h), bits(alt), bits(kahan), bits(dot))

	fmt.Println("== formatting")
	fh := fnv.New64a()
	for _, x := range in {
		for _, f := range []struct {
			fmt  byte
			prec int
		}{{'g', -1}, {'e', 17}, {'e', -1}, {'f', 3}, {'b', -1}, {'x', -1}, {'G', 5}} {
			s := strconv.FormatFloat(x, f.fmt, f.prec, 64)
			if len(s) > 60 {
				fh.Write([]byte(s))
				s = fmt.Sprintf("(%d chars)", len(s))
			}
			fmt.Printf("%s ", s)
		}
		fmt.Printf("| %s %s\n", strconv.FormatFloat(float64(float32(x)), 'g', -1, 32),
			strconv.FormatFloat(float64(float32(x)), 'e', 9, 32))
	}
	fmt.Printf("long forms fnv=%016x\n", fh.Sum64())
	fmt.Printf("fmt: %v %.3f %8.2e %g %v %v\n", in[10], in[14], in[12], in[19], float32(in[10]), in[24])

	// Round trips of pseudo-random bit patterns through text.
	s := uint64(0x9E3779B97F4A7C15)
	var bad64, bad32 int
	fh.Reset()
	for range 5000 {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		x := math.Float64frombits(s)
		if math.IsNaN(x) {
			continue
		}
		t := strconv.FormatFloat(x, 'g', -1, 64)
		fh.Write([]byte(t))
		if y, err := strconv.ParseFloat(t, 64); err != nil || math.Float64bits(y) != s {
			bad64++
		}
		x32 := math.Float32frombits(uint32(s >> 32))
		if x32 != x32 {
			continue
		}
		t = strconv.FormatFloat(float64(x32), 'e', -1, 32)
		fh.Write([]byte(t))
		if y, err := strconv.ParseFloat(t, 32); err != nil || math.Float32bits(float32(y)) != uint32(s>>32) {
			bad32++
		}
	}
	fmt.Printf("round trips: bad64=%d bad32=%d fnv=%016x\n", bad64, bad32, fh.Sum64())
}

// smallToF32 converts v to float32 only where the result cannot depend on
// whether the conversion goes through float64 (|v| <= 2^53).
// smallToF32 converts only values below 2^46 in magnitude: above that,
// the runtime routine Go uses on 386 (runtime.uint64tofloat32) can round
// twice, while amd64 converts with one CVTSQ2SS, so the builds disagree
// by design (9emu reproduces the 386 result bit for bit).
func smallToF32(v int64) string {
	if v >= 1<<46 || v <= -(1<<46) {
		return "-"
	}
	return bits32(float32(v))
}

// clamp keeps conversions to narrow integers in range: Go leaves the result
// of an out-of-range float-to-integer conversion to the implementation.
func clamp(f, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, math.Trunc(f)))
}
