package disasm

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"9emu/aout"
)

// An Image is one a.out with the tables that name its addresses. Its
// methods may be called from several goroutines at once.
type Image struct {
	File *aout.File
	Mode int // 32 or 64, for Decode

	syms   []aout.Sym        // text, data and bss symbols by value; the first in table order at each value
	frames map[uint64]uint64 // 8c/6c: function entry -> .frame value
	goTab  *goTable          // nil unless the file is a Go program with a readable pclntab
}

// NewImage returns the Image of f. A Go program whose pclntab cannot be
// read still gets an Image (without Go source lines or frames), and the
// error says what is wrong with the table.
func NewImage(f *aout.File) (*Image, error) {
	m := &Image{File: f, Mode: 32, frames: make(map[uint64]uint64)}
	if f.Arch == aout.ArchAMD64 {
		m.Mode = 64
	}
	var last *aout.Sym
	for _, s := range f.Symbols() {
		switch {
		case s.IsText():
			last = &s
			m.syms = append(m.syms, s)
		case s.IsData():
			m.syms = append(m.syms, s)
		case s.Type == 'm' && s.Name == ".frame" && last != nil:
			if _, dup := m.frames[last.Value]; !dup {
				m.frames[last.Value] = s.Value
			}
		}
	}
	slices.SortStableFunc(m.syms, func(a, b aout.Sym) int { return cmp.Compare(a.Value, b.Value) })
	m.syms = slices.CompactFunc(m.syms, func(a, b aout.Sym) bool { return a.Value == b.Value })
	var err error
	m.goTab, err = newGoTable(f)
	return m, err
}

// IsGo reports whether the image is a Go program with a readable pclntab.
func (m *Image) IsGo() bool { return m.goTab != nil }

// region returns the segment holding addr: 1 for text, 2 for data and
// bss, 0 for neither.
func (m *Image) region(addr uint64) int {
	l := &m.File.Layout
	switch {
	case addr >= l.TextStart && addr < l.TextEnd:
		return 1
	case addr >= l.DataBase && addr < l.BssEnd:
		return 2
	}
	return 0
}

// Symbol returns the symbol with the greatest value not above addr in the
// same segment (text, or data and bss), and its value; "" if there is
// none. It is the SymLookup for Decode.
func (m *Image) Symbol(addr uint64) (string, uint64) {
	r := m.region(addr)
	if r == 0 {
		return "", 0
	}
	i, found := slices.BinarySearchFunc(m.syms, addr, func(s aout.Sym, a uint64) int { return cmp.Compare(s.Value, a) })
	if !found {
		i--
	}
	if i < 0 || m.region(m.syms[i].Value) != r {
		return "", 0
	}
	return m.syms[i].Name, m.syms[i].Value
}

// Func returns the function holding pc and pc's offset in it.
func (m *Image) Func(pc uint64) (name string, off uint64, ok bool) {
	return m.File.Lookup(pc)
}

// PCName returns pc as function+offset ("main+0x4", "main.main" at
// offset 0), or in hex if no function holds it.
func (m *Image) PCName(pc uint64) string {
	name, off, ok := m.Func(pc)
	switch {
	case !ok:
		return fmt.Sprintf("%#x", pc)
	case off == 0:
		return name
	}
	return fmt.Sprintf("%s+%#x", name, off)
}

// AddrName returns addr as symbol+offset for any symbol (text, data or
// bss), or in hex.
func (m *Image) AddrName(addr uint64) string {
	name, base := m.Symbol(addr)
	switch {
	case name == "":
		return fmt.Sprintf("%#x", addr)
	case addr == base:
		return name
	}
	return fmt.Sprintf("%s+%#x", name, addr-base)
}

// Line returns the source position of the instruction at pc, from the
// a.out's pc/line table or else from a Go program's pclntab.
func (m *Image) Line(pc uint64) (file string, line int, ok bool) {
	if file, line, ok := m.File.LineAt(pc); ok {
		return file, line, true
	}
	if m.goTab != nil {
		return m.goTab.lineAt(pc)
	}
	return "", 0, false
}

