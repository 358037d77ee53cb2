package sys9

import (
	"bytes"
	"encoding/binary"
	"io"
	"path"

	"9emu/aout"
	"9emu/cpu"
	"9emu/mem"
)

// Tos ("top of stack") layout (§2.3): the kernel writes pid at every
// exec and rfork.
const (
	tosSize386   = 56
	tosSizeAMD64 = 72
	tosPid386    = 48
	tosPidAMD64  = 64
)

// maxExecSize bounds how much of a file exec reads.
const maxExecSize = 1 << 30

// openExec resolves and reads an executable, returning the parsed a.out
// and the Chan it was found at.
func (p *Proc) openExec(name string) (*aout.File, *Chan, error) {
	return p.openExecMode(name, true)
}

// openExecMode is openExec; needX false skips the execute-permission
// check (the host user named the first program explicitly, and files
// such as Go's test binaries are not marked executable).
func (p *Proc) openExecMode(name string, needX bool) (*aout.File, *Chan, error) {
	c, err := p.namec(name)
	if err != nil {
		return nil, nil, err
	}
	if c.isDir() {
		return nil, nil, Eperm
	}
	d, err := c.Dev.Stat(p, c)
	if err != nil {
		return nil, nil, err
	}
	if needX && d.Mode&(DMEXEC<<6|DMEXEC<<3|DMEXEC) == 0 {
		return nil, nil, Eperm
	}
	name = c.Name
	c, err = p.openChan(c, OREAD)
	if err != nil {
		return nil, nil, err
	}
	defer c.decref(p)
	data, err := readExec(p, c, int64(d.Length))
	if err != nil {
		return nil, nil, err
	}
	if f := p.k.images.find(name, data); f != nil {
		c.Name = name
		return f, c, nil
	}
	f, err := aout.NewFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		// Files linked at other addresses than exec's (8l -T0, as in
		// Go's debug/plan9obj testdata) run at their linked addresses
		// when their entry lies in their text there.
		if lf, lerr := (aout.Options{Linked: true}).NewFile(bytes.NewReader(data), int64(len(data))); lerr == nil &&
			lf.Entry >= lf.Layout.TextStart && lf.Entry < lf.Layout.TextEnd && lf.Layout.TextStart != f0TextStart(lf) {
			c.Name = name
			return lf, c, p.k.images.add(name, data, lf)
		}
	}
	if err != nil {
		return nil, nil, &execError{name: name, err: err, script: bytes.HasPrefix(data, []byte("#!")), data: data}
	}
	c.Name = name
	return f, c, p.k.images.add(name, data, f)
}

// readExec reads the whole of an executable open on c, whose length the
// directory entry gives as size (a hint: the file may change meanwhile).
func readExec(p *Proc, c *Chan, size int64) ([]byte, error) {
	buf := make([]byte, 0, min(max(size, 0)+1, maxExecSize))
	for int64(len(buf)) < maxExecSize {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := c.Dev.Read(p, c, buf[len(buf):cap(buf)], int64(len(buf)))
		buf = buf[:len(buf)+n]
		if err != nil && err != io.EOF {
			return nil, err
		}
		if n == 0 {
			break
		}
	}
	return buf, nil
}

// execError is an a.out that did not validate; exec turns it into
// "exec header invalid" (or runs it as a #! script).
type execError struct {
	name   string
	err    error
	script bool
	data   []byte
}

func (e *execError) Error() string { return e.name + ": " + e.err.Error() }

