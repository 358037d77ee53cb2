package aout

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
)

// Sym is one symbol table record (§1.5).
//
// Type is the record's letter with the 0x80 flag cleared: T t L l (text),
// D d (data), B b (bss), a p (local and parameter offsets), m (.frame
// size), f (a file-name component; Value is its index), z (a history
// entry; Value is an absolute line), Z (a #line offset for the preceding
// z). For z and Z records, Name is the referenced components joined with
// '/' (no slash is added after a component ending in one), and "" for a
// history pop.
type Sym struct {
	Value uint64
	Type  byte
	Name  string
}

// IsText reports whether s is a text (function) symbol.
func (s Sym) IsText() bool {
	switch s.Type {
	case 'T', 't', 'L', 'l':
		return true
	}
	return false
}

// IsData reports whether s is a data or bss symbol.
func (s Sym) IsData() bool {
	switch s.Type {
	case 'D', 'd', 'B', 'b':
		return true
	}
	return false
}

// zref keeps the raw file-name indices of a z or Z record.
type zref struct {
	sym int    // index in File.syms
	idx []byte // big-endian uint16 indices, terminator excluded
}

// pop reports whether the record pops the history stack (no indices).
func (z zref) pop() bool { return len(z.idx) == 0 }

// Symbols returns the symbol table records in file order. If the table
// is malformed it returns the records before the fault, and SymErr says
// what is wrong. The slice is shared: callers must not modify it.
func (f *File) Symbols() []Sym {
	f.symOnce.Do(f.parseSyms)
	return f.syms
}

// SymErr reports the first problem found in the symbol table, or else in
// the pc/line table, decoding them if that has not happened yet. It
// returns nil for well-formed tables, including empty ones.
func (f *File) SymErr() error {
	f.symOnce.Do(f.parseSyms)
	if f.symErr != nil {
		return f.symErr
	}
	f.lineOnce.Do(f.decodeLines)
	return f.lineErr
}

func (f *File) tableErr(table string, format string, args ...any) error {
	return &Error{Name: f.name, Msg: table + ": " + fmt.Sprintf(format, args...)}
}

// parseSyms decodes f.SymTab into f.syms, stopping at the first malformed
// record: records have no length field, so nothing after one can be
// trusted.
func (f *File) parseSyms() {
	p := f.SymTab
	w := f.Arch.PtrSize() // libmach: 8 bytes iff HdrMagic, which is amd64
	fail := func(off int, format string, args ...any) {
		f.symErr = f.tableErr("symbol table", "record at offset %#x: "+format, append([]any{off}, args...)...)
	}
	for off := 0; off < len(p); {
		r := p[off:]
		if len(r) < w+1 {
			fail(off, "truncated")
			break
		}
		var s Sym
		if w == 8 {
			s.Value = binary.BigEndian.Uint64(r)
		} else {
			s.Value = uint64(binary.BigEndian.Uint32(r))
		}
		t := r[w]
		if t&0x80 == 0 {
			// Pre-0x80 records had fixed 20-byte names; no x86 linker wrote them.
			fail(off, "type byte %#x lacks the 0x80 flag", t)
			break
		}
		s.Type = t &^ 0x80
		name := r[w+1:]
		var n int
		if s.Type == 'z' || s.Type == 'Z' {
			// One byte (0), then uint16 indices up to a zero index.
			i := 1
			for i+2 <= len(name) && (name[i] != 0 || name[i+1] != 0) {
				i += 2
			}
			if i+2 > len(name) {
				fail(off, "unterminated %c name", s.Type)
				break
			}
			f.zrefs = append(f.zrefs, zref{sym: len(f.syms), idx: name[1:i]})
			n = i + 2
		} else {
			i := bytes.IndexByte(name, 0)
			if i < 0 {
				fail(off, "unterminated name")
				break
			}
			s.Name = string(name[:i])
			n = i + 1
		}
		f.syms = append(f.syms, s)
		off += w + 1 + n
	}
	f.nameHistory()
}

