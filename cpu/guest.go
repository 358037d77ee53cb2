package cpu

import (
	"encoding/binary"

	"9emu/mem"
)

// Guest memory access for the operating system side (system-call
// arguments, Tos, note frames). These go through the TLB like the
// interpreter but report faults as values instead of unwinding.

// ReadGuest copies guest memory at a into b.
//
//go:norace
func (c *CPU) ReadGuest(b []byte, a uint64) error {
	c.Mem.Enter()
	defer c.Mem.Leave()
	if g := c.Mem.Gen(); g != c.gen {
		c.Flush()
	}
	for len(b) > 0 {
		e := &c.rtlb[tlbIndex(a)]
		var p *[mem.PageSize]byte
		if e.tag == a>>mem.PageShift {
			p = e.page
		} else {
			q, _, f := c.Mem.Lookup(mem.Addr(a), mem.Read)
			if f != nil {
				return f
			}
			c.rtlb[tlbIndex(a)] = tlbEntry{tag: a >> mem.PageShift, page: q}
			p = q
		}
		n := copy(b, p[a&mem.PageMask:])
		b = b[n:]
		a = c.addr(a + uint64(n))
	}
	return nil
}

// WriteGuest copies b into guest memory at a; nothing is written unless
// all of it is writable.
//
//go:norace
func (c *CPU) WriteGuest(b []byte, a uint64) error {
	c.Mem.Enter()
	defer c.Mem.Leave()
	if g := c.Mem.Gen(); g != c.gen {
		c.Flush()
	}
	if err := c.Mem.Check(mem.Addr(a), mem.Addr(len(b)), mem.Write); err != nil {
		return err
	}
	for len(b) > 0 {
		e := &c.wtlb[tlbIndex(a)]
		var p *[mem.PageSize]byte
		if e.tag == a>>mem.PageShift {
			p = e.page
		} else {
			q, perm, f := c.Mem.Lookup(mem.Addr(a), mem.Write)
			if f != nil {
				return f
			}
			ent := tlbEntry{tag: a >> mem.PageShift, page: q}
			c.rtlb[tlbIndex(a)] = ent
			if perm&mem.Write != 0 {
				c.wtlb[tlbIndex(a)] = ent
			}
			p = q
		}
		n := copy(p[a&mem.PageMask:], b)
		b = b[n:]
		a = c.addr(a + uint64(n))
	}
	return nil
}

// ReadU32 and ReadU64 read one little-endian word.
func (c *CPU) ReadU32(a uint64) (uint32, error) {
	var b [4]byte
	if err := c.ReadGuest(b[:], a); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

func (c *CPU) ReadU64(a uint64) (uint64, error) {
	var b [8]byte
	if err := c.ReadGuest(b[:], a); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// WriteU32 and WriteU64 write one little-endian word.
func (c *CPU) WriteU32(a uint64, v uint32) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return c.WriteGuest(b[:], a)
}

func (c *CPU) WriteU64(a uint64, v uint64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return c.WriteGuest(b[:], a)
}

// ReadString reads a NUL-terminated string of at most max bytes at a;
// ok is false when no NUL was found within max bytes.
func (c *CPU) ReadString(a uint64, max int) (s string, ok bool, err error) {
	var buf []byte
	var chunk [256]byte
	for len(buf) < max {
		n := min(len(chunk), max-len(buf), int(mem.PageSize-a&mem.PageMask))
		if err := c.ReadGuest(chunk[:n], a); err != nil {
			return "", false, err
		}
		for i, b := range chunk[:n] {
			if b == 0 {
				return string(append(buf, chunk[:i]...)), true, nil
			}
		}
		buf = append(buf, chunk[:n]...)
		a = c.addr(a + uint64(n))
	}
	return string(buf), false, nil
}
