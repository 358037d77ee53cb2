package aout

import (
	"bytes"
	"debug/plan9obj"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var goroot = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
})

// plan9objTestdata returns the path of a file in Go's debug/plan9obj
// testdata directory, skipping the test if there is no Go installation.
func plan9objTestdata(t testing.TB, name string) string {
	t.Helper()
	root, err := goroot()
	if err != nil {
		t.Skipf("no Go installation (go env GOROOT: %v)", err)
	}
	p := filepath.Join(root, "src", "debug", "plan9obj", "testdata", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("GOROOT has no plan9obj testdata: %v", err)
	}
	return p
}

func parseBytes(t testing.TB, o Options, b []byte) *File {
	t.Helper()
	f, err := o.NewFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// checkPlan9obj compares the header view of f with debug/plan9obj's.
func checkPlan9obj(t testing.TB, f *File, b []byte) {
	t.Helper()
	pf, err := plan9obj.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("plan9obj rejects a file aout accepts: %v", err)
	}
	if pf.Magic != f.Magic || pf.Entry != f.Entry || pf.HdrSize != f.HdrSize ||
		uint64(pf.Bss) != f.BssSize || pf.PtrSize != f.Arch.PtrSize() || pf.LoadAddress != f.Arch.UTZero() {
		t.Errorf("header: plan9obj %+v, aout magic %#x entry %#x hdr %d bss %#x arch %v",
			pf.FileHeader, f.Magic, f.Entry, f.HdrSize, f.BssSize, f.Arch)
	}
	sizes := map[string]int{"text": len(f.Text), "data": len(f.Data), "syms": len(f.SymTab), "spsz": len(f.PCSP), "pcsz": len(f.PCLine)}
	off := f.HdrSize
	for _, s := range pf.Sections {
		if int(s.Size) != sizes[s.Name] || uint64(s.Offset) != off {
			t.Errorf("section %s: plan9obj offset %#x size %#x, aout offset %#x size %#x", s.Name, s.Offset, s.Size, off, sizes[s.Name])
		}
		off += uint64(s.Size)
	}
}

