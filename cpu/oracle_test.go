package cpu

// The integer hardware oracle: every integer instruction form the sweep of
// opcode space finds (oracle_gen_test.go) runs from the same random and
// edge-case states on the host CPU (hostcheck_linux_amd64_test.go, amd64
// Linux only) and in the emulator, which must leave the same registers,
// flags (but those the manual leaves undefined, oracle_flags_test.go), XMM
// state and data window, byte for byte.

import (
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"9emu/mem"
)

// Where the oracle's code and data live, natively and in the emulator. The
// native side maps them at exactly these addresses (below 2 GiB, so that
// 32-bit absolute and address-size-prefixed forms reach them).
const (
	hkCode     = 0x5a000000
	hkSnip     = hkCode + 7 // after the native landing pad
	hkData     = 0x5a010000
	hkDataSize = 0x4000
)

// oracleState is the machine state the oracle compares.
type oracleState struct {
	R     [16]uint64
	Flags uint64
	X     [16][2]uint64
	MXCSR uint32
	Mem   [hkDataSize]byte // the data window at hkData

	// The x87 state as an FXSAVE image, for oracles of the x87 unit: the
	// host loads it (with MXCSR and the XMM registers, instead of X and
	// MXCSR) when UseFX is set, and always stores it. The integer oracle
	// neither sets nor compares it.
	FX    [512]byte
	UseFX bool
}

// An oracle runs snip (placed at hkSnip, ending by falling or jumping to
// its end) from in and stores the state after it in out.
type oracle interface {
	run(snip []byte, in, out *oracleState)
}

// emuOracle runs snippets in the emulator, in Mode64, with the same text
// and data addresses as the host.
type emuOracle struct {
	c    *CPU
	snip []byte
	exit Exit
}

func (e *emuOracle) run(snip []byte, in, out *oracleState) {
	if e.c == nil || string(snip) != string(e.snip) {
		s := mem.NewSpace()
		text := mem.NewSegment(mem.Text, hkCode, hkCode+mem.PageSize, mem.RX)
		code := append(append(make([]byte, hkSnip-hkCode), snip...), 0xcc) // int3 at the end
		if err := text.Load(hkCode, code); err != nil {
			panic(err)
		}
		if err := s.Attach(text); err != nil {
			panic(err)
		}
		if err := s.Attach(mem.NewSegment(mem.Data, hkData, hkData+hkDataSize, mem.RW)); err != nil {
			panic(err)
		}
		e.c = New(Mode64, s)
		e.snip = append(e.snip[:0], snip...)
	}
	c := e.c
	c.R = [32]uint64{}
	copy(c.R[:16], in.R[:])
	c.SetFlags(in.Flags)
	c.X = in.X
	c.MXCSR = in.MXCSR
	if err := c.WriteMem(hkData, in.Mem[:]); err != nil {
		panic(err)
	}
	c.PC = hkSnip
	e.exit = c.Run(8)
	if e.exit == ExitTrap && c.Fault.Trap == TrapBreakpoint && c.Fault.PC == uint64(hkSnip+len(snip)) {
		e.exit = ExitNone // ran to the end
	}
	copy(out.R[:], c.R[:16])
	out.Flags = c.Flags()
	out.X = c.X
	out.MXCSR = c.MXCSR
	if err := c.ReadMem(hkData, out.Mem[:]); err != nil {
		panic(err)
	}
}

// compareStates describes how emu differs from host outside mask.
func compareStates(host, emu *oracleState, m oracleMask) string {
	var b strings.Builder
	for i := range host.R {
		if (host.R[i]^emu.R[i])&^m.reg[i] != 0 {
			fmt.Fprintf(&b, " %s host %#x emu %#x;", regName(i), host.R[i], emu.R[i])
		}
	}
	if d := (host.Flags ^ emu.Flags) &^ m.flags; d != 0 {
		fmt.Fprintf(&b, " flags host %#x emu %#x (%s%s);", host.Flags, emu.Flags, flagNames(d), otherFlags(d))
	}
	if host.X != emu.X || host.MXCSR != emu.MXCSR {
		b.WriteString(" XMM/MXCSR differ;")
	}
	for i := range host.Mem {
		a := hkData + uint64(i)
		if host.Mem[i] != emu.Mem[i] && (a < m.memA || a >= m.memA+m.memN) {
			j := i &^ 7
			fmt.Fprintf(&b, " mem %#x host %x emu %x;", hkData+j, host.Mem[j:j+8], emu.Mem[j:j+8])
			break
		}
	}
	return b.String()
}

