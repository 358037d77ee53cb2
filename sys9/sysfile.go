package sys9

import (
	"encoding/binary"
	"io"
	"strings"
)

// fdChan returns a new reference to the Chan behind fd.
func (p *Proc) fdChan(fd int) (*Chan, error) { return p.fgrp.get(fd) }

// open resolves name and opens it with mode.
func (p *Proc) open(name string, mode int) (*Chan, error) {
	if mode&^(3|OTRUNC|OCEXEC|ORCLOSE) != 0 {
		return nil, Ebadarg
	}
	c, err := p.namec(name)
	if err != nil {
		return nil, err
	}
	return p.openChan(c, mode)
}

// openChan opens an unopened Chan, returning the open Chan.
func (p *Proc) openChan(c *Chan, mode int) (*Chan, error) {
	if c.isDir() && (mode&3 == OWRITE || mode&3 == ORDWR || mode&OTRUNC != 0) {
		return nil, Eisdir
	}
	nc, err := c.Dev.Open(p, c, mode&^OCEXEC)
	if err != nil {
		return nil, err
	}
	if nc == c {
		c.open = true
		c.mode = mode &^ OCEXEC
	}
	return nc, nil
}

// sysOpen implements open(2): the lowest free fd, OCEXEC as an fd flag.
func sysOpen(p *Proc, a *args) (uint64, error) {
	name, err := p.readName(a.ptr(0))
	if err != nil {
		return 0, err
	}
	mode := int(a.uint(1))
	c, err := p.open(name, mode)
	if err != nil {
		return 0, err
	}
	fd, err := p.fgrp.install(c, mode&OCEXEC != 0)
	if err != nil {
		c.decref(p)
		return 0, err
	}
	return uint64(fd), nil
}

// sysCreate implements create(2): an existing file is truncated (unless
// OEXCL); a new one is made in the parent (the first MCREATE member of a
// union).
func sysCreate(p *Proc, a *args) (uint64, error) {
	name, err := p.readName(a.ptr(0))
	if err != nil {
		return 0, err
	}
	mode := a.int(1)
	perm := a.uint(2)
	c, err := p.create(name, mode, perm)
	if err != nil {
		return 0, err
	}
	fd, err := p.fgrp.install(c, mode&OCEXEC != 0)
	if err != nil {
		c.decref(p)
		return 0, err
	}
	return uint64(fd), nil
}

func (p *Proc) create(name string, mode int, perm uint32) (*Chan, error) {
	if mode&^(3|OTRUNC|OCEXEC|ORCLOSE|OEXCL) != 0 {
		return nil, Ebadarg
	}
	if name == "" {
		return nil, Enonexist
	}
	full := name
	if name[0] != '/' && name[0] != '#' {
		full = p.dot() + "/" + name
	}
	if strings.HasSuffix(name, "/") && perm&DMDIR == 0 {
		return nil, Enotdir // "f/" names a directory
	}
	full = cleanname(full)
	dir, elem := splitLast(full)
	if elem == "" || elem == "." || elem == ".." {
		return nil, Eisdir
	}
	if len(elem) > 255 {
		return nil, Etoolong
	}
	if c, err := p.namec(full); err == nil {
		if mode&OEXCL != 0 {
			return nil, Eexist
		}
		return p.openChan(c, mode&^OEXCL|OTRUNC)
	}
	dc, err := p.namec(dir)
	if err != nil {
		return nil, err
	}
	if !dc.isDir() {
		return nil, Enotdir
	}
	if h := dc.union; h != nil {
		var target *Chan
		for _, m := range h.list {
			if m.flag&MCREATE != 0 {
				target = m.to.clone()
				break
			}
		}
		if target == nil {
			return nil, Enocreate
		}
		dc = target
	}
	dc.Name = full
	if err := dc.Dev.Create(p, dc, elem, mode&^(OCEXEC|OEXCL), perm); err != nil {
		return nil, err
	}
	dc.open = true
	dc.mode = mode &^ (OCEXEC | OEXCL)
	dc.union = nil
	return dc, nil
}

func sysClose(p *Proc, a *args) (uint64, error) {
	c, err := p.fgrp.remove(a.int(0))
	if err != nil {
		return 0, err
	}
	c.decref(p)
	return 0, nil
}