// LineString returns "file:line" for pc, or "?".
func (m *Image) LineString(pc uint64) string {
	if file, line, ok := m.Line(pc); ok {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return "?"
}

// Disasm decodes the instruction at the start of code, which lies at pc,
// with operands named after the image's symbols.
func (m *Image) Disasm(code []byte, pc uint64) (n int, text string, ok bool) {
	return Decode(code, m.Mode, pc, m.Symbol)
}

// Lookup returns the value of the text, data or bss symbol called name.
func (m *Image) Lookup(name string) (uint64, bool) {
	s, ok := m.File.LookupSym(name)
	if !ok || !s.IsText() && !s.IsData() {
		return 0, false
	}
	return s.Value, true
}

// Addr resolves a location as a user writes it: an address ("0x1020",
// "4128"), a symbol with an optional offset ("main", "main.main+0x10",
// "buf+8"), or a source line ("hello.c:7", "main.go:12", matching the end
// of the file's path).
func (m *Image) Addr(spec string) (uint64, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return 0, fmt.Errorf("no location")
	}
	if file, l, ok := strings.Cut(spec, ":"); ok {
		line, err := strconv.Atoi(l)
		if err != nil || line <= 0 {
			return 0, fmt.Errorf("bad line number in %q", spec)
		}
		if pc, ok := m.File.PCForLine(file, line); ok {
			return pc, nil
		}
		if m.goTab != nil {
			if pc, ok := m.goTab.pcForLine(file, line); ok {
				return pc, nil
			}
		}
		return 0, fmt.Errorf("no code for %s", spec)
	}
	if v, err := strconv.ParseUint(spec, 0, 64); err == nil {
		return v, nil
	}
	name, off := spec, uint64(0)
	if i := strings.LastIndexAny(spec, "+-"); i > 0 {
		o, err := strconv.ParseUint(spec[i+1:], 0, 64)
		if err == nil {
			name, off = spec[:i], o
			if spec[i] == '-' {
				off = -o
			}
		}
	}
	v, ok := m.Lookup(name)
	if !ok {
		return 0, fmt.Errorf("no symbol %s", name)
	}
	return v + off, nil
}

// A TextFunc is a stretch of text from one text symbol (or several at the
// same address) up to the next.
type TextFunc struct {
	Names      []string
	Start, End uint64
}

// endOfCode names the symbols that mark the end of the code: 8l/6l's
// etext, and Go's runtime.etext, after which Go keeps its read-only data
// (and pclntab) in the text segment.
var endOfCode = map[string]bool{"etext": true, "runtime.etext": true}

// TextFuncs divides the text into functions at the text symbols. The
// bytes before the first symbol (Go's zero fill ahead of go:buildid) and
// after the end-of-code symbols are not code. A file with no text
// symbols is one nameless function.
func TextFuncs(f *aout.File) []TextFunc {
	l := &f.Layout
	var syms []aout.Sym
	for _, s := range f.Symbols() {
		if s.IsText() && s.Value >= l.TextStart && s.Value <= l.TextEnd {
			syms = append(syms, s)
		}
	}
	if len(syms) == 0 {
		return []TextFunc{{Start: l.TextStart, End: l.TextEnd}}
	}
	slices.SortStableFunc(syms, func(a, b aout.Sym) int { return cmp.Compare(a.Value, b.Value) })
	var funcs []TextFunc
	for i := 0; i < len(syms); {
		fn := TextFunc{Start: syms[i].Value, End: l.TextEnd}
		sentinel := true
		for ; i < len(syms) && syms[i].Value == fn.Start; i++ {
			fn.Names = append(fn.Names, syms[i].Name)
			sentinel = sentinel && endOfCode[syms[i].Name]
		}
		if i < len(syms) {
			fn.End = syms[i].Value
		}
		if !sentinel && fn.Start < fn.End {
			funcs = append(funcs, fn)
		}
	}
	return funcs
}

// FuncBounds returns the text function holding pc: from its symbol to
// the next text symbol (or, for Go, the function's end in the pclntab).
func (m *Image) FuncBounds(pc uint64) (start, end uint64, ok bool) {
	_, off, ok := m.Func(pc)
	if !ok {
		return 0, 0, false
	}
	start = pc - off
	end = m.File.Layout.TextEnd
	i, found := slices.BinarySearchFunc(m.syms, start, func(s aout.Sym, a uint64) int { return cmp.Compare(s.Value, a) })
	if found {
		i++
	}
	for ; i < len(m.syms); i++ {
		if s := m.syms[i]; s.IsText() && s.Value > start {
			end = min(end, s.Value)
			break
		}
	}
	if g := m.goTab; g != nil {
		if f, ok := g.funcAt(pc); ok && f.end > start {
			end = min(end, f.end)
		}
	}
	return start, end, true
}

// ImageBytes returns the bytes of f's memory image in [lo, hi), which
// must lie within the text or the initialised data.
func ImageBytes(f *aout.File, lo, hi uint64) ([]byte, bool) {
	if lo > hi {
		return nil, false
	}
	l := &f.Layout
	for _, s := range []struct {
		base uint64
		b    []byte
	}{{l.TextStart, f.Text}, {l.DataBase, f.Data}} {
		if lo >= s.base && hi-s.base <= uint64(len(s.b)) {
			return s.b[lo-s.base : hi-s.base], true
		}
	}
	return nil, false
}
