package cpu

import "golang.org/x/arch/x86/x86asm"

// Compare-and-branch fusion. A block that ends in CMP or TEST of a
// register with a register or an immediate, followed by Jcc, also gets
// one handler that does both (block.fused): the comparison's flags are
// recorded as CMP or TEST would record them and the branch decided at
// once, which saves a dispatch per loop iteration. Run uses it
// when it runs the whole block; the two instructions stay in the block
// as they are for budgets that stop between them, for stepping and for
// fault positions, and the instruction count is the same either way.

// ALU lowering marks the fusible comparisons in inst.aux2.
const (
	fuseNone = iota
	fuseCmpRR
	fuseCmpRI
	fuseTestRR
	fuseTestRI
)

var fusedTab = [...][2]handler{
	fuseCmpRR:  {cmp32RRJcc, cmp64RRJcc},
	fuseCmpRI:  {cmp32RIJcc, cmp64RIJcc},
	fuseTestRR: {test32RRJcc, test64RRJcc},
	fuseTestRI: {test32RIJcc, test64RIJcc},
}

// fuse returns the fused form of cmp followed by j, or nil. The fused
// instruction keeps cmp's operands, takes j's condition in aux and its
// target in disp.
func fuse(cmp, j *inst) *inst {
	k := cmp.aux2
	if k == fuseNone || int(k) >= len(fusedTab) || cmp.size != 4 && cmp.size != 8 || !isJcc(x86asm.Op(j.op)) {
		return nil
	}
	f := *cmp
	f.fn = fusedTab[k][cmp.size/8]
	f.aux, f.disp = j.aux, j.imm
	f.len = cmp.len + j.len
	return &f
}

func isJcc(op x86asm.Op) bool {
	for _, o := range jccOps {
		if o == op {
			return true
		}
	}
	return false
}

// logicCond decides condition cc after a logical operation whose result,
// sign-extended, is r: CF and OF are clear.
func logicCond(c *CPU, cc uint8, r int64) bool {
	switch cc {
	case ccB:
		return false
	case ccAE:
		return true
	case ccE, ccBE:
		return r == 0
	case ccNE, ccA:
		return r != 0
	case ccS, ccL:
		return r < 0
	case ccNS, ccGE:
		return r >= 0
	case ccLE:
		return r <= 0
	case ccG:
		return r > 0
	}
	return c.cond(cc)
}

func cmp32RRJcc(c *CPU, in *inst) {
	d, s := uint32(c.R[in.d&15]), uint32(c.R[in.s&15])
	c.setLazy(lzSub, 4, uint64(d), uint64(s), uint64(d-s))
	if c.cond(in.aux) {
		c.PC = in.disp
	}
}

func cmp64RRJcc(c *CPU, in *inst) {
	d, s := c.R[in.d&15], c.R[in.s&15]
	c.setLazy(lzSub, 8, d, s, d-s)
	if c.cond(in.aux) {
		c.PC = in.disp
	}
}

func cmp32RIJcc(c *CPU, in *inst) {
	d, s := uint32(c.R[in.d&15]), uint32(in.imm)
	c.setLazy(lzSub, 4, uint64(d), uint64(s), uint64(d-s))
	if c.cond(in.aux) {
		c.PC = in.disp
	}
}

func cmp64RIJcc(c *CPU, in *inst) {
	d, s := c.R[in.d&15], in.imm
	c.setLazy(lzSub, 8, d, s, d-s)
	if c.cond(in.aux) {
		c.PC = in.disp
	}
}

func test32RRJcc(c *CPU, in *inst) {
	r := uint32(c.R[in.d&15]) & uint32(c.R[in.s&15])
	c.setLogic(4, uint64(r))
	if logicCond(c, in.aux, int64(int32(r))) {
		c.PC = in.disp
	}
}

func test64RRJcc(c *CPU, in *inst) {
	r := c.R[in.d&15] & c.R[in.s&15]
	c.setLogic(8, r)
	if logicCond(c, in.aux, int64(r)) {
		c.PC = in.disp
	}
}

func test32RIJcc(c *CPU, in *inst) {
	r := uint32(c.R[in.d&15]) & uint32(in.imm)
	c.setLogic(4, uint64(r))
	if logicCond(c, in.aux, int64(int32(r))) {
		c.PC = in.disp
	}
}

func test64RIJcc(c *CPU, in *inst) {
	r := c.R[in.d&15] & in.imm
	c.setLogic(8, r)
	if logicCond(c, in.aux, int64(r)) {
		c.PC = in.disp
	}
}
