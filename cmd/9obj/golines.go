package main

import (
	"debug/gosym"
	"fmt"

	"9emu/aout"
)

// goLines is the pc to file:line table of a Go program. Go's linker
// writes no a.out pc/line table; the runtime's own pclntab, which lies in
// the text segment between runtime.pclntab and runtime.epclntab, holds
// the same facts (this is how Go's cmd/internal/objfile reads Plan 9
// binaries). Since Go 1.18 the table's pcs are relative to runtime.text.
type goLines struct {
	tab *gosym.Table
}

// newGoLines returns the Go line table of f, nil if f is not a Go
// program, or an error if its pclntab cannot be read. debug/gosym is not
// hardened against malformed tables, so its panics become errors here.
func newGoLines(f *aout.File) (g *goLines, err error) {
	start, ok1 := f.LookupSym("runtime.pclntab")
	end, ok2 := f.LookupSym("runtime.epclntab")
	text, ok3 := f.LookupSym("runtime.text")
	if !ok1 || !ok2 || !ok3 {
		return nil, nil
	}
	b, ok := imageBytes(f, start.Value, end.Value)
	if !ok {
		return nil, fmt.Errorf("pclntab [%#x, %#x) is outside text and data", start.Value, end.Value)
	}
	defer func() {
		if r := recover(); r != nil {
			g, err = nil, fmt.Errorf("malformed pclntab: %v", r)
		}
	}()
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(b, text.Value))
	if err != nil {
		return nil, err
	}
	if len(tab.Funcs) == 0 {
		return nil, fmt.Errorf("pclntab lists no functions")
	}
	return &goLines{tab: tab}, nil
}

// lineAt returns the file and line of the instruction at pc.
func (g *goLines) lineAt(pc uint64) (file string, line int, ok bool) {
	defer func() {
		if recover() != nil {
			file, line, ok = "", 0, false
		}
	}()
	file, line, fn := g.tab.PCToLine(pc)
	return file, line, fn != nil && file != ""
}

// imageBytes returns the bytes of f's memory image in [lo, hi), which
// must lie within the text (with its header) or the initialised data.
func imageBytes(f *aout.File, lo, hi uint64) ([]byte, bool) {
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
