package aout

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
)

// FuzzNewFile checks that no input panics or makes NewFile allocate much
// more than the input, that every accepted file is also accepted by
// debug/plan9obj with the same header, and that the lazy tables behave.
func FuzzNewFile(f *testing.F) {
	if root, err := goroot(); err == nil {
		for _, n := range []string{"386-plan9-exec", "amd64-plan9-exec"} {
			if b, err := os.ReadFile(root + "/src/debug/plan9obj/testdata/" + n); err == nil {
				f.Add(b)
			}
		}
	}
	for _, a := range []Arch{Arch386, ArchAMD64} {
		f.Add(echoBuilder(a).Bytes())
		f.Add((&Builder{Arch: a, Text: []byte{0xc3}, Data: []byte{1}, Bss: 8, Syms: []Sym{{0, 'T', "x"}}}).Bytes())
	}
	f.Add([]byte{0, 0, 1, 0xeb})
	// The allocation counter is process-wide and the fuzzing machinery
	// allocates too; the limits are for catching sizes taken from a lying
	// header, which are gigabytes.
	const slack = 256 << 10
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, o := range []Options{{}, {Linked: true}} {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			before := ms.TotalAlloc
			af, err := o.NewFile(bytes.NewReader(b), int64(len(b)))
			runtime.ReadMemStats(&ms)
			parsed := ms.TotalAlloc - before
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("bad error %T %q", err, err)
				}
				if parsed > slack {
					t.Fatalf("rejecting %d bytes allocated %d", len(b), parsed)
				}
				continue
			}
			// Linked parses the symbol table too.
			if limit := uint64(len(b)) + slack; !o.Linked && parsed > limit {
				t.Fatalf("NewFile of %d bytes allocated %d", len(b), parsed)
			}
			checkPlan9obj(t, af, b)
			exercise(t, af)
			runtime.ReadMemStats(&ms)
			if total, limit := ms.TotalAlloc-before, 64*uint64(len(b))+4*slack; total > limit {
				t.Fatalf("file of %d bytes: NewFile and its tables allocated %d", len(b), total)
			}
		}
	})
}

// exercise calls every query on a parsed file and checks that they agree
// with each other.
func exercise(t *testing.T, f *File) {
	syms := f.Symbols()
	f.SymErr()
	l := f.Layout
	pcs := []uint64{f.Entry, l.TextStart, l.TextEnd - 1, l.TextEnd, l.TextBase}
	n := 0
	for _, s := range syms {
		if s.IsText() && n < 8 {
			pcs = append(pcs, s.Value, s.Value+1)
			n++
		}
		f.LookupSym(s.Name)
	}
	for _, pc := range pcs {
		if name, off, ok := f.Lookup(pc); ok && (pc < l.TextStart || pc >= l.TextEnd || off > pc) {
			t.Fatalf("Lookup(%#x) = %s+%d", pc, name, off)
		}
		file, line, ok := f.LineAt(pc)
		if !ok {
			continue
		}
		if pc < l.TextStart || pc >= l.TextEnd {
			t.Fatalf("LineAt(%#x) outside text", pc)
		}
		if file == "" {
			continue // an unresolvable name cannot be looked up again
		}
		first, ok := f.PCForLine(file, line)
		if !ok || first > pc {
			t.Fatalf("LineAt(%#x) = %s:%d, but PCForLine = %#x, %v", pc, file, line, first, ok)
		}
		if file2, line2, ok := f.LineAt(first); !ok || line2 != line || !matchFile(file2, file) {
			t.Fatalf("LineAt(PCForLine(%s:%d) = %#x) = %s:%d, %v", file, line, first, file2, line2, ok)
		}
	}
}

// FuzzTables feeds arbitrary symbol and pc/line tables to a file with a
// valid header, which reaches the table code far more often than
// FuzzNewFile's mutations do.
func FuzzTables(f *testing.F) {
	for _, a := range []Arch{Arch386, ArchAMD64} {
		e := echoBuilder(a)
		f.Add(a == ArchAMD64, e.symtab(), e.PCLine)
	}
	f.Add(false, []byte{}, []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, amd64 bool, syms, pcline []byte) {
		a := Arch386
		if amd64 {
			a = ArchAMD64
		}
		b := (&Builder{Arch: a, Text: make([]byte, 0x100)}).Bytes()
		binary.BigEndian.PutUint32(b[16:], uint32(len(syms)))
		binary.BigEndian.PutUint32(b[28:], uint32(len(pcline)))
		b = append(append(b, syms...), pcline...)
		for _, o := range []Options{{}, {Linked: true}} {
			af, err := o.NewFile(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			checkPlan9obj(t, af, b)
			exercise(t, af)
		}
	})
}
