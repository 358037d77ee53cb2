package main

import (
	"cmp"
	"slices"

	"9emu/aout"
)

// symTab answers "which symbol holds this address" for text, data and
// bss symbols together, for naming the operands of instructions.
type symTab struct {
	syms   []aout.Sym // by value; the first in table order at each value
	layout aout.Layout
}

func newSymTab(f *aout.File) *symTab {
	var syms []aout.Sym
	for _, s := range f.Symbols() {
		if s.IsText() || s.IsData() {
			syms = append(syms, s)
		}
	}
	slices.SortStableFunc(syms, func(a, b aout.Sym) int { return cmp.Compare(a.Value, b.Value) })
	syms = slices.CompactFunc(syms, func(a, b aout.Sym) bool { return a.Value == b.Value })
	return &symTab{syms: syms, layout: f.Layout}
}

// region returns the segment holding addr: 1 for text, 2 for data and
// bss, 0 for neither.
func (t *symTab) region(addr uint64) int {
	l := &t.layout
	switch {
	case addr >= l.TextStart && addr < l.TextEnd:
		return 1
	case addr >= l.DataBase && addr < l.BssEnd:
		return 2
	}
	return 0
}

// lookup returns the symbol with the greatest value not above addr in
// the same segment, and its value; "" if there is none.
func (t *symTab) lookup(addr uint64) (string, uint64) {
	r := t.region(addr)
	if r == 0 {
		return "", 0
	}
	i, found := slices.BinarySearchFunc(t.syms, addr, func(s aout.Sym, a uint64) int { return cmp.Compare(s.Value, a) })
	if !found {
		i--
	}
	if i < 0 || t.region(t.syms[i].Value) != r {
		return "", 0
	}
	return t.syms[i].Name, t.syms[i].Value
}
