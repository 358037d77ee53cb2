package aout

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync"
)

// Arch is the machine an executable is built for.
type Arch uint8

// The architectures this package accepts.
const (
	Arch386   Arch = iota + 1 // 8c/8l, I_MAGIC
	ArchAMD64                 // 6c/6l, S_MAGIC
)

// String returns the Go-style name of the architecture, "386" or "amd64".
func (a Arch) String() string {
	switch a {
	case Arch386:
		return "386"
	case ArchAMD64:
		return "amd64"
	}
	return fmt.Sprintf("Arch(%d)", uint8(a))
}

// Header magic numbers (a.out(6); plan9-abi.md §1.1).
const (
	Magic386   = 0x1EB  // I_MAGIC = _MAGIC(0, 11)
	MagicAMD64 = 0x8A97 // S_MAGIC = _MAGIC(HdrMagic, 26)

	// HdrMagic marks a header followed by a 64-bit big-endian entry
	// address, and symbol values of 8 bytes.
	HdrMagic = 0x8000
	// DynMagic marks a dynamically loadable module, never a program.
	DynMagic = 0x80000000
)

// magic computes a.out.h's _MAGIC(f, b).
func magic(f, b uint32) uint32 { return f | ((4*b+0)*b + 7) }

// otherMagics names the Plan 9 magics this package recognises but does
// not run, so that the error can say what the file is. The index is b in
// _MAGIC(f, b); the HDR_MAGIC flag is ignored when matching.
var otherMagics = map[uint32]string{
	8:  "68020",
	12: "960",
	13: "sparc",
	16: "mips",
	17: "3210",
	18: "mips4000",
	19: "29000",
	20: "arm",
	21: "power",
	22: "mips4000le",
	23: "alpha",
	24: "mipsle",
	25: "sparc64",
	27: "power64",
	28: "arm64",
	29: "riscv",
	30: "riscv64",
}

// archOf maps a header magic to an Arch, or explains why it cannot.
func archOf(m uint32) (Arch, error) {
	switch m {
	case Magic386:
		return Arch386, nil
	case MagicAMD64:
		return ArchAMD64, nil
	}
	if m&DynMagic != 0 {
		if _, err := archOf(m &^ DynMagic); err == nil {
			return 0, errorf("magic %#x: dynamically loadable module, not a program", m)
		}
	}
	for b, name := range otherMagics {
		if m&^HdrMagic == magic(0, b) {
			return 0, errorf("unsupported architecture %s (magic %#x)", name, m)
		}
	}
	return 0, errorf("not a Plan 9 executable (magic %#x)", m)
}

// Error is the error returned for a file this package rejects, and the
// one SymErr reports for a malformed table.
type Error struct {
	Name string // file name, when the File came from Open
	Msg  string // what is wrong, without the "aout: " or name prefix
	Err  error  // underlying read error, if any
}

// Error returns the message, prefixed with the file name or "aout".
func (e *Error) Error() string {
	p := "aout"
	if e.Name != "" {
		p = e.Name
	}
	s := p + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying read error, if any.
func (e *Error) Unwrap() error { return e.Err }

func errorf(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// A File is a parsed a.out. Its byte slices share one buffer holding the
// file from offset 0 up to the end of the pc/line table; callers must not
// modify them. A File is safe for concurrent use.
type File struct {
	Arch    Arch
	Magic   uint32
	HdrSize uint64 // 32, or 40 with HdrMagic
	Entry   uint64 // the real entry: the 64-bit field for HdrMagic files
	BssSize uint64
	Layout  Layout

	Header []byte // the raw header; exec maps it at Layout.TextBase, before Text
	Text   []byte // text bytes, without the header
	Data   []byte // initialised data
	SymTab []byte // raw symbol table (§1.5)
	PCSP   []byte // raw pc/sp table; always empty on x86
	PCLine []byte // raw pc/line table (§1.6); empty in Go binaries

	name  string // set by Open, for lazily reported errors
	image []byte // Header and Text, contiguous

	symOnce sync.Once
	syms    []Sym
	zrefs   []zref // file-name index lists of z and Z records
	symErr  error

	tabOnce sync.Once
	tab     *symTables

	lineOnce sync.Once
	lines    []lineRun
	lineErr  error
}

// TextImage returns the header followed by the text: the file bytes the
// kernel maps at Layout.TextBase.
func (f *File) TextImage() []byte { return f.image }

// Options adjust how a file is parsed. The zero value gives NewFile's and
// Open's behaviour.
type Options struct {
	// Linked lays the file out at the addresses its linker used, as
	// recorded by the etext symbol (text start = etext - text size),
	// instead of at exec's UTZERO, and skips the checks only exec makes
	// (entry inside text, segments below the stack). It is for
	// inspecting files linked with -T, such as the 8l/6l -T0 builds in
	// Go's debug/plan9obj testdata, whose symbols and pc/line table are
	// relative to address 0. Without a usable etext the exec layout is
	// used.
	Linked bool
}

// NewFile parses the a.out held by r, which is size bytes long, as exec
// would load it.
func NewFile(r io.ReaderAt, size int64) (*File, error) {
	return Options{}.NewFile(r, size)
}

// Open reads and parses the named a.out, as exec would load it. Errors
// name the file.
func Open(name string) (*File, error) {
	return Options{}.Open(name)
}

// Open is like the package-level Open, with options.
func (o Options) Open(name string) (*File, error) {
	fd, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	st, err := fd.Stat()
	if err != nil {
		return nil, err
	}
	return o.newFile(fd, st.Size(), name)
}

// header holds the fixed fields of an a.out header.
type header struct {
	magic, text, data, bss, syms, entry, spsz, pcsz uint32
}

// NewFile is like the package-level NewFile, with options.
func (o Options) NewFile(r io.ReaderAt, size int64) (*File, error) {
	return o.newFile(r, size, "")
}

// newFile parses a file; name, if not empty, prefixes error messages.
func (o Options) newFile(r io.ReaderAt, size int64, name string) (*File, error) {
	f, err := o.parse(r, size, name)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Name = name
		}
		return nil, err
	}
	return f, nil
}