func otherFlags(d uint64) string {
	if d &^= flagsArith; d != 0 {
		return fmt.Sprintf(" +%#x", d)
	}
	return ""
}

var regNames = [16]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}

func regName(i int) string { return regNames[i] }

func stateString(s *oracleState) string {
	var b strings.Builder
	for i, r := range s.R {
		fmt.Fprintf(&b, "%s=%#x ", regNames[i], r)
	}
	fmt.Fprintf(&b, "flags=%#x", s.Flags)
	return b.String()
}

// formResult is what the oracle found for one form.
type formResult struct {
	cases   int    // cases compared with the host
	udOK    int    // cases where the emulator raised the #UD the hardware raises
	gap     string // the emulator does not lower this form: why
	noState string // no state could be run natively: why
	bad     int    // cases that differ
	first   string // the first difference
	flaky   int    // differences the host did not reproduce
}

// oracleBudget is how much of each form to run.
type oracleBudget struct {
	encodings, variants, states int
}

var oracleScale = flag.Int("oracle.scale", 1, "run `n` times as many states per instruction form, from every kept encoding")

func defaultBudget() oracleBudget {
	switch {
	case *oracleScale > 1:
		return oracleBudget{formEncodings, 3, 16 * *oracleScale}
	case testing.Short():
		return oracleBudget{2, 1, 4}
	}
	return oracleBudget{4, 2, 16}
}

// oracleRun is one run of the oracle over every form.
type oracleRun struct {
	vendor  string // hostKind
	results map[string]*formResult
	undef   undefReport
}

var (
	oracleOnce sync.Once
	oracleRes  *oracleRun
)

// runOracle runs every form once per process (TestOracle and
// TestOracleCoverage share it).
func runOracle(t *testing.T) *oracleRun {
	h := hostOracle(t)
	oracleOnce.Do(func() {
		oracleRes = runForms(h, integerForms(), defaultBudget(), 1)
	})
	return oracleRes
}

