package cpu

import (
	"encoding/binary"

	"9emu/mem"
)

// The software TLB: two small direct-mapped caches (one for reads, one
// for writes) from guest page number to the host page. A hit costs a
// compare and an index; misses, accesses that cross a page and faults take
// the slow paths below, which ask mem.Space.
//
//	tag:  guest address >> 12 (tlbInvalid when empty)
//	page: the host bytes of that guest page
const (
	tlbBits    = 10
	tlbSize    = 1 << tlbBits
	tlbInvalid = ^uint64(0)
)

type tlbEntry struct {
	tag  uint64
	page *[mem.PageSize]byte
}

func tlbIndex(a uint64) uint64 { return (a >> mem.PageShift) & (tlbSize - 1) }

// pageFault ends the instruction with a page fault at a.
func (c *CPU) pageFault(a uint64, acc mem.Access) {
	code := uint64(4) // user mode
	if acc == mem.Write {
		code |= 2
	}
	c.Fault = Fault{Trap: TrapPage, Addr: a, Access: acc, Code: code}
	c.raise(ExitFault)
}

// rpage returns the page holding a for reading, filling the read TLB.
func (c *CPU) rpage(a uint64) *[mem.PageSize]byte {
	p, _, f := c.Mem.Lookup(mem.Addr(a), mem.Read)
	if f != nil {
		c.pageFault(a, mem.Read)
	}
	c.rtlb[tlbIndex(a)] = tlbEntry{tag: a >> mem.PageShift, page: p}
	return p
}

// wpage returns the page holding a for writing, filling both TLBs.
func (c *CPU) wpage(a uint64) *[mem.PageSize]byte {
	p, perm, f := c.Mem.Lookup(mem.Addr(a), mem.Write)
	if f != nil {
		c.pageFault(a, mem.Write)
	}
	e := tlbEntry{tag: a >> mem.PageShift, page: p}
	c.rtlb[tlbIndex(a)] = e
	if perm&mem.Write != 0 {
		c.wtlb[tlbIndex(a)] = e
	}
	return p
}

// rbytes and wbytes are the slow paths for any size: byte by byte, so a
// page-crossing access faults on the first byte it cannot touch. A write
// checks every page before it changes any byte.

//go:norace
func (c *CPU) rbytes(a uint64, b []byte) {
	for i := range b {
		x := c.addr(a + uint64(i))
		b[i] = c.rpage(x)[x&mem.PageMask]
	}
}

//go:norace
func (c *CPU) wbytes(a uint64, b []byte) {
	last := c.addr(a + uint64(len(b)) - 1)
	if last>>mem.PageShift != a>>mem.PageShift {
		c.wpage(last)
	}
	for i := range b {
		x := c.addr(a + uint64(i))
		c.wpage(x)[x&mem.PageMask] = b[i]
	}
}

// addr wraps an address to the mode's address size.
func (c *CPU) addr(a uint64) uint64 {
	if c.mode == Mode32 {
		return uint64(uint32(a))
	}
	return a
}

//go:norace
func (c *CPU) rd8(a uint64) uint8 {
	e := &c.rtlb[tlbIndex(a)]
	if e.tag == a>>mem.PageShift {
		return e.page[a&mem.PageMask]
	}
	return c.rpage(a)[a&mem.PageMask]
}

//go:norace
func (c *CPU) rd16(a uint64) uint16 {
	e := &c.rtlb[tlbIndex(a)]
	if o := a & mem.PageMask; e.tag == a>>mem.PageShift && o <= mem.PageSize-2 {
		return binary.LittleEndian.Uint16(e.page[o : o+2])
	}
	return c.rd16Slow(a)
}

// rd16Slow fills the TLB for an access within one page and makes it
// with one host load, as the fast path does: an aligned access must not
// be torn, or another thread could see half of a store (the Go runtime's
// atomic loads and stores are plain MOVs). Only an access that crosses
// pages goes byte by byte.
//
//go:norace
func (c *CPU) rd16Slow(a uint64) uint16 {
	if o := a & mem.PageMask; o <= mem.PageSize-2 {
		return binary.LittleEndian.Uint16(c.rpage(a)[o : o+2])
	}
	var b [2]byte
	c.rbytes(a, b[:])
	return binary.LittleEndian.Uint16(b[:])
}

//go:norace
func (c *CPU) rd32(a uint64) uint32 {
	e := &c.rtlb[tlbIndex(a)]
	if o := a & mem.PageMask; e.tag == a>>mem.PageShift && o <= mem.PageSize-4 {
		return binary.LittleEndian.Uint32(e.page[o : o+4])
	}
	return c.rd32Slow(a)
}

// rd32Slow fills the TLB for an access within one page and makes it
// with one host load, as the fast path does: an aligned access must not
// be torn, or another thread could see half of a store (the Go runtime's
// atomic loads and stores are plain MOVs). Only an access that crosses
// pages goes byte by byte.
//
//go:norace
func (c *CPU) rd32Slow(a uint64) uint32 {
	if o := a & mem.PageMask; o <= mem.PageSize-4 {
		return binary.LittleEndian.Uint32(c.rpage(a)[o : o+4])
	}
	var b [4]byte
	c.rbytes(a, b[:])
	return binary.LittleEndian.Uint32(b[:])
}

//go:norace
func (c *CPU) rd64(a uint64) uint64 {
	e := &c.rtlb[tlbIndex(a)]
	if o := a & mem.PageMask; e.tag == a>>mem.PageShift && o <= mem.PageSize-8 {
		return binary.LittleEndian.Uint64(e.page[o : o+8])
	}
	return c.rd64Slow(a)
}

