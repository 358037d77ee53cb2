package cpu

import (
	"encoding/binary"

	"golang.org/x/arch/x86/x86asm"

	"9emu/mem"
)

// String instructions. Their registers are RSI, RDI and RCX at the
// address size (iA32: 32-bit). With a REP prefix the progress lives in
// the registers, so a fault part way leaves them describing the elements
// still to do and the PC at the instruction, as on hardware.

const (
	strMovs = iota
	strStos
	strLods
	strScas
	strCmps
)

func init() {
	register(lowerString(strMovs, 1), x86asm.MOVSB)
	register(lowerString(strMovs, 2), x86asm.MOVSW)
	register(lowerString(strMovs, 4), x86asm.MOVSD)
	register(lowerString(strMovs, 8), x86asm.MOVSQ)
	register(lowerString(strStos, 1), x86asm.STOSB)
	register(lowerString(strStos, 2), x86asm.STOSW)
	register(lowerString(strStos, 4), x86asm.STOSD)
	register(lowerString(strStos, 8), x86asm.STOSQ)
	register(lowerString(strLods, 1), x86asm.LODSB)
	register(lowerString(strLods, 2), x86asm.LODSW)
	register(lowerString(strLods, 4), x86asm.LODSD)
	register(lowerString(strLods, 8), x86asm.LODSQ)
	register(lowerString(strScas, 1), x86asm.SCASB)
	register(lowerString(strScas, 2), x86asm.SCASW)
	register(lowerString(strScas, 4), x86asm.SCASD)
	register(lowerString(strScas, 8), x86asm.SCASQ)
	register(lowerString(strCmps, 1), x86asm.CMPSB)
	register(lowerString(strCmps, 2), x86asm.CMPSW)
	register(lowerString(strCmps, 4), x86asm.CMPSD)
	register(lowerString(strCmps, 8), x86asm.CMPSQ)
}

func lowerString(kind int, size uint8) lowerFn {
	return func(l *lw) bool {
		switch l.x.AddrSize {
		case 32:
			l.in.flags |= iA32
		case 64:
		default:
			return false
		}
		l.in.size = size
		l.in.aux = uint8(kind)
		// Of two REP prefixes only the last counts, as on the hardware;
		// x86asm marks the first one ignored, but lower sets both.
		l.in.flags &^= iRep | iRepN
		for _, p := range l.x.Prefix {
			if p == 0 {
				break
			}
			if p&x86asm.PrefixIgnored != 0 {
				continue
			}
			switch p &^ x86asm.PrefixImplicit {
			case x86asm.PrefixREP:
				l.in.flags |= iRep
			case x86asm.PrefixREPN:
				l.in.flags |= iRepN
			}
		}
		rep := l.in.flags&(iRep|iRepN) != 0
		switch {
		case !rep:
			l.in.fn = strOnce
		case kind == strMovs:
			l.in.fn = repMovs
		case kind == strStos:
			l.in.fn = repStos
		default:
			l.in.fn = repGeneric
		}
		return true
	}
}

func (c *CPU) sreg(in *inst, r int) uint64 {
	if in.flags&iA32 != 0 {
		return c.R[r] & 0xffffffff
	}
	return c.R[r]
}

func (c *CPU) ssetreg(in *inst, r int, v uint64) {
	if in.flags&iA32 != 0 {
		v &= 0xffffffff
	}
	c.R[r] = v
}

func (c *CPU) strDelta(in *inst) uint64 {
	if c.flags&FlagDF != 0 {
		return -uint64(in.size)
	}
	return uint64(in.size)
}

// strStep performs one element of the operation.
func (c *CPU) strStep(in *inst) {
	d := c.strDelta(in)
	switch in.aux {
	case strMovs:
		si, di := c.sreg(in, RSI), c.sreg(in, RDI)
		c.wrN(di, in.size, c.rdN(si, in.size))
		c.ssetreg(in, RSI, si+d)
		c.ssetreg(in, RDI, di+d)
	case strStos:
		di := c.sreg(in, RDI)
		c.wrN(di, in.size, c.R[RAX])
		c.ssetreg(in, RDI, di+d)
	case strLods:
		si := c.sreg(in, RSI)
		v := c.rdN(si, in.size)
		c.setR(RAX, in.size, v)
		c.ssetreg(in, RSI, si+d)
	case strScas:
		di := c.sreg(in, RDI)
		v := c.rdN(di, in.size)
		a := c.getR(RAX, in.size)
		c.setLazy(lzSub, in.size, a, v, (a-v)&sizeMask(in.size))
		c.ssetreg(in, RDI, di+d)
	case strCmps:
		si, di := c.sreg(in, RSI), c.sreg(in, RDI)
		a := c.rdN(si, in.size)
		b := c.rdN(di, in.size)
		c.setLazy(lzSub, in.size, a, b, (a-b)&sizeMask(in.size))
		c.ssetreg(in, RSI, si+d)
		c.ssetreg(in, RDI, di+d)
	}
}

func strOnce(c *CPU, in *inst) { c.strStep(in) }

// repGeneric runs REP LODS and REP/REPE/REPNE SCAS and CMPS element by
// element.
func repGeneric(c *CPU, in *inst) {
	cmp := in.aux == strScas || in.aux == strCmps
	for {
		n := c.sreg(in, RCX)
		if n == 0 {
			return
		}
		c.strStep(in)
		c.ssetreg(in, RCX, n-1)
		if cmp {
			z := c.zf()
			if in.flags&iRepN != 0 && z || in.flags&iRep != 0 && !z {
				return
			}
		}
	}
}