// The two 8c/6c "hello, world" programs Go ships are linked with -T0
// (main at 0, entry 0x14/0x13 = _main), so exec would refuse them; they
// are read with Options.Linked.
func TestGOROOTBinaries(t *testing.T) {
	tests := []struct {
		file   string
		arch   Arch
		entry  uint64
		layout Layout
		// Expected file:line of main's first instruction and of its first
		// statement (hello.c: "main(void)" on line 5, print on line 7).
		mainLine, stmtPC uint64
	}{
		{"386-plan9-exec", Arch386, 0x14, Layout{
			TextBase: 0, TextStart: 0, TextEnd: 0x4c5f, DataBase: 0x5000, DataEnd: 0x594c,
			BssBase: 0x6000, BssEnd: 0x5c70, BssTop: 0x6000, StackBase: 0xDEFFF000, StackTop: 0xDFFFF000,
		}, 5, 3}, // SUBL $8, SP is 3 bytes
		{"amd64-plan9-exec", ArchAMD64, 0x13, Layout{
			TextBase: 0, TextStart: 0, TextEnd: 0x4213, DataBase: 0x200000, DataEnd: 0x200a80,
			BssBase: 0x201000, BssEnd: 0x201098, BssTop: 0x202000, StackBase: 0x7FFFFEFFF000, StackTop: 0x7FFFFFFFF000,
		}, 5, 4}, // SUBQ $16, SP is 4 bytes
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			name := plan9objTestdata(t, tt.file)
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}

			// As exec sees it.
			_, err = Open(name)
			if err == nil || !strings.HasPrefix(err.Error(), name+": entry ") || !strings.Contains(err.Error(), "outside text") {
				t.Errorf("Open: got %v, want %s: entry ... outside text", err, name)
			}

			f, err := Options{Linked: true}.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			checkPlan9obj(t, f, b)
			if f.Arch != tt.arch || f.Entry != tt.entry || f.Layout != tt.layout {
				t.Errorf("got %v entry %#x\n%+v\nwant %v entry %#x\n%+v", f.Arch, f.Entry, f.Layout, tt.arch, tt.entry, tt.layout)
			}
			if err := f.SymErr(); err != nil {
				t.Errorf("SymErr: %v", err)
			}
			// The linker's own symbols agree with the layout.
			for _, c := range []struct {
				sym  string
				want uint64
			}{{"etext", f.Layout.TextEnd}, {"edata", f.Layout.DataEnd}, {"end", f.Layout.BssEnd}} {
				s, ok := f.LookupSym(c.sym)
				if !ok || s.Value != c.want {
					t.Errorf("symbol %s = %#x, %v; want %#x", c.sym, s.Value, ok, c.want)
				}
			}

			for _, fn := range []string{"main", "_main", "exits", "print"} {
				s, ok := f.LookupSym(fn)
				if !ok || s.Type != 'T' {
					t.Fatalf("LookupSym(%q) = %+v, %v", fn, s, ok)
				}
				for _, d := range []uint64{0, 1, 2} {
					name, off, ok := f.Lookup(s.Value + d)
					if name != fn || off != d || !ok {
						t.Errorf("Lookup(%s+%d) = %s+%d, %v", fn, d, name, off, ok)
					}
				}
			}
			if s, _ := f.LookupSym("_main"); s.Value != f.Entry {
				t.Errorf("_main at %#x, entry %#x", s.Value, f.Entry)
			}

			// The path recorded by 8c/6c on the machine that built them.
			hello := "/mnt/term/usr/local/go/src/pkg/debug/plan9obj/testdata/hello.c"
			main, _ := f.LookupSym("main")
			for _, c := range []struct {
				pc   uint64
				file string
				line int
			}{
				{main.Value, hello, int(tt.mainLine)},
				{main.Value + tt.stmtPC - 1, hello, int(tt.mainLine)},
				{main.Value + tt.stmtPC, hello, 7},
				{f.Entry, "/sys/src/libc/" + tt.arch.String() + "/main9.s", 3},
				{mustSym(t, f, "exits"), "/sys/src/libc/port/atexit.c", 46},
				{mustSym(t, f, "print"), "/sys/src/libc/fmt/print.c", 5},
			} {
				file, line, ok := f.LineAt(c.pc)
				if file != c.file || line != c.line || !ok {
					t.Errorf("LineAt(%#x) = %s:%d %v, want %s:%d", c.pc, file, line, ok, c.file, c.line)
				}
			}
			for _, c := range []struct {
				file string
				line int
				pc   uint64
				ok   bool
			}{
				{"hello.c", 5, main.Value, true},
				{"testdata/hello.c", 7, main.Value + tt.stmtPC, true},
				{hello, 7, main.Value + tt.stmtPC, true},
				{"ello.c", 7, 0, false},
				{"hello.c", 6, 0, false},
				{"port/atexit.c", 46, mustSym(t, f, "exits"), true},
			} {
				pc, ok := f.PCForLine(c.file, c.line)
				if pc != c.pc || ok != c.ok {
					t.Errorf("PCForLine(%s, %d) = %#x, %v; want %#x, %v", c.file, c.line, pc, ok, c.pc, c.ok)
				}
			}
			checkLineTable(t, f)
		})
	}
}

func mustSym(t testing.TB, f *File, name string) uint64 {
	t.Helper()
	s, ok := f.LookupSym(name)
	if !ok {
		t.Fatalf("no symbol %s", name)
	}
	return s.Value
}

