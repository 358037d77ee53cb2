package cpu

// X87 is the x87 FPU state.
type X87 struct {
	CW  uint16 // control word
	SW  uint16 // status word (TOP in bits 11-13)
	Tag uint16 // full tag word, two bits per physical register
}

func (f *X87) reset() {
	f.CW = 0x037F
	f.SW = 0
	f.Tag = 0xFFFF
}