// rpageAt and wpageAt return the host page for a, through the TLB.
func (c *CPU) rpageAt(a uint64) *[mem.PageSize]byte {
	if e := &c.rtlb[tlbIndex(a)]; e.tag == a>>mem.PageShift {
		return e.page
	}
	return c.rpage(a)
}

func (c *CPU) wpageAt(a uint64) *[mem.PageSize]byte {
	if e := &c.wtlb[tlbIndex(a)]; e.tag == a>>mem.PageShift {
		return e.page
	}
	return c.wpage(a)
}

// chunk returns how many whole elements of size sz, starting at a and
// moving in direction fwd, lie in a's page (0 if the first one crosses
// the page end).
func chunk(a uint64, sz uint64, fwd bool) uint64 {
	o := a & mem.PageMask
	if fwd {
		return (mem.PageSize - o) / sz
	}
	if o+sz > mem.PageSize {
		return 0
	}
	return o/sz + 1
}

// repMovs copies page-sized chunks with copy() when that gives the same
// result as the element-by-element definition (the ranges do not overlap
// in the direction that would replicate data), and falls back to single
// elements otherwise.
func repMovs(c *CPU, in *inst) {
	sz := uint64(in.size)
	fwd := c.flags&FlagDF == 0
	for {
		n := c.sreg(in, RCX)
		if n == 0 {
			return
		}
		si, di := c.sreg(in, RSI), c.sreg(in, RDI)
		k := min(n, chunk(si, sz, fwd), chunk(di, sz, fwd))
		if k > 1 && c.mode == Mode32 {
			k = min(k, wrapRoom(si, sz, fwd), wrapRoom(di, sz, fwd))
		}
		if k <= 1 || hazard(si, di, k*sz, fwd) {
			c.strStep(in)
			c.ssetreg(in, RCX, n-1)
			continue
		}
		bytes := k * sz
		var slo, dlo uint64
		if fwd {
			slo, dlo = si, di
		} else {
			slo, dlo = si-(k-1)*sz, di-(k-1)*sz
		}
		dst := c.wpageAt(dlo)
		src := c.rpageAt(slo)
		copyGuest(dst[dlo&mem.PageMask:(dlo&mem.PageMask)+bytes], src[slo&mem.PageMask:(slo&mem.PageMask)+bytes])
		if fwd {
			c.ssetreg(in, RSI, si+bytes)
			c.ssetreg(in, RDI, di+bytes)
		} else {
			c.ssetreg(in, RSI, si-bytes)
			c.ssetreg(in, RDI, di-bytes)
		}
		c.ssetreg(in, RCX, n-k)
	}
}

// wrapRoom limits a chunk so that it does not wrap the 32-bit space.
func wrapRoom(a, sz uint64, fwd bool) uint64 {
	if fwd {
		return (1<<32 - a) / sz
	}
	return a/sz + 1
}

// hazard reports whether a block copy of n bytes would differ from
// element order: forward copies into a destination just above the
// source, backward copies into one just below.
func hazard(si, di, n uint64, fwd bool) bool {
	if fwd {
		return di > si && di < si+n
	}
	return di < si && di+n > si
}

//go:norace
func copyGuest(dst, src []byte) { copy(dst, src) }

// fillGuest stores v, sz bytes wide, over b. Each element is one host
// store, as REP STOS stores it: another thread must never see an element
// half written (Go's memclr of a slice of pointers relies on it).
//
//go:norace
func fillGuest(b []byte, v uint64, sz uint64) {
	switch sz {
	case 1:
		for i := range b {
			b[i] = byte(v)
		}
	case 2:
		for i := 0; i+2 <= len(b); i += 2 {
			binary.LittleEndian.PutUint16(b[i:], uint16(v))
		}
	case 4:
		for i := 0; i+4 <= len(b); i += 4 {
			binary.LittleEndian.PutUint32(b[i:], uint32(v))
		}
	default:
		for i := 0; i+8 <= len(b); i += 8 {
			binary.LittleEndian.PutUint64(b[i:], v)
		}
	}
}

func repStos(c *CPU, in *inst) {
	sz := uint64(in.size)
	fwd := c.flags&FlagDF == 0
	v := c.R[RAX]
	for {
		n := c.sreg(in, RCX)
		if n == 0 {
			return
		}
		di := c.sreg(in, RDI)
		k := min(n, chunk(di, sz, fwd))
		if k > 1 && c.mode == Mode32 {
			k = min(k, wrapRoom(di, sz, fwd))
		}
		if k <= 1 {
			c.strStep(in)
			c.ssetreg(in, RCX, n-1)
			continue
		}
		bytes := k * sz
		dlo := di
		if !fwd {
			dlo = di - (k-1)*sz
		}
		// Zeros stored over a whole page never touched leave it as it
		// is: a memclr of fresh memory (the Go runtime clears tens of
		// MiB of heap reservation at start-up) costs no host memory.
		if bytes != mem.PageSize || v&(1<<(8*sz)-1) != 0 || c.wtlb[tlbIndex(dlo)].tag == dlo>>mem.PageShift ||
			!c.Mem.Untouched(mem.Addr(dlo)) {
			dst := c.wpageAt(dlo)
			fillGuest(dst[dlo&mem.PageMask:(dlo&mem.PageMask)+bytes], v, sz)
		}
		if fwd {
			c.ssetreg(in, RDI, di+bytes)
		} else {
			c.ssetreg(in, RDI, di-bytes)
		}
		c.ssetreg(in, RCX, n-k)
	}
}