func runForms(h oracle, sw *oracleSweep, b oracleBudget, seed uint64) *oracleRun {
	r := &oracleRun{vendor: hostKindOf(h), results: map[string]*formResult{}, undef: undefReport{}}
	rng := rand.New(rand.NewPCG(seed, 7))
	g := &oracleGen{rng: rng}
	var in, host, again, emu oracleState
	for _, k := range sw.keys {
		f := sw.forms[k]
		res := &formResult{}
		r.results[k] = res
		if why := hostLacks(h, f.op); why != "" {
			res.noState = why
			continue
		}
		encs := f.encs
		if len(encs) > b.encodings {
			encs = encs[:b.encodings]
		}
	enc:
		for _, enc := range encs {
			vs, ok := variants(enc, b.variants, rng)
			if !ok {
				res.noState = "cannot aim the encoding"
				continue
			}
			for vi := range vs {
				v := &vs[vi]
				var e emuOracle
				ud := expectUD(&v.x) != ""
				for range b.states {
					if !g.state(v, &in, !ud) {
						// Say why, from the last attempt.
						res.noState = safeNative(v, &in)
						if res.noState == "" {
							res.noState = "no state found"
						}
						break
					}
					e.run(v.snip, &in, &emu)
					if e.exit == ExitTrap && e.c.Fault.Trap == TrapInvalidOp {
						if expectUD(&v.x) != "" {
							res.udOK++
							continue
						}
						res.gap = e.c.Fault.Unimplemented
						if res.gap == "" {
							res.gap = "#UD"
						}
						continue enc
					}
					if why := expectUD(&v.x); why != "" {
						res.bad++
						if res.first == "" {
							res.first = fmt.Sprintf("%s: the hardware raises #UD (%s); emulator: exit %v", describe(v), why, e.exit)
						}
						continue
					}
					h.run(v.snip, &in, &host)
					if *oracleMeasure {
						h.run(v.snip, &in, &again)
					}
					mask := hostUndefined(&v.x, &in, r.vendor)
					res.cases++
					diff := compareStates(&host, &emu, mask)
					if e.exit != ExitNone {
						diff = fmt.Sprintf(" emulator exit %v (%s);", e.exit, e.c.Fault.String()) + diff
					}
					if diff != "" && !reproducible(h, v.snip, &in, &host) {
						res.flaky++
						diff = ""
					}
					if diff != "" {
						res.bad++
						if res.first == "" {
							res.first = fmt.Sprintf("%s\n\tin:   %s\n\thost: %s\n\temu:  %s\n\tdiff:%s",
								describe(v), stateString(&in), stateString(&host), stateString(&emu), diff)
						}
					}
					if sdm := sdmUndefined(&v.x, &in); *oracleMeasure && sdm.flags != 0 {
						r.undef.add(v.x.Op, sdm.flags, &in, &host, &again, &emu)
					}
				}
			}
		}
	}
	return r
}

// reproducible runs snip natively again and reports whether the host
// gives the same result. Very rarely it does not: an asynchronous event in
// the snippet (a signal, an interrupt) passes through the kernel, which
// does not promise to give back every flag; FuzzOracle once saw the NT
// that a POPF loaded come back clear (Linux restores a signal's RFLAGS
// through a mask, FIX_EFLAGS, that leaves NT out).
func reproducible(h oracle, snip []byte, in, host *oracleState) bool {
	var again oracleState
	h.run(snip, in, &again)
	return again.R == host.R && again.Flags == host.Flags && again.X == host.X &&
		again.MXCSR == host.MXCSR && again.Mem == host.Mem
}

func describe(v *oracleVariant) string {
	return fmt.Sprintf("%s (%s)", hex.EncodeToString(v.code), x86asm.IntelSyntax(v.x, hkSnip, nil))
}

