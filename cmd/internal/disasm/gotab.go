package disasm

import (
	"debug/gosym"
	"encoding/binary"
	"fmt"
	"path"
	"slices"
	"strings"

	"9emu/aout"
)

// goTable is what a Go program's pclntab tells: pc to file:line (through
// debug/gosym) and, for unwinding, each function's bounds, flags and pc
// to stack-depth table (pcsp), which debug/gosym does not expose.
//
// Go's linker writes no a.out pc/line table; the runtime's own pclntab,
// which lies in the text segment between runtime.pclntab and
// runtime.epclntab, holds the same facts (this is how Go's
// cmd/internal/objfile reads Plan 9 binaries). Since Go 1.18 its pcs are
// relative to runtime.text.
type goTable struct {
	tab   *gosym.Table
	files []string // the file names of tab, for matching "file:line"

	// The Go 1.18+ header fields needed for pcsp (nfunc is zero if the
	// table is of another version: then there are lines but no frames).
	b        []byte
	text     uint64
	ptrSize  int
	quantum  uint64
	nfunc    int
	funcname uint64 // offsets in b
	pctab    uint64
	functab  uint64
	startLn  bool // _func has startLine (Go 1.20+)
}

// goFunc is one function of the table.
type goFunc struct {
	entry, end uint64
	name       string
	pcsp       uint32
	flag       uint8
}

// Function flags (runtime/abi.FuncFlag).
const (
	funcFlagTopFrame = 1 << 0 // the outermost frame of a goroutine or thread
	funcFlagSPWrite  = 1 << 1 // writes SP arbitrarily: its frame cannot be unwound
)

// newGoTable returns the Go table of f, nil if f is not a Go program, or
// an error if its pclntab cannot be read. debug/gosym is not hardened
// against malformed tables, so its panics become errors here.
func newGoTable(f *aout.File) (g *goTable, err error) {
	start, ok1 := f.LookupSym("runtime.pclntab")
	end, ok2 := f.LookupSym("runtime.epclntab")
	text, ok3 := f.LookupSym("runtime.text")
	if !ok1 || !ok2 || !ok3 {
		return nil, nil
	}
	b, ok := ImageBytes(f, start.Value, end.Value)
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
	g = &goTable{tab: tab, b: b, text: text.Value}
	for name := range tab.Files {
		g.files = append(g.files, name)
	}
	slices.Sort(g.files)
	g.readHeader()
	return g, nil
}

// readHeader reads the Go 1.18+ header (runtime/symtab.go pcHeader):
// magic, two zero bytes, the pc quantum, the pointer size, then nfunc,
// nfiles, textStart and the offsets of funcnametab, cutab, filetab,
// pctab and the function table, each pointer-sized.
func (g *goTable) readHeader() {
	b := g.b
	if len(b) < 8 {
		return
	}
	magic := binary.LittleEndian.Uint32(b)
	if magic != 0xFFFFFFF0 && magic != 0xFFFFFFF1 || b[4] != 0 || b[5] != 0 {
		return
	}
	ps := int(b[7])
	if ps != 4 && ps != 8 || len(b) < 8+8*ps {
		return
	}
	word := func(i int) uint64 {
		o := 8 + i*ps
		if ps == 8 {
			return binary.LittleEndian.Uint64(b[o:])
		}
		return uint64(binary.LittleEndian.Uint32(b[o:]))
	}
	nfunc := word(0)
	g.funcname, g.pctab, g.functab = word(3), word(6), word(7)
	n := uint64(len(b))
	if nfunc == 0 || nfunc > n/8 || g.funcname > n || g.pctab > n || g.functab > n || g.functab+(nfunc+1)*8 > n {
		return
	}
	g.ptrSize, g.quantum, g.nfunc = ps, uint64(b[6]), int(nfunc)
	g.startLn = magic == 0xFFFFFFF1
}

