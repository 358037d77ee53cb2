package aout

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"
)

// refPC2Line is libmach's pc2line written out plainly, one scan per
// query: the oracle for the decoded, merged and binary-searched runs.
func refPC2Line(tab []byte, pc uint64, f *File) (int32, bool) {
	cur := int64(-1) // pc - TextStart
	want := int64(pc - f.Layout.TextStart)
	var line int32
	for i := 0; i < len(tab); i++ {
		if cur >= want {
			return line, true
		}
		u := tab[i]
		switch {
		case u == 0:
			if i+4 >= len(tab) {
				return 0, false
			}
			line += int32(binary.BigEndian.Uint32(tab[i+1:]))
			i += 4
		case u < 65:
			line += int32(u)
		case u < 129:
			line -= int32(u - 64)
		default:
			cur += int64(u - 129)
		}
		cur++
	}
	return 0, false
}

// checkLineTable compares every pc in text with refPC2Line and checks
// that PCForLine finds the first pc of every file:line LineAt reports.
func checkLineTable(t *testing.T, f *File) {
	t.Helper()
	first := make(map[string]uint64)
	var order []string
	for pc := f.Layout.TextStart; pc < f.Layout.TextEnd; pc++ {
		// The reference scans the table per pc: sample it with -short.
		if !testing.Short() || pc%13 == 0 {
			got, gok := f.absLine(pc)
			want, wok := refPC2Line(f.PCLine, pc, f)
			if got != want || gok != wok {
				t.Fatalf("absLine(%#x) = %d, %v; reference %d, %v", pc, got, gok, want, wok)
			}
		}
		if file, line, ok := f.LineAt(pc); ok {
			k := fmt.Sprintf("%s:%d", file, line)
			if _, seen := first[k]; !seen {
				first[k] = pc
				order = append(order, k)
			}
		}
	}
	if len(order) == 0 {
		t.Fatalf("no pc has a line")
	}
	for _, k := range order {
		i := strings.LastIndexByte(k, ':')
		var line int
		fmt.Sscan(k[i+1:], &line)
		pc, ok := f.PCForLine(k[:i], line)
		if pc != first[k] || !ok {
			t.Errorf("PCForLine(%s) = %#x, %v; first pc is %#x", k, pc, ok, first[k])
		}
	}
}

// echoFile and echoBuilder make a file like 9front's 386 echo, whose
// history is given in plan9-abi.md §1.5 and whose expected lines are in
// §1.6: main at TextStart is echo.c:5 and main+5 is echo.c:11; exits
// (here at TextStart+0xe0, in a second object file) is atexit.c:46.
func echoFile(t *testing.T, a Arch) *File {
	b := echoBuilder(a)
	return parseBytes(t, Options{}, b.Bytes())
}

func echoBuilder(a Arch) *Builder {
	ts := a.UTZero() + 32
	if a == ArchAMD64 {
		ts += 8
	}
	return &Builder{
		Arch: a,
		Text: make([]byte, 0x100),
		Data: []byte("echo\x00"),
		Bss:  100,
		Syms: []Sym{
			{ts + 0x100, 'T', "etext"},
			{ts + 0xe0 + 0x1000, 'D', "argv0"},
			{1, 'z', "/sys/src/cmd/echo.c"},
			{2, 'z', "/386/include/u.h"},
			{68, 'z', ""},
			{69, 'z', "/sys/include/libc.h"},
			{805, 'z', ""},
			{843, 'z', ""},
			{ts, 'T', "main"},
			{16, 'm', ".frame"},
			{1, 'z', "/sys/src/libc/port/atexit.c"},
			{2, 'z', "/386/include/u.h"},
			{68, 'z', ""},
			{69, 'z', "/sys/include/libc.h"},
			{805, 'z', ""},
			{900, 'z', ""},
			{ts + 0xe0, 'T', "exits"},
			{4, 'p', "s"},
		},
		PCLine: []byte{
			0, 0, 0, 0x03, 0x27, // line 807 (echo.c:5); pc = TextStart
			0x84, 6, // pc += 4; line 813 (echo.c:11) at TextStart+5
			0xff, 0xdb, // pc += 127+91, to TextStart+0xdf
			35,         // line 848 (atexit.c:46) at TextStart+0xe0
			0x84, 0x81, // to TextStart+0xe4; the last state is never a match
		},
	}
}