// TestOracle compares every integer instruction form with the host CPU.
func TestOracle(t *testing.T) {
	r := runOracle(t)
	t.Logf("host: %s; %s", r.vendor, hostFeatures(hostOracle(t)))
	var keys []string
	for k := range r.results {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n, flaky := 0, 0
	for _, k := range keys {
		res := r.results[k]
		n += res.cases
		flaky += res.flaky
		if res.bad > 0 {
			t.Errorf("%s: %d of %d cases differ; first: %s", k, res.bad, res.cases, res.first)
		}
	}
	t.Logf("%d cases compared; %d differences the host did not reproduce (a signal in the snippet)", n, flaky)
	if n == 0 {
		t.Fatal("no case ran")
	}
	if *oracleMeasure {
		r.undef.log(t)
	}
}

// TestOracleCoverage reports how many of the integer forms x86asm decodes
// the oracle proves against the host, and what is left.
func TestOracleCoverage(t *testing.T) {
	r := runOracle(t)
	var keys []string
	for k := range r.results {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	proven, ud, gaps, nostate := 0, 0, map[string][]string{}, map[string][]string{}
	var partial []string
	for _, k := range keys {
		res := r.results[k]
		switch {
		case res.cases > 0:
			proven++
			if res.gap != "" {
				partial = append(partial, k)
			}
		case res.udOK > 0:
			ud++
		case res.gap != "":
			gaps[res.gap] = append(gaps[res.gap], k)
		default:
			nostate[res.noState] = append(nostate[res.noState], k)
		}
	}
	sw := integerForms()
	t.Logf("integer forms x86asm decodes (opcode sweep, 64-bit mode): %d, and %d with segment, control or debug registers, left out", len(keys), len(sw.system))
	t.Logf("  proven against the host: %d", proven)
	t.Logf("    of which some encodings are not lowered: %d: %s", len(partial), strings.Join(partial, "; "))
	t.Logf("  #UD in the emulator as on the hardware (LOCK misuse): %d", ud)
	ngap := 0
	for why, ks := range gaps {
		ngap += len(ks)
		t.Logf("  not lowered (%s): %d: %s", why, len(ks), strings.Join(ks, "; "))
	}
	for why, ks := range nostate {
		t.Logf("  not run natively (%s): %d: %s", why, len(ks), strings.Join(ks, "; "))
	}
	t.Logf("  not lowered in all: %d", ngap)
	// Forms that never ran natively must be the known ones.
	for why, ks := range nostate {
		for _, k := range ks {
			if !knownNoState(why) {
				t.Errorf("form %s never ran natively: %s", k, why)
			}
		}
	}
}

// knownNoState says whether a form may have no state that runs natively:
// branches with a 16-bit operand size (AMD truncates RIP to 16 bits, Intel
// ignores the prefix), divisions by the dividend's high half (RDX:RAX / RDX
// always overflows; TestDivideTrap has them), REP-prefixed LOOPcc, fences
// and hints with a 66, F2 or F3 prefix (other instructions there), and
// operations of an extension the host does not advertise.
func knownNoState(why string) bool {
	switch why {
	case "16-bit branch", "divide error", "REP prefix on LOOPcc", "prefixed hint":
		return true
	}
	return strings.HasPrefix(why, "host lacks ")
}

// FuzzOracle runs random instruction bytes against the host: anything
// that decodes to an integer operation and can run safely in the window.
func FuzzOracle(f *testing.F) {
	for _, s := range []string{"4801d8", "48d3e0", "f3a4", "66f7f1", "480fc7c8", "0fa3c8", "f0480fb10b", "e2fe", "480fafc1",
		"c8303000",         // ENTER probes its final stack pointer: it faulted natively
		"f3f2a6", "f2f3ae", // two REP prefixes: the last one counts
		"f0f0480fc10b", "4190", // LOCK twice; XCHG r8, rax
		"c4e2f0f5c3",         // BZHI: the second VEX byte is F0, not a LOCK
		"c4e2f8f21500000000", // ANDN with a RIP-relative operand, which x86asm reads as absolute
		"c4e353f0c101",       // RORX with VEX.vvvv not 1111b: #UD
		"f30f38f003",         // MOVBE with REP: #UD
		"c8100003",           // ENTER with a nesting level
	} {
		b, _ := hex.DecodeString(s)
		f.Add(b, uint64(1))
	}
	f.Fuzz(func(t *testing.T, code []byte, seed uint64) {
		h := hostOracle(t)
		x, err := decode64(code)
		if err != nil || !oracleOps[x.Op] || hostLacks(h, x.Op) != "" {
			return
		}
		rng := rand.New(rand.NewPCG(seed, 3))
		vs, ok := variants(code[:x.Len], 1, rng)
		if !ok {
			return
		}
		v := &vs[0]
		// Keep the fuzzer's immediate: variants may have changed it.
		if !branchOps[x.Op] {
			if _, m := memArg(&x); !m || v.target == 0 {
				v.code, v.snip, v.x = code[:x.Len], code[:x.Len], x
			}
		}
		g := &oracleGen{rng: rng}
		var in, host, emu oracleState
		ud := expectUD(&v.x) != ""
		if !g.state(v, &in, !ud) {
			return
		}
		var e emuOracle
		e.run(v.snip, &in, &emu)
		if e.exit == ExitTrap && e.c.Fault.Trap == TrapInvalidOp {
			return // not lowered (TestOracleCoverage lists those)
		}
		if why := expectUD(&v.x); why != "" {
			t.Fatalf("%s: the hardware raises #UD (%s); emulator: exit %v", describe(v), why, e.exit)
		}
		h.run(v.snip, &in, &host)
		diff := compareStates(&host, &emu, hostUndefined(&v.x, &in, hostKindOf(h)))
		if e.exit != ExitNone {
			diff = fmt.Sprintf(" emulator exit %v (%s);", e.exit, e.c.Fault.String()) + diff
		}
		if diff != "" && reproducible(h, v.snip, &in, &host) {
			t.Fatalf("%s\n\tin:   %s\n\thost: %s\n\temu:  %s\n\tdiff:%s", describe(v), stateString(&in), stateString(&host), stateString(&emu), diff)
		}
	})
}

// TestDivideTrap checks the divide errors the oracle cannot run natively:
// a zero divisor or a quotient too large raises #DE (vector 0) with the PC
// at the instruction and nothing changed (SDM DIV, IDIV).
func TestDivideTrap(t *testing.T) {
	for _, tc := range []struct {
		code   string
		rax    uint64
		rdx    uint64
		rcx    uint64
		memval uint64
	}{
		{"f6f1", 0x1234, 0, 0, 0},                                 // div cl, cl = 0
		{"f6f1", 0xff00, 0, 0xff, 0},                              // div cl: 0xff00/0xff = 0x100
		{"f6f9", 0x8000, 0, 0xff, 0},                              // idiv cl: -32768/-1
		{"f6f9", 0x4000, 0, 0x01, 0},                              // idiv cl: 16384/1
		{"66f7f1", 0, 0, 0, 0},                                    // div cx, cx = 0
		{"66f7f1", 0, 2, 2, 0},                                    // div cx: 0x20000/2
		{"66f7f9", 0, 0x8000, 0xffff, 0},                          // idiv cx: -2^31/-1
		{"f7f1", 5, 0, 0, 0},                                      // div ecx, ecx = 0
		{"f7f1", 0, 1, 1, 0},                                      // div ecx: 2^32/1
		{"f7f9", 0, 0x80000000, 0xffffffff, 0},                    // idiv ecx: -2^63/-1
		{"f7f9", 0x80000000, 0, 1, 0},                             // idiv ecx: 2^31/1
		{"48f7f1", 1, 0, 0, 0},                                    // div rcx, rcx = 0
		{"48f7f1", 0, 5, 5, 0},                                    // div rcx: rdx >= rcx
		{"48f7f9", 0x8000000000000000, ^uint64(0), ^uint64(0), 0}, // idiv rcx: -2^63/-1
		{"48f7f9", 0, 1, 2, 0},                                    // idiv rcx: 2^64/2
		{"48f7f9", 0x8000000000000000, 0, 1, 0},                   // idiv rcx: 2^63/1
		{"48f73424", 7, 0, 0, 0},                                  // div qword [rsp], 0
		{"f73c24", 0, 0x7fffffff, 0, 0xfffffffe},                  // idiv dword [rsp], -2
		{"48f7f2", 1, 1, 0, 0},                                    // div rdx: always overflows
		{"f6f4", 0x0101, 0, 0, 0},                                 // div ah: always overflows
	} {
		code, _ := hex.DecodeString(tc.code)
		c := newTest(t, Mode64, code)
		c.R[RAX], c.R[RDX], c.R[RCX] = tc.rax, tc.rdx, tc.rcx
		c.R[RSP] = 0x80000
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], tc.memval)
		if err := c.WriteMem(0x80000, b[:]); err != nil {
			t.Fatal(err)
		}
		c.SetFlags(FlagCF | FlagZF | FlagOF)
		before := c.R
		e := c.Run(1)
		if e != ExitTrap || c.Fault.Trap != TrapDivide || c.PC != 0x1000 || c.Fault.PC != 0x1000 {
			t.Errorf("%s rax=%#x rdx=%#x rcx=%#x: exit %v fault %v pc %#x, want #DE at 0x1000", tc.code, tc.rax, tc.rdx, tc.rcx, e, &c.Fault, c.PC)
		}
		if c.R != before || c.Flags() != flagsFixed|FlagCF|FlagZF|FlagOF {
			t.Errorf("%s: state changed by a faulting divide", tc.code)
		}
	}
}