// TestGoBinaries builds a Go program for plan9/386 and plan9/amd64: real
// executables at exec's addresses, with Go's symbols and no pc/line table.
func TestGoBinaries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go programs")
	}
	if _, err := goroot(); err != nil {
		t.Skipf("no Go installation: %v", err)
	}
	dir := t.TempDir()
	src := "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hello, world\\n\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "hello.go"), []byte(src), 0o666); err != nil {
		t.Fatal(err)
	}
	for _, arch := range []Arch{Arch386, ArchAMD64} {
		t.Run(arch.String(), func(t *testing.T) {
			out := filepath.Join(dir, "hello."+arch.String())
			cmd := exec.Command("go", "build", "-o", out, "hello.go")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOOS=plan9", "GOARCH="+arch.String(), "CGO_ENABLED=0", "GO111MODULE=off")
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Skipf("cannot build a plan9/%v program: %v\n%s", arch, err, msg)
			}
			f, err := Open(out)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(out)
			checkPlan9obj(t, f, b)
			if err := f.SymErr(); err != nil {
				t.Errorf("SymErr: %v", err)
			}
			l := f.Layout
			if l.TextBase != arch.UTZero() || l.TextStart != arch.UTZero()+f.HdrSize || l.DataBase != roundUp(l.TextEnd, arch.SegAlign()) {
				t.Errorf("layout %+v", l)
			}
			rt0 := "_rt0_" + arch.String() + "_plan9"
			if s, ok := f.LookupSym(rt0); !ok || s.Value != f.Entry {
				t.Errorf("%s = %+v, %v; entry %#x", rt0, s, ok, f.Entry)
			}
			if name, off, ok := f.Lookup(f.Entry); name != rt0 || off != 0 || !ok {
				t.Errorf("Lookup(entry) = %s+%d, %v", name, off, ok)
			}
			if s, ok := f.LookupSym("runtime.bss"); !ok || s.Value != l.DataEnd {
				t.Errorf("runtime.bss = %#x, DataEnd = %#x", s.Value, l.DataEnd)
			}
			if s, ok := f.LookupSym("runtime.end"); !ok || s.Value != l.BssEnd {
				t.Errorf("runtime.end = %#x, BssEnd = %#x", s.Value, l.BssEnd)
			}
			mm := mustSym(t, f, "main.main")
			if name, off, ok := f.Lookup(mm + 1); name != "main.main" || off != 1 || !ok {
				t.Errorf("Lookup(main.main+1) = %s+%d, %v", name, off, ok)
			}
			if _, _, ok := f.LineAt(mm); ok {
				t.Errorf("LineAt in a Go binary succeeded")
			}
			if _, ok := f.PCForLine("hello.go", 5); ok {
				t.Errorf("PCForLine in a Go binary succeeded")
			}
		})
	}
}

// header returns a raw header for arch with the given fields; the real
// entry goes in the 64-bit field on amd64.
func rawHeader(magic, text, data, bss, syms, entry, spsz, pcsz uint32, entry64 uint64) []byte {
	var b []byte
	for _, v := range []uint32{magic, text, data, bss, syms, entry, spsz, pcsz} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	if magic&HdrMagic != 0 {
		b = binary.BigEndian.AppendUint64(b, entry64)
	}
	return b
}

func pad(b []byte, n int) []byte { return append(b, make([]byte, n)...) }

// lyingReader claims to be size bytes long: it holds head and then zeros,
// up to real bytes, and fails beyond.
type lyingReader struct {
	head []byte
	real int64
}