func TestEchoHistory(t *testing.T) {
	for _, a := range []Arch{Arch386, ArchAMD64} {
		t.Run(a.String(), func(t *testing.T) {
			f := echoFile(t, a)
			if err := f.SymErr(); err != nil {
				t.Fatal(err)
			}
			ts := f.Layout.TextStart
			const echo, atexit = "/sys/src/cmd/echo.c", "/sys/src/libc/port/atexit.c"
			for _, c := range []struct {
				pc   uint64
				file string
				line int
				ok   bool
			}{
				{ts, echo, 5, true},
				{ts + 4, echo, 5, true},
				{ts + 5, echo, 11, true},
				{ts + 0xdf, echo, 11, true},
				{ts + 0xe0, atexit, 46, true},
				{ts + 0xe4, atexit, 46, true},
				{ts + 0xe5, "", 0, false}, // past the table
				{ts - 1, "", 0, false},
				{ts + 0x100, "", 0, false}, // TextEnd
			} {
				file, line, ok := f.LineAt(c.pc)
				if file != c.file || line != c.line || ok != c.ok {
					t.Errorf("LineAt(TextStart%+d) = %s:%d %v, want %s:%d %v", int64(c.pc-ts), file, line, ok, c.file, c.line, c.ok)
				}
			}
			for _, c := range []struct {
				file string
				line int
				pc   uint64
				ok   bool
			}{
				{"echo.c", 5, ts, true},
				{"echo.c", 11, ts + 5, true},
				{"/sys/src/cmd/echo.c", 11, ts + 5, true},
				{"cmd/echo.c", 11, ts + 5, true},
				{"atexit.c", 46, ts + 0xe0, true},
				{"echo.c", 46, 0, false},
				{"atexit.c", 5, 0, false},
				{"u.h", 1, 0, false},
				{"o.c", 5, 0, false},
			} {
				pc, ok := f.PCForLine(c.file, c.line)
				if pc != c.pc || ok != c.ok {
					t.Errorf("PCForLine(%s, %d) = %#x, %v; want %#x, %v", c.file, c.line, pc, ok, c.pc, c.ok)
				}
			}
			for _, c := range []struct {
				pc   uint64
				name string
				off  uint64
				ok   bool
			}{
				{ts, "main", 0, true},
				{ts + 5, "main", 5, true},
				{ts + 0xe0, "exits", 0, true},
				{ts + 0xff, "exits", 0x1f, true},
				{ts + 0x100, "", 0, false},
				{ts - 1, "", 0, false},
			} {
				name, off, ok := f.Lookup(c.pc)
				if name != c.name || off != c.off || ok != c.ok {
					t.Errorf("Lookup(TextStart%+d) = %s+%d %v, want %s+%d %v", int64(c.pc-ts), name, off, ok, c.name, c.off, c.ok)
				}
			}
			checkLineTable(t, f)
		})
	}
}

// histFile builds a 386 file whose single history stack is h and whose
// pc/line table gives TextStart+i the absolute line i+1, for i < n.
func histFile(t *testing.T, h []Sym, n int) *File {
	tab := []byte{1}
	for i := 1; i < n; i++ {
		tab = append(tab, 1)
	}
	tab = append(tab, 0x81)
	syms := append(append([]Sym{}, h...), Sym{0x1020, 'T', "f"})
	return parseBytes(t, Options{}, (&Builder{Arch: Arch386, Text: make([]byte, n), Syms: syms, PCLine: tab}).Bytes())
}

// TestNestedIncludes follows libmach's fline through a file that
// includes another that includes a third. Absolute line L pushing a file
// belongs to the includer; the pop line still belongs to the file popped.
func TestNestedIncludes(t *testing.T) {
	f := histFile(t, []Sym{
		{1, 'z', "/a.c"},
		{2, 'z', "/b.h"},
		{4, 'z', "/c.h"},
		{7, 'z', ""},
		{9, 'z', ""},
		{20, 'z', ""},
	}, 22)
	want := []string{
		1: "/a.c:1", 2: "/a.c:2", 3: "/b.h:2", 4: "/b.h:3", 5: "/c.h:2", 6: "/c.h:3", 7: "/c.h:4",
		8: "/b.h:4", 9: "/b.h:5", 10: "/a.c:3", 11: "/a.c:4", 20: "/a.c:13", 21: "",
	}
	checkAbsLines(t, f, want)
}