// lineAt returns the file and line of the instruction at pc.
func (g *goTable) lineAt(pc uint64) (file string, line int, ok bool) {
	defer func() {
		if recover() != nil {
			file, line, ok = "", 0, false
		}
	}()
	file, line, fn := g.tab.PCToLine(pc)
	return file, line, fn != nil && file != ""
}

// pcForLine returns the lowest pc of line in the file whose name is file
// or ends in "/"+file.
func (g *goTable) pcForLine(file string, line int) (pc uint64, ok bool) {
	defer func() {
		if recover() != nil {
			pc, ok = 0, false
		}
	}()
	file = path.Clean(file)
	for _, name := range g.files {
		if name == file || strings.HasSuffix(name, "/"+file) {
			if pc, _, err := g.tab.LineToPC(name, line); err == nil {
				return pc, true
			}
		}
	}
	return 0, false
}

// u32 reads a little-endian word of the table at off, or reports that it
// is out of bounds.
func (g *goTable) u32(off uint64) (uint32, bool) {
	if off > uint64(len(g.b)) || uint64(len(g.b))-off < 4 {
		return 0, false
	}
	return binary.LittleEndian.Uint32(g.b[off:]), true
}

// funcAt returns the function holding pc: the function table is nfunc+1
// (entry offset, _func offset) pairs sorted by entry, the last one giving
// the end of the last function.
func (g *goTable) funcAt(pc uint64) (goFunc, bool) {
	if g.nfunc == 0 || pc < g.text {
		return goFunc{}, false
	}
	rel := pc - g.text
	entryAt := func(i int) uint64 {
		v, _ := g.u32(g.functab + uint64(i)*8)
		return uint64(v)
	}
	lo, hi := 0, g.nfunc
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if entryAt(m) <= rel {
			lo = m + 1
		} else {
			hi = m
		}
	}
	i := lo - 1
	if i < 0 || rel >= entryAt(g.nfunc) {
		return goFunc{}, false
	}
	foff, ok := g.u32(g.functab + uint64(i)*8 + 4)
	if !ok {
		return goFunc{}, false
	}
	// _func: entryOff, nameOff, args, deferreturn, pcsp, pcfile, pcln,
	// npcdata, cuOffset, [startLine (Go 1.20+)], funcID, flag, ...
	base := g.functab + uint64(foff)
	nameOff, ok1 := g.u32(base + 4)
	pcsp, ok2 := g.u32(base + 16)
	flagOff := base + 37
	if g.startLn {
		flagOff += 4
	}
	if !ok1 || !ok2 || flagOff >= uint64(len(g.b)) {
		return goFunc{}, false
	}
	f := goFunc{entry: g.text + entryAt(i), end: g.text + entryAt(i+1), pcsp: pcsp, flag: g.b[flagOff]}
	if no := g.funcname + uint64(nameOff); no < uint64(len(g.b)) {
		name := g.b[no:]
		if j := slices.Index(name, 0); j >= 0 {
			f.name = string(name[:j])
		}
	}
	return f, true
}

// spDelta returns the stack depth of f at pc: how far SP is below where
// it was at the function's entry (where the return address is), from the
// pcsp table. The table is a sequence of (value delta, pc delta) varint
// pairs, the value zig-zag encoded, starting from value -1 at the entry;
// a value holds for the pcs below the pc its pair reaches.
func (g *goTable) spDelta(f goFunc, pc uint64) (int64, bool) {
	if f.pcsp == 0 {
		return 0, pc == f.entry
	}
	off := g.pctab + uint64(f.pcsp)
	if off >= uint64(len(g.b)) {
		return 0, false
	}
	p := g.b[off:]
	val, cur := int64(-1), f.entry
	for first := true; ; first = false {
		uv, n := binary.Uvarint(p)
		if n <= 0 || uv == 0 && !first {
			return 0, false
		}
		p = p[n:]
		val += int64(-(uv & 1) ^ (uv >> 1))
		pcd, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, false
		}
		p = p[n:]
		cur += pcd * g.quantum
		if pc < cur {
			return val, val >= 0
		}
		if cur >= f.end {
			return 0, false
		}
	}
}