func (o Options) parse(r io.ReaderAt, size int64, name string) (*File, error) {
	if size < 0 {
		return nil, errorf("negative file size %d", size)
	}
	var hb [40]byte
	n := min(size, 32)
	if n < 4 {
		return nil, errorf("truncated header: file size %d", size)
	}
	if err := readFull(r, hb[:n], 0); err != nil {
		return nil, &Error{Msg: "reading header", Err: err}
	}
	m := binary.BigEndian.Uint32(hb[:])
	arch, err := archOf(m)
	if err != nil {
		return nil, err
	}
	hdrsz := uint64(32)
	if m&HdrMagic != 0 {
		hdrsz = 40
	}
	if uint64(size) < hdrsz {
		return nil, errorf("truncated header: file size %d, %s header is %d bytes", size, arch, hdrsz)
	}
	if hdrsz > 32 {
		if err := readFull(r, hb[32:hdrsz], 32); err != nil {
			return nil, &Error{Msg: "reading header", Err: err}
		}
	}
	var h header
	for i, p := range []*uint32{&h.magic, &h.text, &h.data, &h.bss, &h.syms, &h.entry, &h.spsz, &h.pcsz} {
		*p = binary.BigEndian.Uint32(hb[4*i:])
	}
	entry := uint64(h.entry)
	if hdrsz == 40 {
		// The 32-bit field holds a masked copy (§1.1); the real entry follows.
		entry = binary.BigEndian.Uint64(hb[32:])
	}

	// Each section must lie inside the file. Sizes are 32-bit, so the
	// running offset cannot overflow a uint64.
	off := hdrsz
	for _, s := range []struct {
		name string
		size uint32
	}{{"text", h.text}, {"data", h.data}, {"symbol table", h.syms}, {"pc/sp table", h.spsz}, {"pc/line table", h.pcsz}} {
		if off+uint64(s.size) > uint64(size) {
			return nil, errorf("%s size %#x at offset %#x exceeds file size %d", s.name, s.size, off, size)
		}
		off += uint64(s.size)
	}

	f := &File{
		Arch:    arch,
		Magic:   m,
		HdrSize: hdrsz,
		Entry:   entry,
		BssSize: uint64(h.bss),
		name:    name,
	}
	f.Layout = execLayout(arch, hdrsz, uint64(h.text), uint64(h.data), uint64(h.bss))
	if !o.Linked {
		if err := f.Layout.check(arch, entry); err != nil {
			return nil, err
		}
	}

	// Only now, with every size checked against the file, allocate; but
	// first make sure the reader really holds what size claims.
	var last [1]byte
	if err := readFull(r, last[:], int64(off)-1); err != nil {
		return nil, &Error{Msg: fmt.Sprintf("reading byte %#x", off-1), Err: err}
	}
	buf := make([]byte, off)
	if err := readFull(r, buf, 0); err != nil {
		return nil, &Error{Msg: "reading file", Err: err}
	}
	cut := func(n uint32) []byte {
		s := buf[:n:n]
		buf = buf[n:]
		return s
	}
	f.image = buf[: hdrsz+uint64(h.text) : hdrsz+uint64(h.text)]
	f.Header = cut(uint32(hdrsz))
	f.Text = cut(h.text)
	f.Data = cut(h.data)
	f.SymTab = cut(h.syms)
	f.PCSP = cut(h.spsz)
	f.PCLine = cut(h.pcsz)

	if o.Linked {
		if l, ok := linkedLayout(f); ok {
			f.Layout = l
		}
	}
	return f, nil
}

// readFull reads len(b) bytes at off, accepting the io.EOF a ReaderAt may
// return together with the last byte.
func readFull(r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}
