// Compute does deterministic CPU work across much of the standard library
// and prints digests of the results: an oracle, through the host's output,
// for most of the instruction set a Go program uses (integer arithmetic of
// every width, the SSE code in the runtime's string and memory routines,
// math/big's assembly, hashing, compression, reflection).
package main

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/adler32"
	"hash/crc32"
	"hash/crc64"
	"hash/fnv"
	"io"
	"maps"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// gen returns n pseudo-random bytes from a fixed xorshift generator; every
// fourth run of 64 bytes is text so that compression has something to find.
func gen(n int, seed uint64) []byte {
	out := make([]byte, n)
	s := seed | 1
	words := []string{"plan", "nine", "from", "bell", "labs", "emulate", "x86", " ", "\n", "glenda"}
	for i := 0; i < n; {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		if (i/64)%4 == 0 {
			w := words[s%uint64(len(words))]
			i += copy(out[i:], w)
			continue
		}
		out[i] = byte(s >> 24)
		i++
	}
	return out
}

func check(what string, err error) {
	if err != nil {
		fmt.Printf("%s: unexpected error\n", what)
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
		os.Exit(1)
	}
}

func main() {
	data := gen(1<<19, 42)

	// Hashes.
	fmt.Printf("sha256 %x\n", sha256.Sum256(data))
	fmt.Printf("sha224 %x\n", sha256.Sum224(data[:1000]))
	fmt.Printf("sha512 %x\n", sha512.Sum512(data[:200000]))
	fmt.Printf("sha1 %x\n", sha1.Sum(data[:100000]))
	fmt.Printf("md5 %x\n", md5.Sum(data))
	fmt.Printf("crc32 ieee=%08x castagnoli=%08x\n", crc32.ChecksumIEEE(data),
		crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	fmt.Printf("crc64 %016x adler32 %08x\n", crc64.Checksum(data[:100000], crc64.MakeTable(crc64.ECMA)),
		adler32.Checksum(data))
	mac := hmac.New(sha256.New, []byte("key"))
	mac.Write(data[:5000])
	fmt.Printf("hmac %x\n", mac.Sum(nil))
	for _, n := range []int{0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 1000} {
		fmt.Printf("sha256[:%d] %x\n", n, sha256.Sum256(data[:n]))
	}

	// AES (the emulator does not advertise AES-NI, so this is the generic code).
	block, err := aes.NewCipher(data[:32])
	check("aes", err)
	gcm, err := cipher.NewGCM(block)
	check("gcm", err)
	sealed := gcm.Seal(nil, data[32:44], data[:10000], data[:13])
	opened, err := gcm.Open(nil, data[32:44], sealed, data[:13])
	check("gcm open", err)
	fmt.Printf("aes-gcm %x roundtrip=%v\n", sha256.Sum256(sealed), bytes.Equal(opened, data[:10000]))
	ctr := make([]byte, 4096)
	cipher.NewCTR(block, data[100:116]).XORKeyStream(ctr, data[:4096])
	fmt.Printf("aes-ctr %x\n", md5.Sum(ctr))

	// Compression round trips.
	for _, level := range []int{flate.BestSpeed, flate.DefaultCompression, flate.BestCompression, flate.HuffmanOnly} {
		var buf bytes.Buffer
		w, err := flate.NewWriter(&buf, level)
		check("flate writer", err)
		w.Write(data[:100000])
		check("flate close", w.Close())
		out, err := io.ReadAll(flate.NewReader(bytes.NewReader(buf.Bytes())))
		check("flate read", err)
		fmt.Printf("flate level %d: %d bytes sha256 %x roundtrip=%v\n", level, buf.Len(),
			sha256.Sum256(buf.Bytes()), bytes.Equal(out, data[:100000]))
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data[:100000])
	check("gzip close", zw.Close())
	zr, err := gzip.NewReader(&gz)
	check("gzip reader", err)
	unz, err := io.ReadAll(zr)
	check("gzip read", err)
	fmt.Printf("gzip roundtrip=%v\n", bytes.Equal(unz, data[:100000]))

	// Big numbers.
	f := big.NewInt(1)
	for i := int64(2); i <= 300; i++ {
		f.Mul(f, big.NewInt(i))
	}
	fs := f.String()
	fmt.Printf("300! has %d digits, starts %s, sha256 %x\n", len(fs), fs[:20], sha256.Sum256([]byte(fs)))
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 521), big.NewInt(1))
	fmt.Printf("2^521-1 probably prime: %v\n", p.ProbablyPrime(10))
	e := new(big.Int).Exp(big.NewInt(3), big.NewInt(100003), p)
	fmt.Printf("3^100003 mod p: %x\n", sha256.Sum256(e.Bytes()))
	q, r := new(big.Int).QuoRem(f, p, new(big.Int))
	g := new(big.Int).GCD(nil, nil, f, new(big.Int).Mul(p, big.NewInt(1<<40)))
	fmt.Printf("quo %x rem %x gcd %s\n", md5.Sum(q.Bytes()), md5.Sum(r.Bytes()), g)
	sq := new(big.Float).SetPrec(1000).SetInt64(2)
	sq.Sqrt(sq)
	fmt.Printf("sqrt2 %s\n", sq.Text('g', 60))
	rat := new(big.Rat)
	for i := int64(1); i <= 40; i++ {
		rat.Add(rat, big.NewRat(1, i))
	}
	fmt.Printf("H(40) = %s\n", rat)

	// Integer arithmetic of every width.
	var acc uint64
	s := uint64(12345)
	for i := range 100000 {
		s = s*6364136223846793005 + 1442695040888963407
		a, b := s, s>>17|1
		hi, lo := bits.Mul64(a, b)
		qq, rr := bits.Div64(hi%b, lo, b)
		acc += hi ^ lo + qq ^ rr + a/b + a%b
		acc += uint64(int64(a)/int64(b|1)) + uint64(int64(a)%int64(b|1))
		acc += uint64(uint32(a)/uint32(b|1)) + uint64(int32(a)/int32(b|1)) + uint64(int32(a)%int32(b|1))
		acc += uint64(uint16(a)/uint16(b|1)) + uint64(int16(a)%int16(b|1)) + uint64(int8(a)/int8(b|1))
		acc += uint64(bits.OnesCount64(a)+bits.LeadingZeros64(b)+bits.TrailingZeros64(a)) + bits.RotateLeft64(a, i%64)
		acc += uint64(bits.Len32(uint32(a))) + uint64(bits.ReverseBytes64(a)) + uint64(bits.Reverse32(uint32(b)))
		acc += uint64(int64(a)>>(i%64)) + a<<(i%70) + a>>(i%70) + uint64(int32(a)>>(i%40))
		sum, carry := bits.Add64(a, b, uint64(i&1))
		diff, borrow := bits.Sub64(a, b, carry)
		acc += sum ^ diff + borrow
		if int64(a) < int64(b) {
			acc++
		}
		if int32(a) > int32(b) {
			acc += 3
		}
		acc = bits.RotateLeft64(acc, 7)
	}
	fmt.Printf("integer mix %016x\n", acc)
	fmt.Printf("edge: %d %d %d %d %d %d\n", int64(math.MinInt64)/int64(s|1), int8(-128)/int8(int8(s)|1),
		uint64(math.MaxUint64)/uint64(s|1), int32(math.MinInt32)%int32(s|7), -7>>1, -7/2)

	// Sorting.
	rng := rand.New(rand.NewPCG(1, 2))
	ints := make([]int, 50000)
	for i := range ints {
		ints[i] = rng.IntN(1000000) - 500000
	}
	a1 := slices.Clone(ints)
	sort.Ints(a1)
	a2 := slices.Clone(ints)
	slices.Sort(a2)
	type kv struct {
		k, v int
	}
	kvs := make([]kv, 10000)
	for i := range kvs {
		kvs[i] = kv{rng.IntN(100), i}
	}
	sort.SliceStable(kvs, func(i, j int) bool { return kvs[i].k < kvs[j].k })
	h := fnv.New64a()
	for _, v := range a1 {
		fmt.Fprint(h, v, ",")
	}
	for _, v := range kvs {
		fmt.Fprint(h, v.k, ":", v.v, ",")
	}
	fmt.Printf("sort fnv %016x equal=%v sorted=%v min=%d max=%d float=%v\n", h.Sum64(),
		slices.Equal(a1, a2), sort.IntsAreSorted(a1), a1[0], a1[len(a1)-1], rng.Float64())
	strs := strings.Fields(string(bytes.Map(func(r rune) rune {
		if r < 'a' || r > 'z' {
			return ' '
		}
		return r
	}, data[:20000])))
	sort.Strings(strs)
	fmt.Printf("strings sorted %d first %q last %q\n", len(strs), strs[0], strs[len(strs)-1])

	// Maps: insert, overwrite, delete, look up; results independent of order.
	m := map[uint64]uint64{}
	sm := map[string]int{}
	for i := range uint64(100000) {
		k := i * 2654435761 % 100003
		m[k] += i
		sm[strconv.FormatUint(k%5000, 36)]++
		if i%3 == 0 {
			delete(m, (k*7)%100003)
		}
	}
	var msum uint64
	for k, v := range m {
		msum += k*31 + v
	}
	keys := slices.Sorted(maps.Keys(sm))
	fmt.Printf("map len %d sum %d; string map len %d first %q last %q\n", len(m), msum, len(sm), keys[0], keys[len(keys)-1])

	// strconv round trips.
	bad := 0
	h.Reset()
	for i := range 20000 {
		v := int64(rng.Uint64())
		base := 2 + i%35
		t := strconv.FormatInt(v, base)
		h.Write([]byte(t))
		if w, err := strconv.ParseInt(t, base, 64); err != nil || w != v {
			bad++
		}
		u := rng.Uint64() >> (i % 64)
		if w, err := strconv.ParseUint(strconv.FormatUint(u, 10), 10, 64); err != nil || w != u {
			bad++
		}
		fv := float64(v) / float64(u|1)
		if w, err := strconv.ParseFloat(strconv.FormatFloat(fv, 'g', -1, 64), 64); err != nil || w != fv {
			bad++
		}
	}
	q1 := strconv.Quote("héllo, 世界\x00\t\"\u2028\U0001F600")
	uq, err := strconv.Unquote(q1)
	check("unquote", err)
	fmt.Printf("strconv bad=%d fnv=%016x quote=%s ascii=%s unquoted=%v atoi=%v\n", bad, h.Sum64(), q1,
		strconv.QuoteToASCII(uq), uq == "héllo, 世界\x00\t\"\u2028\U0001F600", atoiErrs())

	// JSON round trip.
	type item struct {
		Name   string            `json:"name"`
		Count  int               `json:"count"`
		Ratio  float64           `json:"ratio"`
		Tags   []string          `json:"tags,omitempty"`
		Attrs  map[string]string `json:"attrs"`
		Nested *item             `json:"nested,omitempty"`
		Raw    []byte            `json:"raw"`
		Flag   bool              `json:"flag"`
	}
	var items []item
	for i := range 300 {
		it := item{
			Name:  fmt.Sprintf("item-%d-%s", i, []string{"α", "β", "γ", "<tag>", "a&b"}[i%5]),
			Count: i * i * 1000,
			Ratio: float64(i) / 7,
			Attrs: map[string]string{"k" + strconv.Itoa(i%7): "v", "z": strconv.Itoa(i)},
			Raw:   data[i : i+i%17],
			Flag:  i%2 == 0,
		}
		if i%3 == 0 {
			it.Tags = []string{"x", "y"}
			it.Nested = &item{Name: "inner", Ratio: 1e-7 * float64(i)}
		}
		items = append(items, it)
	}
	js, err := json.Marshal(items)
	check("json marshal", err)
	var back []item
	check("json unmarshal", json.Unmarshal(js, &back))
	ind, err := json.MarshalIndent(back[:3], "", "  ")
	check("json indent", err)
	var generic any
	check("json generic", json.Unmarshal(js, &generic))
	fmt.Printf("json %d bytes sha256 %x roundtrip=%v indent %x generic %d\n", len(js), sha256.Sum256(js),
		reflect.DeepEqual(items, back), md5.Sum(ind), len(generic.([]any)))

	// Regular expressions.
	text := string(data[:50000])
	for _, pat := range []string{`plan\s*nine`, `(glenda|labs)+`, `x86[^a-z]`, `^[a-z]+$`,
		`(?i)BELL`, `\p{Greek}`, `(\w+)\s(\w+)`, `[[:digit:]]{2,}`} {
		re := regexp.MustCompile(pat)
		all := re.FindAllStringIndex(text, -1)
		first := ""
		if len(all) > 0 {
			first = strconv.Quote(text[all[0][0]:all[0][1]])
		}
		fmt.Printf("regexp %q: %d matches, first %s\n", pat, len(all), first)
	}
	re := regexp.MustCompile(`(?m)^(\w+)=(.*)$`)
	fmt.Printf("regexp replace %q\n", re.ReplaceAllString("a=1\nbee=two\nnot a pair\nc=", "$2<-$1"))

	// Strings, bytes and UTF-8: the runtime's vector routines at many
	// lengths and alignments.
	h.Reset()
	hay := data[:4096]
	for off := range 17 {
		for _, n := range []int{0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 1000, 4000} {
			if off+n > len(hay) {
				continue
			}
			sl := hay[off : off+n]
			fmt.Fprint(h, bytes.IndexByte(sl, 'e'), bytes.Count(sl, []byte{'a'}),
				bytes.Index(sl, []byte("nine")), bytes.LastIndex(sl, []byte("la")),
				bytes.Equal(sl, hay[off:off+n]), bytes.Compare(sl, hay[off+1:off+n+1]),
				strings.Index(string(sl), "x86"), bytes.IndexAny(sl, "xyz"), utf8.Valid(sl),
				utf8.RuneCount(sl), bytes.ContainsRune(sl, 'é'))
		}
	}
	uni := strings.Repeat("Größe Ünïcödé ΑΒΓ 日本語 ǅ ß ﬁ ", 50)
	fmt.Printf("bytealg fnv %016x upper %x lower %x title %q fold=%v runes=%d\n", h.Sum64(),
		md5.Sum([]byte(strings.ToUpper(uni))), md5.Sum([]byte(strings.ToLower(uni))),
		strings.ToTitle("ǅ ß"), strings.EqualFold("Größe", "GRÖSSE"), utf8.RuneCountInString(uni))
	letters, digits, spaces := 0, 0, 0
	for _, r := range string(data[:100000]) {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		case unicode.IsSpace(r):
			spaces++
		}
	}
	fmt.Printf("classes letters=%d digits=%d spaces=%d\n", letters, digits, spaces)
	fmt.Printf("replace %q split %q\n", strings.NewReplacer("a", "1", "nine", "9").Replace("banana nine"),
		strings.SplitN("a,b,,c,d", ",", 4))

	// fmt of assorted values.
	type pt struct {
		X, Y int
		Name string
		P    *int
	}
	seven := 7
	fmt.Printf("fmt %v %+v %#v %T %q %x %X %o %b %08.3f %-6d| %6.2e %U %c %t %v %v\n",
		pt{1, 2, "a", nil}, pt{3, 4, "b", nil}, []int{1, 2}, map[string]int{}, "q\"s", "hex", []byte{1, 171},
		64, 5, math.Pi, 42, 123456.789, 0x1F600, 'λ', true, map[string]int{"b": 2, "a": 1}, seven)
	fmt.Printf("fmt %v %v %v %d %s %v %x %v\n", int8(-128), uint64(math.MaxUint64), complex(1.5, -2),
		[]int32{-1, 1}, []string{"x", "y"}, struct{}{}, -255, [2]bool{true})
	fmt.Printf("base64 %s hex %s\n", base64.StdEncoding.EncodeToString(data[:30]), hex.EncodeToString(data[30:45]))

	// Closures, interfaces, defer and recursion.
	var shapes []fmt.Stringer
	for i := range 10 {
		shapes = append(shapes, stringer(func() string { return strings.Repeat("*", i) }))
	}
	total := 0
	for _, sh := range shapes {
		total += len(sh.String())
	}
	fmt.Printf("closures %d fib %d ackermann %d\n", total, fib(27), ack(2, 300))
}

type stringer func() string

func (s stringer) String() string { return s() }

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func ack(m, n int) int {
	switch {
	case m == 0:
		return n + 1
	case n == 0:
		return ack(m-1, 1)
	}
	return ack(m-1, ack(m, n-1))
}

func atoiErrs() string {
	var out []string
	for _, s := range []string{"12", "-0", "x", "99999999999999999999", "0x1f", ""} {
		_, err := strconv.Atoi(s)
		out = append(out, fmt.Sprint(err == nil))
	}
	return strings.Join(out, ",")
}