// TestEnterProbe: ENTER faults if a write at the final stack pointer would
// (SDM ENTER, 64-bit mode exceptions), before it changes anything. The
// fuzzer found it: natively, a frame reaching outside the window faults.
func TestEnterProbe(t *testing.T) {
	for _, m := range []Mode{Mode32, Mode64} {
		c := newTest(t, m, []byte{0xc8, 0x00, 0x10, 0x00}) // enter 0x1000, 0
		c.R[RSP] = 0x10800
		c.R[RBP] = 0x1234
		before := c.R
		if e := c.Run(1); e != ExitFault || c.Fault.Addr >= 0x10000 || c.PC != 0x1000 {
			t.Errorf("mode %d: exit %v fault %v pc %#x, want a write fault below the data segment", m, e, &c.Fault, c.PC)
		}
		if c.R != before {
			t.Errorf("mode %d: registers changed by a faulting ENTER", m)
		}
	}
}

// TestFixedHandlersAllocs: the handlers the oracle made change (flags of
// multiplies, divides, shifts, bit scans; BSWAP r16; PAUSE with REX.B)
// still allocate nothing when warm.
func TestFixedHandlersAllocs(t *testing.T) {
	code, _ := hex.DecodeString("b9e8030000" + // mov ecx, 1000
		"480fafc1" + // l: imul rax, rcx
		"31d2" + "48f7f1" + // xor edx, edx; div rcx
		"660fadd8" + // shrd ax, bx, cl
		"0fbcc1" + "660fc8" + // bsf eax, ecx; bswap ax
		"d2d0" + "f34190" + // rcl al, cl; xchg r8d, eax (F3 90 with REX.B)
		"f30fbcc1" + // tzcnt eax, ecx
		"ffc9" + "75e0" + "cc") // dec ecx; jne l; int3
	warmLoopNoAllocs(t, newTest(t, Mode64, code), 1+11*1000+1, nil)
}

