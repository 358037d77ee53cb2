package aout

// Address-space constants of the 9front kernels (plan9-abi.md §1.3, §2.1).
const (
	PageSize  = 4096     // BY2PG on both architectures
	StackSize = 16 << 20 // USTKSIZE

	UTZero386     = 0x1000             // UTZERO: text segment base; the header is mapped here
	UTZeroAMD64   = 0x200000           // UTZERO on amd64
	StackTop386   = 0xDFFFF000         // USTKTOP: the address just above the stack
	StackTopAMD64 = 0x00007FFFFFFFF000 // USTKTOP on amd64

	segAlign386   = PageSize // data follows text at this alignment
	segAlignAMD64 = 2 << 20  // 6l's INITRND
)

// UTZero returns the base of the text segment, where exec maps the header.
func (a Arch) UTZero() uint64 {
	if a == ArchAMD64 {
		return UTZeroAMD64
	}
	return UTZero386
}

// SegAlign returns the alignment of the data segment's start.
func (a Arch) SegAlign() uint64 {
	if a == ArchAMD64 {
		return segAlignAMD64
	}
	return segAlign386
}

// StackTop returns USTKTOP, the address just above the user stack.
func (a Arch) StackTop() uint64 {
	if a == ArchAMD64 {
		return StackTopAMD64
	}
	return StackTop386
}

// StackBase returns USTKTOP-USTKSIZE, the lowest stack address; every
// other segment lies below it.
func (a Arch) StackBase() uint64 { return a.StackTop() - StackSize }

// PtrSize returns the size in bytes of a pointer, and of a symbol value.
func (a Arch) PtrSize() int {
	if a == ArchAMD64 {
		return 8
	}
	return 4
}

// Magic returns the header magic number of the architecture.
func (a Arch) Magic() uint32 {
	if a == ArchAMD64 {
		return MagicAMD64
	}
	return Magic386
}

// Layout is the virtual memory image of a File (§1.3). End addresses are
// exclusive and unrounded; exec rounds each segment up to PageSize, and
// BssBase and BssTop give the bss segment it builds.
//
//	TextBase   header (HdrSize bytes; not mapped if TextStart < HdrSize)
//	TextStart  text (first instruction byte)
//	TextEnd    zeros up to DataBase
//	DataBase   data = roundup(TextEnd, Arch.SegAlign())
//	DataEnd    bss starts here (the linker's edata)
//	BssEnd     the linker's end; the initial break rounds up from here
//	StackBase  stack, up to StackTop
type Layout struct {
	TextBase  uint64 // UTZERO: segment start
	TextStart uint64 // TextBase+HdrSize
	TextEnd   uint64 // TextStart+len(Text)
	DataBase  uint64 // roundup(TextEnd, 4 KiB on 386, 2 MiB on amd64)
	DataEnd   uint64 // DataBase+len(Data): edata
	BssBase   uint64 // roundup(DataEnd, PageSize): start of exec's bss segment
	BssEnd    uint64 // DataEnd+BssSize: end
	BssTop    uint64 // roundup(BssEnd, PageSize): end of exec's bss segment
	StackBase uint64 // USTKTOP-USTKSIZE
	StackTop  uint64 // USTKTOP
}

func roundUp(x, n uint64) uint64 { return (x + n - 1) &^ (n - 1) }

// execLayout lays out text, data and bss as 9front's sysexec does.
// Sizes are at most 32 bits, so nothing here overflows.
func execLayout(a Arch, hdrsz, text, data, bss uint64) Layout {
	return layoutAt(a, a.UTZero(), a.UTZero()+hdrsz, text, data, bss)
}

func layoutAt(a Arch, base, start, text, data, bss uint64) Layout {
	var l Layout
	l.TextBase = base
	l.TextStart = start
	l.TextEnd = l.TextStart + text
	l.DataBase = roundUp(l.TextEnd, a.SegAlign())
	l.DataEnd = l.DataBase + data
	l.BssBase = roundUp(l.DataEnd, PageSize)
	l.BssEnd = l.DataEnd + bss
	l.BssTop = roundUp(l.BssEnd, PageSize)
	l.StackBase = a.StackBase()
	l.StackTop = a.StackTop()
	return l
}

// check applies exec's checks: the entry must be an address in text, and
// every segment must end below the stack (so on amd64 all addresses are
// in the lower half, below 0x800000000000).
func (l *Layout) check(a Arch, entry uint64) error {
	if entry < l.TextStart || entry >= l.TextEnd {
		return errorf("entry %#x outside text [%#x, %#x)", entry, l.TextStart, l.TextEnd)
	}
	for _, s := range []struct {
		name string
		end  uint64
	}{{"text", l.TextEnd}, {"data", l.DataEnd}, {"bss", l.BssEnd}} {
		if s.end >= l.StackBase {
			return errorf("%s end %#x reaches the %s stack at %#x", s.name, s.end, a, l.StackBase)
		}
	}
	return nil
}

// userEnd bounds the addresses a linked layout may use.
func userEnd(a Arch) uint64 {
	if a == ArchAMD64 {
		return 1 << 47
	}
	return 1 << 32
}

// linkedLayout lays f out where its linker put it, deriving the start of
// text from the etext symbol (Options.Linked).
func linkedLayout(f *File) (Layout, bool) {
	etext, ok := f.lookupType("etext", 'T')
	text := uint64(len(f.Text))
	if !ok || etext.Value < text || etext.Value > userEnd(f.Arch) {
		return Layout{}, false
	}
	start := etext.Value - text
	base := start
	if start >= f.HdrSize {
		base = start - f.HdrSize
	}
	l := layoutAt(f.Arch, base, start, text, uint64(len(f.Data)), f.BssSize)
	if l.BssTop > userEnd(f.Arch) {
		return Layout{}, false
	}
	return l, true
}