// read and write do the I/O of pread/pwrite: off -1 means the Chan's
// offset, which then advances.
func (p *Proc) read(c *Chan, b []byte, off int64) (int, error) {
	if !c.open || !c.readable() {
		return 0, Ebadusefd
	}
	useOff := off == -1
	if useOff {
		c.mu.Lock()
		off = c.off
		c.mu.Unlock()
	} else if off < 0 {
		return 0, Enegoff
	}
	var n int
	var err error
	if c.isDir() {
		n, err = p.dirRead(c, b, off)
	} else {
		n, err = c.Dev.Read(p, c, b, off)
	}
	if err == io.EOF {
		err = nil
	}
	if err != nil {
		return 0, err
	}
	if useOff {
		c.mu.Lock()
		c.off += int64(n)
		c.mu.Unlock()
	}
	return n, nil
}

func (p *Proc) write(c *Chan, b []byte, off int64) (int, error) {
	if !c.open || !c.writable() {
		return 0, Ebadusefd
	}
	if c.isDir() {
		return 0, Eisdir
	}
	useOff := off == -1
	if useOff {
		c.mu.Lock()
		off = c.off
		c.mu.Unlock()
	} else if off < 0 {
		return 0, Enegoff
	}
	n, err := c.Dev.Write(p, c, b, off)
	if err != nil {
		return 0, err
	}
	if useOff {
		c.mu.Lock()
		c.off += int64(n)
		c.mu.Unlock()
	}
	return n, nil
}

// dirRead returns whole stat records of a directory, sequentially (§5.2).
func (p *Proc) dirRead(c *Chan, b []byte, off int64) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if off == 0 || c.dir == nil {
		var all []Dir
		if h := c.union; h != nil {
			for _, m := range h.list {
				l, err := m.to.Dev.List(p, m.to)
				if err != nil {
					return 0, err
				}
				all = append(all, l...)
			}
		} else {
			l, err := c.Dev.List(p, c)
			if err != nil {
				return 0, err
			}
			all = l
		}
		if all == nil {
			all = []Dir{}
		}
		c.dir, c.dirIdx, c.dirOff = all, 0, 0
		off = 0
	}
	if off != c.dirOff {
		return 0, Edirseek
	}
	n := 0
	for c.dirIdx < len(c.dir) {
		e := c.dir[c.dirIdx].Bytes()
		if n+len(e) > len(b) {
			break
		}
		copy(b[n:], e)
		n += len(e)
		c.dirIdx++
	}
	if n == 0 && c.dirIdx < len(c.dir) {
		return 0, Eshort
	}
	c.dirOff += int64(n)
	return n, nil
}

// maxIO bounds a single read or write, like the kernel's limits on
// transfers through one system call.
const maxIO = 1 << 26

func sysPread(p *Proc, a *args) (uint64, error) {
	return p.doRead(a.int(0), a.ptr(1), a.int(2), a.vlong(3))
}

func sysORead(p *Proc, a *args) (uint64, error) {
	return p.doRead(a.int(0), a.ptr(1), a.int(2), -1)
}

func (p *Proc) doRead(fd int, buf uint64, n int, off int64) (uint64, error) {
	if n < 0 {
		return 0, Etoobig
	}
	if n > maxIO {
		n = maxIO
	}
	c, err := p.fdChan(fd)
	if err != nil {
		return 0, err
	}
	defer c.decref(p)
	if err := p.cpu.Mem.Check(memAddr(buf), memAddr(n), memWrite); err != nil {
		return 0, &badAddr{addr: buf}
	}
	b := p.scratch(n)
	m, err := p.read(c, b, off)
	if err != nil {
		return 0, err
	}
	if err := p.writeBytes(buf, b[:m]); err != nil {
		return 0, err
	}
	return uint64(m), nil
}

func sysPwrite(p *Proc, a *args) (uint64, error) {
	return p.doWrite(a.int(0), a.ptr(1), a.int(2), a.vlong(3))
}

func sysOWrite(p *Proc, a *args) (uint64, error) {
	return p.doWrite(a.int(0), a.ptr(1), a.int(2), -1)
}

func (p *Proc) doWrite(fd int, buf uint64, n int, off int64) (uint64, error) {
	if n < 0 {
		return 0, Etoobig
	}
	if n > maxIO {
		n = maxIO
	}
	c, err := p.fdChan(fd)
	if err != nil {
		return 0, err
	}
	defer c.decref(p)
	b := p.scratch(n)
	if err := p.cpu.ReadGuest(b, buf); err != nil {
		return 0, &badAddr{addr: buf}
	}
	m, err := p.write(c, b, off)
	if err != nil {
		return 0, err
	}
	return uint64(m), nil
}