// rd64Slow fills the TLB for an access within one page and makes it
// with one host load, as the fast path does: an aligned access must not
// be torn, or another thread could see half of a store (the Go runtime's
// atomic loads and stores are plain MOVs). Only an access that crosses
// pages goes byte by byte.
//
//go:norace
func (c *CPU) rd64Slow(a uint64) uint64 {
	if o := a & mem.PageMask; o <= mem.PageSize-8 {
		return binary.LittleEndian.Uint64(c.rpage(a)[o : o+8])
	}
	var b [8]byte
	c.rbytes(a, b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// rd128 reads 16 bytes as two little-endian quadwords.
func (c *CPU) rd128(a uint64) (lo, hi uint64) {
	return c.rd64(a), c.rd64(c.addr(a + 8))
}

//go:norace
func (c *CPU) wr8(a uint64, v uint8) {
	e := &c.wtlb[tlbIndex(a)]
	if e.tag == a>>mem.PageShift {
		e.page[a&mem.PageMask] = v
		return
	}
	c.wpage(a)[a&mem.PageMask] = v
}

//go:norace
func (c *CPU) wr16(a uint64, v uint16) {
	e := &c.wtlb[tlbIndex(a)]
	if o := a & mem.PageMask; e.tag == a>>mem.PageShift && o <= mem.PageSize-2 {
		binary.LittleEndian.PutUint16(e.page[o:o+2], v)
		return
	}
	c.wr16Slow(a, v)
}

// wr16Slow is rd16Slow's counterpart for stores.
//
//go:norace
func (c *CPU) wr16Slow(a uint64, v uint16) {
	if o := a & mem.PageMask; o <= mem.PageSize-2 {
		binary.LittleEndian.PutUint16(c.wpage(a)[o:o+2], v)
		return
	}
	var b [2]byte
	binary.LittleEndian.PutUint16(b[:], v)
	c.wbytes(a, b[:])
}

//go:norace
func (c *CPU) wr32(a uint64, v uint32) {
	e := &c.wtlb[tlbIndex(a)]
	if o := a & mem.PageMask; e.tag == a>>mem.PageShift && o <= mem.PageSize-4 {
		binary.LittleEndian.PutUint32(e.page[o:o+4], v)
		return
	}
	c.wr32Slow(a, v)
}

// wr32Slow is rd32Slow's counterpart for stores.
//
//go:norace
func (c *CPU) wr32Slow(a uint64, v uint32) {
	if o := a & mem.PageMask; o <= mem.PageSize-4 {
		binary.LittleEndian.PutUint32(c.wpage(a)[o:o+4], v)
		return
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	c.wbytes(a, b[:])
}

//go:norace
func (c *CPU) wr64(a uint64, v uint64) {
	e := &c.wtlb[tlbIndex(a)]
	if o := a & mem.PageMask; e.tag == a>>mem.PageShift && o <= mem.PageSize-8 {
		binary.LittleEndian.PutUint64(e.page[o:o+8], v)
		return
	}
	c.wr64Slow(a, v)
}

// wr64Slow is rd64Slow's counterpart for stores.
//
//go:norace
func (c *CPU) wr64Slow(a uint64, v uint64) {
	if o := a & mem.PageMask; o <= mem.PageSize-8 {
		binary.LittleEndian.PutUint64(c.wpage(a)[o:o+8], v)
		return
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	c.wbytes(a, b[:])
}

// wr128 writes 16 bytes; both halves are checked before either is
// written.
func (c *CPU) wr128(a uint64, lo, hi uint64) {
	c.wcheck(a, 16)
	c.wr64(a, lo)
	c.wr64(c.addr(a+8), hi)
}

// wcheck faults unless all n bytes at a are writable (for instructions
// that store more than once and must not store partially).
func (c *CPU) wcheck(a uint64, n int) {
	c.wpageCheck(a)
	if last := c.addr(a + uint64(n) - 1); last>>mem.PageShift != a>>mem.PageShift {
		c.wpageCheck(last)
	}
}

func (c *CPU) wpageCheck(a uint64) {
	if e := &c.wtlb[tlbIndex(a)]; e.tag == a>>mem.PageShift {
		return
	}
	c.wpage(a)
}

// rdN and wrN access n bytes (1, 2, 4 or 8) for the handlers that are
// generic over operand size.
func (c *CPU) rdN(a uint64, n uint8) uint64 {
	switch n {
	case 1:
		return uint64(c.rd8(a))
	case 2:
		return uint64(c.rd16(a))
	case 4:
		return uint64(c.rd32(a))
	}
	return c.rd64(a)
}

func (c *CPU) wrN(a uint64, n uint8, v uint64) {
	switch n {
	case 1:
		c.wr8(a, uint8(v))
	case 2:
		c.wr16(a, uint16(v))
	case 4:
		c.wr32(a, uint32(v))
	default:
		c.wr64(a, v)
	}
}

// ReadMem and WriteMem give debuggers and tests access to guest memory
// through the CPU's view; they return a fault instead of unwinding.
func (c *CPU) ReadMem(a uint64, b []byte) error  { return c.Mem.ReadAt(b, mem.Addr(a)) }
func (c *CPU) WriteMem(a uint64, b []byte) error { return c.Mem.WriteAt(b, mem.Addr(a)) }