// TestLineDirective checks a Z record (#line) and path cleaning.
func TestLineDirective(t *testing.T) {
	f := histFile(t, []Sym{
		{1, 'z', "/a.c"},
		{5, 'z', "/src/../x.y"},
		{100, 'Z', "/src/../x.y"},
		{30, 'z', ""},
	}, 32)
	want := []string{
		3: "/a.c:3", 5: "/a.c:5", 6: "/x.y:101", 29: "/x.y:124", 30: "/x.y:125", 31: "",
	}
	checkAbsLines(t, f, want)
	if s := f.Symbols(); s[len(s)-3] != (Sym{100, 'Z', "/src/../x.y"}) {
		t.Errorf("Z record: %+v", s[len(s)-3])
	}
}

func checkAbsLines(t *testing.T, f *File, want []string) {
	t.Helper()
	for abs, w := range want {
		if abs == 0 || (w == "" && abs != len(want)-1) {
			continue
		}
		file, line, ok := f.LineAt(f.Layout.TextStart + uint64(abs-1))
		got := ""
		if ok {
			got = fmt.Sprintf("%s:%d", file, line)
		}
		if got != w {
			t.Errorf("absolute line %d: got %q, want %q", abs, got, w)
		}
	}
}

func TestMalformedLineTable(t *testing.T) {
	b := (&Builder{Arch: Arch386, Text: make([]byte, 16), PCLine: []byte{5, 0x82, 0, 0, 1}}).Bytes()
	g := parseBytes(t, Options{}, b)
	err := g.SymErr()
	if err == nil || err.Error() != "aout: pc/line table: truncated line delta at offset 0x2" {
		t.Errorf("SymErr = %v", err)
	}
	// What decoded is still used.
	if line, ok := g.absLine(g.Layout.TextStart + 2); line != 5 || !ok {
		t.Errorf("absLine = %d, %v", line, ok)
	}
}

// Tracing calls Lookup and LineAt for every instruction.
func TestQueriesDoNotAllocate(t *testing.T) {
	f := echoFile(t, Arch386)
	pc := f.Layout.TextStart + 5
	f.LineAt(pc)
	if n := testing.AllocsPerRun(100, func() {
		f.Lookup(pc)
		f.LineAt(pc)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func BenchmarkLookup(b *testing.B) {
	f, pcs := benchFile(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Lookup(pcs[i%len(pcs)])
	}
}

func BenchmarkLineAt(b *testing.B) {
	f, pcs := benchFile(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.LineAt(pcs[i%len(pcs)])
	}
}

// benchFile returns the 386 hello program and pcs spread over its text.
func benchFile(b *testing.B) (*File, []uint64) {
	buf, err := os.ReadFile(plan9objTestdata(b, "386-plan9-exec"))
	if err != nil {
		b.Fatal(err)
	}
	f := parseBytes(b, Options{Linked: true}, buf)
	var pcs []uint64
	for pc := f.Layout.TextStart; pc < f.Layout.TextEnd; pc += 97 {
		pcs = append(pcs, pc)
	}
	f.Lookup(pcs[0])
	f.LineAt(pcs[0])
	return f, pcs
}

// A File is shared by every process running it; its lazy tables must be
// safe to build from several goroutines (run with -race).
func TestConcurrentQueries(t *testing.T) {
	f := echoFile(t, ArchAMD64)
	pc := f.Layout.TextStart + 5
	done := make(chan bool)
	for i := 0; i < 4; i++ {
		go func() {
			f.Lookup(pc)
			f.LineAt(pc)
			f.LookupSym("main")
			f.PCForLine("echo.c", 11)
			f.SymErr()
			done <- true
		}()
	}
	for i := 0; i < 4; i++ {
		<-done
	}
	if file, line, ok := f.LineAt(pc); file != "/sys/src/cmd/echo.c" || line != 11 || !ok {
		t.Errorf("LineAt = %s:%d, %v", file, line, ok)
	}
}
