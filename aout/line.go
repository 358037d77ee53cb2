package aout

import (
	"cmp"
	"encoding/binary"
	"math"
	"path"
	"slices"
)

// The pc/line table (§1.6) is a state machine over (pc, line), starting at
// (TextStart-1, 0); each byte changes the line or advances the pc, and
// then advances the pc by one. libmach's pc2line answers a query for pc
// with the line of the first state, checked before each byte, whose pc is
// at least pc. The line is absolute: a position in the compiler's input
// with every #include expanded, which the history stacks of z records
// turn back into file:line (fline).

// lineRun says that the pcs after the previous run's end, up to and
// including end (an offset from TextStart), have line.
type lineRun struct {
	end  uint32
	line int32
}

// decodeLines runs the state machine once, keeping only the states a
// query within text can land on and merging neighbours with equal lines.
// Line arithmetic wraps at 32 bits, as Plan 9 C's long does.
func (f *File) decodeLines() {
	p := f.PCLine
	text := int64(len(f.Text))
	pc := int64(-1) // relative to TextStart
	var line int32
	var runs []lineRun
	for i := 0; i < len(p); i++ {
		if pc >= 0 {
			end := uint32(math.MaxUint32)
			if pc < math.MaxUint32 {
				end = uint32(pc)
			}
			if n := len(runs); n > 0 && runs[n-1].line == line {
				runs[n-1].end = end
			} else {
				runs = append(runs, lineRun{end, line})
			}
			if pc >= text {
				break // every pc in text has its answer
			}
		}
		switch u := p[i]; {
		case u == 0:
			if len(p)-i < 5 {
				f.lineErr = f.tableErr("pc/line table", "truncated line delta at offset %#x", i)
				i = len(p)
				continue
			}
			line += int32(binary.BigEndian.Uint32(p[i+1:]))
			i += 4
		case u <= 64:
			line += int32(u)
		case u <= 128:
			line -= int32(u) - 64
		default:
			pc += int64(u) - 129
		}
		pc++
	}
	f.lines = runs
}