// seek computes a new offset (§4.3 seek).
func (p *Proc) seek(fd int, off int64, whence int) (int64, error) {
	c, err := p.fdChan(fd)
	if err != nil {
		return 0, err
	}
	defer c.decref(p)
	if isStream(c) {
		return 0, Eisstream
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	switch whence {
	case 0:
		n = off
		if c.isDir() {
			if off != 0 {
				return 0, Eisdir
			}
			c.dir = nil
		}
	case 1:
		if c.isDir() {
			return 0, Eisdir
		}
		n = c.off + off
	case 2:
		if c.isDir() {
			return 0, Eisdir
		}
		d, err := c.Dev.Stat(p, c)
		if err != nil {
			return 0, err
		}
		n = int64(d.Length) + off
	default:
		return 0, Ebadarg
	}
	if n < 0 {
		return 0, Enegoff
	}
	c.off = n
	return n, nil
}

// sysSeek implements seek(2): the result goes through the pointer in the
// first argument, on both architectures.
func sysSeek(p *Proc, a *args) (uint64, error) {
	if err := p.cpu.Mem.Check(memAddr(a.ptr(0)), 8, memWrite); err != nil {
		return 0, &badAddr{addr: a.ptr(0), n: 8}
	}
	n, err := p.seek(a.int(1), a.vlong(2), a.int(3))
	if err != nil {
		return 0, err
	}
	if err := p.writeVlong(a.ptr(0), n); err != nil {
		return 0, err
	}
	return 0, nil
}

func sysOSeek(p *Proc, a *args) (uint64, error) {
	n, err := p.seek(a.int(0), int64(a.int(1)), a.int(2))
	if err != nil {
		return 0, err
	}
	return uint64(n), nil
}

// stat stores a Dir; with a short buffer only its size (§4.3).
func (p *Proc) putStat(d Dir, buf uint64, n int) (uint64, error) {
	b := d.Bytes()
	if n < 2 {
		return 0, Eshortstat
	}
	if len(b) > n {
		return 2, p.writeBytes(buf, b[:2])
	}
	if err := p.writeBytes(buf, b); err != nil {
		return 0, err
	}
	return uint64(len(b)), nil
}

func sysStat(p *Proc, a *args) (uint64, error) {
	name, err := p.readName(a.ptr(0))
	if err != nil {
		return 0, err
	}
	c, err := p.namec(name)
	if err != nil {
		return 0, err
	}
	d, err := c.Dev.Stat(p, c)
	if err != nil {
		return 0, err
	}
	_, elem := splitLast(cleanname(name))
	if elem != "" && elem != "/" && elem != "." {
		d.Name = elem
	}
	return p.putStat(d, a.ptr(1), int(a.uint(2)))
}

func sysFstat(p *Proc, a *args) (uint64, error) {
	c, err := p.fdChan(a.int(0))
	if err != nil {
		return 0, err
	}
	defer c.decref(p)
	d, err := c.Dev.Stat(p, c)
	if err != nil {
		return 0, err
	}
	return p.putStat(d, a.ptr(1), int(a.uint(2)))
}

func (p *Proc) readDir(buf uint64, n int) (Dir, error) {
	if n < STATFIXLEN || n > STATMAX {
		return Dir{}, Ebadstat
	}
	b, err := p.readBytes(buf, n)
	if err != nil {
		return Dir{}, err
	}
	return UnmarshalDir(b)
}

func sysWstat(p *Proc, a *args) (uint64, error) {
	name, err := p.readName(a.ptr(0))
	if err != nil {
		return 0, err
	}
	d, err := p.readDir(a.ptr(1), int(a.uint(2)))
	if err != nil {
		return 0, err
	}
	c, err := p.namec(name)
	if err != nil {
		return 0, err
	}
	if err := c.Dev.Wstat(p, c, &d); err != nil {
		return 0, err
	}
	return uint64(a.uint(2)), nil
}

func sysFwstat(p *Proc, a *args) (uint64, error) {
	d, err := p.readDir(a.ptr(1), int(a.uint(2)))
	if err != nil {
		return 0, err
	}
	c, err := p.fdChan(a.int(0))
	if err != nil {
		return 0, err
	}
	defer c.decref(p)
	if err := c.Dev.Wstat(p, c, &d); err != nil {
		return 0, err
	}
	return uint64(a.uint(2)), nil
}

func sysRemove(p *Proc, a *args) (uint64, error) {
	name, err := p.readName(a.ptr(0))
	if err != nil {
		return 0, err
	}
	c, err := p.namec(name)
	if err != nil {
		return 0, err
	}
	if c.union != nil && len(c.union.list) > 0 {
		return 0, Eismtpt
	}
	return 0, c.Dev.Remove(p, c)
}

func sysChdir(p *Proc, a *args) (uint64, error) {
	name, err := p.readName(a.ptr(0))
	if err != nil {
		return 0, err
	}
	c, err := p.namec(name)
	if err != nil {
		return 0, err
	}
	if !c.isDir() {
		return 0, Enotdir
	}
	p.setDot(c.Name)
	return 0, nil
}

// sysFd2path copies the name the Chan was opened by, truncated to fit
// (with its NUL).
func sysFd2path(p *Proc, a *args) (uint64, error) {
	c, err := p.fdChan(a.int(0))
	if err != nil {
		return 0, err
	}
	defer c.decref(p)
	n := int(a.uint(2))
	if n <= 0 {
		return 0, nil
	}
	s := []byte(c.Name)
	if len(s) > n-1 {
		s = s[:n-1]
	}
	return 0, p.writeBytes(a.ptr(1), append(s, 0))
}

// sysDup implements dup(2). The new fd is the same channel, so it is
// close-on-exec if the old one is (Plan 9 keeps the flag in the channel).
func sysDup(p *Proc, a *args) (uint64, error) {
	c, err := p.fdChan(a.int(0))
	if err != nil {
		return 0, err
	}
	nfd := a.int(1)
	if nfd == -1 {
		fd, err := p.fgrp.install(c, false)
		if err != nil {
			c.decref(p)
			return 0, err
		}
		return uint64(fd), nil
	}
	old, err := p.fgrp.dupTo(c, nfd)
	if err != nil {
		c.decref(p)
		return 0, err
	}
	if old != nil {
		old.decref(p)
	}
	return uint64(nfd), nil
}

// sysPipe implements pipe(2): fd[0] is #|/data, fd[1] #|/data1; the fds
// are two 32-bit ints on both architectures.
func sysPipe(p *Proc, a *args) (uint64, error) {
	if err := p.cpu.Mem.Check(memAddr(a.ptr(0)), 8, memWrite); err != nil {
		return 0, &badAddr{addr: a.ptr(0)}
	}
	c0, c1 := p.k.devtab['|'].(*pipeDev).newPipe(p)
	fd0, err := p.fgrp.install(c0, false)
	if err != nil {
		c0.decref(p)
		c1.decref(p)
		return 0, err
	}
	fd1, err := p.fgrp.install(c1, false)
	if err != nil {
		if c, err := p.fgrp.remove(fd0); err == nil {
			c.decref(p)
		}
		c1.decref(p)
		return 0, err
	}
	var b [8]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(fd0))
	binary.LittleEndian.PutUint32(b[4:], uint32(fd1))
	return 0, p.writeBytes(a.ptr(0), b[:])
}

