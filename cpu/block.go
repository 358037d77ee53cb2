package cpu

import (
	"sync"
	"sync/atomic"

	"golang.org/x/arch/x86/x86asm"

	"9emu/mem"
)

const (
	bcBits   = 12
	bcSize   = 1 << bcBits
	maxBlock = 64 // instructions per block at most
)

// A block is a run of lowered instructions that ends at a control
// transfer, a system call or trap, or maxBlock instructions.
type block struct {
	pc    uint64 // address of the first instruction
	end   uint64 // address after the last instruction
	insts []inst
	cc    *codeCache

	// fused, if set, does the last two instructions (a comparison and a
	// conditional branch) in one handler; see fuse.go.
	fused *inst

	// next caches the blocks that followed this one: [0] at end (fall
	// through), [1] elsewhere (a taken branch, call or return). Only
	// blocks of the same segment are chained, so a chain never outlives
	// the code it leads to.
	next [2]atomic.Pointer[block]
}

// follow returns the block at pc if it is a cached successor of b.
func (b *block) follow(pc uint64) *block {
	if n := b.next[1].Load(); n != nil && n.pc == pc {
		return n
	}
	if n := b.next[0].Load(); n != nil && n.pc == pc {
		return n
	}
	return nil
}

// chain records n as b's successor at pc.
func (b *block) chain(pc uint64, n *block) {
	if n.cc != b.cc {
		return
	}
	if pc == b.end {
		b.next[0].Store(n)
	} else {
		b.next[1].Store(n)
	}
}

// offsetOf returns the byte offset of instruction i from the block start.
func (b *block) offsetOf(i int) int {
	off := 0
	for _, in := range b.insts[:i] {
		off += int(in.len)
	}
	return off
}

// codeCache holds the decoded blocks of one segment. It hangs off the
// segment (mem.Segment.Code), so every CPU running that segment shares it.
type codeCache struct {
	mu     sync.RWMutex
	blocks map[uint64]*block
}

func bcHash(pc uint64) uint64 { return (pc ^ pc>>bcBits) & (bcSize - 1) }

// block returns the decoded block starting at pc.
func (c *CPU) block(pc uint64) *block {
	h := bcHash(pc)
	if b := c.bc[h]; b != nil && b.pc == pc {
		return b
	}
	b := c.lookupBlock(pc)
	c.bc[h] = b
	return b
}

func (c *CPU) lookupBlock(pc uint64) *block {
	seg := c.Mem.SegmentAt(mem.Addr(pc))
	if seg == nil || seg.Perm&mem.Exec == 0 {
		c.cur = nil
		c.Fault = Fault{Trap: TrapPage, Addr: pc, Access: mem.Exec, Code: 4}
		c.raise(ExitFault)
	}
	cc := codeCacheOf(seg)
	cc.mu.RLock()
	b := cc.blocks[pc]
	cc.mu.RUnlock()
	if b != nil {
		return b
	}
	b = c.decodeBlock(pc)
	b.cc = cc
	cc.mu.Lock()
	if old := cc.blocks[pc]; old != nil {
		b = old
	} else {
		cc.blocks[pc] = b
	}
	cc.mu.Unlock()
	return b
}

func codeCacheOf(seg *mem.Segment) *codeCache {
	for {
		if p := seg.Code.Load(); p != nil {
			if cc, ok := (*p).(*codeCache); ok {
				return cc
			}
		}
		var v any = &codeCache{blocks: make(map[uint64]*block)}
		if seg.Code.CompareAndSwap(nil, &v) {
			return v.(*codeCache)
		}
	}
}

// fetch returns up to 15 instruction bytes at pc from executable memory.
// It faults if pc itself is not executable.
func (c *CPU) fetch(pc uint64, buf *[16]byte) []byte {
	n := 0
	a := pc
	for n < 15 {
		p, _, f := c.Mem.Lookup(mem.Addr(a), mem.Exec)
		if f != nil {
			if n == 0 {
				c.cur = nil
				c.Fault = Fault{Trap: TrapPage, Addr: a, Access: mem.Exec, Code: 4}
				c.raise(ExitFault)
			}
			break
		}
		n += copy(buf[n:15], p[a&mem.PageMask:])
		a = pc + uint64(n)
		if c.mode == Mode32 {
			a = uint64(uint32(a))
		}
	}
	return buf[:n]
}

// cutOff reports whether the instruction in code, all the bytes that can
// be fetched (fewer than 15), goes on past them: decoded with some bytes
// after them, it is longer. The bytes tried are ModRM bytes with every reg
// field (which may select the operation), for a register and a memory
// operand. x86asm does not always say that an instruction is truncated: a
// legacy one decodes as its first byte alone, and a VEX-encoded one cut
// off before its ModRM byte decodes without it.
func cutOff(code []byte, mode int) bool {
	var p [15]byte
	n := copy(p[:], code)
	for i := range 16 {
		b := byte(i&7<<3 | i>>3*0xc0)
		for j := n; j < len(p); j++ {
			p[j] = b
		}
		if x, err := x86asm.Decode(p[:], mode); err == nil && x.Len > n {
			return true
		}
	}
	return false
}

// decodeBlock decodes and lowers the block at pc.
func (c *CPU) decodeBlock(pc uint64) *block {
	b := &block{pc: pc}
	var buf [16]byte
	a := pc
	for len(b.insts) < maxBlock {
		code := c.fetch(a, &buf)
		x, err := x86asm.Decode(code, int(c.mode))
		if len(code) < 15 && cutOff(code, int(c.mode)) {
			if len(b.insts) > 0 {
				break // the instruction starts its own block
			}
			// The instruction runs into memory that cannot be
			// fetched: that is a fetch fault there.
			c.cur = nil
			c.Fault = Fault{Trap: TrapPage, Addr: a + uint64(len(code)), Access: mem.Exec, Code: 4}
			c.raise(ExitFault)
		}
		if err != nil {
			if len(b.insts) > 0 {
				break // the bad instruction starts its own block
			}
			in := inst{fn: opInvalid, len: 1}
			b.insts = append(b.insts, in)
			break
		}
		in, term := c.lower(&x, a)
		b.insts = append(b.insts, in)
		a += uint64(x.Len)
		if c.mode == Mode32 {
			a = uint64(uint32(a))
		}
		if term {
			break
		}
	}
	b.end = pc + uint64(b.offsetOf(len(b.insts)))
	if c.mode == Mode32 {
		b.end = uint64(uint32(b.end))
	}
	b.insts = b.insts[:len(b.insts):len(b.insts)]
	if n := len(b.insts); n >= 2 {
		b.fused = fuse(&b.insts[n-2], &b.insts[n-1])
	}
	return b
}