// load replaces the memory image and registers of p with the executable
// f, named name, started with argv (§1.3, §2.2, §2.4).
func (p *Proc) load(f *aout.File, name string, argv []string) error {
	l := &f.Layout
	s := mem.NewSpace()
	text := p.k.images.text(f)
	if text == nil {
		var err error
		if text, err = newText(f); err != nil {
			return err
		}
	}
	data := mem.NewSegment(mem.Data, mem.Addr(l.DataBase), mem.Addr(l.BssBase), mem.RW)
	if err := data.Load(mem.Addr(l.DataBase), f.Data); err != nil {
		return err
	}
	bss := mem.NewSegment(mem.Bss, mem.Addr(l.BssBase), mem.Addr(l.BssTop), mem.RW)
	stack := mem.NewSegment(mem.Stack, mem.Addr(l.StackBase), mem.Addr(l.StackTop), mem.RW)
	for _, g := range []*mem.Segment{text, data, bss, stack} {
		if err := s.Attach(g); err != nil {
			return err
		}
	}
	if b := p.k.budget; b != nil {
		for _, g := range []*mem.Segment{data, bss} {
			if g.Charge(b) != nil {
				s.Release()
				return Enovmem
			}
		}
	}
	mode := cpu.Mode32
	if f.Arch == aout.ArchAMD64 {
		mode = cpu.Mode64
	}
	c := cpu.New(mode, s)
	sp, tos, err := buildStack(c, f.Arch, l.StackTop, argv)
	if err != nil {
		return err
	}
	c.PC = f.Entry
	c.R[cpu.RSP] = sp
	c.R[cpu.RAX] = tos
	c.SetFlags(0)
	// 8c programs run with the FPU as Plan 9's kernel initialises it
	// (§9): double precision, invalid/zero-divide/overflow unmasked; the
	// amd64 kernel also unmasks them in MXCSR.
	c.FPU.CW = 0x0232
	if f.Arch == aout.ArchAMD64 {
		c.MXCSR = 0x1900
	} else {
		c.MXCSR = 0x1F80
	}
	p.cpu = c
	p.mem = s
	p.arch = f.Arch
	p.abi = abiFor(f.Arch)
	p.exe = name
	p.text = path.Base(name)
	p.args = append([]string(nil), argv...)
	p.bss = bss
	p.image = f
	return p.setTosPid()
}

// setTosPid writes the pid into the process's Tos.
func (p *Proc) setTosPid() error {
	top := p.arch.StackTop()
	if p.arch == aout.ArchAMD64 {
		return p.cpu.WriteU32(top-tosSizeAMD64+tosPidAMD64, uint32(p.pid))
	}
	return p.cpu.WriteU32(top-tosSize386+tosPid386, uint32(p.pid))
}

// buildStack lays out the arguments and Tos below top exactly as sysexec
// does and returns the initial SP (pointing at argc) and Tos address.
func buildStack(c *cpu.CPU, arch aout.Arch, top uint64, argv []string) (sp, tos uint64, err error) {
	w := uint64(arch.PtrSize())
	tossz := uint64(tosSize386)
	if arch == aout.ArchAMD64 {
		tossz = tosSizeAMD64
	}
	nbytes := tossz
	for _, a := range argv {
		nbytes += uint64(len(a)) + 1
	}
	nargs := uint64(len(argv))
	ssize := w*(nargs+1) + (nbytes+w-1)&^(w-1)
	if arch == aout.Arch386 && (ssize+4)%8 != 0 {
		ssize += 4
	}
	if nbytes+ssize > aout.StackSize/2 {
		return 0, 0, Etoobig
	}
	tos = top - tossz
	strs := top - nbytes
	argvAddr := top - ssize
	sp = argvAddr - w
	img := make([]byte, top-sp)
	put := func(a, v uint64) {
		o := a - sp
		if w == 8 {
			binary.LittleEndian.PutUint64(img[o:], v)
		} else {
			binary.LittleEndian.PutUint32(img[o:], uint32(v))
		}
	}
	put(sp, nargs)
	a := strs
	for i, s := range argv {
		put(argvAddr+uint64(i)*w, a)
		copy(img[a-sp:], s)
		a += uint64(len(s)) + 1
	}
	if err := c.WriteGuest(img, sp); err != nil {
		return 0, 0, err
	}
	return sp, tos, nil
}

// f0TextStart is where exec would put the first instruction.
func f0TextStart(f *aout.File) uint64 { return f.Arch.UTZero() + f.HdrSize }