func sysBind(p *Proc, a *args) (uint64, error) {
	src, err := p.readName(a.ptr(0))
	if err != nil {
		return 0, err
	}
	dst, err := p.readName(a.ptr(1))
	if err != nil {
		return 0, err
	}
	if err := p.bindNames(src, dst, a.int(2)); err != nil {
		return 0, err
	}
	return 0, nil
}

func sysUnmount(p *Proc, a *args) (uint64, error) {
	var newc *Chan
	if a.ptr(0) != 0 {
		src, err := p.readName(a.ptr(0))
		if err != nil {
			return 0, err
		}
		if newc, err = p.namec(src); err != nil {
			return 0, err
		}
	}
	dst, err := p.readName(a.ptr(1))
	if err != nil {
		return 0, err
	}
	old, err := p.namec(dst)
	if err != nil {
		return 0, err
	}
	if old.union == nil {
		return 0, Eunmount
	}
	// namec returned the union's first member; unmount by the mount
	// point's identity.
	return 0, p.pgrp.unmountHead(old.union, newc)
}

func sysMount(p *Proc, a *args) (uint64, error)    { return 0, Enotimpl }
func sysFversion(p *Proc, a *args) (uint64, error) { return 0, Enotimpl }
func sysFauth(p *Proc, a *args) (uint64, error)    { return 0, Enotimpl }
func sysFsession(p *Proc, a *args) (uint64, error) {
	if a.uint(2) == 0 {
		return 0, Etoosmall
	}
	return 0, p.writeBytes(a.ptr(1), []byte{0})
}

// scratch returns a buffer of n bytes for one system call's I/O. Small
// buffers are reused (a process makes one call at a time), so the common
// reads and writes — Go's clock reads /dev/bintime on every query —
// allocate nothing. Devices must not keep the slice after the call.
func (p *Proc) scratch(n int) []byte {
	const keep = 64 << 10
	if n > keep {
		return make([]byte, n)
	}
	if cap(p.iobuf) < n {
		p.iobuf = make([]byte, keep)
	}
	return p.iobuf[:n]
}
