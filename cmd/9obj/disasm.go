package main

import (
	"fmt"
	"slices"
	"strings"

	"9emu/aout"
	"9emu/cmd/internal/disasm"
)

// disassembler prints the text of one file.
type disassembler struct {
	c    *cmd
	f    *aout.File
	mode int           // 32 or 64, for x86asm
	img  *disasm.Image // symbols and lines; nil in tests of decode alone
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
	if err := symTableErr(f); err != nil {
		c.errorf("%v", err) // go on with the symbols that decoded
	}
	img, err := disasm.NewImage(f)
	if err != nil {
		c.errorf("%s: no source lines: %v", name, err)
	}
	d := &disassembler{c: c, f: f, mode: img.Mode, img: img}

	funcs := disasm.TextFuncs(f)
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
		for _, s := range fn.Names {
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

// function prints one function: its names as labels, then its code.
func (d *disassembler) function(fn disasm.TextFunc) {
	w := d.c.out
	for _, n := range fn.Names {
		fmt.Fprintf(w, "%s:\n", n)
	}
	start := d.f.Layout.TextStart
	code := d.f.Text[fn.Start-start : fn.End-start]
	if slices.Contains(fn.Names, "go:buildid") {
		// A string ("\xff Go build ID: ..."), not instructions.
		d.line(fn.Start, fmt.Sprintf("(Go build ID: %s of data)", bytesText(len(code))))
		return
	}
	pad := len(code) // where the INT3 bytes that end the function begin
	for pad > 0 && code[pad-1] == 0xCC {
		pad--
	}
	for off := 0; off < len(code); {
		pc := fn.Start + uint64(off)
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
	var sym disasm.SymLookup
	if d.img != nil {
		sym = d.img.Symbol
	}
	return disasm.Decode(b, d.mode, pc, sym)
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

// lineAt returns the source position of pc.
func (d *disassembler) lineAt(pc uint64) (string, int, bool) {
	return d.img.Line(pc)
}
