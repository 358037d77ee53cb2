package disasm

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"

	"9emu/aout"
)

// cImage builds a small 8c-style program: _main calls f, which has a
// 16-byte frame; g is a frameless leaf; d is data.
//
//	_main:	SUBL $8, SP; CALL f; RET
//	f:	SUBL $16, SP; CALL g; ADDL $16, SP; RET
//	g:	RET
func cImage(t *testing.T) (*Image, map[string]uint64) {
	t.Helper()
	start := uint64(0x1020)
	text := []byte{
		0x83, 0xEC, 0x08, // _main
		0xE8, 0, 0, 0, 0,
		0xC3,
		0x83, 0xEC, 0x10, // f (9)
		0xE8, 0, 0, 0, 0,
		0x83, 0xC4, 0x10,
		0xC3,
		0xC3, // g (21)
	}
	binary.LittleEndian.PutUint32(text[4:], uint32(9-8))
	binary.LittleEndian.PutUint32(text[13:], uint32(21-17))
	addr := map[string]uint64{"_main": start, "f": start + 9, "g": start + 21, "d": 0x2000}
	b := aout.Builder{Arch: aout.Arch386, Text: text, Data: make([]byte, 16), Syms: []aout.Sym{
		{Value: addr["_main"], Type: 'T', Name: "_main"}, {Value: 12, Type: 'm', Name: ".frame"},
		{Value: addr["f"], Type: 'T', Name: "f"}, {Value: 20, Type: 'm', Name: ".frame"},
		{Value: addr["g"], Type: 'T', Name: "g"}, {Value: 4, Type: 'm', Name: ".frame"},
		{Value: addr["d"], Type: 'D', Name: "d"},
	}}
	img := b.Bytes()
	f, err := aout.NewFile(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewImage(f)
	if err != nil || m.IsGo() {
		t.Fatalf("NewImage: %v, Go %v", err, m.IsGo())
	}
	return m, addr
}

func TestNamesAndAddrs(t *testing.T) {
	m, addr := cImage(t)
	for _, c := range []struct {
		spec string
		want uint64
	}{{"f", addr["f"]}, {"f+4", addr["f"] + 4}, {"g-0x1", addr["g"] - 1}, {"0x1029", 0x1029}, {"4137", 4137}, {"d+8", 0x2008}} {
		if got, err := m.Addr(c.spec); err != nil || got != c.want {
			t.Errorf("Addr(%q) = %#x, %v; want %#x", c.spec, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "nosuch", "f.c:x", "f.c:3"} {
		if _, err := m.Addr(bad); err == nil {
			t.Errorf("Addr(%q) succeeded", bad)
		}
	}
	if got := m.PCName(addr["f"] + 3); got != "f+0x3" {
		t.Errorf("PCName = %q", got)
	}
	if got := m.PCName(addr["f"]); got != "f" {
		t.Errorf("PCName = %q", got)
	}
	if got := m.AddrName(0x2004); got != "d+0x4" {
		t.Errorf("AddrName = %q", got)
	}
	if name, _ := m.Symbol(0x10); name != "" {
		t.Errorf("Symbol(0x10) = %q", name)
	}
	if s, e, ok := m.FuncBounds(addr["f"] + 5); !ok || s != addr["f"] || e != addr["g"] {
		t.Errorf("FuncBounds = %#x %#x %v", s, e, ok)
	}
	n, text, ok := m.Disasm([]byte{0xE8, 0xEF, 0xFF, 0xFF, 0xFF}, addr["f"]+3)
	if !ok || n != 5 || text != "CALL _main(SB)" {
		t.Errorf("Disasm = %d %q %v", n, text, ok)
	}
	if n, ok := Call([]byte{0xFF, 0xD0}, 32); !ok || n != 2 {
		t.Errorf("Call(CALL AX) = %d %v", n, ok)
	}
	if _, ok := Call([]byte{0xC3}, 32); ok {
		t.Errorf("RET is a call")
	}
}

// Unwinding by .frame: at g (frameless), in f after its SUBL, and at
// f's entry; the walk stops at _main.
func TestBacktraceC(t *testing.T) {
	m, addr := cImage(t)
	mem := map[uint64]uint64{}
	read := func(a uint64) (uint64, bool) { v, ok := mem[a]; return v, ok }
	// _main's SP after its SUBL is 0x8000; CALL f pushes the return
	// address 0x1028 at 0x7FFC; f's SUBL makes SP 0x7FEC; CALL g pushes
	// 0x1031 at 0x7FE8.
	mem[0x7FFC] = addr["_main"] + 8
	mem[0x7FE8] = addr["f"] + 8
	fr := m.Backtrace(addr["g"], 0x7FE8, read, 10)
	var names []string
	for _, f := range fr {
		names = append(names, m.PCName(f.LinePC()))
	}
	if got := strings.Join(names, " "); got != "g f+0x7 _main+0x7" {
		t.Errorf("backtrace %s (%+v)", got, fr)
	}
	if ret, sp, ok := m.Caller(addr["f"], 0x7FFC, read); !ok || ret != addr["_main"]+8 || sp != 0x8000 {
		t.Errorf("Caller at f's entry = %#x %#x %v", ret, sp, ok)
	}
	if _, _, ok := m.Caller(addr["_main"]+3, 0x8000, read); ok {
		t.Errorf("unwound past _main")
	}
}

// The Go programs the repository carries: lines, file:line and pc/sp
// from their pclntab.
func TestGoTables(t *testing.T) {
	for _, c := range []struct {
		arch       string
		afterFrame uint64 // main.main's offset after its SUB, and the depth there
		depth      int64
	}{{"amd64", 0xe, 0x40}, {"386", 0x14, 0x28}} {
		t.Run(c.arch, func(t *testing.T) {
			f, err := aout.Open(filepath.Join("..", "..", "9emu", "testdata", "hello."+c.arch))
			if err != nil {
				t.Skip(err)
			}
			m, err := NewImage(f)
			if err != nil || !m.IsGo() {
				t.Fatalf("NewImage: %v, Go %v", err, m.IsGo())
			}
			mm, ok := m.Lookup("main.main")
			if !ok {
				t.Fatal("no main.main")
			}
			file, line, ok := m.Line(mm)
			if !ok || !strings.HasSuffix(file, "hello/main.go") || line != 7 {
				t.Errorf("Line(main.main) = %s:%d %v", file, line, ok)
			}
			pc, err := m.Addr("hello/main.go:8")
			if err != nil || pc <= mm || pc > mm+0x100 {
				t.Errorf("Addr(main.go:8) = %#x %v", pc, err)
			}
			fn, ok := m.goTab.funcAt(mm + 1)
			if !ok || fn.entry != mm || fn.name != "main.main" {
				t.Fatalf("funcAt = %+v %v", fn, ok)
			}
			if d, ok := m.goTab.spDelta(fn, mm); !ok || d != 0 {
				t.Errorf("depth at entry %d %v", d, ok)
			}
			if d, ok := m.goTab.spDelta(fn, mm+c.afterFrame); !ok || d != c.depth {
				t.Errorf("depth after the prologue %#x %v, want %#x", d, ok, c.depth)
			}
			// A return address into main.main, one frame up.
			sp := uint64(0x10000)
			mem := map[uint64]uint64{sp + uint64(c.depth): mm + 0x40}
			read := func(a uint64) (uint64, bool) { v, ok := mem[a]; return v, ok }
			ret, csp, ok := m.Caller(mm+c.afterFrame, sp, read)
			if !ok || ret != mm+0x40 || csp != sp+uint64(c.depth)+uint64(m.Mode/8) {
				t.Errorf("Caller = %#x %#x %v", ret, csp, ok)
			}
			if _, _, ok := m.Caller(m.File.Layout.TextEnd+5, sp, read); ok {
				t.Errorf("Caller outside text succeeded")
			}
		})
	}
}

// VZEROUPPER's length is right even where x86asm's is not.
func TestDecodeVZEROUPPER(t *testing.T) {
	for _, tt := range []struct {
		b    []byte
		n    int
		text string
	}{
		{[]byte{0xC5, 0xF8, 0x77, 0xC3}, 3, "VZEROUPPER"},
		{[]byte{0xC5, 0xFC, 0x77}, 3, "VZEROALL"},
		{[]byte{0xC3}, 1, "RET"},
	} {
		n, text, ok := Decode(tt.b, 64, 0x1000, nil)
		if n != tt.n || text != tt.text || !ok {
			t.Errorf("Decode(% x) = %d, %q, %v; want %d, %q", tt.b, n, text, ok, tt.n, tt.text)
		}
	}
	if _, _, ok := Decode(nil, 64, 0, nil); ok {
		t.Errorf("no bytes decoded")
	}
}
