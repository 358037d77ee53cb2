package aout

import (
	"bytes"
	"debug/plan9obj"
	"encoding/binary"
	"os"
	"testing"
)

// checkSymbolsPlan9obj compares every record with debug/plan9obj's.
func checkSymbolsPlan9obj(t *testing.T, f *File, b []byte) {
	t.Helper()
	pf, err := plan9obj.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want, err := pf.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	got := f.Symbols()
	if len(got) != len(want) {
		t.Fatalf("%d symbols, plan9obj has %d", len(got), len(want))
	}
	for i, w := range want {
		if g := got[i]; g.Value != w.Value || rune(g.Type) != w.Type || g.Name != w.Name {
			t.Errorf("symbol %d: %#x %c %q, plan9obj %#x %c %q", i, g.Value, g.Type, g.Name, w.Value, w.Type, w.Name)
		}
	}
}

func TestSymbolsMatchPlan9obj(t *testing.T) {
	for _, name := range []string{"386-plan9-exec", "amd64-plan9-exec"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(plan9objTestdata(t, name))
			if err != nil {
				t.Fatal(err)
			}
			checkSymbolsPlan9obj(t, parseBytes(t, Options{Linked: true}, b), b)
		})
	}
	for _, a := range []Arch{Arch386, ArchAMD64} {
		t.Run("echo-"+a.String(), func(t *testing.T) {
			f := echoFile(t, a)
			b := append(append([]byte{}, f.image...), f.Data...)
			b = append(append(b, f.SymTab...), f.PCLine...)
			checkSymbolsPlan9obj(t, f, b)
		})
	}
}

func TestLookupSym(t *testing.T) {
	f := parseBytes(t, Options{}, (&Builder{
		Arch: Arch386,
		Text: make([]byte, 16),
		Syms: []Sym{
			{8, 'a', "x"},
			{0x1020, 'T', "main"},
			{0x1028, 't', "x"},
			{0x2000, 'D', "x"},
			{0x2004, 'b', "y"},
			{0x2008, 'B', "y"},
			{4, 'p', "z"},
		},
	}).Bytes())
	for _, c := range []struct {
		name string
		want Sym
		ok   bool
	}{
		{"main", Sym{0x1020, 'T', "main"}, true},
		{"x", Sym{0x1028, 't', "x"}, true}, // text before the earlier auto
		{"y", Sym{0x2004, 'b', "y"}, true}, // first of equals
		{"z", Sym{4, 'p', "z"}, true},      // no better kind
		{"w", Sym{}, false},
	} {
		if s, ok := f.LookupSym(c.name); s != c.want || ok != c.ok {
			t.Errorf("LookupSym(%q) = %+v, %v; want %+v, %v", c.name, s, ok, c.want, c.ok)
		}
	}
	if name, off, ok := f.Lookup(0x102f); name != "x" || off != 7 || !ok {
		t.Errorf("Lookup(0x102f) = %s+%d, %v", name, off, ok)
	}
}

// rec encodes one 386 symbol record by hand.
func rec(v uint32, typ byte, name string) []byte {
	return append(append(binary.BigEndian.AppendUint32(nil, v), typ), name...)
}

func TestSymErr(t *testing.T) {
	good := rec(0x1020, 'T'|0x80, "main\x00")
	tests := []struct {
		name string
		tab  []byte
		n    int // records that survive
		want string
	}{
		{"good", good, 1, ""},
		{"empty", nil, 0, ""},
		{"short value", append(good, 0, 0, 0), 1, "aout: symbol table: record at offset 0xa: truncated"},
		{"no type", append(good, 0, 0, 0, 1), 1, "aout: symbol table: record at offset 0xa: truncated"},
		{"no NUL", append(good, rec(1, 'D'|0x80, "abc")...), 1, "aout: symbol table: record at offset 0xa: unterminated name"},
		{"old style", append(good, rec(1, 'D', "abc\x00")...), 1, "aout: symbol table: record at offset 0xa: type byte 0x44 lacks the 0x80 flag"},
		{"open z", append(good, rec(1, 'z'|0x80, "\x00")...), 1, "aout: symbol table: record at offset 0xa: unterminated z name"},
		{"odd z", append(good, rec(1, 'z'|0x80, "\x00\x00\x01\x00")...), 1, "aout: symbol table: record at offset 0xa: unterminated z name"},
		{"unknown file index", append(append(good, rec(1, 'f'|0x80, "/\x00")...), rec(1, 'z'|0x80, "\x00\x00\x01\x00\x07\x00\x00")...), 3,
			"aout: symbol table: z record 2 names unknown file-name index 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := rawHeader(Magic386, 16, 0, 0, uint32(len(tt.tab)), 0x1020, 0, 0, 0)
			b = append(append(b, make([]byte, 16)...), tt.tab...)
			f := parseBytes(t, Options{}, b)
			err := f.SymErr()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("SymErr = %v, want %q", err, tt.want)
			}
			if len(f.Symbols()) != tt.n {
				t.Errorf("%d symbols, want %d", len(f.Symbols()), tt.n)
			}
			// The file is still usable.
			if name, _, ok := f.Lookup(0x1024); tt.n > 0 && (name != "main" || !ok) {
				t.Errorf("Lookup = %q, %v", name, ok)
			}
		})
	}
	// The unknown index ends the name, as libmach's fileelem does.
	tab := append(append(rec(1, 'f'|0x80, "/\x00"), rec(2, 'f'|0x80, "a\x00")...), rec(1, 'z'|0x80, "\x00\x00\x01\x00\x02\x00\x09\x00\x02\x00\x00")...)
	b := append(append(rawHeader(Magic386, 16, 0, 0, uint32(len(tab)), 0x1020, 0, 0, 0), make([]byte, 16)...), tab...)
	if s := parseBytes(t, Options{}, b).Symbols(); s[2].Name != "/a" {
		t.Errorf("z name %q, want /a", s[2].Name)
	}
}
