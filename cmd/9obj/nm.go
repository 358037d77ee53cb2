package main

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"9emu/aout"
)

// nm implements nm(1) for executables, as 9front's sys/src/cmd/nm.c
// does through libmach's syminit: the same selection (psym), order
// (cmp, qsort) and format (printsyms). -T (object-file signatures) is
// not offered: executables carry none.
//
// Where nm's qsort leaves the order of equal keys unspecified, symbols
// stay in table order. As in nm, the name of a z or Z record sorts as ""
// (libmach keeps their raw, NUL-led encoding as the name), and a Z record
// prints with an empty name.
func (c *cmd) nm(args []string) int {
	opt, files, bad := flags(args, "aghnsu")
	if bad != 0 {
		return c.usageErr("nm: unknown option -%c", bad)
	}
	if len(files) == 0 {
		return c.usageErr("nm: no file")
	}
	multi := len(files) > 1
	for _, name := range files {
		f, err := open(name)
		if err != nil {
			c.errorf("%v", err)
			continue
		}
		syms := nmSelect(f.Symbols(), opt)
		if !opt['s'] {
			nmSort(syms, opt['n'])
		}
		prefix := ""
		if multi && !opt['h'] {
			prefix = name + ":"
		}
		nmPrint(c, syms, prefix)
		if err := symTableErr(f); err != nil {
			c.errorf("%v", err)
		}
	}
	return c.status
}

// symTableErr returns f's symbol table error, ignoring any in the
// pc/line table, which nm does not read.
func symTableErr(f *aout.File) error {
	err := f.SymErr()
	var e *aout.Error
	if errors.As(err, &e) && !strings.HasPrefix(e.Msg, "symbol table") {
		return nil
	}
	return err
}

// nmSym is a symbol as nm sees it.
type nmSym struct {
	aout.Sym
	key string // the sort key: the name, or "" for z and Z records
}

// nmSelect keeps the symbols nm.c's psym keeps under the options
// a (all), g (globals only) and u (undefined only).
func nmSelect(all []aout.Sym, opt map[byte]bool) []nmSym {
	a, g, u := opt['a'], opt['g'], opt['u']
	hidden := func(s aout.Sym) bool { // compiler temporaries and constants
		return !a && (strings.HasPrefix(s.Name, ".") || strings.HasPrefix(s.Name, "$"))
	}
	var out []nmSym
	for _, s := range all {
		if s.Type == 'f' && s.Name == ".frame" {
			s.Type = 'm' // libmach's syminit renames it so
		}
		switch s.Type {
		case 'T', 'L', 'D', 'B':
			if u || hidden(s) {
				continue
			}
		case 'b', 'd', 'l', 't':
			if u || g || hidden(s) {
				continue
			}
		case 'U':
			if g {
				continue
			}
		case 'Z':
			if !a {
				continue
			}
		default: // a p m f z and anything unknown
			if !a || u || g {
				continue
			}
		}
		n := nmSym{Sym: s, key: s.Name}
		switch s.Type {
		case 'z':
			// fileelem: the components joined, then cleanname.
			if len(s.Name) > 1 {
				n.Name = path.Clean(s.Name)
			}
			n.key = ""
		case 'Z':
			n.Name, n.key = "", ""
		}
		out = append(out, n)
	}
	return out
}

// nmSort orders symbols by name, or by value with -n.
func nmSort(syms []nmSym, byValue bool) {
	slices.SortStableFunc(syms, func(x, y nmSym) int {
		if byValue {
			return cmp.Compare(x.Value, y.Value)
		}
		return strings.Compare(x.key, y.key)
	})
}

// nmPrint writes the symbols as printsyms does: the value in hex, right
// aligned in a column 8 wide (16 if values need more than 32 bits), or
// blanks for a zero value except for the frame offsets a and p; then the
// type letter and the name.
func nmPrint(c *cmd, syms []nmSym, prefix string) {
	// printsyms' width rule, quirks included: the first non-zero value
	// sets 8 and only a later one can widen it.
	wid := 0
	for _, s := range syms {
		if s.Value != 0 && wid == 0 {
			wid = 8
		} else if s.Value >= 1<<32 && wid == 8 {
			wid = 16
		}
	}
	for _, s := range syms {
		if s.Value != 0 || s.Type == 'a' || s.Type == 'p' {
			fmt.Fprintf(c.out, "%s%*x %c %s\n", prefix, wid, s.Value, s.Type, s.Name)
		} else {
			fmt.Fprintf(c.out, "%s%*s %c %s\n", prefix, wid, "", s.Type, s.Name)
		}
	}
}