func (r lyingReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.real {
		return 0, io.EOF
	}
	n := copy(p, make([]byte, min(int64(len(p)), r.real-off)))
	if off < int64(len(r.head)) {
		copy(p, r.head[off:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func TestBadHeaders(t *testing.T) {
	ok386 := rawHeader(Magic386, 16, 0, 0, 0, 0x1020, 0, 0, 0)
	okAMD := rawHeader(MagicAMD64, 16, 0, 0, 0, 0x200028, 0, 0, 0x200028)
	tests := []struct {
		name string
		b    []byte
		size int64 // 0: len(b)
		want string
	}{
		{"empty", nil, 0, "aout: truncated header: file size 0"},
		{"three bytes", []byte{0, 0, 1}, 0, "aout: truncated header: file size 3"},
		{"short 386 header", ok386[:20], 0, "aout: truncated header: file size 20, 386 header is 32 bytes"},
		{"short amd64 header", pad(okAMD[:32], 4), 0, "aout: truncated header: file size 36, amd64 header is 40 bytes"},
		{"elf", pad([]byte("\x7fELF"), 60), 0, "aout: not a Plan 9 executable (magic 0x7f454c46)"},
		{"script", pad([]byte("#!/bin/rc\n"), 40), 0, "aout: not a Plan 9 executable (magic 0x23212f62)"},
		{"386 with HDR flag", pad(rawHeader(Magic386|HdrMagic, 0, 0, 0, 0, 0, 0, 0, 0), 0), 0, "aout: not a Plan 9 executable (magic 0x81eb)"},
		{"arm", pad(rawHeader(0x647, 16, 0, 0, 0, 0x1020, 0, 0, 0), 16), 0, "aout: unsupported architecture arm (magic 0x647)"},
		{"arm64", pad(rawHeader(0x8C47, 16, 0, 0, 0, 0, 0, 0, 0), 16), 0, "aout: unsupported architecture arm64 (magic 0x8c47)"},
		{"mips", pad(rawHeader(magic(0, 16), 16, 0, 0, 0, 0, 0, 0, 0), 16), 0, "aout: unsupported architecture mips (magic 0x407)"},
		{"dynamic module", pad(rawHeader(Magic386|DynMagic, 16, 0, 0, 0, 0, 0, 0, 0), 16), 0, "aout: magic 0x800001eb: dynamically loadable module, not a program"},
		{"text beyond EOF", pad(rawHeader(Magic386, 0x7fffffff, 0, 0, 0, 0x1020, 0, 0, 0), 1234-32), 0, "aout: text size 0x7fffffff at offset 0x20 exceeds file size 1234"},
		{"text one byte short", pad(ok386, 15), 0, "aout: text size 0x10 at offset 0x20 exceeds file size 47"},
		{"data beyond EOF", pad(rawHeader(Magic386, 16, 0x100, 0, 0, 0x1020, 0, 0, 0), 16), 0, "aout: data size 0x100 at offset 0x30 exceeds file size 48"},
		{"syms beyond EOF", pad(rawHeader(MagicAMD64, 16, 0, 0, 0xffffffff, 0, 0, 0, 0x200028), 16), 0, "aout: symbol table size 0xffffffff at offset 0x38 exceeds file size 56"},
		{"spsz beyond EOF", pad(rawHeader(Magic386, 16, 0, 0, 0, 0x1020, 1, 0, 0), 16), 0, "aout: pc/sp table size 0x1 at offset 0x30 exceeds file size 48"},
		{"all sizes 0xffffffff", pad(rawHeader(Magic386, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x1020, 0xffffffff, 0xffffffff, 0), 64), 0, "aout: text size 0xffffffff at offset 0x20 exceeds file size 96"},
		{"pcsz wraps 32 bits", pad(rawHeader(Magic386, 16, 0, 0, 0, 0x1020, 0, 0xfffffff0, 0), 16), 0, "aout: pc/line table size 0xfffffff0 at offset 0x30 exceeds file size 48"},
		{"entry 0", pad(rawHeader(Magic386, 16, 0, 0, 0, 0, 0, 0, 0), 16), 0, "aout: entry 0x0 outside text [0x1020, 0x1030)"},
		{"entry at text end", pad(rawHeader(Magic386, 16, 0, 0, 0, 0x1030, 0, 0, 0), 16), 0, "aout: entry 0x1030 outside text [0x1020, 0x1030)"},
		{"entry in header", pad(rawHeader(Magic386, 16, 0, 0, 0, 0x1000, 0, 0, 0), 16), 0, "aout: entry 0x1000 outside text [0x1020, 0x1030)"},
		// The 32-bit field holds a plausible entry, the real one is 0.
		{"amd64 entry only in 32-bit field", pad(rawHeader(MagicAMD64, 16, 0, 0, 0, 0x200028, 0, 0, 0), 16), 0, "aout: entry 0x0 outside text [0x200028, 0x200038)"},
		{"amd64 entry in upper half", pad(rawHeader(MagicAMD64, 16, 0, 0, 0, 0x200028, 0, 0, 0xffff800000200028), 16), 0, "aout: entry 0xffff800000200028 outside text [0x200028, 0x200038)"},
		{"bss reaches the stack", pad(rawHeader(Magic386, 16, 0, 0xDEFFD000, 0, 0x1020, 0, 0, 0), 16), 0, "aout: bss end 0xdefff000 reaches the 386 stack at 0xdefff000"},
		{"bss covers the stack", pad(rawHeader(Magic386, 16, 16, 0xffffffff, 0, 0x1020, 0, 0, 0), 32), 0, "aout: bss end 0x10000200f reaches the 386 stack at 0xdefff000"},
		// Sizes checked against a claimed size, before anything is read.
		{"text reaches the stack", rawHeader(Magic386, 0xE0000000, 0, 0, 0, 0x1020, 0, 0, 0), 1 << 40, "aout: text end 0xe0001020 reaches the 386 stack at 0xdefff000"},
		{"data reaches the stack", rawHeader(Magic386, 16, 0xE0000000, 0, 0, 0x1020, 0, 0, 0), 1 << 40, "aout: data end 0xe0002000 reaches the 386 stack at 0xdefff000"},
		{"reader shorter than size", rawHeader(Magic386, 16, 0, 0, 0, 0x1020, 0, 0, 0), 48, "aout: reading byte 0x2f: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := tt.size
			var r io.ReaderAt = bytes.NewReader(tt.b)
			if size == 0 {
				size = int64(len(tt.b))
			} else {
				r = lyingReader{tt.b, int64(len(tt.b))}
			}
			f, err := NewFile(r, size)
			if err == nil {
				t.Fatalf("accepted: %+v", f.Layout)
			}
			if err.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error is %T, not *Error", err)
			}
		})
	}

	// Just below the stack is fine.
	b := pad(rawHeader(Magic386, 16, 0, 0xDEFFCFFF, 0, 0x1020, 0, 0, 0), 16)
	if f, err := NewFile(bytes.NewReader(b), int64(len(b))); err != nil || f.Layout.BssEnd != 0xDEFFEFFF || f.Layout.BssTop != 0xDEFFF000 {
		t.Errorf("bss up to the stack: %v", err)
	}

	// The headers above that only break exec's rules are fine when Linked.
	for _, b := range [][]byte{
		pad(rawHeader(Magic386, 16, 0, 0, 0, 0, 0, 0, 0), 16),
		pad(rawHeader(Magic386, 16, 16, 0xffffffff, 0, 0x1020, 0, 0, 0), 32),
	} {
		if _, err := (Options{Linked: true}).NewFile(bytes.NewReader(b), int64(len(b))); err != nil {
			t.Errorf("Linked: %v", err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, pad(rawHeader(Magic386, 64, 0, 0, 0, 0x1020, 0, 0, 0), 10), 0o666); err != nil {
		t.Fatal(err)
	}
	_, err := Open(bad)
	if want := bad + ": text size 0x40 at offset 0x20 exceeds file size 42"; err == nil || err.Error() != want {
		t.Errorf("Open: got %v, want %s", err, want)
	}
	missing := filepath.Join(dir, "missing")
	if _, err := Open(missing); err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v", err)
	}
}

func TestArch(t *testing.T) {
	for _, c := range []struct {
		a                 Arch
		s                 string
		magic             uint32
		utzero, stackBase uint64
		ptr               int
	}{
		{Arch386, "386", 0x1EB, 0x1000, 0xDEFFF000, 4},
		{ArchAMD64, "amd64", 0x8A97, 0x200000, 0x7FFFFEFFF000, 8},
		{0, "Arch(0)", 0x1EB, 0x1000, 0xDEFFF000, 4},
	} {
		if c.a.String() != c.s || c.a.Magic() != c.magic || c.a.UTZero() != c.utzero || c.a.StackBase() != c.stackBase || c.a.PtrSize() != c.ptr {
			t.Errorf("%v: %q %#x %#x %#x %d", c.a, c.a.String(), c.a.Magic(), c.a.UTZero(), c.a.StackBase(), c.a.PtrSize())
		}
	}
	// The magics are a.out.h's _MAGIC.
	if magic(0, 11) != Magic386 || magic(HdrMagic, 26) != MagicAMD64 || magic(0, 20) != 0x647 || magic(HdrMagic, 28) != 0x8C47 {
		t.Errorf("_MAGIC mismatch")
	}
}
