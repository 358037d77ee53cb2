package sys9

// Open modes and create flags (open(2)).
const (
	OREAD   = 0
	OWRITE  = 1
	ORDWR   = 2
	OEXEC   = 3
	OTRUNC  = 0x10
	OCEXEC  = 0x20
	ORCLOSE = 0x40
	OEXCL   = 0x1000
)

// A Dev is a kernel device, as in port/portdat.h's Dev: the operations
// the name space and the file system calls apply to its Chans. Methods
// that run on behalf of a system call get the calling process; Close may
// run when a process exits.
//
// Walk returns a new, unopened Chan for the named child of c (which is a
// directory and is not open). Open normally changes c into an open Chan
// and returns it; a device may instead return a new reference to another,
// already open Chan (#d/N, #s/NAME), as Plan 9's devopen may. Create
// changes c (the directory) into the new, open file. List returns the
// entries of the directory c, for directory reads.
type Dev interface {
	Char() rune
	Name() string
	Attach(p *Proc, spec string) (*Chan, error)
	Walk(p *Proc, c *Chan, name string) (*Chan, error)
	Stat(p *Proc, c *Chan) (Dir, error)
	Open(p *Proc, c *Chan, mode int) (*Chan, error)
	Create(p *Proc, c *Chan, name string, mode int, perm uint32) error
	Read(p *Proc, c *Chan, b []byte, off int64) (int, error)
	Write(p *Proc, c *Chan, b []byte, off int64) (int, error)
	Close(c *Chan)
	Remove(p *Proc, c *Chan) error
	Wstat(p *Proc, c *Chan, d *Dir) error
	List(p *Proc, c *Chan) ([]Dir, error)
}

// noDev supplies the operations most synthetic devices refuse.
type noDev struct{}

func (noDev) Create(p *Proc, c *Chan, name string, mode int, perm uint32) error { return Eperm }
func (noDev) Remove(p *Proc, c *Chan) error                                     { return Eperm }
func (noDev) Wstat(p *Proc, c *Chan, d *Dir) error                              { return Eperm }
func (noDev) Close(c *Chan)                                                     {}

// A dirTab entry describes one file of a static device directory (the
// Dirtab idea of port/dev.c).
type dirTab struct {
	name string
	qid  Qid
	perm uint32
}

// openMode checks an open mode's low bits and returns the access it
// needs: DMREAD, DMWRITE or both (OEXEC counts as read).
func openAccess(mode int) (uint32, error) {
	switch mode & 3 {
	case OREAD, OEXEC:
		if mode&OTRUNC != 0 {
			return DMREAD | DMWRITE, nil
		}
		return DMREAD, nil
	case OWRITE:
		return DMWRITE, nil
	}
	return DMREAD | DMWRITE, nil
}

// permits reports whether perm (the owner's bits, as this single-user
// emulator checks them, falling back to other's) allows access.
func permits(perm, access uint32) bool {
	bits := (perm >> 6) & 7
	return bits&access == access
}

// devDir returns a Dir for a synthetic file.
func devDir(dev Dev, c *Chan, name string, qid Qid, perm uint32, length uint64, p *Proc) Dir {
	user := "none"
	if p != nil {
		user = p.k.user
	}
	mode := perm
	if qid.Type&QTDIR != 0 {
		mode |= DMDIR
	}
	var devno uint32
	if c != nil {
		devno = c.Devno
	}
	now := uint32(0)
	if p != nil {
		now = uint32(p.k.now().Unix())
	}
	return Dir{Type: uint16(dev.Char()), Dev: devno, Qid: qid, Mode: mode, Atime: now, Mtime: now,
		Length: length, Name: name, Uid: user, Gid: user, Muid: user}
}