// absLine returns the absolute line of pc, which must lie in text.
func (f *File) absLine(pc uint64) (int32, bool) {
	f.lineOnce.Do(f.decodeLines)
	runs := f.lines
	rel := pc - f.Layout.TextStart
	lo, hi := 0, len(runs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if uint64(runs[m].end) < rel {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(runs) {
		return 0, false
	}
	return runs[lo].line, true
}

// hent is one history entry: the z record that pushes a file at an
// absolute line (or pops one), with the offset of a following Z record,
// which turns the push into a #line directive.
type hent struct {
	name   string // cleaned path; "" for a pop
	pop    bool
	line   int32
	offset int32
}

// A histStack is the history of one object file (the z records from one
// with value 1 up to the next), attached to the first text symbol after
// it; that symbol's address is where the file's code begins.
type histStack struct {
	addr uint64
	ents []hent
}

// history returns the history stacks sorted by address, building them as
// libmach's buildtbls does. Unlike libmach it drops stacks that no text
// symbol follows (they have no address) and z records before the first
// stack.
func (f *File) history() []histStack {
	t := f.tables()
	t.histOnce.Do(func() {
		var stacks []histStack
		cur, hasText := -1, false
		closeCur := func() {
			if cur >= 0 && !hasText {
				stacks = stacks[:cur]
			}
		}
		zi := 0
		for i, s := range f.syms {
			switch {
			case s.Type == 'z':
				pop := zi < len(f.zrefs) && f.zrefs[zi].sym == i && f.zrefs[zi].pop()
				if s.Value == 1 {
					closeCur()
					stacks = append(stacks, histStack{})
					cur, hasText = len(stacks)-1, false
				}
				if cur >= 0 {
					e := hent{pop: pop, line: int32(s.Value)}
					if !pop && len(s.Name) > 1 {
						e.name = path.Clean(s.Name)
					} else {
						e.name = s.Name
					}
					stacks[cur].ents = append(stacks[cur].ents, e)
				}
			case s.Type == 'Z':
				if cur >= 0 && len(stacks[cur].ents) > 0 {
					stacks[cur].ents[len(stacks[cur].ents)-1].offset = int32(s.Value)
				}
			case s.IsText():
				if cur >= 0 && !hasText {
					stacks[cur].addr, hasText = s.Value, true
				}
			}
			if zi < len(f.zrefs) && f.zrefs[zi].sym == i {
				zi++
			}
		}
		closeCur()
		slices.SortStableFunc(stacks, func(a, b histStack) int { return cmp.Compare(a.addr, b.addr) })
		t.hist = stacks
	})
	return t.hist
}

// stackAt returns the index of the history stack covering pc: the last
// one whose address is not above pc, or -1.
func stackAt(h []histStack, pc uint64) int {
	lo, hi := 0, len(h)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if h[m].addr <= pc {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// LineAt returns the source file and line of the instruction at pc, as
// libmach's fileline does. ok is false when pc is outside text, when the
// file has no pc/line table or history (Go binaries have neither), where
// libmach would print "<eof>", and when the history names no file.
// It does not allocate.
func (f *File) LineAt(pc uint64) (file string, line int, ok bool) {
	if pc < f.Layout.TextStart || pc >= f.Layout.TextEnd || len(f.PCLine) == 0 {
		return "", 0, false
	}
	h := f.history()
	si := stackAt(h, pc)
	if si < 0 {
		return "", 0, false
	}
	abs, ok := f.absLine(pc)
	if !ok || abs <= 0 {
		return "", 0, false
	}
	return h[si].fileLine(abs)
}

func (s *histStack) fileLine(abs int32) (string, int, bool) {
	if len(s.ents) == 0 {
		return "", 0, false
	}
	file, line, _, st := fline(s.ents, abs, 0, false, 0)
	if st != flineFound || file == "" {
		return "", 0, false
	}
	return file, int(line), true
}

type flineStatus uint8

const (
	flineFound  flineStatus = iota // the line lies in this level
	flinePopped                    // nested level closed before the line; next is the pop
	flineFail                      // ran off the stack ("<eof>") or nested too deep
)

// maxIncludeDepth bounds fline's recursion on hostile tables; real
// include nesting is a handful of levels.
const maxIncludeDepth = 1000

// fline converts the absolute line to a file and a line in it by walking
// h from base, which is the start of one include level (a file or a
// #line directive). It follows libmach's fline: delta accumulates the
// lines of the files included at this level so far; a push while a file
// at this level is open is a deeper level, handled by recursion, which
// reports back at the pop that closes it when the line lies beyond
// (nested is set for such calls).
func fline(h []hent, abs int32, base int, nested bool, depth int) (file string, line int32, next int, st flineStatus) {
	if depth > maxIncludeDepth {
		return "", 0, 0, flineFail
	}
	start, i := base, base // start: the file open at this level
	delta := h[base].line
	for i < len(h) && abs > h[i].line {
		e := &h[i]
		switch {
		case e.pop:
			if start == base && nested {
				return "", 0, i, flinePopped
			}
			// The included file ends: its lines do not count at this level.
			delta += e.line - h[start].line
			start = base
			i++
		case e.offset != 0: // #line: a new level replaces this one
			delta = e.line - e.offset + 1
			start, base = i, i
			i++
		case start == base: // an included file begins
			start = i
			i++
		default: // it includes another
			file, line, next, st := fline(h, abs, start, true, depth+1)
			if st != flinePopped {
				return file, line, next, st
			}
			i = next
		}
	}
	if i >= len(h) {
		return "", 0, 0, flineFail
	}
	if start != base {
		return h[start].name, abs - h[start].line + 1, 0, flineFound
	}
	return h[start].name, abs - delta + 1, 0, flineFound
}

// PCForLine returns the lowest pc whose LineAt is line in file, for
// setting breakpoints. file matches a path that equals it or ends in "/"
// followed by it, so "echo.c" and "cmd/echo.c" both find
// "/sys/src/cmd/echo.c".
func (f *File) PCForLine(file string, line int) (uint64, bool) {
	if len(f.PCLine) == 0 || len(f.Text) == 0 || file == "" {
		return 0, false
	}
	file = path.Clean(file)
	h := f.history()
	f.lineOnce.Do(f.decodeLines)
	runs := f.lines
	if len(h) == 0 || len(runs) == 0 {
		return 0, false
	}
	type key struct {
		stack int
		abs   int32
	}
	memo := make(map[key]bool)
	text := f.Layout.TextStart
	last := f.Layout.TextEnd - 1
	lo := text // first pc of the current run
	for _, r := range runs {
		hi := text + uint64(r.end)
		if hi > last {
			hi = last
		}
		// A run may span the start of another object file: split it there.
		for a := lo; r.line > 0 && a <= hi; {
			si := stackAt(h, a)
			next := uint64(math.MaxUint64)
			if si+1 < len(h) {
				next = h[si+1].addr
			}
			if si >= 0 {
				k := key{si, r.line}
				m, seen := memo[k]
				if !seen {
					name, l, ok := h[si].fileLine(r.line)
					m = ok && l == line && matchFile(name, file)
					memo[k] = m
				}
				if m {
					return a, true
				}
			}
			if next > hi {
				break
			}
			a = next
		}
		if hi >= last {
			break
		}
		lo = hi + 1
	}
	return 0, false
}

// matchFile reports whether name is want or ends in "/"+want.
func matchFile(name, want string) bool {
	n := len(name) - len(want)
	return name == want || n > 0 && name[n-1] == '/' && name[n:] == want
}
