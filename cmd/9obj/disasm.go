package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/arch/x86/x86asm"

	"9emu/aout"
)

// textFunc is a stretch of text from one text symbol (or several at the
// same address) up to the next.
type textFunc struct {
	names      []string
	start, end uint64
}

// disassembler prints the text of one file.
type disassembler struct {
	c     *cmd
	f     *aout.File
	mode  int // 32 or 64, for x86asm
	syms  *symTab
	goTab *goLines // nil unless f is a Go program
}

// disasm implements "9obj disasm file [symbol ...]": the whole text, or
// the named functions, one instruction a line.
func (c *cmd) disasm(args []string) int {
	_, rest, bad := flags(args, "")
	if bad != 0 {
		return c.usageErr("disasm: unknown option -%c", bad)
	}
	if len(rest) == 0 {
		return c.usageErr("disasm: no file")
	}
	name, want := rest[0], rest[1:]
	f, err := open(name)
	if err != nil {
		c.errorf("%v", err)
		return c.status
	}
	d := &disassembler{c: c, f: f, mode: 32, syms: newSymTab(f)}
	if f.Arch == aout.ArchAMD64 {
		d.mode = 64
	}
	if err := symTableErr(f); err != nil {
		c.errorf("%v", err) // go on with the symbols that decoded
	}
	if d.goTab, err = newGoLines(f); err != nil {
		c.errorf("%s: no source lines: %v", name, err)
	}

	funcs := textFuncs(f)
	if len(want) == 0 {
		for i, fn := range funcs {
			if i > 0 {
				fmt.Fprintln(c.out)
			}
			d.function(fn)
		}
		return c.status
	}
	// In text order, each function once, however many of its names are
	// asked for.
	found := make(map[string]bool)
	n := 0
	for _, fn := range funcs {
		hit := false
		for _, s := range fn.names {
			if slices.Contains(want, s) {
				found[s], hit = true, true
			}
		}
		if hit {
			if n > 0 {
				fmt.Fprintln(c.out)
			}
			d.function(fn)
			n++
		}
	}
	for _, w := range want {
		if !found[w] {
			c.errorf("%s: no function %s", name, w)
		}
	}
	return c.status
}

// endOfCode names the symbols that mark the end of the code: 8l/6l's
// etext, and Go's runtime.etext, after which Go keeps its read-only data
// (and pclntab) in the text segment.
var endOfCode = map[string]bool{"etext": true, "runtime.etext": true}

// textFuncs divides the text into functions at the text symbols. The
// bytes before the first symbol (Go's zero fill ahead of go:buildid) and
// after the end-of-code symbols are not code. A file with no text
// symbols is one nameless function.
func textFuncs(f *aout.File) []textFunc {
	l := &f.Layout
	var syms []aout.Sym
	for _, s := range f.Symbols() {
		if s.IsText() && s.Value >= l.TextStart && s.Value <= l.TextEnd {
			syms = append(syms, s)
		}
	}
	if len(syms) == 0 {
		return []textFunc{{start: l.TextStart, end: l.TextEnd}}
	}
	slices.SortStableFunc(syms, func(a, b aout.Sym) int { return cmp.Compare(a.Value, b.Value) })
	var funcs []textFunc
	for i := 0; i < len(syms); {
		fn := textFunc{start: syms[i].Value, end: l.TextEnd}
		sentinel := true
		for ; i < len(syms) && syms[i].Value == fn.start; i++ {
			fn.names = append(fn.names, syms[i].Name)
			sentinel = sentinel && endOfCode[syms[i].Name]
		}
		if i < len(syms) {
			fn.end = syms[i].Value
		}
		if !sentinel && fn.start < fn.end {
			funcs = append(funcs, fn)
		}
	}
	return funcs
}

