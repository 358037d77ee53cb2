package sys9

import (
	"bytes"
	"sync"

	"9emu/aout"
	"9emu/mem"
)

// imageCacheMax bounds how many executables the image cache keeps.
const imageCacheMax = 8

// An imageCache keeps the executables run recently, as Plan 9's kernel
// keeps the text images of programs: every process running the same file
// maps the same read-only text segment, so its pages are loaded once and
// its instructions, which the CPU decodes into a cache hanging off the
// segment, are decoded once for all of them. A shell loop that runs a
// small program hundreds of times decodes it once.
//
// An entry is found by the executable's name and confirmed by its whole
// contents, so a file changed on the host is never run from a stale copy.
type imageCache struct {
	mu   sync.Mutex
	ents []*image // most recently used first
}

type image struct {
	name string
	data []byte     // the file's contents
	file *aout.File // parsed from data
	text *mem.Segment
	hold *mem.Space // maps text while the entry lives, so its pages stay
}

// find returns the cached parse of the executable name whose contents
// are data, or nil.
func (ic *imageCache) find(name string, data []byte) *aout.File {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	for i, im := range ic.ents {
		if im.name == name && bytes.Equal(im.data, data) {
			copy(ic.ents[1:i+1], ic.ents[:i])
			ic.ents[0] = im
			return im.file
		}
	}
	return nil
}

// add remembers f, parsed from data, the executable name, with its text
// segment.
func (ic *imageCache) add(name string, data []byte, f *aout.File) error {
	g, err := newText(f)
	if err != nil {
		return err
	}
	hold := mem.NewSpace()
	if err := hold.Attach(g); err != nil {
		return err
	}
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.ents = append([]*image{{name: name, data: data, file: f, text: g, hold: hold}}, ic.ents...)
	for len(ic.ents) > imageCacheMax {
		last := ic.ents[len(ic.ents)-1]
		ic.ents = ic.ents[:len(ic.ents)-1]
		last.hold.Release()
	}
	return nil
}

// text returns the cached text segment of f, or nil.
func (ic *imageCache) text(f *aout.File) *mem.Segment {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	for _, im := range ic.ents {
		if im.file == f {
			return im.text
		}
	}
	return nil
}

// newText makes the text segment of f: its header too when exec's
// layout puts the header at the base of text.
func newText(f *aout.File) (*mem.Segment, error) {
	l := &f.Layout
	text := mem.NewSegment(mem.Text, mem.RoundDown(mem.Addr(l.TextBase), mem.PageSize),
		mem.RoundUp(mem.Addr(l.TextEnd), mem.Addr(f.Arch.SegAlign())), mem.RX)
	if l.TextBase+f.HdrSize == l.TextStart {
		if err := text.Load(mem.Addr(l.TextBase), f.Header); err != nil {
			return nil, err
		}
	}
	if err := text.Load(mem.Addr(l.TextStart), f.Text); err != nil {
		return nil, err
	}
	return text, nil
}
