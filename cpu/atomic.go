package cpu

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"9emu/mem"
)

// Locked read-modify-write instructions (LOCK prefix, XCHG with memory,
// CMPXCHG) must be atomic with respect to every other process that shares
// the memory. Naturally aligned accesses use sync/atomic on the page
// bytes; 8- and 16-bit ones are done as a 32-bit compare-and-swap on the
// containing aligned word; accesses that straddle a word (or a page) fall
// back to a striped lock, as a bus lock would.

// stripes are the fallback locks, shared by all CPUs of the host process
// because any two of them may share memory.
var stripes [64]sync.Mutex

func stripe(a uint64) *sync.Mutex { return &stripes[(a>>3)&63] }

// wptr returns a pointer to the host bytes of a, which must be writable,
// for an access of n bytes that does not cross a page.
func (c *CPU) wptr(a uint64) unsafe.Pointer {
	e := &c.wtlb[tlbIndex(a)]
	if e.tag != a>>mem.PageShift {
		c.wpage(a)
		e = &c.wtlb[tlbIndex(a)]
		if e.tag != a>>mem.PageShift {
			// Not cacheable as writable (should not happen after a
			// write lookup); use the page directly.
			p, _, f := c.Mem.Lookup(mem.Addr(a), mem.Write)
			if f != nil {
				c.pageFault(a, mem.Write)
			}
			return unsafe.Pointer(&p[a&mem.PageMask])
		}
	}
	return unsafe.Pointer(&e.page[a&mem.PageMask])
}

func (c *CPU) cas32(a uint64, old, new uint32) bool {
	if a&3 == 0 {
		return atomic.CompareAndSwapUint32((*uint32)(c.wptr(a)), old, new)
	}
	return c.casSlow(a, 4, uint64(old), uint64(new))
}

func (c *CPU) cas64(a uint64, old, new uint64) bool {
	if a&7 == 0 {
		return atomic.CompareAndSwapUint64((*uint64)(c.wptr(a)), old, new)
	}
	return c.casSlow(a, 8, old, new)
}

func (c *CPU) cas8(a uint64, old, new uint8) bool {
	w := a &^ 3
	sh := (a & 3) * 8
	p := (*uint32)(c.wptr(w))
	for {
		cur := atomic.LoadUint32(p)
		if uint8(cur>>sh) != old {
			return false
		}
		nw := cur&^(0xff<<sh) | uint32(new)<<sh
		if atomic.CompareAndSwapUint32(p, cur, nw) {
			return true
		}
	}
}

func (c *CPU) cas16(a uint64, old, new uint16) bool {
	if a&3 == 3 {
		return c.casSlow(a, 2, uint64(old), uint64(new))
	}
	w := a &^ 3
	sh := (a & 3) * 8
	p := (*uint32)(c.wptr(w))
	for {
		cur := atomic.LoadUint32(p)
		if uint16(cur>>sh) != old {
			return false
		}
		nw := cur&^(0xffff<<sh) | uint32(new)<<sh
		if atomic.CompareAndSwapUint32(p, cur, nw) {
			return true
		}
	}
}

// casSlow does an unaligned compare-and-swap under a stripe lock. It is
// atomic only against other locked operations, as on machines without
// split-lock support for the same address.
func (c *CPU) casSlow(a uint64, n uint8, old, new uint64) bool {
	c.wcheck(a, int(n))
	mu := stripe(a)
	mu.Lock()
	defer mu.Unlock()
	if c.rdN(a, n) != old {
		return false
	}
	c.wrN(a, n, new)
	return true
}

func (c *CPU) casN(a uint64, n uint8, old, new uint64) bool {
	switch n {
	case 1:
		return c.cas8(a, uint8(old), uint8(new))
	case 2:
		return c.cas16(a, uint16(old), uint16(new))
	case 4:
		return c.cas32(a, uint32(old), uint32(new))
	}
	return c.cas64(a, old, new)
}

// atomicRMW applies f to the n-byte value at a atomically and returns the
// old and new values, truncated to n bytes.
func (c *CPU) atomicRMW(a uint64, n uint8, f func(uint64) uint64) (old, new uint64) {
	m := sizeMask(n)
	c.wcheck(a, int(n))
	for {
		old = c.rdN(a, n)
		new = f(old) & m
		if c.casN(a, n, old, new) {
			return old, new
		}
	}
}

// atomicSwap stores v at a and returns the old value, atomically.
func (c *CPU) atomicSwap(a uint64, n uint8, v uint64) uint64 {
	switch {
	case n == 4 && a&3 == 0:
		c.wcheck(a, 4)
		return uint64(atomic.SwapUint32((*uint32)(c.wptr(a)), uint32(v)))
	case n == 8 && a&7 == 0:
		c.wcheck(a, 8)
		return atomic.SwapUint64((*uint64)(c.wptr(a)), v)
	}
	old, _ := c.atomicRMW(a, n, func(uint64) uint64 { return v })
	return old
}
