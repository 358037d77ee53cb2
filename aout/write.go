package aout

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// Builder assembles a small a.out, for tests that run machine code
// without a Plan 9 toolchain. The result has the layout 8l or 6l would
// give: Text is linked at Layout.TextStart (0x1020 or 0x200028) and Data
// at Layout.DataBase, so code and symbol values must use those addresses.
type Builder struct {
	Arch  Arch
	Text  []byte
	Data  []byte
	Bss   uint64
	Entry uint64 // 0 means the first text byte
	// Syms are written in order after any f records that z and Z names
	// need. A z or Z record's Name is a slash-separated path, split into
	// components (a leading "/" is one) that get f records of their own
	// unless Syms already has them; "" makes a pop.
	Syms   []Sym
	PCLine []byte // raw pc/line table (§1.6), usually empty
}

// Bytes returns the file. Arch must be Arch386 or ArchAMD64, every size
// must fit in 32 bits and there may be at most 65535 file-name
// components; Bytes panics otherwise.
// Text must not be empty, or the entry cannot lie in it and NewFile
// rejects the result.
func (b *Builder) Bytes() []byte {
	a := b.Arch
	if a != Arch386 && a != ArchAMD64 {
		panic(fmt.Sprintf("aout: Builder with bad arch %v", a))
	}
	hdrsz := 32
	if a == ArchAMD64 {
		hdrsz = 40
	}
	entry := b.Entry
	if entry == 0 {
		entry = a.UTZero() + uint64(hdrsz)
	}
	syms := b.symtab()
	var h []byte
	for _, v := range []uint64{
		uint64(a.Magic()), uint64(len(b.Text)), uint64(len(b.Data)), b.Bss, uint64(len(syms)),
		entry & 0x0FFFFFFF, 0, uint64(len(b.PCLine)),
	} {
		if v > math.MaxUint32 {
			panic("aout: Builder: size does not fit in 32 bits")
		}
		h = binary.BigEndian.AppendUint32(h, uint32(v))
	}
	if a == ArchAMD64 {
		// 6l stores entry&0x0FFFFFFF in the 32-bit field, the real one here.
		h = binary.BigEndian.AppendUint64(h, entry)
	} else {
		binary.BigEndian.PutUint32(h[20:], uint32(entry))
	}
	out := make([]byte, 0, len(h)+len(b.Text)+len(b.Data)+len(syms)+len(b.PCLine))
	out = append(out, h...)
	out = append(out, b.Text...)
	out = append(out, b.Data...)
	out = append(out, syms...)
	return append(out, b.PCLine...)
}

// pathElems splits a z record's path into file-name components.
func pathElems(p string) []string {
	var el []string
	if strings.HasPrefix(p, "/") {
		el = append(el, "/")
	}
	for _, e := range strings.Split(p, "/") {
		if e != "" {
			el = append(el, e)
		}
	}
	return el
}

// symtab encodes the symbol table.
func (b *Builder) symtab() []byte {
	index := make(map[string]uint64)
	var next uint64
	for _, s := range b.Syms {
		if s.Type == 'f' {
			if _, ok := index[s.Name]; !ok {
				index[s.Name] = s.Value
			}
			next = max(next, s.Value)
		}
	}
	var gen []Sym
	for _, s := range b.Syms {
		if s.Type != 'z' && s.Type != 'Z' {
			continue
		}
		for _, e := range pathElems(s.Name) {
			if _, ok := index[e]; !ok {
				next++
				index[e] = next
				gen = append(gen, Sym{Value: next, Type: 'f', Name: e})
			}
		}
	}
	if next > math.MaxUint16 {
		panic("aout: Builder: too many file-name components")
	}
	var out []byte
	for _, s := range append(gen, b.Syms...) {
		if b.Arch == ArchAMD64 {
			out = binary.BigEndian.AppendUint64(out, s.Value)
		} else {
			out = binary.BigEndian.AppendUint32(out, uint32(s.Value))
		}
		out = append(out, s.Type|0x80)
		if s.Type == 'z' || s.Type == 'Z' {
			out = append(out, 0)
			for _, e := range pathElems(s.Name) {
				out = binary.BigEndian.AppendUint16(out, uint16(index[e]))
			}
			out = append(out, 0, 0)
		} else {
			out = append(out, s.Name...)
			out = append(out, 0)
		}
	}
	return out
}