// function prints one function: its names as labels, then its code.
func (d *disassembler) function(fn textFunc) {
	w := d.c.out
	for _, n := range fn.names {
		fmt.Fprintf(w, "%s:\n", n)
	}
	start := d.f.Layout.TextStart
	code := d.f.Text[fn.start-start : fn.end-start]
	if slices.Contains(fn.names, "go:buildid") {
		// A string ("\xff Go build ID: ..."), not instructions.
		d.line(fn.start, fmt.Sprintf("(Go build ID: %s of data)", bytesText(len(code))))
		return
	}
	pad := len(code) // where the INT3 bytes that end the function begin
	for pad > 0 && code[pad-1] == 0xCC {
		pad--
	}
	for off := 0; off < len(code); {
		pc := fn.start + uint64(off)
		b := code[off:]
		if off >= pad && d.padding(b, pc) {
			d.line(pc, fmt.Sprintf("INT $0x3 (padding: %s)", bytesText(len(b))))
			return
		}
		n, text, ok := d.decode(b, pc)
		if !ok {
			// Nothing after an undecodable byte can be trusted until the
			// next symbol: show the bytes.
			for len(b) > 0 {
				k := min(len(b), 8)
				var s []string
				for _, x := range b[:k] {
					s = append(s, fmt.Sprintf("BYTE $%#02x", x))
				}
				d.line(pc, strings.Join(s, "; "))
				b, pc = b[k:], pc+uint64(k)
			}
			return
		}
		d.line(pc, text)
		off += n
	}
}

func bytesText(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// padding reports whether b, the INT3 bytes that end a function from pc
// on, is the fill Go's linker puts between functions: more than one
// INT3, or one with no source line.
func (d *disassembler) padding(b []byte, pc uint64) bool {
	if len(b) == 1 {
		_, _, ok := d.lineAt(pc)
		return !ok
	}
	return true
}

// decode decodes the instruction at the start of b, which is at pc, and
// returns its length and its text in Go assembler syntax.
func (d *disassembler) decode(b []byte, pc uint64) (int, string, bool) {
	// x86asm v0.33.0 gives VZEROUPPER and VZEROALL (VEX.L 0/1, 0F 77)
	// a ModRM byte they do not have (plan9-abi.md §10 item 21), which
	// would throw the listing out of step.
	if len(b) >= 3 && b[0] == 0xC5 && b[1]&^0x04 == 0xF8 && b[2] == 0x77 {
		if b[1]&0x04 != 0 {
			return 3, "VZEROALL", true
		}
		return 3, "VZEROUPPER", true
	}
	inst, err := x86asm.Decode(b, d.mode)
	if err != nil || inst.Len == 0 {
		return 0, "", false
	}
	for i, a := range inst.Args {
		// An absolute address encoded with a SIB byte and no index (as
		// 6l writes them) comes with Scale 1, which keeps GoSyntax from
		// naming it; the scale means nothing without an index.
		if m, ok := a.(x86asm.Mem); ok && m.Base == 0 && m.Index == 0 && m.Scale != 0 {
			m.Scale = 0
			inst.Args[i] = m
		}
	}
	return inst.Len, x86asm.GoSyntax(inst, pc, d.symname(inst)), true
}

// symname returns the symbol lookup for GoSyntax for one instruction.
// GoSyntax also offers the immediate of a MOVL or PUSHL as an address;
// an immediate below 0x1000 is not taken for one, since page 0 is never
// mapped (it would otherwise name small constants after the functions
// of a file linked at 0).
func (d *disassembler) symname(inst x86asm.Inst) x86asm.SymLookup {
	var imm []uint64
	for _, a := range inst.Args {
		if v, ok := a.(x86asm.Imm); ok && uint64(v) < aout.PageSize {
			imm = append(imm, uint64(v))
		}
	}
	return func(addr uint64) (string, uint64) {
		if slices.Contains(imm, addr) {
			return "", 0
		}
		return d.syms.lookup(addr)
	}
}

// line prints one line of the listing: address, function+offset,
// file:line (or "?") and the text.
func (d *disassembler) line(pc uint64, text string) {
	sym := "?"
	if name, off, ok := d.f.Lookup(pc); ok {
		sym = name
		if off != 0 {
			sym = fmt.Sprintf("%s+%#x", name, off)
		}
	}
	pos := "?"
	if file, line, ok := d.lineAt(pc); ok {
		pos = fmt.Sprintf("%s:%d", file, line)
	}
	fmt.Fprintf(d.c.out, "%#x\t%s\t%s\t%s\n", pc, sym, pos, text)
}

// lineAt returns the source position of pc from the a.out's pc/line
// table, or else from a Go program's pclntab.
func (d *disassembler) lineAt(pc uint64) (string, int, bool) {
	if file, line, ok := d.f.LineAt(pc); ok {
		return file, line, true
	}
	if d.goTab != nil {
		return d.goTab.lineAt(pc)
	}
	return "", 0, false
}