// nameHistory fills in the names of z and Z records from the f records
// (of the whole table, as libmach's fileelem does; the last definition of
// an index wins). An unknown index ends the name, as in fileelem.
func (f *File) nameHistory() {
	if len(f.zrefs) == 0 {
		return
	}
	fnames := make(map[uint16]string)
	for _, s := range f.syms {
		if s.Type == 'f' && s.Value <= 0xFFFF {
			fnames[uint16(s.Value)] = s.Name
		}
	}
	var b []byte
	for _, z := range f.zrefs {
		b = b[:0]
		for i := 0; i+1 < len(z.idx); i += 2 {
			x := binary.BigEndian.Uint16(z.idx[i:])
			elem, ok := fnames[x]
			if !ok {
				if f.symErr == nil {
					f.symErr = f.tableErr("symbol table", "%c record %d names unknown file-name index %d",
						f.syms[z.sym].Type, z.sym, x)
				}
				break
			}
			if len(b) > 0 && b[len(b)-1] != '/' {
				b = append(b, '/')
			}
			b = append(b, elem...)
		}
		f.syms[z.sym].Name = string(b)
	}
}

// lookupType returns the first symbol named name with type typ.
func (f *File) lookupType(name string, typ byte) (Sym, bool) {
	for _, s := range f.Symbols() {
		if s.Type == typ && s.Name == name {
			return s, true
		}
	}
	return Sym{}, false
}

// textSym is an entry of the table Lookup searches.
type textSym struct {
	value uint64
	sym   int32 // index in File.syms
}

// symTables are the lookup structures built from the symbols on first use.
type symTables struct {
	textOnce sync.Once
	text     []textSym // sorted by value; the first in file order per value

	nameOnce sync.Once
	names    map[string]int32 // first text, data or bss symbol by name
	others   map[string]int32 // first symbol of any other type by name

	histOnce sync.Once
	hist     []histStack // sorted by address
}

func (f *File) tables() *symTables {
	f.tabOnce.Do(func() {
		f.symOnce.Do(f.parseSyms)
		f.tab = new(symTables)
	})
	return f.tab
}

func (f *File) textTable() []textSym {
	t := f.tables()
	t.textOnce.Do(func() {
		n := 0
		for _, s := range f.syms {
			if s.IsText() {
				n++
			}
		}
		tt := make([]textSym, 0, n)
		for i, s := range f.syms {
			if s.IsText() {
				tt = append(tt, textSym{s.Value, int32(i)})
			}
		}
		slices.SortStableFunc(tt, func(a, b textSym) int { return cmp.Compare(a.value, b.value) })
		// Keep the first symbol at each address (Go emits runtime.text
		// and go:buildid at the same one).
		out := tt[:0]
		for _, s := range tt {
			if len(out) == 0 || out[len(out)-1].value != s.value {
				out = append(out, s)
			}
		}
		t.text = out
	})
	return t.text
}

// Lookup returns the function containing pc: the text symbol with the
// greatest value not above pc, and pc's offset from it. It fails for a pc
// outside [Layout.TextStart, Layout.TextEnd) or below the first function.
// Go binaries keep rodata in the text segment after runtime.etext, so a pc
// there resolves to the last text symbol before it. Lookup builds its
// table on first use and then does not allocate.
func (f *File) Lookup(pc uint64) (name string, off uint64, ok bool) {
	if pc < f.Layout.TextStart || pc >= f.Layout.TextEnd {
		return "", 0, false
	}
	t := f.textTable()
	// Find the first entry above pc.
	lo, hi := 0, len(t)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t[m].value <= pc {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return "", 0, false
	}
	e := t[lo-1]
	return f.syms[e.sym].Name, pc - e.value, true
}

// LookupSym returns the first symbol called name, preferring text, data
// and bss symbols to the other kinds.
func (f *File) LookupSym(name string) (Sym, bool) {
	t := f.tables()
	t.nameOnce.Do(func() {
		t.names = make(map[string]int32)
		t.others = make(map[string]int32)
		for i, s := range f.syms {
			m := t.others
			if s.IsText() || s.IsData() {
				m = t.names
			}
			if _, dup := m[s.Name]; !dup {
				m[s.Name] = int32(i)
			}
		}
	})
	if i, ok := t.names[name]; ok {
		return f.syms[i], true
	}
	if i, ok := t.others[name]; ok {
		return f.syms[i], true
	}
	return Sym{}, false
}