// warmLoopNoAllocs runs c's code from 0x1000 to its INT3 (after reset,
// if any), checks that it retired want instructions, and that a warm run
// allocates nothing.
func warmLoopNoAllocs(t *testing.T, c *CPU, want uint64, reset func()) {
	t.Helper()
	run := func() {
		c.PC = 0x1000
		if reset != nil {
			reset()
		}
		n := c.Count
		if e := c.Run(0); e != ExitTrap || c.Fault.Trap != TrapBreakpoint || c.Count-n != want {
			t.Fatalf("exit %v: %v after %d instructions", e, &c.Fault, c.Count-n)
		}
	}
	run()
	if n := testing.AllocsPerRun(10, run); n != 0 {
		t.Errorf("warm Run allocates %v times", n)
	}
}

// TestTwoRepPrefixes: of F2 and F3 on a string instruction the last one
// counts, as on the hardware (FuzzOracle found the emulator taking both).
func TestTwoRepPrefixes(t *testing.T) {
	for _, tc := range []struct {
		code string
		rcx  uint64
	}{
		{"f3f2ae", 7}, // repne scasb: runs to the zero at index 2
		{"f2f3ae", 9}, // repe scasb: stops at the first byte, 1 != 0
	} {
		code, _ := hex.DecodeString(tc.code)
		c := newTest(t, Mode64, code)
		if err := c.WriteMem(0x20000, []byte{1, 2, 0, 3}); err != nil {
			t.Fatal(err)
		}
		c.R[RAX], c.R[RCX], c.R[RDI] = 0, 10, 0x20000
		if e := c.Run(1); e != ExitLimit || c.R[RCX] != tc.rcx {
			t.Errorf("%s: exit %v, rcx %d, want %d", tc.code, e, c.R[RCX], tc.rcx)
		}
	}
}
